"""Data protection: an employee's full export, and anonymisation that keeps the contract's history."""
import datetime
import io
import json
import pathlib
import uuid
import zipfile

from engine import clock, contracts, cover, documents, employees, enrolments, events, gdpr, policies
from engine import clock as clock_module  # the `clock` fixture moves it
from engine.models import AuditEntry, Employee, ImportBatch, Policy
from tests.conftest import log_in
from tests.journey import first_start, released_application, submitted_application

CSV = ("Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart\n"
       "42;Muster;Maria;14.05.1980;Alter Weg 1;10115;Berlin;01.01.2010;Vollzeit\n")


def insured_employee(app, make_user):
    case = submitted_application("lumen", tag="gdpr")
    contracts.release(case["employer_user"], case["application"])
    staff = make_user("insurer", tenant="lumen")
    contracts.accept(staff, contracts.application_for_insurer("lumen", case["application"].id), "GV-G")
    contract = contracts.contracts_for_employer(case["employer_user"], "lumen")[0]
    batch = employees.preview(case["employer_user"], contract, "a.csv", CSV.encode())
    employees.start(case["employer_user"], batch)
    employees.run_import(batch.id)
    person = employees.for_contract(contract)[0]
    [enrolment], _ = enrolments.send(case["employer_user"], contract, [person.id])
    enrolments.accept(staff, enrolment)
    return case, staff, contract, Employee.get_by_id(person.id)


def test_export_holds_everything_stored_about_the_employee(app, make_user):
    with app.app_context():
        case, staff, contract, person = insured_employee(app, make_user)
        archive = zipfile.ZipFile(io.BytesIO(gdpr.export(case["employer_user"], person)))
        data = json.loads(archive.read("data.json"))
        assert data["employee"]["last_name"] == "Muster" and data["employee"]["street"] == "Alter Weg 1"
        assert data["policies"][0]["number"] and data["enrolments"][0]["state"] == "accepted"
        assert any(name.startswith("policen/") and archive.read(name).startswith(b"%PDF") for name in archive.namelist())
        assert AuditEntry.select().where(AuditEntry.action == "employee.exported").count() == 1


def test_anonymisation_after_retention_keeps_history_but_not_the_person(app, make_user):
    with app.app_context():
        case, staff, contract, person = insured_employee(app, make_user)
        event, _ = events.file(case["employer_user"], contract, person, "leaving", {"leaving_date": first_start()})
        events.accept(staff, event)
        assert gdpr.due_for_anonymisation() == []  # still within the retention period
        later = clock.today().replace(year=clock.today().year + 11)
        cover.apply_due(today=later)  # the daily job: the person leaves the contract when cover ends
        [due] = gdpr.due_for_anonymisation(today=later)
        gdpr.anonymise(None, due)
        gone = Employee.get_by_id(person.id)
        assert gone.last_name != "Muster" and gone.street == "" and gone.birth_date == datetime.date(1980, 1, 1)
        history = list(Policy.select().where(Policy.employee == person.id).order_by(Policy.version))
        assert [p.version for p in history] == [1, 2] and history[-1].status == "ended"
        assert all(p.premium and p.number and p.document_id is None for p in history)
        assert "Muster" not in json.dumps([a.after for a in AuditEntry.select()], default=str)


# --- anonymisation leaves no trace ------------------------------------------------------------

def _text_of_file(data):
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def places_naming(app, token, files_before=frozenset()):
    """Every table.column (any table, any column, on SQLite or PostgreSQL) and every file of the
    document store (made during the test) that holds `token`, in any case."""
    from engine.db import database
    token, found = token.lower(), []
    with app.app_context():
        for table in database.get_tables():
            cursor = database.execute_sql(f'SELECT * FROM "{table}"')
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row):
                    text = bytes(value).decode("latin-1") if isinstance(value, (bytes, memoryview)) else str(value)
                    if token in text.lower():
                        found.append(f"{table}.{column}")
    for path in pathlib.Path(app.config["DOCUMENTS_DIR"]).rglob("*"):
        if path.is_file() and path not in files_before and token in _text_of_file(path.read_bytes()).lower():
            found.append(f"document store: {path.name}")
    return sorted(set(found))


def test_after_anonymisation_no_table_and_no_stored_file_holds_the_persons_name(app, make_user, clock):
    from web.cli import anonymise as anonymise_command
    token = "Qx" + uuid.uuid4().hex[:8]  # the person's unique (last) name
    files_before = frozenset(pathlib.Path(app.config["DOCUMENTS_DIR"]).rglob("*"))
    header = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;E-Mail\n"
    other = "100;Andersen;Ole;01.02.1985;Nebenweg 2;10115;Berlin;01.01.2012;Vollzeit;ole@example.org\n"

    def upload(user, contract, row, run=True):
        batch = employees.preview(user, contract, "mitarbeiter.csv", (header + row + other).encode())
        if run:
            employees.start(user, batch)
            employees.run_import(batch.id)

    with app.app_context():
        case = released_application("lumen", tag="erase")
        staff = make_user("insurer", tenant="lumen")
        contracts.accept(staff, contracts.application_for_insurer("lumen", case["application"].id), "GV-E")
        contract = contracts.contracts_for_employer(case["employer_user"], "lumen")[0]
        employer = case["employer_user"]
        # the import, a second file that changes the street, a third whose row has a faulty e-mail
        upload(employer, contract, f"4711;{token};Zora;14.05.1980;{token}weg 1;10115;Berlin;01.01.2010;Vollzeit;"
                                   f"zora.{token}@example.org\n")
        upload(employer, contract, f"4711;{token};Zora;14.05.1980;{token}allee 2;10115;Berlin;01.01.2010;Vollzeit;"
                                   f"zora.{token}@example.org\n")
        upload(employer, contract, f"4711;{token};Zora;14.05.1980;{token}allee 2;10115;Berlin;01.01.2010;Vollzeit;"
                                   f"zora.{token}@@example\n", run=False)
        person = next(e for e in employees.for_contract(contract) if e.personnel_number == "4711")
        # a hand edit, an enrolment rejected with her name in the reason, enrolled again, the policy
        person = employees.save_by_hand(employer, contract, {**employees.values_of(person), "city": "Potsdam",
                                                             "street": f"Am {token}platz 3", "postal_code": "14467",
                                                             "tariff_group": person.tariff_group_requested},
                                        Employee.get_by_id(person.id))
        [enrolment], _ = enrolments.send(employer, contract, [person.id])
        enrolments.reject(staff, enrolment, f"Frau {token} ist bereits bei uns versichert.")
        [enrolment], _ = enrolments.send(employer, contract, [person.id])
        enrolments.accept(staff, enrolment)
        # events: an address change, a name change, one rejected with her name in the reason
        start = max(clock_module.today(), contract.start_date)
        person = Employee.get_by_id(person.id)
        moved, _ = events.file(employer, contract, person, "address_change",
                               {"street": f"{token}-Ring 9", "postal_code": "01069", "city": "Dresden",
                                "effective_date": start})
        events.accept(staff, moved)
        renamed, _ = events.file(employer, contract, Employee.get_by_id(person.id), "name_change",
                                 {"last_name": f"{token}-Berg", "first_name": "Zora", "effective_date": start,
                                  "reason": "marriage", "nachweis": "heiratsurkunde"})
        events.accept(staff, renamed)
        refused, _ = events.file(employer, contract, Employee.get_by_id(person.id), "address_change",
                                 {"street": "Irrweg 1", "postal_code": "01069", "city": "Dresden",
                                  "effective_date": start})
        events.reject(staff, refused, f"Frau {token}-Berg wohnt dort nicht.")
        gdpr.export(employer, Employee.get_by_id(person.id))
        policy_document = policies.current(Employee.get_by_id(person.id)).document_id
    office = app.test_client()
    log_in(office, staff)  # staff reads are audited under the person
    assert office.get(f"/m/lumen/office/documents/{policy_document}").status_code == 200
    assert office.get(f"/m/lumen/office/enrolments/{enrolment.id}").status_code == 200
    with app.app_context():
        leaving, _ = events.file(employer, contract, Employee.get_by_id(person.id), "leaving",
                                 {"leaving_date": start})
        events.accept(staff, leaving)

    planted = places_naming(app, token, files_before)
    for place in ("employee.last_name", "employee.street", "employee.email", "import_batch.report",
                  "audit_entry.after", "audit_entry.before", "outbox.body", "business_event.data",
                  "business_event.reason", "enrolment.reason"):
        assert place in planted, planted
    assert sum(place.startswith("document store") for place in planted) >= 4, planted  # 3 uploads, policies

    clock.move_to(clock_module.today().replace(year=clock_module.today().year + 11))
    with app.app_context():
        cover.apply_due()  # the daily job: the person leaves the contract when cover ends
    result = app.test_cli_runner().invoke(anonymise_command)
    assert result.exit_code == 0 and f"anonymised: employee {person.id}" in result.output, result.output

    assert places_naming(app, token, files_before) == []
    with app.app_context():  # the others and the contract's history stay
        assert Employee.get(Employee.personnel_number == "100").last_name == "Andersen"
        assert Policy.select().where(Policy.employee == person.id).count() == 4
        assert ImportBatch.select().where(ImportBatch.contract == contract).count() == 3
        batch = ImportBatch.select().where(ImportBatch.contract == contract).order_by(ImportBatch.id).first()
        assert [e["name"] for e in batch.report["new"]] == ["Ole Andersen"]
        assert documents.read(batch.document).startswith("Die ursprüngliche Datei wurde gelöscht".encode())


def test_anonymisation_also_removes_family_members_mandates_and_statement_names(app, make_user, clock):
    """A family member's name and the employee's own mandate (holder, IBAN) are the person's data too,
    and so are the statements that list them: after anonymisation no table and no stored file holds
    them; amounts stay as issued."""
    from engine import mandates, statements
    from engine.models import FamilyMember, Mandate, StatementLine
    from tests.engine.test_cover import file_and_accept, insured, move_to
    token = "Qf" + uuid.uuid4().hex[:8]
    files_before = frozenset(pathlib.Path(app.config["DOCUMENTS_DIR"]).rglob("*"))
    iban = "DE89370400440532013000"
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), datetime.date(1990, 1, 10), "gdprfam")
        file_and_accept(case, "family_member_added", {
            "role": "spouse", "first_name": "Tom", "last_name": token, "birth_date": datetime.date(1988, 6, 1),
            "start_date": datetime.date(2027, 2, 1), "account_holder": f"Lea {token}", "iban": iban,
            "mandate_date": datetime.date(2026, 12, 1)})
        move_to(clock, datetime.date(2027, 2, 1))
        cover.apply_due()
        statement, _ = statements.issue(case["contract"], datetime.date(2027, 2, 1))
        total = statements.view(statement)["total"]
        person = Employee.get_by_id(case["employee"].id)
        assert mandates.active_for_employee(person).holder == f"Lea {token}"
        exported = json.loads(zipfile.ZipFile(io.BytesIO(gdpr.export(None, person))).read("data.json"))
        assert [m["last_name"] for m in exported["family_members"]] == [token]
        assert [m["iban"] for m in exported["mandates"]] == [iban]
        before = places_naming(app, token, files_before)
        assert {"family_member.last_name", "mandate.holder", "statement_line.person"} <= set(before)
        assert any(place.startswith("document store") for place in before)   # the statement's PDF
        gdpr.anonymise(None, person)
        assert places_naming(app, token, files_before) == []
        [member] = FamilyMember.select().where(FamilyMember.employee == person.id)
        assert (member.first_name, member.birth_date) == ("anonymisiert", datetime.date(1988, 1, 1))
        [mandate] = Mandate.select().where(Mandate.employee == person.id)
        assert mandate.holder == "anonymisiert" and iban not in mandate.iban and mandate.iban.endswith(iban[-4:])
        assert statements.view(statement)["total"] == total
        assert {line.person for line in StatementLine.select().where(StatementLine.statement == statement.id)} == {
            f"anonymisiert #{person.id}", f"anonymisiert #{member.id}"}
        assert b"%PDF" == statements.pdf(statements.of_contract(case["contract"], statement.id))[:4]
