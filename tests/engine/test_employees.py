"""The employee import as the employer relies on it: repeatable, resumable, and exports that are safe
to open in a spreadsheet."""
import io

from openpyxl import load_workbook

from engine import contracts, employees, exports
from engine.models import Employee, ImportBatch
from tests.journey import submitted_application

HEADER = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart\n"


def contract_with_staff(app, make_user, rows):
    with app.app_context():
        case = submitted_application("lumen", tag="imp")
        contracts.release(case["employer_user"], case["application"])
        staff = make_user("insurer", tenant="lumen")
        contracts.accept(staff, contracts.application_for_insurer("lumen", case["application"].id), "GV-9")
        contract = contracts.contracts_for_employer(case["employer_user"], "lumen")[0]
        data = (HEADER + "".join(rows)).encode("utf-8")
        return case, contract, data


def imported(case, contract, data, filename="staff.csv"):
    """Check and import a file as the employer does (inside an app context); returns the batch."""
    batch = employees.preview(case["employer_user"], contract, filename, data)
    employees.start(case["employer_user"], batch)
    employees.run_import(batch.id)
    return batch


def rows(count, start=1):
    return [f"{n};Nach{n};Vor{n};01.01.1980;Weg {n};10115;Berlin;01.01.2010;Vollzeit\n"
            for n in range(start, start + count)]


def test_an_interrupted_import_can_be_run_again_without_duplicates(app, make_user, monkeypatch):
    case, contract, data = contract_with_staff(app, make_user, rows(1200))
    with app.app_context():
        batch = employees.preview(case["employer_user"], contract, "gross.csv", data)
        employees.start(case["employer_user"], batch)
        calls = {"n": 0}
        original = employees.audit.record_many

        def dying_audit(*args, **kwargs):  # the worker dies in the second chunk, its rows already inserted
            calls["n"] += 1
            if calls["n"] == 2:
                raise SystemExit("worker killed")
            return original(*args, **kwargs)

        monkeypatch.setattr(employees.audit, "record_many", dying_audit)
        try:
            employees.run_import(batch.id)
        except SystemExit:
            pass
        assert Employee.select().count() == employees.CHUNK  # the first chunk committed, the second not at all
        assert ImportBatch.get_by_id(batch.id).progress == employees.CHUNK
        monkeypatch.setattr(employees.audit, "record_many", original)
        assert employees.run_import(batch.id) == 1200
        assert Employee.select().count() == 1200
        assert ImportBatch.get_by_id(batch.id).status == "imported"


def test_the_same_file_twice_changes_nothing_and_a_changed_row_is_shown(app, make_user):
    case, contract, data = contract_with_staff(app, make_user, rows(3))
    with app.app_context():
        imported(case, contract, data, "a.csv")
        again = employees.preview(case["employer_user"], contract, "a.csv", data)
        assert again.report["unchanged"] == 3 and not again.report["new"] and not again.report["changed"]
        changed = data.decode().replace("Weg 2;", "Allee 7;").encode()
        third = employees.preview(case["employer_user"], contract, "b.csv", changed)
        [change] = third.report["changed"]
        assert change["personnel_number"] == "2" and change["fields"]["street"] == ["Weg 2", "Allee 7"]
        assert Employee.get(Employee.personnel_number == "2").street == "Weg 2"  # nothing stored before import


def test_exports_make_spreadsheet_formulas_inert(app, make_user):
    evil = ["1;=HYPERLINK(\"http://x\");+Vor;01.01.1980;@Weg;10115;Berlin;01.01.2010;Vollzeit\n"]
    case, contract, data = contract_with_staff(app, make_user, evil)
    with app.app_context():
        batch = employees.preview(case["employer_user"], contract, "evil.csv", data)
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        staff = employees.for_contract(contract)
        text = exports.as_csv(contract, staff).decode("utf-8-sig")
        assert "'=HYPERLINK" in text and ";'+Vor;" in text
        sheet = load_workbook(io.BytesIO(exports.as_xlsx(contract, staff))).active
        cells = [c.value for c in sheet[2]]
        assert cells[1].startswith("'=") and cells[2].startswith("'+")
        assert isinstance(cells[-1], (int, float))  # the premium is a number cell, not "0,00" text
