"""Review II, item 13: a document whose name holds `€` or CR/LF is downloaded like any other: the
header carries a plain ASCII name and the exact name as RFC 5987 `filename*`."""
from urllib.parse import unquote

from engine import employees
from engine.models import Document, Employee
from tests.conftest import log_in
from tests.journey import staffed_case


def disposition(response):
    header = response.headers["Content-Disposition"]
    header.encode("ascii")  # what a WSGI server can send
    return header


def test_names_with_euro_sign_and_line_breaks_download(app, make_user):
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        case = staffed_case("lumen", staff, tag="names")
        upload = Document.get(Document.kind == "employee_upload")
        # stored before names were cleaned on the way in: the review's documents
        Document.update(filename="Police €\r\n2026.pdf").where(Document.id == upload.id).execute()
        batch = employees.preview(case["employer_user"], case["contract"], "euro.csv", (
            "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart\n"
            "€-1;Euro;Erna;01.01.1980;Weg 1;10115;Berlin;01.01.2010;Vollzeit\n").encode())
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        person = Employee.get(Employee.personnel_number == "€-1")
    client = app.test_client()
    log_in(client, case["employer_user"])

    response = client.get(f"/m/lumen/documents/{upload.id}")
    assert response.status_code == 200
    header = disposition(response)
    assert header.startswith('attachment; filename="Police EUR 2026.pdf"; ')
    assert unquote(header.split("filename*=UTF-8''")[1]) == "Police € 2026.pdf"

    export = client.get(f"/m/lumen/contracts/{case['contract'].id}/employees/{person.id}/export.zip")
    assert export.status_code == 200
    assert disposition(export).startswith('attachment; filename="datenauskunft-EUR-1.zip"; filename*=')
