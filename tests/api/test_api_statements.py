"""Statements, their lines and the direct-debit runs in /api/v1: an insurer's system reads its own, with
the amounts the statement PDF shows, and downloads the pain.008 file; another insurer's key gets 404."""
from decimal import Decimal

from engine import direct_debits, statements
from tests.journey import insured_case_with_event


def test_an_insurer_reads_its_statements_and_collections_and_no_one_elses(app, api):
    lumen, auxilia = api("lumen"), api("auxilia")
    with app.app_context():
        case = insured_case_with_event("lumen", lumen.staff, tag="api-st")
        statement, _ = statements.issue(case["contract"], case["contract"].start_date)
        run, _ = direct_debits.run("lumen", statement.month)
        seen = statements.view(statement)
    listed = lumen.get(f"/statements?contract={case['contract'].id}&month={statement.month:%Y-%m}").get_json()
    assert [s["id"] for s in listed["items"]] == [statement.id]
    assert lumen.get("/statements?month=1999-01").get_json()["items"] == []
    assert lumen.get("/statements?month=2027-13").status_code == 400
    one = lumen.get(f"/statements/{statement.id}").get_json()
    assert Decimal(one["total"]) == seen["total"] > 0
    assert [(l["person"], Decimal(l["amount"])) for l in one["lines"]] == [(l["person"], l["amount"])
                                                                          for l in seen["lines"]]
    runs = lumen.get("/collections").get_json()["items"]
    assert [r["id"] for r in runs] == [run.id] and Decimal(runs[0]["total"]) == seen["total"]
    detail = lumen.get(f"/collections/{run.id}").get_json()
    assert detail["items"][0]["sequence"] == "FRST" and "****" in detail["items"][0]["iban"]
    xml = lumen.get(detail["xml_url"].removeprefix("/api/v1"))
    assert xml.mimetype == "application/xml" and f"<CtrlSum>{seen['total']}</CtrlSum>".encode() in xml.data

    for path in (f"/statements/{statement.id}", f"/statements/{statement.id}/pdf", f"/collections/{run.id}",
                 f"/collections/{run.id}/xml"):
        assert auxilia.get(path).status_code == 404, path
    assert auxilia.get("/statements").get_json()["items"] == []
    assert auxilia.get("/collections").get_json()["items"] == []
