"""The whole journey (steps 1-13) in a real browser for one tenant, Auxilia (it needs the employer's
release and supports every business event): a broker, an employer and the insurer's staff, each in
their own browser context, click through what tests/web checks through HTTP. One test function, so
that the autouse clean_database fixture does not wipe the case halfway; each step leaves a
screenshot in tests/browser/screens/NN-step-name.png."""
import re

from playwright.sync_api import expect

from engine import clients, cover
from forms import load_platform_form
from tests.browser.actions import EMPLOYEES, employee_xlsx, fill_form, log_in, wait_for_mail
from tests.formfill import fill, pdf_text
from tests.journey import first_start

SLUG = "auxilia"
INSURER = "Auxilia Versicherung"
COMPANY = "Gartenbau Sonnenschein GmbH"
BROKER_EMAIL, BROKER_PASSWORD = "makler-browser@example.org", "makler-passwort-1"
EMPLOYER_EMAIL, EMPLOYER_PASSWORD = "chefin-browser@example.org", "chefin-passwort-1"
IBAN = "DE89370400440532013000"
EMPLOYER_FIELDS = ("payment", "iban", "account_holder", "sepa_mandate")
RECOMMENDATION = "Empfehlung: Einstieg mit der Gruppe Alle Mitarbeitenden."


def german_money(amount):
    return f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " EUR"


def test_journey_in_the_browser(app, mailbox, make_user, broker_page, employer_page, staff_page, shot, dialogs):
    from engine import pricing, registry
    with app.app_context():
        live = registry.get(SLUG)
    broker, employer, office = broker_page, employer_page, staff_page
    start = first_start()

    # 1. the broker registers, confirms the address with the mailed link, logs in, fills the profile
    broker.goto("/auth/register")
    broker.locator("#f-name").fill("Maria Makler")
    broker.locator("#f-email").fill(BROKER_EMAIL)
    broker.locator("#f-password").fill(BROKER_PASSWORD)
    broker.locator("#f-password2").fill(BROKER_PASSWORD)
    shot(broker, "01-register")
    broker.get_by_role("button", name="Registrieren", exact=True).click()
    expect(broker.get_by_role("heading", level=1)).to_have_text("Bitte prüfen Sie Ihr Postfach")
    wait_for_mail(mailbox, BROKER_EMAIL)
    verify_link = mailbox.link(BROKER_EMAIL)
    assert verify_link.startswith(broker.url.split("/auth/")[0] + "/auth/verify/"), verify_link
    broker.goto(verify_link)
    expect(broker).to_have_url(re.compile(r"/auth/login$"))
    expect(broker.locator(".flash-success")).to_be_visible()
    log_in(broker, BROKER_EMAIL, BROKER_PASSWORD)
    expect(broker).to_have_url(re.compile(r"/advisor/$"))
    expect(broker.locator(".notice")).to_contain_text(INSURER)  # no broker number yet
    shot(broker, "01-advisor-dashboard")
    broker.get_by_role("link", name="Profil").click()
    fill_form(broker, load_platform_form("broker_profile"),
              fill(load_platform_form("broker_profile"), {"name": "Maria Makler", "firm": "Makler & Partner",
                                                          "register_number": "D-1ABC-2DE3F-45",
                                                          "phone": "089 1234567"}))
    broker.get_by_role("button", name="Speichern").click()
    expect(broker.locator(".flash-success")).to_be_visible()

    # 2. the broker number: refused in the wrong format, stored in Auxilia's
    broker.get_by_role("link", name="Versicherer & Vermittlernummern").click()
    number_form = broker.locator("form", has=broker.locator(f"#number-{SLUG}"))
    broker.locator(f"#number-{SLUG}").fill("falsch")
    number_form.get_by_role("button", name="Speichern").click()
    expect(broker.locator(f"#err-{SLUG}")).to_contain_text("Format")
    expect(broker.locator(f"#number-{SLUG}")).to_have_attribute("aria-invalid", "true")
    broker.locator(f"#number-{SLUG}").fill(live.doc["broker_number"]["example"])
    broker.locator("form", has=broker.locator(f"#number-{SLUG}")).get_by_role("button", name="Speichern").click()
    expect(broker.locator(".flash-success")).to_contain_text(INSURER)
    expect(broker.locator(".card", has_text=INSURER).locator(".badge.ok")).to_be_visible()
    shot(broker, "02-broker-number")

    # 3. a client
    broker.get_by_role("link", name="Übersicht").click()
    broker.get_by_role("link", name="Neuer Kunde").click()
    client_form = clients.form()
    fill_form(broker, client_form, fill(client_form, {
        "company_name": COMPANY, "street": "Blumenweg 7", "postal_code": "01069", "city": "Dresden",
        "industry": "agriculture", "employees_count": "40", "contact_name": "Clara Chefin",
        "contact_email": EMPLOYER_EMAIL}))
    shot(broker, "03-client-form")
    broker.get_by_role("button", name="Speichern").click()
    expect(broker.get_by_role("heading", level=1)).to_have_text(COMPANY)
    client_url = broker.url
    broker.goto("/advisor/clients?q=sonnen")
    expect(broker.locator("main")).to_contain_text(COMPANY)
    broker.goto(client_url)

    # 4. consultation: every module presented, its questions answered, figures, record as a PDF
    broker.get_by_role("link", name="Beratung beginnen").click()
    broker.get_by_role("link", name=INSURER).click()
    for box in broker.locator('input[name="tariffs"], input[name="modules"]').all():
        expect(box).to_be_checked()
    broker.get_by_role("button", name="Präsentation beginnen").click()
    for step, module in enumerate(live.doc["content_modules"]):
        expect(broker.locator(".card.prose > h2").first).to_have_text(module["title"]["de"])
        expect(broker.locator('.steps [aria-current="step"]')).to_contain_text(module["title"]["de"])
        questions = live.compiled.questions.get(module["id"])
        if questions is not None and questions.fields:
            fill_form(broker, questions, fill(questions))
            shot(broker, f"04-consultation-module-{step + 1}")
            broker.get_by_role("button", name="Antworten speichern und weiter").click()
        else:
            broker.get_by_role("link", name="Weiter", exact=True).click()
    figures = broker.locator("table.table")
    expect(figures).to_contain_text(live.doc["tariffs"][0]["name"]["de"])
    expect(figures).to_contain_text("EUR")
    broker.locator("#recommendation").fill(RECOMMENDATION)
    shot(broker, "04-consultation-figures")
    broker.get_by_role("button", name="Abschließen und Protokoll erstellen").click()
    expect(broker).to_have_url(client_url)
    with broker.expect_download() as download:
        broker.get_by_role("link", name="Beratungsprotokoll (PDF)").click()
    record = download.value.path().read_bytes()
    assert record.startswith(b"%PDF")
    assert download.value.suggested_filename.endswith(".pdf")
    text = pdf_text(record)
    assert COMPANY in text and RECOMMENDATION in text
    shot(broker, "04-consultation-completed")

    # 5. offer: a group, its tariffs, headcount, start on the first of next month; priced, sent by mail
    group = live.doc["tariff_groups"][0]
    prefix = group["id"].replace("-", "_")
    broker.get_by_role("link", name="Neues Angebot").click()
    broker.get_by_role("link", name=INSURER).click()
    broker.locator("#field-start_date").fill(start.isoformat())
    expect(broker.locator(f"#field-{prefix}__tariffs-field")).to_be_hidden()  # until the group is ticked
    broker.locator(f"#field-{prefix}__include").check()
    for index, _tariff in enumerate(group["tariffs"]):
        broker.locator(f"#field-{prefix}__tariffs-{index}").check()
    expect(broker.locator(f"#field-{prefix}__employer_share")).to_have_value("100")
    broker.locator(f"#field-{prefix}__headcount").fill("12")
    broker.locator(f"#field-{prefix}__average_age").fill("40")
    shot(broker, "05-offer-form")
    broker.get_by_role("button", name="Berechnen").click()
    expect(broker).to_have_url(re.compile(r"/advisor/offers/\d+$"))
    with app.app_context():
        per_person = sum(pricing.premium(live, t, group["id"], pricing.Person(age=40), start) for t in group["tariffs"])
    total = german_money(per_person * 12)
    expect(broker.locator("tfoot")).to_contain_text(total)
    expect(broker.locator(".lead")).to_contain_text(start.strftime("%d.%m.%Y"))
    mailbox.clear()
    broker.get_by_role("button", name=f"An {EMPLOYER_EMAIL} senden").click()
    expect(broker.locator(".flash-success")).to_contain_text(EMPLOYER_EMAIL)
    assert dialogs[-1][0] == "broker" and EMPLOYER_EMAIL in dialogs[-1][1]  # asked before sending
    shot(broker, "05-offer-sent")
    [offer_mail] = wait_for_mail(mailbox, EMPLOYER_EMAIL)
    assert total in offer_mail["body"]
    offer_link = mailbox.link(EMPLOYER_EMAIL)

    # 6. the employer follows the mailed link, registers with that address, accepts; the broker is told
    employer.goto(offer_link)
    expect(employer.locator("main")).to_contain_text(EMPLOYER_EMAIL)
    employer.get_by_role("link", name="Registrieren", exact=True).click()
    expect(employer.locator("#f-name")).to_have_value("Clara Chefin")
    employer.locator("#f-password").fill(EMPLOYER_PASSWORD)
    employer.locator("#f-password2").fill(EMPLOYER_PASSWORD)
    employer.get_by_role("button", name="Registrieren und Angebot anzeigen").click()
    expect(employer.get_by_role("heading", level=1)).to_contain_text(INSURER)
    expect(employer.locator("tfoot")).to_contain_text(total)
    shot(employer, "06-offer-for-the-employer")
    employer.get_by_role("button", name="Angebot annehmen").click()
    expect(employer).to_have_url(re.compile(r"/applications/\d+$"))
    application_path = re.search(r"/applications/\d+$", employer.url).group(0)
    assert "angenommen" in wait_for_mail(mailbox, BROKER_EMAIL)[-1]["subject"].lower()

    # 7. the application: the employer gives the bank details, the broker the rest
    form = live.compiled.application_form
    values = fill(form, {"iban": IBAN, "payment": "sepa", "account_holder": "Gartenbau Sonnenschein GmbH",
                         "company_name": COMPANY, "legal_form": "gmbh", "street": "Blumenweg 7",
                         "postal_code": "01069", "city": "Dresden", "commercial_register_number": "HRB 4711",
                         "contact_name": "Clara Chefin", "contact_email": EMPLOYER_EMAIL,
                         "contact_phone": "0351 1234567", "start_date": start.strftime("%d.%m.%Y"),
                         "anzahl_standorte": "2"})
    expect(employer.locator("#field-iban")).to_be_visible()  # SEPA is the preselected payment
    fill_form(employer, form, values, only=EMPLOYER_FIELDS)
    shot(employer, "07-application-bank-details")
    employer.get_by_role("button", name="Speichern").click()
    expect(employer.locator(".flash-success")).to_be_visible()
    broker.goto(application_path)
    expect(broker.locator("#field-iban")).to_have_value(IBAN)
    broker_part = [name for name in values if name not in EMPLOYER_FIELDS]
    fill_form(broker, form, values, only=broker_part)
    broker.get_by_role("button", name="Speichern").click()
    expect(broker.locator(".flash-success")).to_be_visible()
    changes = broker.locator(".timeline")
    expect(changes).to_contain_text(EMPLOYER_EMAIL)
    expect(changes).to_contain_text(BROKER_EMAIL)
    expect(broker.locator(".warn")).to_have_count(0)  # nothing missing
    shot(broker, "07-application-complete")

    # 8. the broker submits; the employer is mailed the manager's link
    mailbox.clear()
    broker.get_by_role("button", name=f"An die {INSURER} übermitteln").click()
    expect(broker.locator(".flash-success")).to_be_visible()
    assert dialogs[-1][0] == "broker" and INSURER in dialogs[-1][1]
    expect(broker.locator("main")).to_contain_text("Übermittelt am")
    shot(broker, "08-application-submitted")
    wait_for_mail(mailbox, EMPLOYER_EMAIL)
    manager_link = mailbox.link(EMPLOYER_EMAIL)
    assert f"/m/{SLUG}/applications/" in manager_link

    # 9. the employer releases it in the manager
    employer.goto(manager_link)
    expect(employer.locator(".brand-name")).to_have_text(INSURER)
    shot(employer, "09-release")
    employer.get_by_role("button", name="Antrag freigeben").click()
    expect(employer.locator(".flash-success")).to_contain_text(INSURER)
    assert dialogs[-1][0] == "employer"  # an irreversible step asks first
    expect(employer.get_by_role("button", name="Antrag freigeben")).to_have_count(0)

    # 10. the insurer's staff accept it with a policy number; the employer gets the contract's link
    staff = make_user("insurer", tenant=SLUG)
    log_in(office, staff.email, staff.plain_password)
    expect(office).to_have_url(re.compile(rf"/m/{SLUG}/office/$"))
    mailbox.clear()
    office.locator(f'a[href$="/office{application_path}"]').click()
    expect(office.locator("main")).to_contain_text(COMPANY)
    office.locator("#policy_number").fill("GV-AUXILIA-1")
    shot(office, "10-office-application")
    office.get_by_role("button", name="Annehmen und Gruppenpolice senden").click()
    expect(office.locator(".flash-success")).to_be_visible()
    wait_for_mail(mailbox, EMPLOYER_EMAIL)
    contract_link = mailbox.link(EMPLOYER_EMAIL)
    assert wait_for_mail(mailbox, BROKER_EMAIL)

    # 11. the employer uploads the employee file (XLSX), checks the preview, imports
    employer.goto(contract_link)
    expect(employer.get_by_role("heading", level=1)).to_contain_text("GV-AUXILIA-1")
    with employer.expect_download() as download:
        employer.get_by_role("link", name="Gruppenpolice (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    contract_url = employer.url
    employer.locator("#file").set_input_files(files=[{
        "name": "mitarbeitende.xlsx", "buffer": employee_xlsx(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    employer.get_by_role("button", name="Datei prüfen").click()
    expect(employer.get_by_role("heading", level=1)).to_contain_text("mitarbeitende.xlsx")
    preview = employer.locator("main")
    expect(preview).to_contain_text(f"{len(EMPLOYEES)} Zeilen, {len(EMPLOYEES)} gültig, 0 mit Problemen.")
    for _number, last, first, *_rest in EMPLOYEES:
        expect(preview).to_contain_text(f"{first} {last}")
    shot(employer, "11-import-preview")
    employer.get_by_role("button", name=f"Die {len(EMPLOYEES)} gültigen Zeilen übernehmen").click()
    expect(employer.locator(".flash-success")).to_be_visible()
    employer.goto(contract_url)
    rows = employer.locator("table.table tbody tr", has=employer.locator('a[href*="/employees/"]'))
    expect(rows).to_have_count(len(EMPLOYEES))
    minijob = rows.filter(has_text="Wagner")
    expect(minijob).to_contain_text("nicht versicherbar")
    expect(minijob.locator('input[type="checkbox"]')).to_have_count(0)
    for _number, last, *_rest, kind, _hours, _group in EMPLOYEES:
        if kind != "Minijob":
            expect(rows.filter(has_text=last)).to_contain_text(live.doc["tariff_groups"][0]["name"]["de"])
    shot(employer, "11-employees")
    minijob.get_by_role("link", name="warum?").click()
    expect(employer.locator("#why")).to_contain_text("Geringfügig Beschäftigte (Minijob) können nicht versichert werden.")
    shot(employer, "11-not-eligible-reason")
    employer.goto(contract_url)
    eligible = employer.locator('input[name="employee"]')
    expect(eligible).to_have_count(len(EMPLOYEES) - 1)
    employer.get_by_role("button", name="Anmeldungen für die ausgewählten Mitarbeitenden senden").click()
    expect(employer.locator(".flash-success")).to_contain_text(f"{len(EMPLOYEES) - 1}")

    # 12. the staff issue the individual policies
    office.goto(f"/m/{SLUG}/office/")
    enrolment_links = office.locator('a[href*="/office/enrolments/"]')
    expect(enrolment_links).to_have_count(len(EMPLOYEES) - 1)
    shot(office, "12-office-enrolments")
    for _ in range(len(EMPLOYEES) - 1):
        enrolment_links.first.click()
        office.get_by_role("button", name="Annehmen und ausstellen").click()
        expect(office.locator(".flash-success")).to_be_visible()
    expect(enrolment_links).to_have_count(0)
    employer.goto(contract_url)
    employer.locator("table.table tbody tr", has_text="Becker").get_by_role("link", name="Becker, Anna").click()
    expect(employer.get_by_role("heading", level=1)).to_contain_text("versichert")
    person_url = employer.url
    with employer.expect_download() as download:
        employer.get_by_role("link", name="Herunterladen").click()
    policy = download.value.path().read_bytes()
    assert policy.startswith(b"%PDF") and "Becker" in pdf_text(policy)
    shot(employer, "12-insured-employee")

    # 13. an address change: filed by the employer, processed by the staff, policy version 2
    employer.get_by_role("link", name="Adressänderung").click()
    fill_form(employer, live.compiled.event_forms["address_change"],
              {"street": "Neue Str. 5", "postal_code": "01069", "city": "Dresden",
               "effective_date": start.strftime("%d.%m.%Y")})
    shot(employer, "13-address-change")
    employer.get_by_role("button", name=f"An die {INSURER} senden").click()
    expect(employer.locator(".flash-success")).to_be_visible()
    office.goto(f"/m/{SLUG}/office/")
    office.locator('a[href*="/office/events/"]').click()
    expect(office.locator("main")).to_contain_text("Neue Str. 5")
    shot(office, "13-office-event")
    office.get_by_role("button", name="Geschäftsvorfall bearbeiten").click()
    expect(office.locator(".flash-success")).to_be_visible()
    # the move takes effect on its date: the daily job of that day applies it
    with app.app_context():
        cover.apply_due(today=start)
    employer.goto(person_url)
    expect(employer.locator(".lead")).to_contain_text("Neue Str. 5")
    policies = employer.locator("section.card", has=employer.get_by_role("heading", name="Policen")).locator("tbody tr")
    expect(policies).to_have_count(2)  # newest first, the replaced version kept
    expect(policies.nth(0).locator("td").first).to_have_text("2")
    expect(policies.nth(0)).to_contain_text("aktiv")
    expect(policies.nth(1).locator("td").first).to_have_text("1")
    expect(policies.nth(1)).to_contain_text("ersetzt")
    shot(employer, "13-policy-version-2")

    # 14. the employer downloads the payroll export of the first month: each insured person's employer-paid premium
    employer.goto(contract_url)
    employer.get_by_role("link", name="Lohnexport").click()
    employer.locator("#month").fill(start.strftime("%Y-%m"))
    employer.get_by_role("button", name="Anzeigen").click()
    rows = employer.locator("table.table tbody tr")
    expect(rows).to_have_count(len(EMPLOYEES) - 1)
    shown = {row.locator("td").nth(0).inner_text(): row.locator("td").nth(2).inner_text() for row in rows.all()}
    shot(employer, "14-payroll-export")
    with employer.expect_download() as download:
        employer.get_by_role("link", name="Lohnexport CSV").click()
    assert download.value.suggested_filename.endswith(f"{start:%Y-%m}.csv")
    lines = download.value.path().read_bytes().decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    exported = {cells[0]: cells[header.index("Arbeitgeberanteil EUR")] for cells in (line.split(";") for line in lines[1:])}
    assert set(exported) == {number for number, *_rest, kind, _hours, _group in EMPLOYEES if kind != "Minijob"}
    for number, amount in exported.items():
        assert re.fullmatch(r"\d+,\d\d", amount) and shown[number] == f"{amount} EUR", (number, amount, shown)

    # 15. the daily job issues the first month's premium statement; the employer downloads its PDF: every
    # person of the payroll export with the same amount, and the total
    with app.app_context():
        from engine import statements
        statements.issue_month(start, tenant_slug=SLUG)
    employer.goto(contract_url)
    employer.get_by_role("link", name="Beitragsrechnungen").click()
    shot(employer, "15-statements")
    with employer.expect_download() as download:
        employer.get_by_role("link", name="PDF").first.click()
    assert download.value.suggested_filename.startswith("Beitragsrechnung-")
    statement = pdf_text(download.value.path().read_bytes())
    total = sum(int(amount.replace(",", "")) for amount in exported.values())
    assert f"{total // 100},{total % 100:02d}" in statement, statement
    for number, amount in exported.items():
        assert amount in statement, (number, amount)
