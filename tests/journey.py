"""Arrange a case up to a given step of the journey through the engine (the steps themselves are
tested through HTTP in tests/web); used by tests that act on later steps."""
from engine import accounts, applications, brokers, clients, clock, offers, registry, start_window
from engine.models import Application, Tenant
from forms import validate
from tests.formfill import fill


def first_start(today=None):
    """The first allowed start on or after today: what a broker picks for "as soon as possible"."""
    return start_window.first_on_or_after(today or clock.today())


def submitted_application(slug, tag="x", password="correct-horse-42"):
    """A broker, an employer client with a member user, an accepted offer and a submitted application.

    Returns dict(broker, employer_user, client, offer, application, live)."""
    live = registry.get(slug)
    broker = accounts.register(f"broker-{slug}-{tag}@example.org", password, name="Berta Broker", role="broker",
                               verified=True)
    brokers.set_number(broker, live, live.doc["broker_number"]["example"])
    client = clients.create(broker, {"company_name": f"Kunde {slug} {tag} GmbH", "street": "Hauptstr. 1",
                                     "postal_code": "10115", "city": "Berlin", "industry": "agriculture",
                                     "employees_count": 30, "contact_name": "Clara Chefin",
                                     "contact_email": f"chefin-{slug}-{tag}@example.org"})
    employer_user = accounts.register(client.contact_email, password, name="Clara Chefin", role="employer",
                                      employer=client, verified=True)
    groups = live.doc["tariff_groups"]
    values = {"start_date": first_start(), "other_benefits_in_kind": 0}
    for group in groups:
        p = group["id"].replace("-", "_")
        values.update({f"{p}__include": True, f"{p}__tariffs": group["tariffs"], f"{p}__employer_share": 100,
                       f"{p}__headcount": max(live.settings.get("min_insured", 1), 10), f"{p}__average_age": 40})
    offer = offers.create(broker, client, live, values)
    offer = offers.send(broker, offer, live)
    offers.accept(employer_user, offer)
    application = Application.get(Application.offer == offer)
    data = fill(live.compiled.application_form, {"payment": "sepa", "start_date": first_start().strftime("%d.%m.%Y")})
    result = validate(live.compiled.application_form, data, "de")
    assert result.ok, result.errors
    application, errors = applications.save(broker, application, data, live, application.lock_version)
    assert not errors, errors
    application = applications.submit(broker, application, live)
    broker.plain_password = employer_user.plain_password = password
    return {"broker": broker, "employer_user": employer_user, "client": client, "offer": offer,
            "application": application, "live": live, "tenant": Tenant.get_by_id(slug)}
