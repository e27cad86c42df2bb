"""The employer confirms a guessed column mapping on the import page, imports, and undoes the import
there, as a person does in the browser."""
import io

from engine.models import Employee
from tests.conftest import log_in
from tests.engine.test_employees import HEADER, contract_with_staff, rows
from tests.formfill import shown_values
from tests.web.test_manager_journey import post


def test_a_guessed_mapping_is_confirmed_on_the_page_then_imported_and_undone(app, make_user):
    case, contract, _ = contract_with_staff(app, make_user, [])
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    page = f"/m/{contract.tenant_id}/contracts/{contract.id}"
    data = (HEADER.replace("Nachname", "Familien Name (lt. Ausweis)") + "".join(rows(2))).encode()
    preview = post(employer, f"{page}/upload", {"file": (io.BytesIO(data), "lohn.csv")}, page=page,
                   content_type="multipart/form-data")
    batch_url = preview.headers["Location"]
    shown = employer.get(batch_url).get_data(as_text=True)
    assert "Spalten der Datei" in shown and "geschätzt" in shown and "Bitte prüfen und bestätigen" in shown
    refused = post(employer, batch_url, {}, follow_redirects=True).get_data(as_text=True)  # import before confirming
    assert "Bitte zuerst die Zuordnung der Spalten bestätigen" in refused
    mapping = shown_values(shown, containing="column-0")
    confirmed = post(employer, f"{batch_url}/mapping", mapping, page=batch_url, follow_redirects=True)
    assert "Die Spaltenzuordnung ist für Dateien dieser Art gespeichert" in confirmed.get_data(as_text=True)
    assert post(employer, batch_url, {}).status_code == 302
    with app.app_context():
        assert Employee.get(Employee.personnel_number == "1").last_name == "Nach1"
    imported = employer.get(batch_url).get_data(as_text=True)
    assert "Import rückgängig machen" in imported
    undone = post(employer, f"{batch_url}/undo", {}, page=batch_url, follow_redirects=True).get_data(as_text=True)
    assert "Der Import wurde rückgängig gemacht: 2 Mitarbeitende entfernt" in undone
    with app.app_context():
        assert not Employee.select().where(Employee.contract == contract.id).exists()
