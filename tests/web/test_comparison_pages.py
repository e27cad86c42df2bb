"""Comparing insurers through the portals (issue #18): the broker compares his insurers side by side,
records it, makes one offer per insurer and sends them in one mail; the employer sees them side by
side through the one link and accepts exactly one. CSRF, roles and other brokers' clients."""
import re

import pytest

from engine import comparisons, registry
from engine.models import Offer
from tests.conftest import csrf_from, log_in
from tests.engine.test_comparisons import INSURERS, asked, broker_with_numbers, new_client
from tests.formfill import pdf_text
from web import links


def compare_url(client_id, insurers=INSURERS, **more):
    values = asked(insurers, **more)
    return f"/advisor/clients/{client_id}/compare?" + "&".join(f"{k}={v}" for k, v in values.items(multi=True))


@pytest.fixture
def broker_case(app, make_user):
    with app.app_context():
        broker = broker_with_numbers(make_user)
        client = new_client(broker)
    advisor = app.test_client()
    log_in(advisor, broker)
    return broker, client, advisor


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_broker_sees_his_insurers_side_by_side(app, broker_case, lang):
    broker, client, advisor = broker_case
    advisor.get(f"/lang/{lang}")
    form = advisor.get(f"/advisor/clients/{client.id}/compare").get_data(as_text=True)
    for slug in INSURERS:
        assert f'value="{slug}"' in form
    page = advisor.get(compare_url(client.id)).get_data(as_text=True).replace("\u00ad", "")  # soft hyphens
    with app.app_context():
        columns = comparisons.compare(broker, client, comparisons.read_inputs(broker, asked()))
    money = (lambda v: f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")) if lang == "de" else \
        (lambda v: f"{v:,.2f}")
    for column in columns:
        assert column["insurer"] in page
        assert f"{money(column['employer_yearly'])} EUR" in page
    assert ("Arbeitgeberkosten pro Jahr" if lang == "de" else "Employer's cost per year") in page
    assert ("Freigrenze" if lang == "de" else "limit") in page


def test_a_comparison_needs_two_insurers_he_has_a_number_for(app, make_user):
    with app.app_context():
        broker = broker_with_numbers(make_user, ["lumen", "auxilia"])
        client = new_client(broker)
    advisor = app.test_client()
    log_in(advisor, broker)
    page = advisor.get(compare_url(client.id)).get_data(as_text=True)
    assert "Vermittlernummer hinterlegt" in page and "Nordhafen" in page  # named as not comparable
    assert "Arbeitgeberkosten pro Jahr" not in page
    one = advisor.get(compare_url(client.id, ["lumen"])).get_data(as_text=True)
    assert "mindestens zwei Versicherer" in one


def test_recording_needs_the_csrf_token_and_the_own_client(app, make_user, broker_case):
    broker, client, advisor = broker_case
    data = dict(asked().items(multi=True))
    data["insurers"] = INSURERS
    assert advisor.post(f"/advisor/clients/{client.id}/compare", data=data).status_code == 400
    token = csrf_from(advisor.get(compare_url(client.id)))
    done = advisor.post(f"/advisor/clients/{client.id}/compare", data={**data, "csrf_token": token})
    assert done.status_code == 302 and "/advisor/comparisons/" in done.headers["Location"]
    kept = int(done.headers["Location"].rsplit("/", 1)[1])
    other = app.test_client()
    log_in(other, broker_with_numbers(make_user))
    for url in (f"/advisor/clients/{client.id}/compare", compare_url(client.id), f"/advisor/comparisons/{kept}",
                f"/advisor/comparisons/{kept}/comparison.pdf"):
        assert other.get(url).status_code == 404, url
    token = csrf_from(other.get("/advisor/"))
    assert other.post(f"/advisor/clients/{client.id}/compare", data={**data, "csrf_token": token}).status_code == 404
    assert other.post(f"/advisor/comparisons/{kept}/offers", data={"csrf_token": token}).status_code == 404
    employer = app.test_client()
    log_in(employer, make_user("employer"))
    assert employer.get(f"/advisor/clients/{client.id}/compare").status_code in (302, 403)


def test_sent_together_in_one_mail_and_one_accepted(app, make_user, mailbox, broker_case):
    broker, client, advisor = broker_case
    data = dict(asked().items(multi=True))
    data["insurers"] = INSURERS
    token = csrf_from(advisor.get(compare_url(client.id)))
    kept = advisor.post(f"/advisor/clients/{client.id}/compare", data={**data, "csrf_token": token}).headers["Location"]
    page = advisor.get(kept)
    advisor.post(f"{kept}/offers", data={"csrf_token": csrf_from(page)})
    page = advisor.get(kept).get_data(as_text=True)
    assert "Die 3 Angebote gemeinsam an chefin@vergleich.example senden" in page
    advisor.post(f"{kept}/send", data={"csrf_token": csrf_from(advisor.get(kept))})
    assert pdf_text(advisor.get(f"{kept}/comparison.pdf").data).startswith("Angebotsvergleich")
    [mail] = mailbox.to("chefin@vergleich.example")
    link = re.search(r"http://\S+/offer/compare/\S+", mail["body"]).group(0)
    path = link.split("localhost", 1)[-1] if "localhost" in link else "/" + link.split("/", 3)[3]

    employer = app.test_client()
    assert "login" in employer.get(path).get_data(as_text=True).lower()  # log in or register first
    user = make_user("employer", email="chefin@vergleich.example")
    log_in(employer, user)
    seen = employer.get(path).get_data(as_text=True)
    for slug in INSURERS:
        assert registry_name(app, slug) in seen
    assert seen.count("Dieses Angebot annehmen") == 3
    assert pdf_text(employer.get(f"{path}/comparison.pdf").data).startswith("Angebotsvergleich")
    with app.app_context():
        chosen = Offer.get((Offer.tenant == "auxilia") & (Offer.employer == client.id))
    assert employer.post(f"{path}/decide", data={"decision": "accept", "offer": chosen.id}).status_code == 400
    done = employer.post(f"{path}/decide", data={"decision": "accept", "offer": chosen.id,
                                                 "csrf_token": csrf_from(employer.get(path))})
    assert "/applications/" in done.headers["Location"]
    with app.app_context():
        states = {o.tenant_id: o.state for o in Offer.select().where(Offer.employer == client.id)}
    assert states == {"lumen": "not_chosen", "auxilia": "accepted", "nordhafen": "not_chosen"}
    after = employer.get(path).get_data(as_text=True)
    assert "Dieses Angebot annehmen" not in after and "nicht gewählt" in after
    with app.app_context(), app.test_request_context():
        lumen = Offer.get((Offer.tenant == "lumen") & (Offer.employer == client.id))
        alone = links.offer_token(lumen)
    assert "aus demselben Vergleich das Angebot eines anderen Versicherers" in employer.get(f"/offer/{alone}").get_data(as_text=True)
    assert f"/advisor/comparisons/{lumen.comparison_id}" in advisor.get(f"/advisor/offers/{lumen.id}").get_data(as_text=True)
    stranger = app.test_client()
    log_in(stranger, make_user("employer"))
    assert stranger.get(path).status_code == 404
    assert stranger.get(f"{path}/comparison.pdf").status_code == 404


def registry_name(app, slug):
    with app.app_context():
        return registry.get(slug).name


def test_a_consultation_records_the_comparison(app, broker_case):
    from engine import consultations
    broker, client, advisor = broker_case
    with app.app_context():
        consultation = consultations.start(broker, client, registry.get("lumen"), ["budget_300"], ["einfuehrung"])
    page = advisor.get(f"/advisor/consultations/{consultation.id}?step=1").get_data(as_text=True)
    assert f"consultation={consultation.id}" in page and "Mehrere Versicherer vergleichen" in page
    data = dict(asked().items(multi=True))
    data.update(insurers=INSURERS, consultation=consultation.id)
    token = csrf_from(advisor.get(compare_url(client.id, consultation=consultation.id)))
    kept = advisor.post(f"/advisor/clients/{client.id}/compare", data={**data, "csrf_token": token}).headers["Location"]
    assert "In der Beratung" in advisor.get(kept).get_data(as_text=True)
    page = advisor.get(f"/advisor/consultations/{consultation.id}?step=1").get_data(as_text=True)
    assert kept.split("localhost")[-1] in page
