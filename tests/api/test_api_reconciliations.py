"""An insurer's system reconciles its own booking list with a contract's statement through /api/v1: a multipart
upload of the file and the month answers the differences per person; the list shows it; another insurer's key
gets 404, a bad row 422 naming it, a repeat with the same Idempotency-Key the first answer."""
import io
import uuid
from decimal import Decimal

from engine import statements
from tests.api.test_api_openapi import check
from tests.journey import insured_case_with_event


def upload(api, path, month, data, key=None):
    body = {"month": month, "file": (io.BytesIO(data), "buchungen.csv")}
    return api.client.post(f"/api/v1{path}", data=body, content_type="multipart/form-data",
                           headers=api.headers(key or uuid.uuid4().hex))


def test_an_insurer_reconciles_through_the_api_and_no_one_else_can(app, api, client):
    lumen, auxilia = api("lumen"), api("auxilia")
    with app.app_context():
        case = insured_case_with_event("lumen", lumen.staff, tag="api-rc")
        statement, _ = statements.issue(case["contract"], case["contract"].start_date)
        [line] = statements.view(statement)["lines"]
    path = f"/contracts/{case['contract'].id}/reconciliations"
    month = f"{statement.month:%Y-%m}"
    file = f"Personalnummer;Betrag\n{line['personnel_number']};{line['amount'] + 1}\n77;5,00\n".encode()
    document = client.get("/api/v1/openapi.json").get_json()

    key = uuid.uuid4().hex
    answer = upload(lumen, path, month, file, key)

    assert answer.status_code == 200, answer.get_data(as_text=True)
    check(document, "/contracts/{contract_id}/reconciliations", "post", answer)
    result = answer.get_json()
    assert (result["source"], result["statement"]["number"], result["side"]) == ("statement", statement.number,
                                                                                 "insurer")
    assert result["counts"] == {"same": 0, "missing": 0, "extra": 1, "different": 1}
    different, extra = result["lines"]
    assert (different["status"], Decimal(different["difference"])) == ("different", Decimal(1))
    assert different["reason"]["code"] == "enrolment" and different["reason"]["since"] == month + "-01"
    assert (extra["status"], extra["personnel_number"], extra["reason"]) == ("extra", "77", {"code": "unknown"})
    again = upload(lumen, path, month, file, key)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.get_json()["id"] == result["id"]

    listed = lumen.get(path)
    check(document, "/contracts/{contract_id}/reconciliations", "get", listed)
    assert [r["id"] for r in listed.get_json()["items"]] == [result["id"]]
    detail = lumen.get(f"{path}/{result['id']}")
    check(document, "/contracts/{contract_id}/reconciliations/{reconciliation_id}", "get", detail)
    assert detail.get_json()["lines"] == result["lines"]

    assert upload(auxilia, path, month, file).status_code == 404
    assert auxilia.get(path).status_code == 404
    assert auxilia.get(f"{path}/{result['id']}").status_code == 404
    bad = upload(lumen, path, month, b"Personalnummer;Betrag\n1;viel\n")
    assert bad.status_code == 422 and "Zeile 2, Spalte Betrag" in bad.get_json()["error"]["message"]
    missing_month = lumen.client.post(f"/api/v1{path}", data={"file": (io.BytesIO(file), "x.csv")},
                                      content_type="multipart/form-data", headers=lumen.headers("k-1"))
    assert missing_month.status_code == 422 and missing_month.get_json()["error"]["field"] == "month"
    assert lumen.post(path, {"month": month}).status_code == 400       # JSON is no file upload
