"""Issue #18: every PDF says what a decision needs, read as a user reads it (pdf_text of the real PDF):
the group policy its premiums per group, payment and term; the individual policy its employer; the
consultation record the broker's address and § 34d registration and how it was provided; tariff
benefits as lists, never as "- " text; the offer's figures laid out on A4."""
import re

import pytest

from engine import brokers, consultations, documents, enrolments, formatting, mandates, offers, policies
from engine.models import Consultation, GroupContract
from tests.formfill import VALID_IBAN, pdf_text
from tenants.module_kinds import module_kinds
from tests.journey import enrolled_case

TENANTS = ["lumen", "auxilia", "nordhafen"]
PROFILE = {"name": "Berta Broker", "firm": "Broker & Co. GmbH", "street": "Maklerweg 3", "postal_code": "80331",
           "city": "München", "register_number": "D-1ABC-2DE3F-45", "phone": "089 1234567"}


def bullet_items(tariffs):
    """The list items of the tariffs' German benefits ("- Sehhilfen" -> "Sehhilfen")."""
    return [line.strip()[2:].strip() for t in tariffs for line in t["benefits"]["de"].splitlines()
            if line.strip().startswith("- ")]


def assert_benefits_as_lists(text, tariffs):
    items = bullet_items(tariffs)
    for item in items:
        words = " ".join(item.split()[:4])
        assert words in text, words
        assert f"- {words}" not in text, f"'- ' printed as text before {words!r}"


@pytest.mark.parametrize("slug", TENANTS)
def test_every_pdf_carries_the_facts_of_the_decision(app, make_user, slug):
    with app.app_context():
        staff = make_user("insurer", tenant=slug)
        case = enrolled_case(slug, staff, tag="pdf")
        live, offer = case["live"], case["offer"]
        brokers.save_profile(case["broker"], PROFILE)
        chosen = [t for t in live.doc["tariffs"] if t["id"] in offers.products(offer)["used_tariffs"]]

        # the group policy: premium per group, payment by the recorded mandate, term and notice
        contract = GroupContract.get_by_id(case["contract"].id)
        group_policy = pdf_text(documents.read(contract.document))
        for group in offer.figures["groups"]:
            assert live.groups[group["group"]]["name"]["de"] in group_policy
            assert formatting.money(group["premium"]) in group_policy
            assert formatting.money(group["monthly_total"]) in group_policy
        mandate = mandates.active_for_contract(contract)
        assert mandate is not None and mandates.masked(mandate.iban) in group_policy
        assert VALID_IBAN not in group_policy  # masked, never the whole account number
        assert f"Mandatsreferenz {mandate.reference}" in group_policy and "SEPA-Lastschrift" in group_policy
        assert f"Vertragsbeginn {formatting.date(contract.start_date)}" in group_policy
        assert f"Mindestlaufzeit {live.settings.contract_term_months} Monate" in group_policy
        assert "Kündigung" in group_policy and "zum Ende eines Vertragsjahres" in group_policy
        assert_benefits_as_lists(group_policy, chosen)

        # the individual policy names the employer
        enrolments.accept(staff, case["enrolment"])
        policy = policies.current(case["employee"])
        policy_text = pdf_text(documents.read(policy.document))
        assert f"Arbeitgeber (Versicherungsnehmer) {case['client'].company_name}" in policy_text
        assert_benefits_as_lists(policy_text, [live.tariffs[t] for t in policy.tariffs])

        # the offer: benefits as lists, every figure on the page
        offer_text = pdf_text(offers.pdf(offer)[1])
        assert formatting.money(offer.figures["yearly_total"]) in offer_text
        assert_benefits_as_lists(offer_text, chosen)
        for tariff in chosen:  # a module says its benefit area by the platform's label (tenants/module_kinds.yaml)
            if tariff["kind"] == "module":
                assert f"(Baustein {module_kinds()[tariff['module']]['de']})" in offer_text

        # the consultation record: the broker's address and registration; provided as a download
        consultation = consultations.start(case["broker"], case["client"], live, list(live.tariffs),
                                           [m["id"] for m in consultations.modules_of(live)])
        consultations.complete(case["broker"], consultation, "Einstieg mit Gruppe 1.")
        record = pdf_text(documents.read(Consultation.get_by_id(consultation.id).document))
        assert "Maklerweg 3, 80331 München" in record
        assert "Vermittlerregister-Nr. (§ 34d GewO): D-1ABC-2DE3F-45" in record
        assert "in Textform" not in record
        assert re.search(r"zum Download bereitgestellt", record)
        assert_benefits_as_lists(record, live.doc["tariffs"])
        for tariff in live.doc["tariffs"]:
            if tariff["kind"] == "module":
                assert f"Baustein: {module_kinds()[tariff['module']]['de']}" in record


def test_the_offer_table_keeps_to_the_page(app, make_user):
    """Measured in the laid-out pages (WeasyPrint's boxes, CSS px): nothing reaches past the right
    margin of A4, and each tariff's name stands on one line, not a word per line."""
    from weasyprint.formatting_structure import boxes
    with app.app_context():
        staff = make_user("insurer", tenant="auxilia")
        case = enrolled_case("auxilia", staff, tag="a4")
        laid_out = documents.layout("offer.html", **offers.pdf_context(case["offer"]))
        names = [case["live"].tariffs[line["tariff"]]["name"]["de"]
                 for group in case["offer"].figures["groups"] for line in group["tariffs"]]
    px_per_mm = 96 / 25.4
    right_edge = (210 - 18) * px_per_mm + 0.5
    texts = []
    for page in laid_out.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TextBox):
                texts.append(box.text)
                assert box.position_x + box.width <= right_edge, (box.text, box.position_x + box.width)
    assert names and all(any(name in text for text in texts) for name in names), names


def test_a_group_policy_paid_by_transfer_says_so_and_names_the_insurers_account(app, make_user):
    from engine import contracts
    from engine.models import Application
    from tests.journey import released_application
    with app.app_context():
        case = released_application("auxilia", tag="transfer")
        data = {k: v for k, v in case["application"].data.items() if k not in ("iban", "account_holder", "sepa_mandate")}
        Application.update(data={**data, "payment": "transfer"}).where(Application.id == case["application"].id).execute()
        staff = make_user("insurer", tenant="auxilia")
        contracts.accept(staff, contracts.application_for_insurer("auxilia", case["application"].id), "GV-UEB-1")
        contract = contracts.contracts_for_employer(case["employer_user"], "auxilia")[0]
        assert mandates.active_for_contract(contract) is None
        text = pdf_text(documents.read(contract.document))
        settings = case["live"].settings
    assert "Zahlungsart Überweisung, monatlich nach Beitragsrechnung" in text
    assert "Mandatsreferenz" not in text
    assert settings.creditor_iban and f"IBAN {settings.creditor_iban}" in text  # the demo insurer's account
