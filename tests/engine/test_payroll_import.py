"""Employee files as payroll software exports them: their headers are recognised or mapped once by the
employer, coded values outside the allowed ones and leavers are row problems, and an import can be undone
until enrolments were sent from it."""
import pathlib

import pytest

from engine import column_mapping, employee_file, employees, enrolments
from engine.errors import DomainError
from engine.models import ColumnMapping, Employee, ImportBatch
from tests.engine.test_employees import HEADER, contract_with_staff, imported, rows

PAYROLL = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "payroll"
EXPECTED = {"datev_lodas.csv": "DATEV LODAS", "lexware_lohn_gehalt.csv": "Lexware lohn+gehalt",
            "sap_hcm.txt": "SAP HCM", "personio.xlsx": "Personio"}
REQUIRED = {"personnel_number", "last_name", "first_name", "birth_date", "street", "postal_code", "city",
            "employment_start", "employment_type"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_payroll_export_is_recognised_and_read_with_the_right_columns(app, name):
    data = (PAYROLL / name).read_bytes()
    with app.app_context():
        mapping = column_mapping.for_file(1, employee_file.headers(data))
    assert mapping["system"] == EXPECTED[name]
    assert mapping["confirmed"]
    parsed = employee_file.parse(name, data, columns=mapping["columns"])
    assert REQUIRED | {"leaving_date"} <= set(parsed.columns)
    assert not parsed.errors, parsed.errors
    assert parsed.rows and all(row.personnel_number and row.employment_type for row in parsed.rows)


def test_datev_keeps_leading_zeros_and_reads_the_leaving_date():
    parsed = employee_file.parse("datev_lodas.csv", (PAYROLL / "datev_lodas.csv").read_bytes())
    assert [r.personnel_number for r in parsed.rows][:2] == ["00101", "00102"]
    assert parsed.rows[3].leaving_date.isoformat() == "2026-06-30"
    assert parsed.rows[2].employment_type == "trainee"


def test_a_header_matched_by_similarity_is_confirmed_once_and_then_maps_itself(app, make_user):
    header = HEADER.replace("Nachname", "Familien Name (lt. Ausweis)").replace("Straße", "Strasse u. Hausnummer")
    case, contract, _ = contract_with_staff(app, make_user, [])
    data = (header + "".join(rows(2))).encode()
    with app.app_context():
        batch = employees.preview(case["employer_user"], contract, "a.csv", data)
        mapping = batch.report["mapping"]
        assert not mapping["confirmed"]
        assert mapping["suggested"]["Familien Name (lt. Ausweis)"]["field"] == "last_name"
        with pytest.raises(DomainError):
            employees.start(case["employer_user"], batch)
        employees.remap(case["employer_user"], batch, mapping["columns"])
        batch = employees.check(batch.id)
        assert batch.status == "previewed" and batch.report["mapping"]["confirmed"]
        assert ColumnMapping.select().count() == 1
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        assert Employee.get(Employee.personnel_number == "1").last_name == "Nach1"
        again = employees.preview(case["employer_user"], contract, "b.csv", data)
        assert again.report["mapping"]["confirmed"] and again.report["mapping"]["remembered"]


def test_an_unknown_tariff_group_and_an_unknown_employment_type_are_row_errors(app, make_user):
    case, contract, _ = contract_with_staff(app, make_user, [])
    data = (HEADER.rstrip("\n") + ";Tarifgruppe\n"
            + "1;A;B;01.01.1980;Weg 1;10115;Berlin;01.01.2010;Vollzeit;chefs\n"
            + "2;C;D;01.01.1980;Weg 2;10115;Berlin;01.01.2010;Praktikant;\n"
            + "3;E;F;01.01.1980;Weg 3;10115;Berlin;01.01.2010;Vollzeit;\n").encode()
    with app.app_context():
        batch = employees.preview(case["employer_user"], contract, "g.csv", data)
        errors = {(e["row"], e["column"]): e["message"] for e in batch.report["errors"]}
        assert "„chefs“ ist keine Tarifgruppe dieses Vertrags (erlaubt:" in errors[(2, "Tarifgruppe")]
        assert errors[(3, "Beschäftigungsart")].startswith("„Praktikant“ ist unbekannt (erlaubt: Vollzeit, Teilzeit")
        assert batch.valid == 1
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        assert [e.personnel_number for e in Employee.select()] == ["3"]


def test_a_leaver_is_excluded_and_a_future_leaving_date_is_kept(app, make_user):
    case, contract, _ = contract_with_staff(app, make_user, [])
    data = (HEADER.rstrip("\n") + ";Austrittsdatum\n"
            + "1;A;B;01.01.1980;Weg 1;10115;Berlin;01.01.2010;Vollzeit;31.10.2026\n"
            + "2;C;D;01.01.1980;Weg 2;10115;Berlin;01.01.2010;Vollzeit;31.12.2028\n").encode()
    with app.app_context():
        batch = imported(case, contract, data)
        [error] = batch.report["errors"]
        assert error["row"] == 2 and error["column"] == "Austrittsdatum" and "ausgetreten am 31.10.2026" in error["message"]
        [kept] = Employee.select()
        assert kept.personnel_number == "2" and kept.leaving_date.isoformat() == "2028-12-31"


def test_undo_removes_the_created_and_restores_the_changed_exactly(app, make_user):
    case, contract, data = contract_with_staff(app, make_user, rows(2))
    with app.app_context():
        imported(case, contract, data)
        before = {e.personnel_number: e.__data__.copy() for e in Employee.select()}
        changed = (HEADER + "1;Neu;Vor1;01.01.1980;Weg 9;10115;Berlin;01.01.2010;Teilzeit\n"
                   + "".join(rows(1, start=3))).encode()
        batch = imported(case, contract, changed, "second.csv")
        assert Employee.select().count() == 3
        assert employees.revert(case["employer_user"], ImportBatch.get_by_id(batch.id)) == {"removed": 1,
                                                                                          "restored": 1}
        after = {e.personnel_number: e.__data__.copy() for e in Employee.select()}
        for values in (*before.values(), *after.values()):
            values.pop("updated_at")
        assert after == before
        assert ImportBatch.get_by_id(batch.id).status == "reverted"


def test_undo_is_refused_once_an_enrolment_was_sent_from_the_import(app, make_user):
    case, contract, data = contract_with_staff(app, make_user, rows(2))
    with app.app_context():
        batch = imported(case, contract, data)
        ready = enrolments.ready_ids(contract)
        assert ready
        enrolments.send(case["employer_user"], contract, ready[:1])
        batch = ImportBatch.get_by_id(batch.id)
        assert employees.revert_refusal(batch)["en"].startswith("Enrolments have been sent")
        with pytest.raises(DomainError):
            employees.revert(case["employer_user"], batch)
        assert Employee.select().count() == 2


KEYS_FILE = "datev_lodas_keys.csv"  # DATEV LODAS without an employment type column: the keys say it


def test_the_employment_type_comes_from_personengruppe_and_taetigkeitsschluessel(app, make_user):
    case, contract, _ = contract_with_staff(app, make_user, [])
    with app.app_context():
        batch = employees.preview(case["employer_user"], contract, KEYS_FILE, (PAYROLL / KEYS_FILE).read_bytes())
        assert batch.status == "previewed" and batch.report["mapping"]["confirmed"]
        assert not batch.report["warnings"]  # both key columns are read, none "unknown"
        errors = {(e["row"], e["column"]): e["message"] for e in batch.report["errors"]}
        assert errors == {
            (10, "Personengruppe"): "„105“ ist unbekannt (erlaubt: 101, 102, 103, 106, 109, 110, 121, 122)",
            (11, "Tätigkeitsschlüssel"): "Stelle 9 von „432141119“ ist „9“, unbekannt (erlaubt: 1, 2, 3, 4)",
            (12, "Tätigkeitsschlüssel"): "Pflichtangabe fehlt (bei Personengruppe 101)"}
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        types = {e.personnel_number: e.employment_type for e in Employee.select().where(Employee.contract == contract.id)}
    assert types == {"00201": "fulltime", "00202": "parttime", "00203": "fulltime", "00204": "parttime",
                     "00205": "trainee", "00206": "working_student", "00207": "minijob", "00208": "minijob"}


def test_an_employment_type_column_wins_over_the_keys_and_a_short_key_is_a_row_error():
    header = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Personengruppe;Tätigkeitsschlüssel"
    typed = employee_file.parse("t.csv", (header + ";Beschäftigungsart\n"
                                          "1;A;B;01.01.1980;Weg 1;10115;Berlin;01.01.2010;101;432141112;Vollzeit\n").encode())
    assert [r.employment_type for r in typed.rows] == ["fulltime"]
    short = employee_file.parse("s.csv", (header + "\n1;A;B;01.01.1980;Weg 1;10115;Berlin;01.01.2010;101;43214112\n").encode())
    [error] = short.errors
    assert (error.row, error.column, error.message) == (2, "Tätigkeitsschlüssel", "„43214112“ hat nicht 9 Ziffern")
    without = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum\n1;A;B;01.01.1980;W;10115;B;01.01.2010\n"
    with pytest.raises(employee_file.FileUnusable, match="Beschäftigungsart"):
        employee_file.parse("n.csv", without.encode())


def test_the_key_columns_can_be_named_in_the_mapping_step(app, make_user):
    header = HEADER.replace("Beschäftigungsart", "PG-Schlüssel").rstrip("\n") + ";TS 9-stellig\n"
    case, contract, _ = contract_with_staff(app, make_user, [])
    data = (header + "1;A;B;01.01.1980;Weg 1;10115;Berlin;01.01.2010;109;432141112\n").encode()
    with app.app_context():
        batch = employees.preview(case["employer_user"], contract, "k.csv", data)
        assert batch.status == "unusable"  # no employment type under any known name
        assert ("person_group", {"de": "Personengruppe (Schlüssel)", "en": "Person group key"}) in employees.mapping_choices()
        employees.remap(case["employer_user"], batch, {"PG-Schlüssel": "person_group", "TS 9-stellig": "activity_key"})
        batch = employees.check(batch.id)
        assert batch.status == "previewed" and batch.valid == 1, batch.report
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        assert Employee.get(Employee.personnel_number == "1").employment_type == "minijob"
