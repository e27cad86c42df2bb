"""Issue 13, item 19: a self-registered broker's offers carry the insurer's name to any address. Until
the insurer's back office has confirmed his broker number, the employer reads that it is unconfirmed
(mail, offer page, PDF); and a broker may mail only so many offers a day."""
import datetime
from urllib.parse import urlsplit

import pytest

from engine import brokers, clients, offers, registry
from engine.models import AuditEntry, Offer
from tests.conftest import TODAY, csrf_from, log_in
from tests.formfill import pdf_text
from tests.journey import first_start, tariff_choice
from web import config

UNCONFIRMED = "Vermittlernummer vom Versicherer noch nicht bestätigt"


def post(client, url, data, page=None):
    return client.post(url, data={**data, "csrf_token": csrf_from(client.get(page or url))})


def draft_offers(app, broker, contact, count=1, slug="lumen"):
    """Draft offers of the broker for a client whose contact is `contact` (arranged through the engine)."""
    with app.app_context():
        live = registry.get(slug)
        client = clients.create(broker, {"company_name": f"Firma {contact}", "contact_email": contact,
                                         "employees_count": 30})
        group = live.doc["tariff_groups"][0]
        p = group["id"].replace("-", "_")
        values = {"start_date": first_start(), "other_benefits_in_kind": 0, f"{p}__include": True,
                  **tariff_choice(live, group), f"{p}__employer_share": 100,
                  f"{p}__headcount": max(live.settings.get("min_insured", 1), 10), f"{p}__average_age": 40}
        return [offers.create(broker, client, live, values) for _ in range(count)]


def send(browser, offer):
    url = f"/advisor/offers/{offer.id}"
    return post(browser, f"{url}/send", {}, page=url)


@pytest.fixture
def broker(app, make_user):
    user = make_user("broker")
    with app.app_context():
        live = registry.get("lumen")
        brokers.set_number(user, live, live.doc["broker_number"]["example"])
    return user


def test_the_employer_reads_that_the_broker_number_is_unconfirmed_until_the_insurer_confirms_it(
        app, make_user, mailbox, broker):
    first, second = draft_offers(app, broker, "chefin@firma.example", count=2)
    browser = app.test_client()
    log_in(browser, broker)
    assert "vom Versicherer noch nicht bestätigt" in browser.get("/advisor/engines").get_data(as_text=True)

    send(browser, first)
    [mail] = mailbox.to("chefin@firma.example")
    assert UNCONFIRMED in mail["body"]
    assert UNCONFIRMED in pdf_text(browser.get(f"/advisor/offers/{first.id}/offer.pdf").data)
    employer = app.test_client()
    link = urlsplit(mailbox.link("chefin@firma.example")).path
    post(employer, f"{link}/register", {"name": "Chefin", "password": "chefin-passwort", "password2": "chefin-passwort"})
    assert UNCONFIRMED in employer.get(link).get_data(as_text=True)

    # the insurer's back office checks the number and confirms it (recorded)
    staff = app.test_client()
    log_in(staff, make_user("insurer", tenant="lumen"))
    listed = staff.get("/m/lumen/office/brokers/").get_data(as_text=True)
    assert broker.email in listed and "noch nicht bestätigt" in listed
    with app.app_context():
        number = brokers.numbers_at("lumen")[0]
    confirmed = post(staff, f"/m/lumen/office/brokers/{number.id}/confirm", {"confirmed": "1"},
                     page="/m/lumen/office/brokers/")
    assert confirmed.status_code == 302
    with app.app_context():
        assert brokers.is_confirmed(broker, "lumen")
        assert AuditEntry.get(AuditEntry.action == "broker.number_confirmed").after["number"] == number.number
    other_staff = app.test_client()
    log_in(other_staff, make_user("insurer", tenant="auxilia"))
    assert post(other_staff, f"/m/lumen/office/brokers/{number.id}/confirm", {}, page="/").status_code == 403
    assert post(other_staff, f"/m/auxilia/office/brokers/{number.id}/confirm", {},
                page="/m/auxilia/office/brokers/").status_code == 404

    mailbox.clear()
    send(browser, second)
    [mail] = mailbox.to("chefin@firma.example")
    assert UNCONFIRMED not in mail["body"]
    assert UNCONFIRMED not in pdf_text(browser.get(f"/advisor/offers/{second.id}/offer.pdf").data)
    assert UNCONFIRMED not in employer.get(link).get_data(as_text=True)

    # a changed number is unchecked again
    post(browser, "/advisor/engines", {"tenant": "lumen", "number": number.number[:-1] + "9"})
    with app.app_context():
        assert brokers.number_for(broker, "lumen") != number.number
        assert not brokers.is_confirmed(broker, "lumen")


@pytest.fixture
def two_offer_mails_a_day(app):
    """As an operator sets BKV_OFFER_MAILS_PER_DAY=2."""
    offers.configure(mails_per_day=config.from_env({"BKV_OFFER_MAILS_PER_DAY": "2"})["OFFER_MAILS_PER_DAY"])
    yield
    offers.configure(mails_per_day=app.config["OFFER_MAILS_PER_DAY"])


def test_a_broker_mails_only_so_many_offers_a_day(app, make_user, mailbox, broker, clock, two_offer_mails_a_day):
    drafts = [draft_offers(app, broker, f"kunde{i}@firma.example")[0] for i in range(4)]
    browser = app.test_client()
    log_in(browser, broker)
    for offer in drafts[:2]:
        send(browser, offer)
    refused = send(browser, drafts[2])
    page = browser.get(refused.headers["Location"]).get_data(as_text=True)
    assert "bereits 2 Angebote versendet" in page and "Morgen" in page
    with app.app_context():
        assert [Offer.get_by_id(o.id).state for o in drafts] == ["sent", "sent", "draft", "draft"]
    assert not mailbox.to("kunde2@firma.example")

    other = make_user("broker")  # the limit is each broker's own
    with app.app_context():
        brokers.set_number(other, registry.get("lumen"), registry.get("lumen").doc["broker_number"]["example"])
    [theirs] = draft_offers(app, other, "andere@firma.example")
    other_browser = app.test_client()
    log_in(other_browser, other)
    send(other_browser, theirs)
    assert mailbox.to("andere@firma.example")

    clock.move_to(TODAY + datetime.timedelta(days=1))  # the next day
    log_in(browser, broker)
    send(browser, drafts[2])
    assert mailbox.to("kunde2@firma.example")
