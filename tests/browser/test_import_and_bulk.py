"""The journey's import and bulk parts in a real browser, continuing from a group contract (steps 1-10
are test_journey.py's): the employer uploads a DATEV-LODAS-style list of 20 people and a Personio-style
XLSX of 10 (tests/fixtures/payroll/), corrects and confirms the guessed column mapping on the import
page, imports both and enrols everyone; the insurer's clerk selects all 30 enrolments in the back-office
queue and accepts them in one action; the employer gets one mail for it, naming every policy."""
import pathlib
import re
import time

from playwright.sync_api import expect

from engine import contracts
from engine.models import Policy
from tests.browser.actions import log_in, wait_for_mail
from tests.journey import released_application

SLUG = "auxilia"
PAYROLL = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "payroll"
DATEV, PERSONIO = PAYROLL / "datev_lodas_20.csv", PAYROLL / "personio_10.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(page, contract_url, path, mime):
    page.goto(contract_url)
    page.locator("#file").set_input_files(files=[{"name": path.name, "buffer": path.read_bytes(), "mimeType": mime}])
    page.get_by_role("button", name="Datei prüfen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(path.name)
    return page.locator("#mapping")


def row(mapping, header):
    """The mapping step's row of a header of the file."""
    return mapping.locator("tbody tr").filter(has=mapping.page.get_by_text(header, exact=True))


def column(mapping, header):
    """The field chosen for a header of the file: the <select> of its row."""
    return row(mapping, header).locator("select")


def confirm_and_import(page, mapping, rows):
    mapping.get_by_role("button", name="Zuordnung bestätigen").click()
    expect(page.locator(".flash-success")).to_contain_text("Spaltenzuordnung ist für Dateien dieser Art gespeichert")
    expect(page.locator("main")).to_contain_text(f"{rows} Zeilen, {rows} gültig, 0 mit Problemen.")
    page.get_by_role("button", name=f"Die {rows} gültigen Zeilen übernehmen").click()
    expect(page.locator("main")).to_contain_text("Übernommen am")


def test_payroll_files_through_the_mapping_step_then_thirty_policies_in_one_action(
        app, mailbox, make_user, open_page, shot):
    with app.app_context():
        case = released_application(SLUG, tag="bulk")
        staff = make_user("insurer", tenant=SLUG)
        contracts.accept(staff, contracts.application_for_insurer(SLUG, case["application"].id), "GV-BULK-1")
        contract = contracts.contracts_for_employer(case["employer_user"], SLUG)[0]
    employer_email = case["employer_user"].email
    contract_url = f"/m/{SLUG}/contracts/{contract.id}"
    employer, office = open_page("employer"), open_page("staff")
    log_in(employer, employer_email, case["employer_user"].plain_password)

    # DATEV LODAS: recognised; "Str. u. Hausnr." is no known spelling, so the street is missing and the
    # employer names that column; "Wochenarbeitszeit (Std.)" is guessed and the employer confirms it
    mapping = upload(employer, contract_url, DATEV, "text/csv")
    expect(employer.locator("main")).to_contain_text("fehlen: Straße")
    expect(mapping).to_contain_text("Erkannt als Export aus DATEV LODAS.")
    expect(mapping).to_contain_text("Bitte prüfen und bestätigen")
    expect(column(mapping, "Familienname")).to_have_value("last_name")
    expect(column(mapping, "Personengruppe")).to_have_value("person_group")  # the employment type comes from the keys
    expect(column(mapping, "Str. u. Hausnr.")).to_have_value("")
    expect(column(mapping, "Wochenarbeitszeit (Std.)")).to_have_value("weekly_hours")
    expect(row(mapping, "Wochenarbeitszeit (Std.)").locator(".badge")).to_contain_text("geschätzt")
    shot(employer, "18-mapping-datev")
    employer.set_viewport_size({"width": 390, "height": 844})
    shot(employer, "18-mapping-datev-390")
    employer.set_viewport_size({"width": 1280, "height": 800})
    column(mapping, "Str. u. Hausnr.").select_option("street")
    confirm_and_import(employer, mapping, 20)
    shot(employer, "18-imported-datev")

    # Personio: recognised by its attribute names; "Working hours per week" is guessed and confirmed
    mapping = upload(employer, contract_url, PERSONIO, XLSX)
    expect(mapping).to_contain_text("Erkannt als Export aus Personio.")
    expect(column(mapping, "ID")).to_have_value("personnel_number")
    expect(column(mapping, "Working hours per week")).to_have_value("weekly_hours")
    expect(column(mapping, "Department")).to_have_value("")
    shot(employer, "18-mapping-personio")
    confirm_and_import(employer, mapping, 10)

    # everyone is eligible: the employer sends the 30 enrolments
    employer.goto(contract_url)
    boxes = employer.locator('input[name="employee"]')
    expect(boxes).to_have_count(30)
    employer.get_by_role("button", name="Anmeldungen für die ausgewählten Mitarbeitenden senden").click()
    expect(employer.locator(".flash-success")).to_contain_text("30")

    # the clerk selects all 30 in the queue and accepts them in one action; the employer gets one mail
    log_in(office, staff.email, staff.plain_password)
    office.goto(f"/m/{SLUG}/office/?kind=enrolments")
    queue = office.locator("section.card", has=office.get_by_role("heading", name=re.compile("Anmeldungen")))
    selected = queue.locator('input[name="selected"]')
    expect(selected).to_have_count(30)
    queue.get_by_label("Alle auswählen").check()
    for index in range(30):
        expect(selected.nth(index)).to_be_checked()
    shot(office, "18-queue-all-selected")
    office.set_viewport_size({"width": 390, "height": 844})
    shot(office, "18-queue-all-selected-390")
    office.set_viewport_size({"width": 1280, "height": 800})
    mailbox.clear()
    started = time.perf_counter()
    queue.get_by_role("button", name="Alle ausgewählten annehmen").click()
    expect(office.locator(".flash-success")).to_contain_text("30 angenommen.", timeout=120_000)
    print(f"accepting 30 enrolments in one action took {time.perf_counter() - started:.1f} s")
    expect(queue.locator('input[name="selected"]')).to_have_count(0)
    shot(office, "18-queue-done")
    with app.app_context():
        issued = list(Policy.select().where(Policy.contract == contract.id))
    assert len(issued) == 30
    [digest] = wait_for_mail(mailbox, employer_email)
    time.sleep(0.5)  # a second mail, were there one, would have been written in the same transaction
    assert len(mailbox.to(employer_email)) == 1, [m["subject"] for m in mailbox.to(employer_email)]
    for policy in issued:
        assert f"{policy.employee.first_name} {policy.employee.last_name}" in digest["body"], policy.employee.last_name
