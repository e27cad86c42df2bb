"""Journey steps 1-8 through HTTP for each demo tenant: a broker registers, stores a broker number,
advises a client, sends an offer; the employer accepts it; both fill the application; the broker
submits it and the employer is mailed the manager's link."""
import re

import pytest

from tests.conftest import csrf_from
from tests.formfill import fill, pdf_text
from tests.journey import chosen, first_start, tariff_choice

TENANTS = ["lumen", "auxilia", "nordhafen"]


start_date = first_start


def post(client, url, data, page=None):
    token = csrf_from(client.get(page or url))
    return client.post(url, data={**data, "csrf_token": token})


def live(app, slug):
    from engine import registry
    with app.app_context():
        return registry.get(slug)


def register_broker(client, mailbox, email):
    post(client, "/auth/register", {"name": "Maria Makler", "email": email, "password": "makler-passwort",
                                    "password2": "makler-passwort"})
    client.get(mailbox.link(email))
    response = post(client, "/auth/login", {"email": email, "password": "makler-passwort"})
    assert response.headers["Location"].endswith("/advisor/")


def offer_data(tenant, headcount):
    group = tenant.doc["tariff_groups"][0]
    p = group["id"].replace("-", "_")
    return {"tenant": tenant.slug, "start_date": start_date().strftime("%d.%m.%Y"), "other_benefits_in_kind": "0",
            f"{p}__include": "on", **tariff_choice(tenant, group, p), f"{p}__employer_share": "100",
            f"{p}__headcount": str(headcount), f"{p}__average_age": "40"}


@pytest.mark.parametrize("slug", TENANTS)
def test_broker_to_submitted_application(app, mailbox, slug):
    tenant = live(app, slug)
    broker, employer = app.test_client(), app.test_client()
    broker_email, employer_email = f"makler-{slug}@example.org", f"chefin-{slug}@example.org"

    # 1. registration and profile
    register_broker(broker, mailbox, broker_email)
    from forms import load_platform_form

    from engine import clients
    profile = fill(load_platform_form("broker_profile"), {"name": "Maria Makler"})
    assert post(broker, "/advisor/profile", profile).status_code == 302

    # 2. broker number: refused in the wrong format, stored in the tenant's
    wrong = post(broker, "/advisor/engines", {"tenant": slug, "number": "falsch"})
    assert "Format" in wrong.get_data(as_text=True)
    assert post(broker, "/advisor/engines", {"tenant": slug, "number": tenant.doc["broker_number"]["example"]}).status_code == 302

    # 3. client
    client_form = fill(clients.form(),
                       {"company_name": f"Beispiel {slug} GmbH", "contact_email": employer_email,
                        "contact_name": "Clara Chefin", "employees_count": "40"})
    created = post(broker, "/advisor/clients/new", client_form)
    client_id = int(re.search(r"/advisor/clients/(\d+)", created.headers["Location"]).group(1))
    assert f"Beispiel {slug} GmbH" in broker.get("/advisor/clients?q=beispiel").get_data(as_text=True)

    # 4. consultation: every module presented, its questions answered, figures from the formulas
    started = post(broker, f"/advisor/clients/{client_id}/consultations/new",
                   {"tenant": slug, "tariffs": [t["id"] for t in tenant.doc["tariffs"]],
                    "modules": [m["id"] for m in tenant.doc["content_modules"]]},
                   page=f"/advisor/clients/{client_id}/consultations/new?tenant={slug}")
    consultation_url = started.headers["Location"]
    for step, module in enumerate(tenant.doc["content_modules"]):
        page = broker.get(f"{consultation_url}?step={step}")
        assert module["title"]["de"] in page.get_data(as_text=True)
        assert page.get_data(as_text=True).count("<h1") == 1  # the module file's own title is not a second heading
        form = tenant.compiled.questions.get(module["id"])
        if form is not None:
            answered = post(broker, f"{consultation_url}?step={step}", fill(form))
            assert answered.status_code == 302
    figures = broker.get(f"{consultation_url}?step={len(tenant.doc['content_modules'])}").get_data(as_text=True)
    assert "EUR" in figures and tenant.doc["tariffs"][0]["name"]["de"] in figures
    completed = post(broker, f"{consultation_url}/complete", {"recommendation": "Empfehlung: Einstieg mit Gruppe 1."},
                     page=consultation_url)
    assert completed.status_code == 302
    consultation_id = int(consultation_url.rstrip("/").split("/")[-1])
    record = broker.get(f"/advisor/consultations/{consultation_id}/record.pdf")
    text = pdf_text(record.data)
    assert f"Beispiel {slug} GmbH" in text and "Empfehlung: Einstieg mit Gruppe 1." in text

    # 5. offer: priced by the tenant's formulas, PDF, sent by mail
    headcount = max(tenant.settings.get("min_insured", 1), 12)
    made = post(broker, f"/advisor/clients/{client_id}/offers/new?tenant={slug}",
                offer_data(tenant, headcount))
    assert made.status_code == 302, made.get_data(as_text=True)
    offer_url = made.headers["Location"]
    offer_id = int(offer_url.rstrip("/").split("/")[-1])
    from engine import pricing
    group = tenant.doc["tariff_groups"][0]
    expected = sum(pricing.premium(tenant, t, group["id"], pricing.Person(age=40), start_date())
                   for t in chosen(tenant, group))
    page = broker.get(offer_url).get_data(as_text=True)
    assert f"{expected * headcount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") in page
    total = f"{expected * headcount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    offer_text = pdf_text(broker.get(f"/advisor/offers/{offer_id}/offer.pdf").data)
    assert f"Beispiel {slug} GmbH" in offer_text and f"{total} EUR" in offer_text
    mailbox.clear()
    sent = post(broker, f"/advisor/offers/{offer_id}/send", {}, page=offer_url)
    assert sent.status_code == 302
    [mail] = mailbox.to(employer_email)
    link = mailbox.link(employer_email)

    # 6. employer: link -> register with that address -> offer -> accept; broker is mailed
    assert "registrieren" in employer.get(link).get_data(as_text=True).lower()
    token = link.rstrip("/").split("/")[-1]
    post(employer, f"/offer/{token}/register", {"name": "Clara Chefin", "password": "chefin-passwort",
                                                "password2": "chefin-passwort"})
    shown = employer.get(link).get_data(as_text=True)
    assert tenant.name in shown and "Angebot annehmen" in shown
    accepted = post(employer, f"/offer/{token}/decide", {"decision": "accept"}, page=link)
    application_url = accepted.headers["Location"]
    assert "/applications/" in application_url
    assert "angenommen" in mailbox.to(broker_email)[-1]["subject"].lower()

    # 7. application: the employer fills the bank details, the broker the rest; both attributed
    form = tenant.compiled.application_form
    complete = fill(form, {"iban": "DE89370400440532013000", "payment": "sepa",
                           "start_date": start_date().strftime("%d.%m.%Y")})
    page = employer.get(application_url)
    lock = re.search(r'name="lock_version" value="(\d+)"', page.get_data(as_text=True)).group(1)
    employer_part = {k: v for k, v in complete.items() if k in ("iban", "account_holder", "sepa_mandate", "payment")}
    assert post(employer, application_url, {**employer_part, "lock_version": lock}).status_code == 302
    page = broker.get(application_url)
    lock = re.search(r'name="lock_version" value="(\d+)"', page.get_data(as_text=True)).group(1)
    assert post(broker, application_url, {**complete, "lock_version": lock}).status_code == 302
    history = broker.get(application_url).get_data(as_text=True)
    assert employer_email in history and broker_email in history

    # 8. submit: the employer gets the manager's link (step 9)
    mailbox.clear()
    submitted = post(broker, f"{application_url}/submit", {}, page=application_url)
    assert submitted.status_code == 302
    after = broker.get(application_url).get_data(as_text=True)
    assert "übermittelt am" in after.lower()
    # the broker is told what comes next: the employer's release, or none where the insurer needs none
    release_required = tenant.settings["employer_release_required"]
    assert ("zur Freigabe aufgefordert" in after) == release_required
    assert ("keine Freigabe durch den Arbeitgeber" in after) == (not release_required)
    manager_link = mailbox.link(employer_email)
    assert f"/m/{slug}/applications/" in manager_link
    assert employer.get(manager_link).status_code == 200

    # the case has a timeline of its state changes, and the dashboard shows it
    timeline = broker.get(f"/advisor/clients/{client_id}").get_data(as_text=True)
    for step_name in ("Kunde angelegt", "Beratung abgeschlossen", "Angebot versendet", "Angebot angenommen",
                      "Antrag übermittelt"):
        assert step_name in timeline
    expected_state = "übermittelt" if tenant.settings["employer_release_required"] else "freigegeben"
    assert expected_state in broker.get("/advisor/").get_data(as_text=True)
