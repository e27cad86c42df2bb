"""Journey steps 9-13 through HTTP for each demo tenant: release, group policy, employee upload,
enrolments and individual policies, business events with adjusted policies."""
import io
import re

import pytest

from engine import cover
from engine.models import Application, Employee, Policy
from tests.conftest import csrf_from, log_in
from tests.formfill import pdf_text
from tests.journey import first_start, submitted_application

TENANTS = ["lumen", "auxilia", "nordhafen"]

CSV = """Personalnummer;Nachname;Vorname;Geburtsdatum;Geschlecht;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;Wochenstunden
1001;Becker;Anna;12.03.1985;w;Lindenweg 3;01067;Dresden;01.02.2015;Vollzeit;40
1002;Schulz;Ben;1979-07-30;m;Am Markt 9;04109;Leipzig;01.06.2010;Teilzeit;30
1003;Wagner;Cem;05.11.1990;m;Ringstr. 1;10115;Berlin;01.01.2019;Minijob;8
1004;Kaya;Dana;31.02.1991;w;Hafenstr. 2;20095;Hamburg;01.01.2020;Vollzeit;40
"""


def post(client, url, data, page=None, **kwargs):
    token = csrf_from(client.get(page or url))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


@pytest.mark.parametrize("slug", TENANTS)
def test_release_to_adjusted_policy(app, mailbox, make_user, slug):
    with app.app_context():
        case = submitted_application(slug)
    live, application = case["live"], case["application"]
    employer, office, broker = app.test_client(), app.test_client(), app.test_client()
    log_in(employer, case["employer_user"])
    log_in(broker, case["broker"])
    staff = make_user("insurer", tenant=slug)
    log_in(office, staff)
    app_url = f"/m/{slug}/applications/{application.id}"

    # 9. release (only where the tenant needs it)
    page = employer.get(app_url).get_data(as_text=True)
    if live.settings["employer_release_required"]:
        assert "Antrag freigeben" in page
        assert office.get(f"/m/{slug}/office/applications/{application.id}").status_code == 404  # not yet released
        assert post(employer, app_url, {"decision": "release"}).status_code == 302
    else:
        assert "Antrag freigeben" not in page
    with app.app_context():
        assert Application.get_by_id(application.id).state == "released"

    # 10. the insurer accepts with a policy number; employer and broker are mailed; the PDF is stored
    assert f"/m/{slug}/office/applications/{application.id}" in office.get(f"/m/{slug}/office/").get_data(as_text=True)
    mailbox.clear()
    accepted = post(office, f"/m/{slug}/office/applications/{application.id}",
                    {"decision": "accept", "policy_number": f"GV-{slug.upper()}-1"})
    assert accepted.status_code == 302
    link = mailbox.link(case["client"].contact_email)
    broker_link = mailbox.link(case["broker"].email)  # to the broker's own page of the client, not the manager
    assert f"GV-{slug.upper()}-1" in broker.get(broker_link.replace("http://bkv.test", "")).get_data(as_text=True)
    contract_page = employer.get(link)
    html = contract_page.get_data(as_text=True)
    assert f"GV-{slug.upper()}-1" in html
    pdf_link = re.search(r'href="(/m/[^"]+/documents/\d+)"', html).group(1)
    assert employer.get(pdf_link).data.startswith(b"%PDF")
    broker_copy = broker.get(f"/applications/{application.id}/group-policy.pdf")
    assert f"GV-{slug.upper()}-1" in pdf_text(broker_copy.data)  # the broker downloads it too
    contract_url = link.replace("http://bkv.test", "")

    # 11. upload: preview with every problem by row and column, import the valid rows
    upload_url = contract_url.rstrip("/") + "/upload"
    preview = post(employer, upload_url, {"file": (io.BytesIO(CSV.encode("utf-8")), "mitarbeitende.csv")},
                   page=contract_url, content_type="multipart/form-data")
    preview_page = employer.get(preview.headers["Location"]).get_data(as_text=True)
    assert "Geburtsdatum" in preview_page and ">5<" in preview_page  # row 5 (Excel numbering): 31.02.
    imported = post(employer, preview.headers["Location"], {})
    assert imported.status_code == 302
    listing = employer.get(contract_url).get_data(as_text=True)
    assert "Becker" in listing and "Kaya" not in listing
    with app.app_context():
        staff_rows = {e.personnel_number: e for e in Employee.select()}
    assert set(staff_rows) == {"1001", "1002", "1003"}
    # re-import of the same file changes nothing
    again = post(employer, upload_url, {"file": (io.BytesIO(CSV.encode("utf-8")), "mitarbeitende.csv")},
                 page=contract_url, content_type="multipart/form-data")
    assert "3 unverändert" in employer.get(again.headers["Location"]).get_data(as_text=True)

    eligible = [e for e in staff_rows.values() if e.tariff_group]
    excluded = [e for e in staff_rows.values() if not e.tariff_group]
    assert eligible
    for person in excluded:  # the UI says why
        detail = employer.get(f"{contract_url.rstrip('/')}/employees/{person.id}").get_data(as_text=True)
        assert "Nicht versicherbar" in detail or 'class="reject"' in detail

    mailbox.clear()
    sent = post(employer, f"{contract_url.rstrip('/')}/enrol", {"employee": [str(e.id) for e in eligible]},
                page=contract_url)
    assert sent.status_code == 302

    # 12. the insurer issues individual policies
    inbox = office.get(f"/m/{slug}/office/").get_data(as_text=True)
    enrolment_ids = re.findall(rf"/m/{slug}/office/enrolments/(\d+)", inbox)
    assert len(enrolment_ids) == len(eligible)
    for enrolment_id in enrolment_ids:
        assert post(office, f"/m/{slug}/office/enrolments/{enrolment_id}", {"decision": "accept"}).status_code == 302
    person = eligible[0]
    detail_url = f"{contract_url.rstrip('/')}/employees/{person.id}"
    detail = employer.get(detail_url).get_data(as_text=True)
    assert "versichert" in detail
    policy_pdf = re.search(r'href="(/m/[^"]+/documents/\d+)"', detail).group(1)
    assert employer.get(policy_pdf).data.startswith(b"%PDF")
    assert mailbox.to(case["client"].contact_email)

    # 13. a business event the tenant supports -> processed -> a new policy version, the old one kept
    supported = [e["type"] for e in live.doc["business_events"]]
    assert "address_change" in supported
    for unsupported in {"parental_leave", "death"} - set(supported):
        assert employer.get(f"{detail_url}/events/{unsupported}").status_code == 404
    event_url = f"{detail_url}/events/address_change"
    filed = post(employer, event_url, {"street": "Neue Str. 5", "postal_code": "01069", "city": "Dresden",
                                       "effective_date": first_start().strftime("%d.%m.%Y")})
    assert filed.status_code == 302, filed.get_data(as_text=True)
    inbox = office.get(f"/m/{slug}/office/").get_data(as_text=True)
    event_id = re.search(rf"/m/{slug}/office/events/(\d+)", inbox).group(1)
    assert post(office, f"/m/{slug}/office/events/{event_id}", {"decision": "accept"}).status_code == 302
    with app.app_context():
        versions = list(Policy.select().where(Policy.employee == person.id).order_by(Policy.version))
        assert [p.version for p in versions] == [1, 2]
        assert versions[0].status == "replaced" and versions[1].status == "active"
        # the address changes on the event's date (the 1st of next month), by the daily job
        assert Employee.get_by_id(person.id).street != "Neue Str. 5"
        assert cover.apply_due(today=first_start())["events"] == 1
        assert Employee.get_by_id(person.id).street == "Neue Str. 5"


def employer_at_staff_list(app, make_user, count):
    """A Lumen contract with `count` imported employees, its employer logged in, and the URL of
    the contract page with the staff list."""
    from tests.engine.test_employees import contract_with_staff, imported, rows
    case, contract, data = contract_with_staff(app, make_user, rows(count))
    with app.app_context():
        imported(case, contract, data)
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    return case, contract, employer, f"/m/lumen/contracts/{contract.id}"


def test_a_long_staff_list_is_paged_searchable_and_enrolled_at_once(app, make_user):
    from engine import employees
    case, contract, employer, url = employer_at_staff_list(app, make_user, 120)

    first = employer.get(url).get_data(as_text=True)
    assert first.count('name="employee"') == employees.PAGE_SIZE
    assert "Seite 1 von 3" in first and "Nach1, Vor1" in first and "Nach99, Vor99" not in first
    assert first.count("Mitarbeitende(r) angelegt") == 1 and "(120-mal)" in first  # the import is one timeline line
    assert "Gruppenvertrag geschlossen" in first  # and what came before it is still shown
    last = employer.get(url + "?page=3").get_data(as_text=True)
    assert "Nach99, Vor99" in last and "Seite 3 von 3" in last
    assert employer.get(url + "?page=99").status_code == 200  # past the end: an empty page, no error

    found = employer.get(url + "?q=nach11").get_data(as_text=True)  # Nach11 and Nach110-119
    assert found.count('name="employee"') == 11 and "Nach12, Vor12" not in found
    assert "Kein Eintrag passt" in employer.get(url + "?q=nobody").get_data(as_text=True)

    sent = post(employer, f"{url}/enrol", {"scope": "all_ready"}, page=url)
    assert sent.status_code == 302
    with app.app_context():
        assert Employee.select().where((Employee.contract == contract.id) & (Employee.state == "new")).count() == 0


def test_correcting_a_street_by_hand_keeps_the_tariff_group(app, make_user):
    """The review's data loss: a manager moved to the basic group when his street was corrected."""
    from tests.formfill import shown_values
    from tests.journey import staffed_case
    staff = make_user("insurer", tenant="auxilia")
    with app.app_context():
        case = staffed_case("auxilia", staff, tag="hand")
        from engine import employees
        boss_csv = ("Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;"
                    "Tarifgruppe\n8001;Chef;Carl;01.01.1970;Alte Str. 1;10115;Berlin;01.01.2005;Vollzeit;fuehrung\n")
        batch = employees.preview(case["employer_user"], case["contract"], "chef.csv", boss_csv.encode())
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        boss = Employee.get(Employee.personnel_number == "8001")
        assert boss.tariff_group == "fuehrung"
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    url = f"/m/auxilia/contracts/{case['contract'].id}/employees/{boss.id}/edit"
    values = shown_values(employer.get(url).get_data(as_text=True), containing="street")
    assert values["street"] == "Alte Str. 1"
    assert employer.post(url, data={**values, "street": "Neue Str. 2"}).status_code == 302
    with app.app_context():
        boss = Employee.get_by_id(boss.id)
    assert (boss.street, boss.tariff_group, boss.tariff_group_requested) == ("Neue Str. 2", "fuehrung", "fuehrung")
