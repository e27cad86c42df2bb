"""What the engine tells people (a refused step, an unusable file, a file warning) reaches them in the
language they chose: English for an English user, German by default."""
import html
import io

from engine import contracts
from engine.models import Application
from tests.conftest import csrf_from, log_in
from tests.journey import submitted_application

HEADER = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;Abteilung\n"
ROW = "1001;Becker;Anna;12.03.1985;Lindenweg 3;01067;Dresden;01.02.2015;Vollzeit;Vertrieb\n"


def post(client, url, data, page=None, **kwargs):
    return client.post(url, data={**data, "csrf_token": csrf_from(client.get(page or url))}, **kwargs)


def shown(response):
    return html.unescape(response.get_data(as_text=True))


def employer_clients(app, case):
    english, german = app.test_client(), app.test_client()
    for client in (english, german):
        log_in(client, case["employer_user"])
    english.get("/lang/en")
    return english, german


def test_a_refused_step_is_explained_in_the_users_language(app):
    with app.app_context():
        case = submitted_application("lumen", tag="lang")
    english, german = employer_clients(app, case)
    url = f"/m/lumen/applications/{case['application'].id}"

    refused = post(english, url, {"decision": "return", "comment": " "}, follow_redirects=True)
    assert "Please give a reason." in shown(refused) and "Begründung" not in shown(refused)
    refused = post(german, url, {"decision": "return", "comment": ""}, follow_redirects=True)
    assert "Bitte geben Sie eine Begründung an." in shown(refused)
    with app.app_context():
        assert Application.get_by_id(case["application"].id).state == "submitted"


def test_file_problems_are_explained_in_the_users_language(app, make_user):
    with app.app_context():
        case = submitted_application("lumen", tag="file")
        contracts.release(case["employer_user"], Application.get_by_id(case["application"].id))
        staff = make_user("insurer", tenant="lumen")
        contracts.accept(staff, contracts.application_for_insurer("lumen", case["application"].id), "GV-LANG-1")
        contract = contracts.contracts_for_employer(case["employer_user"], "lumen")[0]
    english, german = employer_clients(app, case)
    page = f"/m/lumen/contracts/{contract.id}"

    def upload(client, data, name):
        preview = post(client, f"{page}/upload", {"file": (io.BytesIO(data), name)}, page=page,
                       content_type="multipart/form-data")
        return shown(client.get(preview.headers["Location"]))

    pdf = b"%PDF-1.7\n1 0 obj"
    assert "The file is a PDF document, not a table. Expected CSV or XLSX." in upload(english, pdf, "liste.pdf")
    assert "Die Datei ist ein PDF-Dokument, keine Tabelle." in upload(german, pdf, "liste.pdf")
    table = (HEADER + ROW).encode()
    assert "Unknown column 'Abteilung' (J) is ignored." in upload(english, table, "liste.csv")
    assert "Unbekannte Spalte „Abteilung“ (J) wird ignoriert." in upload(german, table, "liste.csv")


def test_an_incomplete_application_names_the_missing_fields_by_their_labels(app):
    with app.app_context():
        from engine import applications
        from engine.errors import DomainError
        case = submitted_application("lumen", tag="labels", submit=False)
        application = Application.get_by_id(case["application"].id)
        application.data = {key: value for key, value in application.data.items()
                            if key not in ("payment", "contact_phone")}
        application.save()
        try:
            applications.submit(case["broker"], application, case["live"])
        except DomainError as refused:
            said = refused.text
        else:
            raise AssertionError("an incomplete application was submitted")
    form = case["live"].compiled.application_form
    broker = app.test_client()
    log_in(broker, case["broker"])
    page = shown(broker.get(f"/applications/{application.id}"))
    checklist = page[page.index("Vor dem Übermitteln"):].split("</p>")[0]
    for name in ("payment", "contact_phone"):
        assert form[name].label.de in said["de"] and form[name].label.en in said["en"]
        assert name not in said["de"] and name not in said["en"]
        assert form[name].label.de in checklist and name not in checklist
