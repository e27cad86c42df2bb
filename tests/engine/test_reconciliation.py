"""Reconciliation (engine/reconciliation.py): an uploaded statement or payroll result against the platform's
statement of the month, per person missing / extra / different amount with the ledger's reason; the
platform's own files round-trip without differences; bad rows are named, never skipped."""
import datetime
from decimal import Decimal

import pytest

from engine import cover, employee_file, payroll, reconciliation, statements
from engine.models import AuditEntry, Reconciliation
from tests.engine.test_statements import contract_with_staff, file_and_accept, move_to

D = datetime.date
APRIL = D(2027, 4, 1)


@pytest.fixture
def april(app, make_user, clock):
    """The four people of test_statements from January 2027: 2 left on 15 March, 3 is on parental leave
    (suspended) from March, 4 turned 40 on 15 March (an age step on 1 April). April's statement bills 1, 3, 4."""
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), "r1")
        move_to(clock, D(2027, 2, 10))
        file_and_accept(case, "2", "leaving", {"leaving_date": D(2027, 3, 15)})
        file_and_accept(case, "3", "parental_leave", {"start_date": D(2027, 3, 1), "end_date": D(2027, 8, 31),
                                                      "mode": "suspend"})
        move_to(clock, APRIL)
        cover.apply_due()
        statement, _ = statements.issue(case["contract"], APRIL)
        yield {**case, "statement": statement}


def by_number(result):
    return {line["personnel_number"]: line for line in result["lines"]}


def test_missing_extra_and_different_amounts_each_with_the_ledgers_reason(april):
    case, statement = april, april["statement"]
    billed = {line["personnel_number"]: line["amount"] for line in statements.view(statement)["lines"]}
    assert set(billed) == {"1", "3", "4"}
    march = cover.overview(case["contract"], D(2027, 3, 1))
    before_step = march[case["people"]["4"].id]["premium"]          # 4's premium before the age step
    left = cover.overview(case["contract"], D(2027, 1, 1))[case["people"]["2"].id]["premium"]
    file = ("Personalnummer;Name;Betrag\n"
            f"2;Berg, Ben;{left}\n"                                  # left in March: extra
            f"3;Christ, Cora;{str(billed['4']).replace('.', ',')}\n"  # suspended, billed 0: different
            f"4;Dorn, Dirk;{before_step}\n"                           # the age step missed: different
            "9999;Fremd, Frieda;10,00\n").encode()                    # nobody of this contract: extra
    before = statements.view(statement)

    found = reconciliation.reconcile(case["employer_user"], case["contract"], APRIL, "versicherer.csv", file,
                                     "employer")

    result = reconciliation.of_contract(case["contract"], found.id)
    lines = by_number(result)
    assert result["source"] == "statement" and result["statement"]["number"] == statement.number
    assert result["counts"] == {"same": 0, "missing": 1, "extra": 2, "different": 2}
    assert lines["1"]["status"] == "missing" and lines["1"]["platform"] == billed["1"]
    assert lines["1"]["file"] is None
    assert lines["1"]["reason"] == {"code": "enrolment", "event_kind": "", "cover": "insured", "since": D(2027, 1, 1)}
    assert (lines["2"]["status"], lines["2"]["platform"], lines["2"]["file"]) == ("extra", None, left)
    assert lines["2"]["reason"] == {"code": "ended", "until": D(2027, 3, 31)}
    assert lines["3"]["status"] == "different" and lines["3"]["platform"] == 0
    assert lines["3"]["reason"]["event_kind"] == "parental_leave"
    assert lines["3"]["reason"]["cover"] == "suspended" and lines["3"]["reason"]["since"] == D(2027, 3, 1)
    assert lines["4"]["status"] == "different"
    assert lines["4"]["difference"] == before_step - billed["4"] != 0
    assert lines["4"]["reason"]["code"] == "age_step" and lines["4"]["reason"]["since"] == APRIL
    assert (lines["9999"]["status"], lines["9999"]["person"], lines["9999"]["reason"]) == \
        ("extra", "Fremd, Frieda", {"code": "unknown"})
    assert lines["9999"]["rows"] == [5]
    file_total = left + billed["4"] + before_step + Decimal("10.00")
    assert result["totals"] == {
        "platform": sum(billed.values()), "file": file_total, "difference": file_total - sum(billed.values())}
    assert statements.view(statement) == before                     # the statement never changes
    entry = AuditEntry.get((AuditEntry.action == "reconciliation.made") & (AuditEntry.object_id == str(found.id)))
    assert entry.after["counts"] == result["counts"] and entry.actor_id == case["employer_user"].id
    assert [r["id"] for r in reconciliation.for_contract(case["contract"])] == [found.id]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_platforms_own_statement_round_trips_without_differences(april, fmt):
    case, statement = april, april["statement"]
    _, data, _ = statements.download(case["contract"], statement.id, fmt)
    found = reconciliation.reconcile(case["staff"], case["contract"], APRIL, f"statement.{fmt}", data, "insurer")
    result = found.summary
    assert result["layout"] == "statement" and result["basis"] == "total"
    assert result["lines"] == [] and result["counts"]["same"] == 3
    assert Decimal(result["totals"]["difference"]) == 0
    if fmt == "xlsx":  # its "Summe" row is the file's own total, not a person
        assert Decimal(result["stated_total"]) == Decimal(statement.total)


def test_the_payroll_export_compares_the_employers_part(april):
    case = april
    data = payroll.as_csv(payroll.rows(case["contract"], APRIL))
    result = reconciliation.reconcile(case["employer_user"], case["contract"], APRIL, "lohn.csv", data,
                                      "employer").summary
    assert (result["layout"], result["basis"], result["lines"]) == ("payroll", "employer", [])


def test_without_an_issued_statement_the_ledgers_month_is_compared(april):
    case = april
    may = D(2027, 5, 1)
    premiums = {p.personnel_number: cover.premium_for(p, may) for p in case["people"].values()}
    file = "Personalnummer;Betrag;Monat\n" + "".join(f"{n};{a};05.2027\n" for n, a in premiums.items() if a)
    result = reconciliation.reconcile(case["employer_user"], case["contract"], may, "mai.csv", file.encode(),
                                      "employer").summary
    assert result["source"] == "ledger" and result["statement"] is None
    assert result["lines"] == []


def test_a_person_is_found_by_name_and_birth_date(april):
    case = april
    line = {l["personnel_number"]: l["amount"] for l in statements.view(case["statement"])["lines"]}
    file = ("Nachname;Vorname;Geburtsdatum;Beitrag\n"
            f"Anders;Anna;01.06.1980;{line['1']}\nDorn;Dirk;15.03.1987;{line['4']}\n").encode()
    result = reconciliation.reconcile(case["employer_user"], case["contract"], APRIL, "x.csv", file,
                                      "employer").summary
    assert result["lines"] == []   # 3 is billed 0 while suspended: nothing to miss
    assert result["counts"]["same"] == 3


def test_bad_rows_are_named_with_row_column_and_reason_and_nothing_is_kept(april):
    case = april
    file = ("Personalnummer;Name;Betrag;Monat\n"
            "1;Anders, Anna;abc;2027-04\n"       # row 2: not a number
            ";;12,00;2027-04\n"                  # row 3: nobody
            "4;Dorn, Dirk;;2027-04\n"            # row 4: no amount
            "3;Christ, Cora;1,00;2027-05\n"      # row 5: a later month
            "3;Christ, Cora;1,00;Mai\n").encode()  # row 6: no month
    with pytest.raises(reconciliation.RowsInvalid) as refused:
        reconciliation.reconcile(case["employer_user"], case["contract"], APRIL, "x.csv", file, "employer")
    named = [(e["row"], e["column"]) for e in refused.value.errors]
    assert named == [(2, "Betrag"), (3, "Personalnummer"), (4, "Betrag"), (5, "Monat"), (6, "Monat")]
    assert "„abc“: Bitte geben Sie eine Zahl an" in refused.value.errors[0]["message"]["de"]
    assert "Zeile 5, Spalte Monat: 05.2027 liegt nach dem abgeglichenen Monat 04.2027" in refused.value.message
    assert Reconciliation.select().count() == 0


def test_a_file_without_an_amount_or_a_person_column_is_refused(april):
    case = april
    for text in ("Personalnummer;Name\n1;Anders, Anna\n", "Name;Betrag\nAnders, Anna;10\n"):
        with pytest.raises(employee_file.FileUnusable):
            reconciliation.reconcile(case["employer_user"], case["contract"], APRIL, "x.csv", text.encode(),
                                     "employer")
