"""The monthly premium statement (engine/statements.py): its lines and totals are the ledger's month
premiums; a statement is issued once per contract and month and never changes; a back-dated change
after issue is a correction line in the next statement."""
import csv
import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from engine import clock as platform_clock, contracts, cover, employees, enrolments, events, registry, statements
from engine.models import AuditEntry, Employee, Statement, StatementLine
from tests.formfill import pdf_text
from tests.journey import released_application

D = datetime.date
HEADER = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;Wochenstunden\n"
PEOPLE = {"1": ("Anders", "Anna", D(1980, 6, 1)),      # stays
          "2": ("Berg", "Ben", D(1985, 5, 5)),         # leaves on 15 March 2027
          "3": ("Christ", "Cora", D(1992, 2, 2)),      # parental leave from 1 March 2027
          "4": ("Dorn", "Dirk", D(1987, 3, 15))}       # 40 on 15 March 2027: an age step on 1 April


def move_to(clock, day):
    clock.move_to(datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=platform_clock.ZONE))


def contract_with_staff(slug, staff, tag):
    """A group contract from 01.01.2027 with the four PEOPLE enrolled and insured."""
    case = released_application(slug, tag=tag)
    contracts.accept(staff, contracts.application_for_insurer(slug, case["application"].id), f"GV-{tag}")
    contract = contracts.contracts_for_employer(case["employer_user"], slug)[0]
    rows = "".join(f"{number};{last};{first};{born:%d.%m.%Y};Weg 1;10115;Berlin;01.01.2010;Vollzeit;40\n"
                   for number, (last, first, born) in PEOPLE.items())
    batch = employees.preview(case["employer_user"], contract, "staff.csv", (HEADER + rows).encode())
    employees.start(case["employer_user"], batch)
    employees.run_import(batch.id)
    people = {p.personnel_number: p for p in employees.for_contract(contract)}
    sent, _ = enrolments.send(case["employer_user"], contract, [p.id for p in people.values()])
    for enrolment in sent:
        enrolments.accept(staff, enrolment)
    return {**case, "contract": contract, "people": people, "staff": staff}


def file_and_accept(case, number, kind, values):
    person = Employee.get_by_id(case["people"][number].id)
    event, _ = events.file(case["employer_user"], case["contract"], person, kind, values)
    return events.accept(case["staff"], event)


def amounts(statement, kind=None):
    return {line["personnel_number"]: line["amount"] for line in statement["lines"]
            if kind is None or line["kind"] == kind}


def by_number(case, premiums):
    ids = {p.id: n for n, p in case["people"].items()}
    return {ids[i]: amount for i, amount in premiums.items()}


def test_a_statement_is_the_ledgers_month_and_issued_once(app, make_user, clock):
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), "s1")
        contract = case["contract"]
        move_to(clock, D(2027, 2, 10))
        file_and_accept(case, "2", "leaving", {"leaving_date": D(2027, 3, 15)})
        file_and_accept(case, "3", "parental_leave", {"start_date": D(2027, 3, 1), "end_date": D(2027, 8, 31),
                                                      "mode": "suspend"})
        move_to(clock, D(2027, 3, 1))
        cover.apply_due()
        march, created = statements.issue(contract, D(2027, 3, 1))
        assert created
        again, created_again = statements.issue(contract, D(2027, 3, 1))
        assert (again.id, created_again) == (march.id, False)
        assert statements.issue_month(D(2027, 3, 1)) == {"issued": 0, "existing": 1}
        assert Statement.select().where(Statement.contract == contract.id).count() == 1
        seen = statements.view(march)
        ledger = by_number(case, cover.month_premiums(contract, D(2027, 3, 1)))
        assert amounts(seen) == ledger                                  # every person: the ledger's amount
        assert seen["total"] == cover.contract_total(contract, D(2027, 3, 1))
        assert seen["employer_total"] == seen["total"] and seen["employee_total"] == Decimal("0.00")
        assert {l["kind"] for l in seen["lines"]} == {"addition"}       # the contract's first statement
        cora = next(l for l in seen["lines"] if l["personnel_number"] == "3")
        assert (cora["cover"], cora["amount"]) == ("suspended", Decimal("0.00"))
        ben = next(l for l in seen["lines"] if l["personnel_number"] == "2")
        assert (ben["period_from"], ben["period_to"]) == (D(2027, 3, 1), D(2027, 3, 31))   # covered to month end
        assert ben["amount"] > 0
        assert AuditEntry.select().where((AuditEntry.action == "statement.issued")
                                         & (AuditEntry.object_id == str(march.id))).count() == 1

        move_to(clock, D(2027, 4, 1))
        cover.apply_due()
        april = statements.view(statements.issue(contract, D(2027, 4, 1))[0])
        ledger = by_number(case, cover.month_premiums(contract, D(2027, 4, 1)))
        assert amounts(april, "regular") == {n: a for n, a in ledger.items() if n != "2"}
        assert amounts(april, "removal") == {"2": Decimal("0.00")}     # Ben left at the end of March
        assert april["total"] == cover.contract_total(contract, D(2027, 4, 1))
        dirk = case["people"]["4"]
        assert cover.premium_for(Employee.get_by_id(dirk.id), D(2027, 4, 1)) != \
            cover.premium_for(Employee.get_by_id(dirk.id), D(2027, 3, 1))          # the age step
        assert amounts(april)["4"] == cover.premium_for(Employee.get_by_id(dirk.id), D(2027, 4, 1))


def test_a_back_dated_leaving_is_a_correction_next_month_and_the_issued_one_stays(app, make_user, clock):
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), "s2")
        contract = case["contract"]
        move_to(clock, D(2027, 4, 2))
        cover.apply_due()
        april = statements.issue(contract, D(2027, 4, 1))[0]
        before = statements.view(april)
        anna_april = amounts(before)["1"]
        move_to(clock, D(2027, 4, 20))
        file_and_accept(case, "1", "leaving", {"leaving_date": D(2027, 3, 20)})  # cover ended on 31 March
        move_to(clock, D(2027, 5, 1))
        cover.apply_due()
        may = statements.view(statements.issue(contract, D(2027, 5, 1))[0])
        [correction] = [l for l in may["lines"] if l["kind"] == "correction"]
        assert (correction["personnel_number"], correction["for_month"], correction["amount"]) == (
            "1", D(2027, 4, 1), -anna_april)
        assert amounts(may, "removal") == {"1": Decimal("0.00")}
        assert may["total"] == cover.contract_total(contract, D(2027, 5, 1)) - anna_april
        assert statements.view(Statement.get_by_id(april.id)) == before                 # unchanged
        move_to(clock, D(2027, 6, 1))
        june = statements.view(statements.issue(contract, D(2027, 6, 1))[0])
        assert not [l for l in june["lines"] if l["kind"] in ("correction", "removal")]  # corrected once


def test_outputs_carry_numbers_and_the_total(app, make_user, clock):
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), "s3")
        move_to(clock, D(2027, 1, 5))
        statement = statements.issue(case["contract"], D(2027, 1, 1))[0]
        seen = statements.view(statement)
        rows = list(csv.DictReader(io.StringIO(statements.as_csv(statement).decode("utf-8-sig")), delimiter=";"))
        assert sum(Decimal(r["Betrag EUR"]) for r in rows) == seen["total"]
        assert {r["Personalnummer"]: Decimal(r["Betrag EUR"]) for r in rows} == amounts(seen)
        sheet = load_workbook(io.BytesIO(statements.as_xlsx(statement))).active
        values = list(sheet.iter_rows(min_row=2, values_only=True))
        amount_column = statements.CSV_HEADER.index("Betrag EUR")
        cells = [row[amount_column] for row in values if row and row[0] is not None]
        assert all(isinstance(cell, (int, float)) for cell in cells)
        assert Decimal(str(values[-1][amount_column])).quantize(Decimal("0.01")) == seen["total"]
        text = pdf_text(statements.pdf(statement))
        total = f"{seen['total']:.2f}".replace(".", ",")
        assert statements.pdf(statement).startswith(b"%PDF") and "Beitragsrechnung" in text
        assert total in text and case["contract"].policy_number in text


def test_the_job_issues_from_the_tenants_statement_day(app, make_user, clock):
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), "s4")
        move_to(clock, D(2027, 1, 1))
        assert statements.issue_due()["issued"] >= 1
        assert statements.issue_due()["issued"] == 0
        assert Statement.select().where(Statement.contract == case["contract"].id).count() == 1
        assert StatementLine.select().join(Statement).where(Statement.contract == case["contract"].id).count() == 4


def test_a_statement_above_the_line_limit_prints_a_summary_and_leaves_the_lines_to_the_csv(app, make_user, clock):
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), "s9")
        move_to(clock, D(2027, 1, 5))
        statement = statements.issue(case["contract"], D(2027, 1, 1))[0]
        seen = statements.view(statement)
        live = registry.version(statement.tenant_version_id)
        money = lambda amount: f"{amount:.2f}".replace(".", ",")  # noqa: E731
        full = pdf_text(statements.render_pdf(statement, case["contract"], live, max_lines=4))
        assert "Anders" in full and "Zusammenfassung" not in full
        summary = pdf_text(statements.render_pdf(statement, case["contract"], live, max_lines=3))
        assert "Zusammenfassung" in summary and "4 Positionen" in summary and "CSV oder Excel" in summary
        assert not any(last in summary for last, _, _ in PEOPLE.values())
        assert "Nach Tarifgruppe" in summary and "Nach Zahler" in summary
        assert "Zugang 4" in summary  # the first month: four people join
        assert money(seen["total"]) in summary and case["contract"].policy_number in summary
        for payer in {l["payer"] for l in seen["lines"]}:
            paid = sum((l["amount"] for l in seen["lines"] if l["payer"] == payer), Decimal(0))
            assert money(paid) in summary
        assert statements.pdf(statement) == statements.pdf(statement)  # the stored one: 4 lines are printed in full
        assert "Anders" in pdf_text(statements.pdf(statement))
