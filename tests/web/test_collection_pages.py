"""The pages of SEPA collection: the insurer's direct-debit runs (list, items, pain.008 file, a run made by
its staff) and the employer's payment card (the active mandate, replacing it, the earlier ones)."""
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from engine import direct_debits, mandates, statements
from engine.models import Mandate
from tests.conftest import csrf_from, log_in
from tests.journey import insured_case_with_event

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}
GOOD_IBAN = "DE02 1203 0000 0000 2020 51"


def _text(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_insurer_makes_a_run_lists_it_reads_its_items_and_downloads_its_file(app, make_user):
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        paying = insured_case_with_event("lumen", staff, tag="dd-p")
        transfer = insured_case_with_event("lumen", staff, tag="dd-t")
        Mandate.delete().where(Mandate.contract == transfer["contract"].id).execute()  # pays by transfer
        first, _ = statements.issue(paying["contract"], paying["contract"].start_date)
        second, _ = statements.issue(transfer["contract"], transfer["contract"].start_date)
        mandate = mandates.active_for_contract(paying["contract"])
    client = app.test_client()
    log_in(client, staff)
    page = client.get("/m/lumen/office/collections/")
    assert page.status_code == 200 and 'href="/m/lumen/office/collections/"' in _text(page)  # in the navigation
    early = client.post("/m/lumen/office/collections/run", data={"collection_date": "2026-06-01",
                                                                 "csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "Zum 01.06.2026 ist keine Beitragsrechnung zum Einzug fällig." in _text(early)  # its month has not begun
    made = client.post("/m/lumen/office/collections/run", data={
        "collection_date": first.month.isoformat(), "csrf_token": csrf_from(page)})
    assert made.status_code == 302
    run_id = int(made.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        run = direct_debits.of_tenant("lumen", run_id)
        assert run.created_by_id == staff.id and Decimal(run.total) == Decimal(first.total) > 0

    listed = _text(client.get("/m/lumen/office/collections/"))
    assert f"/m/lumen/office/collections/{run_id}.xml" in listed and staff.name in listed
    detail = _text(client.get(f"/m/lumen/office/collections/{run_id}"))
    assert paying["contract"].policy_number in detail and transfer["contract"].policy_number in detail
    assert mandates.masked(mandate.iban) in detail and mandate.reference in detail and "FRST" in detail
    assert mandate.iban not in detail  # only masked
    assert "kein Mandat: Zahlung per Überweisung" in detail  # the transfer contract's statement

    xml = client.get(f"/m/lumen/office/collections/{run_id}.xml")
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    root = ET.fromstring(xml.data)
    control_sum = Decimal(root.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", NS).text)
    amounts = [Decimal(a.text) for a in root.iterfind(".//p:DrctDbtTxInf/p:InstdAmt", NS)]
    assert control_sum == sum(amounts) == Decimal(first.total) and len(amounts) == 1  # not the transfer's

    again = client.post("/m/lumen/office/collections/run", data={
        "collection_date": first.month.isoformat(), "csrf_token": csrf_from(page)})
    assert again.headers["Location"].endswith(f"/m/lumen/office/collections/{run_id}")  # the same run, not a second
    refused = client.post("/m/lumen/office/collections/run", data={"collection_date": "31.02.", "csrf_token":
                                                                   csrf_from(page)})
    assert refused.status_code == 422 and 'id="collection_date-error"' in _text(refused)


def test_another_insurer_sees_no_run_of_lumens(app, make_user):
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        case = insured_case_with_event("lumen", staff, tag="dd-o")
        statement, _ = statements.issue(case["contract"], case["contract"].start_date)
        run, _ = direct_debits.run("lumen", statement.month)
    other = app.test_client()
    log_in(other, make_user("insurer", tenant="auxilia"))
    for path in (f"/m/auxilia/office/collections/{run.id}", f"/m/auxilia/office/collections/{run.id}.xml"):
        assert other.get(path).status_code == 404, path
    assert f"/collections/{run.id}" not in _text(other.get("/m/auxilia/office/collections/"))
    assert other.get(f"/m/lumen/office/collections/{run.id}").status_code == 403


def test_the_employer_sees_its_mandate_and_replaces_it(app, make_user):
    with app.app_context():
        case = insured_case_with_event("lumen", make_user("insurer", tenant="lumen"), tag="md-e")
        contract = case["contract"]
        old = mandates.active_for_contract(contract)
    client = app.test_client()
    log_in(client, case["employer_user"])
    page = client.get(f"/m/lumen/contracts/{contract.id}")
    shown = _text(page)
    assert 'id="payment"' in shown and old.reference in shown and mandates.masked(old.iban) in shown
    assert old.iban not in shown
    url, token = f"/m/lumen/contracts/{contract.id}/mandate", csrf_from(page)

    bad = client.post(url, data={"holder": "Kunde GmbH", "iban": "DE89 3704 0044 0532 0130 01", "consent": "yes",
                                 "csrf_token": token})
    assert bad.status_code == 422
    assert re.search(r'id="iban-error">[^<]*Prüfziffer', _text(bad)) and 'aria-describedby="iban-error"' in _text(bad)
    unticked = client.post(url, data={"holder": "Kunde GmbH", "iban": GOOD_IBAN, "csrf_token": token})
    assert unticked.status_code == 422 and 'id="consent-error"' in _text(unticked)
    with app.app_context():
        assert mandates.active_for_contract(contract).id == old.id  # nothing changed

    good = client.post(url, data={"holder": "Kunde GmbH", "iban": GOOD_IBAN, "bic": "", "consent": "yes",
                                  "csrf_token": token})
    assert good.status_code == 302 and good.headers["Location"].endswith(f"/m/lumen/contracts/{contract.id}#payment")
    with app.app_context():
        new = mandates.active_for_contract(contract)
        assert new.id != old.id and new.iban == GOOD_IBAN.replace(" ", "") and new.holder == "Kunde GmbH"
    after = _text(client.get(f"/m/lumen/contracts/{contract.id}"))
    assert new.reference in after and mandates.masked(new.iban) in after
    earlier = after.split("Frühere Mandate", 1)[1]
    assert old.reference in earlier and "02.12.2026" in earlier  # revoked today


def test_no_one_else_sees_or_replaces_the_employers_mandate(app, make_user):
    with app.app_context():
        case = insured_case_with_event("lumen", make_user("insurer", tenant="lumen"), tag="md-o")
        other = insured_case_with_event("lumen", make_user("insurer", tenant="lumen"), tag="md-x")
        before = mandates.active_for_contract(case["contract"])
    url = f"/m/lumen/contracts/{case['contract'].id}/mandate"
    for user, codes in ((other["employer_user"], {404}), (case["broker"], {403, 404})):
        client = app.test_client()
        log_in(client, user)
        assert client.get(url).status_code in codes
        token = csrf_from(client.get("/auth/password"))
        assert client.post(url, data={"holder": "X", "iban": GOOD_IBAN, "consent": "yes",
                                      "csrf_token": token}).status_code in codes
    with app.app_context():
        assert mandates.active_for_contract(case["contract"]).id == before.id
