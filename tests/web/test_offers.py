"""Offers from the employer's side and the broker's boundaries: decline, supersede, expire, isolation."""
import datetime

from engine import clock, offers, registry
from engine.models import Offer
from tests.conftest import csrf_from, log_in
from tests.formfill import pdf_text
from tests.journey import first_start, tariff_choice
from web import links


def make_sent_offer(app, make_user, slug="lumen", other_benefits=0):
    from engine import brokers, clients
    with app.app_context():
        live = registry.get(slug)
        broker = make_user("broker")
        brokers.set_number(broker, live, live.doc["broker_number"]["example"])
        client = clients.create(broker, {"company_name": "Offen GmbH", "contact_email": "offen@example.org",
                                         "employees_count": 20})
        group = live.doc["tariff_groups"][0]
        p = group["id"]
        offer = offers.create(broker, client, live, {"start_date": first_start(), "other_benefits_in_kind": other_benefits,
                                                     f"{p}__include": True, **tariff_choice(live, group),
                                                     f"{p}__employer_share": 100, f"{p}__headcount": 10,
                                                     f"{p}__average_age": 40})
        offer = offers.send(broker, offer, live)
        with app.test_request_context():
            token = links.offer_token(offer)
    employer = make_user("employer", email="offen@example.org")
    return broker, employer, client, offer, token


def decide(client, token, data):
    page = client.get(f"/offer/{token}")
    return client.post(f"/offer/{token}/decide", data={**data, "csrf_token": csrf_from(page)}, follow_redirects=True)


def test_employer_declines_with_a_reason_and_the_broker_reads_it(app, make_user, mailbox):
    broker, employer, client, offer, token = make_sent_offer(app, make_user)
    c = app.test_client()
    log_in(c, employer)
    no_reason = decide(c, token, {"decision": "decline", "reason": ""})
    assert "Grund" in no_reason.get_data(as_text=True)
    decide(c, token, {"decision": "decline", "reason": "Zu teuer für uns."})
    with app.app_context():
        assert Offer.get_by_id(offer.id).state == "declined"
    assert "Zu teuer für uns." in mailbox.to(broker.email)[-1]["body"]


def test_a_superseded_offer_cannot_be_accepted(app, make_user):
    broker, employer, client, offer, token = make_sent_offer(app, make_user)
    with app.app_context():
        live = registry.get(offer.tenant_id)
        values = offers.form_values(offer, live)
        values["start_date"] = first_start()
        values = {k: (int(v) if k.endswith(("headcount", "average_age")) else v) for k, v in values.items()}
        revision = offers.revise(broker, offer, live, values)
        offers.send(broker, revision, live)
        assert Offer.get_by_id(offer.id).state == "superseded"
    c = app.test_client()
    log_in(c, employer)
    page = decide(c, token, {"decision": "accept"}).get_data(as_text=True)
    assert "neuere Version" in page
    with app.app_context():
        assert Offer.get_by_id(offer.id).state == "superseded"


def test_an_expired_offer_cannot_be_accepted(app, make_user):
    broker, employer, client, offer, token = make_sent_offer(app, make_user)
    with app.app_context():
        Offer.update(valid_until=clock.today() - datetime.timedelta(days=1)).where(Offer.id == offer.id).execute()
    c = app.test_client()
    log_in(c, employer)
    page = c.get(f"/offer/{token}").get_data(as_text=True)
    assert "abgelaufen" in page and "Angebot annehmen" not in page
    with app.app_context():
        offer_row = Offer.get_by_id(offer.id)
        try:
            offers.accept(employer, offer_row)
        except Exception as exc:  # noqa: BLE001 - the domain refuses with a message
            assert "abgelaufen" in str(exc)
        assert Offer.get_by_id(offer.id).state == "sent"


def test_a_broker_never_sees_another_brokers_clients_or_offers(app, make_user):
    broker, employer, client, offer, token = make_sent_offer(app, make_user)
    other = app.test_client()
    log_in(other, make_user("broker"))
    for url in (f"/advisor/clients/{client.id}", f"/advisor/clients/{client.id}/edit", f"/advisor/offers/{offer.id}",
                f"/advisor/offers/{offer.id}/offer.pdf"):
        assert other.get(url).status_code == 404, url
    assert "Offen GmbH" not in other.get("/advisor/clients").get_data(as_text=True)


def test_a_stranger_cannot_open_an_offer_link(app, make_user):
    broker, employer, client, offer, token = make_sent_offer(app, make_user)
    stranger = app.test_client()
    log_in(stranger, make_user("employer"))
    assert stranger.get(f"/offer/{token}").status_code == 404
    assert stranger.get("/offer/forged-token").status_code == 404


def test_the_50_eur_check_of_the_oldest_working_age_is_shown_wherever_the_offer_is(app, make_user):
    # auxilia "alle" priced at the average age 40 costs 24.10 EUR; no staff known, the check prices a
    # person of 67: 35.50 + 15.00 other benefits = 50.50 EUR, over the limit
    broker, employer, client, offer, token = make_sent_offer(app, make_user, "auxilia", other_benefits=15)
    german, english = "bei einer 67-jährigen Person 50,50 EUR", "a person aged 67 would have 50.50 EUR"
    advisor = app.test_client()
    log_in(advisor, broker)
    assert german in advisor.get(f"/advisor/offers/{offer.id}").get_data(as_text=True)
    assert german in pdf_text(advisor.get(f"/advisor/offers/{offer.id}/offer.pdf").data)
    with advisor.session_transaction() as session:
        session["lang"] = "en"
    assert english in advisor.get(f"/advisor/offers/{offer.id}").get_data(as_text=True)
    c = app.test_client()
    log_in(c, employer)
    assert german in c.get(f"/offer/{token}").get_data(as_text=True)
