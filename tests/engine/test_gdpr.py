"""Data protection: an employee's full export, and anonymisation that keeps the contract's history."""
import datetime
import io
import json
import zipfile

from engine import clock, contracts, employees, enrolments, events, gdpr
from engine.models import AuditEntry, Employee, Policy
from tests.journey import first_start, submitted_application

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
        [due] = gdpr.due_for_anonymisation(today=later)
        gdpr.anonymise(None, due)
        gone = Employee.get_by_id(person.id)
        assert gone.last_name != "Muster" and gone.street == "" and gone.birth_date == datetime.date(1980, 1, 1)
        history = list(Policy.select().where(Policy.employee == person.id).order_by(Policy.version))
        assert [p.version for p in history] == [1, 2] and history[-1].status == "ended"
        assert all(p.premium and p.number and p.document_id is None for p in history)
        assert "Muster" not in json.dumps([a.after for a in AuditEntry.select()], default=str)
