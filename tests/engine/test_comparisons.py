"""Several insurers side by side (issue #18): each priced as its own offer would be, recorded in the
consultation record, sent together as one mail, one accepted and the others closed; only insurers the
broker has a number for, only his own clients."""
import re
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from engine import brokers, clients, comparisons, consultations, documents, offers, registry
from engine.errors import DomainError, NotFound
from engine.models import AuditEntry, Consultation, Offer
from tests.formfill import pdf_text
from tests.journey import first_start, tariff_choice

INSURERS = ["lumen", "auxilia", "nordhafen"]


def broker_with_numbers(make_user, slugs=INSURERS):
    broker = make_user("broker")
    for slug in slugs:
        live = registry.get(slug)
        brokers.set_number(broker, live, live.doc["broker_number"]["example"])
    return broker


def asked(insurers=INSURERS, **more):
    values = MultiDict({"start_date": first_start().isoformat(), "headcount": "12", "average_age": "38",
                        "employer_share": "100", "other_benefits_in_kind": "0", **more})
    for slug in insurers:
        values.add("insurers", slug)
    return values


def new_client(broker, name="Vergleich GmbH"):
    return clients.create(broker, {"company_name": name, "contact_email": "chefin@vergleich.example",
                                   "employees_count": 12})


def own_offer(broker, client, slug):
    """The offer the broker would make for the insurer by hand, with the same details."""
    live = registry.get(slug)
    group = live.doc["tariff_groups"][0]
    p = group["id"]
    return offers.create(broker, client, live, {"start_date": first_start(), "other_benefits_in_kind": 0,
                                                f"{p}__include": True, **tariff_choice(live, group),
                                                f"{p}__employer_share": 100, f"{p}__headcount": 12,
                                                f"{p}__average_age": 38})


def test_each_insurer_is_priced_as_its_own_offer(app, make_user):
    with app.app_context():
        broker = broker_with_numbers(make_user)
        client = new_client(broker)
        columns = comparisons.compare(broker, client, comparisons.read_inputs(broker, asked()))
        assert [c["slug"] for c in columns] == INSURERS
        for column in columns:
            offer = own_offer(broker, client, column["slug"])
            group = offer.figures["groups"][0]
            assert column["error"] is None
            assert column["premium"] == Decimal(group["premium"]) and column["employer"] == Decimal(group["employer"])
            assert column["employer_monthly"] == Decimal(offer.figures["employer_monthly_total"])
            assert column["employer_yearly"] == Decimal(offer.figures["employer_yearly_total"])
            assert [t["id"] for t in column["tariffs"]] == [line["tariff"] for line in group["tariffs"]]
            assert column["check"]["text"]["de"]  # the 50 EUR check says its result in words
        nordhafen = columns[2]  # its rule's note on small groups is not there for 12 persons
        assert not any("Wartezeit" in c["de"] for c in nordhafen["conditions"])
        few = comparisons.compare(broker, client, comparisons.read_inputs(broker, asked(headcount="5")))
        assert any("Wartezeit von 3 Monaten" in c["de"] for c in few[2]["conditions"])


def test_a_broker_compares_only_insurers_he_has_a_number_for(app, make_user):
    with app.app_context():
        broker = broker_with_numbers(make_user, ["lumen", "auxilia"])
        client = new_client(broker)
        with pytest.raises(DomainError, match="Vermittlernummer") as refused:
            comparisons.read_inputs(broker, asked())
        assert refused.value.field == "insurers"
        with pytest.raises(DomainError, match="mindestens zwei"):
            comparisons.read_inputs(broker, asked(["lumen"]))
        inputs = comparisons.read_inputs(broker, asked(["lumen", "auxilia"]))
        with pytest.raises(DomainError, match="Vermittlernummer"):
            comparisons.compare(broker, client, {**inputs, "insurers": ["lumen", "nordhafen"]})
        assert [live.slug for live in comparisons.insurers_for(broker)] == ["auxilia", "lumen"]


def test_another_brokers_client_and_comparison_are_not_found(app, make_user):
    with app.app_context():
        broker, other = broker_with_numbers(make_user), broker_with_numbers(make_user)
        client = new_client(broker)
        kept = comparisons.record(broker, client, comparisons.read_inputs(broker, asked()))
        with pytest.raises(NotFound):
            clients.get_for(other, client.id)
        with pytest.raises(NotFound):
            comparisons.get_for(other, kept.id)
        consultation = consultations.start(broker, client, registry.get("lumen"), ["budget_300"], ["einfuehrung"])
        with pytest.raises(NotFound):
            comparisons.consultation_of(other, consultation.id, client)


def test_the_consultation_record_lists_the_comparison(app, make_user):
    with app.app_context():
        broker = broker_with_numbers(make_user)
        client = new_client(broker)
        live = registry.get("lumen")
        consultation = consultations.start(broker, client, live, ["budget_300"], ["einfuehrung"])
        kept = comparisons.record(broker, client, comparisons.read_inputs(broker, asked()), consultation)
        assert AuditEntry.select().where((AuditEntry.action == "comparison.recorded")
                                         & (AuditEntry.object_id == kept.id)).count() == 1
        consultations.complete(broker, consultation, "Lumen wegen der festen Beiträge.")
        record = pdf_text(documents.read(Consultation.get_by_id(consultation.id).document))
        assert "Vergleich mehrerer Versicherer" in record
        for column in kept.shown:
            assert column["insurer"] in record
        assert "keine Übersicht über den ganzen Markt" in record
        with pytest.raises(DomainError, match="abgeschlossen"):
            comparisons.record(broker, client, comparisons.read_inputs(broker, asked()),
                               Consultation.get_by_id(consultation.id))


def test_offers_sent_together_and_one_accepted_closes_the_others(app, make_user, mailbox):
    with app.app_context():
        broker = broker_with_numbers(make_user)
        client = new_client(broker)
        kept = comparisons.record(broker, client, comparisons.read_inputs(broker, asked()))
        made = comparisons.make_offers(broker, kept)
        assert [o.tenant_id for o in made] == INSURERS and all(o.state == "draft" for o in made)
        for column, offer in zip(kept.shown, made):
            assert str(offer.figures["groups"][0]["premium"]) == str(column["premium"])
        comparisons.send(broker, kept)
        sent = comparisons.current_offers(kept)
        assert [o.state for o in sent] == ["sent"] * 3
    mails = mailbox.to("chefin@vergleich.example")
    assert len(mails) == 1 and "/offer/compare/" in mails[0]["body"]
    assert len(re.findall(r"https?://", mails[0]["body"])) == 1  # one link to all three offers
    # each insurer's product documents travel with the one mail, as with an offer sent alone
    documents = sum(len(o.product_documents) for o in sent)
    assert documents and len(mails[0]["attachments"]) == documents
    employer = make_user("employer", email="chefin@vergleich.example", employer=client)
    with app.app_context():
        chosen = Offer.get_by_id(sent[1].id)
        offers.accept(employer, chosen)
        states = {o.tenant_id: o.state for o in comparisons.current_offers(kept)}
        assert states == {"lumen": "not_chosen", "auxilia": "accepted", "nordhafen": "not_chosen"}
        assert offers.application_of(chosen) is not None
        closed = AuditEntry.select().where(AuditEntry.action == "offer.set_aside").count()
        assert closed == 2
        with pytest.raises(Exception):
            offers.accept(employer, Offer.get_by_id(sent[0].id))


def test_the_comparison_pdf_keeps_its_columns_on_a4(app, make_user):
    from weasyprint.formatting_structure import boxes
    with app.app_context():
        broker = broker_with_numbers(make_user)
        client = new_client(broker)
        kept = comparisons.record(broker, client, comparisons.read_inputs(broker, asked()))
        comparisons.make_offers(broker, kept)
        laid_out = documents.layout("comparison.html", **comparisons.pdf_context(kept))
        printed = pdf_text(comparisons.pdf(kept)[1])
        columns = comparisons.pdf_context(kept)["columns"]
    px_per_mm = 96 / 25.4
    right_edge = (210 - 18) * px_per_mm + 0.5
    texts = []
    for page in laid_out.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TextBox):
                assert box.position_x + box.width <= right_edge, (box.text, box.position_x + box.width)
                texts.append((box.text.strip(), box.position_x))
    # the first line of each insurer's heading (a long name wraps)
    xs = [next(x for text, x in texts if text and c["insurer"].startswith(text)) for c in columns]
    assert xs == sorted(xs) and len(set(xs)) == 3  # the insurers stand side by side, left to right
    for column in columns:
        assert column["insurer"] in printed
        assert f"{column['employer_yearly']}".replace(".", ",") in printed.replace(".", "")


def test_the_known_staff_give_the_first_inputs(app, make_user):
    """A client with employees on the platform: the comparison starts from their number and average age."""
    from rules import dates
    from tests.journey import enrolled_case
    with app.app_context():
        staff = make_user("insurer", tenant="lumen")
        case = enrolled_case("lumen", staff, tag="known")
        inputs = comparisons.default_inputs(case["client"])
        assert inputs["staff_known"] == 1 and inputs["headcount"] == 1
        assert inputs["average_age"] == dates.age(case["employee"].birth_date, inputs["start_date"])
        broker = broker_with_numbers(make_user)
        fresh = comparisons.default_inputs(new_client(broker))
        assert fresh["staff_known"] == 0 and fresh["headcount"] == 12 and fresh["average_age"] == 40


def test_the_employer_declines_them_all_with_one_reason(app, make_user, mailbox):
    with app.app_context():
        broker = broker_with_numbers(make_user)
        client = new_client(broker)
        kept = comparisons.record(broker, client, comparisons.read_inputs(broker, asked(["lumen", "nordhafen"])))
        comparisons.make_offers(broker, kept)
        comparisons.send(broker, kept)
    employer = make_user("employer", email="chefin@vergleich.example", employer=client)
    with app.app_context():
        with pytest.raises(DomainError, match="Grund"):
            comparisons.decline_all(employer, kept, " ")
        assert {o.state for o in comparisons.current_offers(kept)} == {"sent"}  # nothing half-declined
        comparisons.decline_all(employer, kept, "Wir warten bis zum Sommer.")
        assert {o.state for o in comparisons.current_offers(kept)} == {"declined"}
        with pytest.raises(DomainError, match="kein Angebot mehr offen"):
            comparisons.decline_all(employer, kept, "noch einmal")
    told = mailbox.to(broker.email)
    assert len(told) == 2 and all("Wir warten bis zum Sommer." in m["body"] for m in told)
