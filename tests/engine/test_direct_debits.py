"""Collection by SEPA direct debit: the employer's mandate comes from the accepted application, the
insurer's pain.008 file per collection date validates against the ISO 20022 schema and debits exactly
the statements' amounts (the employer's, and an employee's own part from the employee's mandate),
FRST on a mandate's first debit and RCUR after."""
import datetime
import pathlib
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import sepaxml
import xmlschema

from engine import audit, cover, direct_debits, mandates, statements
from engine.errors import DomainError
from engine.models import Employee
from tests.engine.test_statements import contract_with_staff, file_and_accept, move_to

D = datetime.date
# The official ISO 20022 schema of pain.008.001.08, as sepaxml ships it (sepaxml/schemas/)
XSD = pathlib.Path(sepaxml.__file__).parent / "schemas" / "pain.008.001.08.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}


def debits(xml):
    """{end-to-end id: (sequence, amount, mandate id, IBAN)} and the group header's control sum."""
    root = ET.fromstring(xml)
    found = {}
    for batch in root.iterfind(".//p:PmtInf", NS):
        sequence = batch.find("p:PmtTpInf/p:SeqTp", NS).text
        for tx in batch.iterfind("p:DrctDbtTxInf", NS):
            found[tx.find("p:PmtId/p:EndToEndId", NS).text] = (
                sequence, Decimal(tx.find("p:InstdAmt", NS).text),
                tx.find("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", NS).text, tx.find("p:DbtrAcct/p:Id/p:IBAN", NS).text)
    return found, Decimal(root.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", NS).text)


def collect(contract, day):
    move_to_day = day
    cover.apply_due()
    statement, _ = statements.issue(contract, move_to_day)
    made, created = direct_debits.run(contract.tenant_id, day)
    assert created
    return statement, made, direct_debits.xml_file(made)[1]


def test_the_employers_mandate_comes_from_the_accepted_application(app, make_user):
    with app.app_context():
        case = contract_with_staff("lumen", make_user("insurer", tenant="lumen"), "dd-m")
        mandate = mandates.active_for_contract(case["contract"])
        data = case["application"].data
        assert (mandate.iban, mandate.holder) == (data["iban"], data["account_holder"])
        assert mandate.signed_on == D(2026, 12, 2)  # released that day (the platform's test day)
        assert mandate.reference == f"BKV-AG{case['contract'].id}-1" and mandate.first_collected_on is None
        assert [e.action for e in audit.history("mandate", mandate.id)] == ["mandate.recorded"]
        shown = mandates.of_contract(case["contract"])
        assert shown[0]["iban"].startswith("DE89 ****") and data["iban"] not in str(shown)


def test_a_bad_iban_is_refused_and_the_old_mandate_stays(app, make_user):
    with app.app_context():
        case = contract_with_staff("lumen", make_user("insurer", tenant="lumen"), "dd-i")
        before = mandates.active_for_contract(case["contract"])
        with pytest.raises(DomainError) as refused:
            mandates.record_for_contract(case["contract"], "Kunde GmbH", "DE89 3704 0044 0532 0130 01", D(2026, 12, 1),
                                         case["employer_user"])
        assert refused.value.field == "iban" and "Prüfziffer der IBAN" in refused.value.text["de"]
        assert mandates.active_for_contract(case["contract"]).id == before.id
        replaced = mandates.record_for_contract(case["contract"], "Kunde GmbH", "de02 1203 0000 0000 2020 51",
                                                D(2026, 12, 1), case["employer_user"])
        assert mandates.active_for_contract(case["contract"]).id == replaced.id
        assert replaced.iban == "DE02120300000000202051" and replaced.reference.endswith("-2")
        assert mandates.of_contract(case["contract"])[1]["revoked_on"] == D(2026, 12, 2)


def test_the_pain008_file_validates_and_debits_the_statements_frst_then_rcur(app, make_user, clock):
    schema = xmlschema.XMLSchema(XSD)
    with app.app_context():
        case = contract_with_staff("lumen", make_user("insurer", tenant="lumen"), "dd-f")
        contract = case["contract"]
        employer_mandate = mandates.active_for_contract(contract)

        move_to(clock, D(2027, 1, 1))
        january, run, xml = collect(contract, D(2027, 1, 1))
        schema.validate(xml)
        found, control_sum = debits(xml)
        assert found == {f"S{january.id}-202701-AG": ("FRST", Decimal(january.total), employer_mandate.reference,
                                                      employer_mandate.iban)}
        assert control_sum == Decimal(january.total) == Decimal(run.total) > 0
        assert direct_debits.run("lumen", D(2027, 1, 1))[0].id == run.id  # once per date
        assert b"<CreDtTm>2027-01-01T" in xml  # the platform's clock, not the system's

        # a sabbatical from March: the employee pays their own premium, by their own mandate
        move_to(clock, D(2027, 1, 20))
        person = Employee.get_by_id(case["people"]["3"].id)
        file_and_accept(case, "3", "sabbatical", {"start_date": D(2027, 3, 1), "end_date": D(2027, 5, 31)})
        own = mandates.record_for_employee(person, "Cora Christ", "DE02120300000000202051", D(2027, 1, 20),
                                           case["employer_user"])
        assert mandates.active_for_employee(person).id == own.id

        move_to(clock, D(2027, 2, 1))
        february, _, xml = collect(contract, D(2027, 2, 1))
        schema.validate(xml)
        assert debits(xml)[0] == {f"S{february.id}-202702-AG": ("RCUR", Decimal(february.total),
                                                                employer_mandate.reference, employer_mandate.iban)}

        move_to(clock, D(2027, 3, 1))
        march, run, xml = collect(contract, D(2027, 3, 1))
        schema.validate(xml)
        lines = statements.view(march)["lines"]
        employee_part = sum(line["employee_amount"] for line in lines if line["employee_id"] == person.id)
        assert employee_part > 0
        found, control_sum = debits(xml)
        assert found == {
            f"S{march.id}-202703-AG": ("RCUR", Decimal(march.total) - employee_part, employer_mandate.reference,
                                       employer_mandate.iban),
            f"S{march.id}-202703-AN{person.id}": ("FRST", employee_part, own.reference, own.iban)}
        assert control_sum == Decimal(march.total) == Decimal(run.total)
        assert direct_debits.run_due(D(2027, 3, 1)) == {"runs": 0, "existing": 1}
        shown = direct_debits.view(run)
        assert [(i["debtor"], i["sequence"]) for i in shown["items"]] == [("employer", "RCUR"),
                                                                         (f"employee:{person.id}", "FRST")]
        assert [e.action for e in audit.history("collection_run", run.id)] == ["collection.created"]


def test_the_daily_job_collects_on_the_tenants_collection_day(app, make_user, clock):
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), "dd-j")  # collection_day 5
        move_to(clock, D(2027, 1, 1))
        cover.apply_due()
        statements.issue_due()
        assert direct_debits.run_due() == {"runs": 0, "existing": 0}
        move_to(clock, D(2027, 1, 5))
        done = direct_debits.run_due()
        assert done["runs"] >= 1
        runs = direct_debits.runs_of("auxilia")
        assert runs[0]["collection_date"] == D(2027, 1, 5)
        ids = [item["statement_id"] for item in direct_debits.view(direct_debits.of_tenant("auxilia", runs[0]["id"]))
               ["items"]]
        assert statements.for_contract(case["contract"])[0]["id"] in ids
        with pytest.raises(DomainError):
            direct_debits.of_tenant("lumen", runs[0]["id"])
