"""An employer share bound per tariff (tariffs[].employer_share, issue #17): the insurer says the employer
pays at least / at most a share, or a fixed one; the offer, the comparison and a group added to a contract
refuse a share outside the strictest bound of the chosen tariffs, naming the tariff; the checker refuses a
min above its max."""
import shutil
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from engine import brokers, clients, comparisons, offers, registry
from engine.errors import DomainError
from tests.journey import first_start
from tests.tenant_versions import load_live


def publish(tmp_path, slug="auxilia", **bounds):
    """A version of the demo tenant whose tariffs (by id) carry these employer_share bounds (YAML text), put in force."""
    folder = tmp_path / "published" / slug
    shutil.copytree(f"tenants/{slug}", folder)
    text = (folder / "tenant.yaml").read_text(encoding="utf-8")
    for tariff, bound in bounds.items():
        text = text.replace(f"  - id: {tariff}\n", f"  - id: {tariff}\n    employer_share: {bound}\n", 1)
    (folder / "tenant.yaml").write_text(text, encoding="utf-8")
    [(_, status, problems)] = load_live(folder.parent)
    assert status in ("new", "unchanged"), problems


def offer_values(share, tariffs=("zahn", "sehen", "vorsorge")):
    return {"start_date": first_start(), "other_benefits_in_kind": 0, "alle__include": True,
            "alle__tariffs": list(tariffs), "alle__employer_share": share, "alle__headcount": 12,
            "alle__average_age": 38}


def a_broker_and_client(make_user):
    broker = make_user("broker")
    for slug in ("auxilia", "lumen"):
        live = registry.get(slug)
        brokers.set_number(broker, live, live.doc["broker_number"]["example"])
    client = clients.create(broker, {"company_name": "Anteil GmbH", "contact_email": "chefin@anteil.example",
                                     "employees_count": 12})
    return broker, client


def test_a_share_below_a_tariffs_minimum_is_refused_naming_the_tariff(app, make_user, tmp_path):
    with app.app_context():
        publish(tmp_path, zahn="{min: 50, max: 100}")
        live = registry.get("auxilia")
        broker, client = a_broker_and_client(make_user)
        with pytest.raises(DomainError) as refused:
            offers.create(broker, client, live, offer_values(40))
        assert refused.value.field == "alle__employer_share"
        assert refused.value.text == {"de": "Beim Tarif „Auxilia Zahn“ trägt der Arbeitgeber mindestens 50 % des Beitrags.",
                                      "en": "With the tariff “Auxilia Dental” the employer pays at least 50 % of the premium."}
        offers.create(broker, client, live, offer_values(40, ("sehen", "vorsorge")))  # without the dental module: any share
        offer = offers.create(broker, client, live, offer_values(Decimal("50")))
        [group] = offer.figures["groups"]  # the employer's part (payroll, the 50 EUR check) is the chosen share
        assert Decimal(group["employer"]) == (Decimal(group["premium"]) / 2).quantize(Decimal("0.01"))
        help_text = offers.offer_form(live)["alle__employer_share"].help  # the broker reads the bound before choosing
        assert "mindestens 50 % bei „Auxilia Zahn“" in help_text.de


def test_a_fixed_share_and_bounds_that_exclude_each_other(app, make_user, tmp_path):
    with app.app_context():
        publish(tmp_path, zahn="100", sehen="{max: 80}")
        live = registry.get("auxilia")
        broker, client = a_broker_and_client(make_user)
        with pytest.raises(DomainError) as refused:
            offers.create(broker, client, live, offer_values(90, ("zahn",)))
        assert "genau 100 %" in refused.value.text["de"] and "Auxilia Zahn" in refused.value.text["de"]
        with pytest.raises(DomainError) as refused:
            offers.create(broker, client, live, offer_values(90, ("sehen",)))
        assert refused.value.text["en"] == "With the tariff “Auxilia Vision” the employer pays at most 80 % of the premium."
        with pytest.raises(DomainError) as refused:
            offers.create(broker, client, live, offer_values(100, ("zahn", "sehen")))
        assert refused.value.text["de"] == ("„Auxilia Zahn“ und „Auxilia Sehen“ lassen sich nicht zusammen anbieten: der "
                                            "Arbeitgeber trägt bei „Auxilia Zahn“ genau 100 %, bei „Auxilia Sehen“ "
                                            "höchstens 80 % des Beitrags.")


def test_the_comparison_respects_the_bound(app, make_user, tmp_path):
    with app.app_context():
        publish(tmp_path, zahn="{min: 60}")
        broker, client = a_broker_and_client(make_user)
        asked = MultiDict({"start_date": first_start().isoformat(), "headcount": "12", "average_age": "38",
                           "employer_share": "50", "other_benefits_in_kind": "0", "insurers": "auxilia"})
        asked.add("insurers", "lumen")
        auxilia, lumen = comparisons.compare(broker, client, comparisons.read_inputs(broker, asked))
        assert auxilia["error"]["de"] == "Beim Tarif „Auxilia Zahn“ trägt der Arbeitgeber mindestens 60 % des Beitrags."
        assert lumen["error"] is None
        asked.setlist("modules__auxilia", ["sehen", "vorsorge"])  # the broker leaves the dental module out
        auxilia, _ = comparisons.compare(broker, client, comparisons.read_inputs(broker, asked))
        assert auxilia["error"] is None and [t["id"] for t in auxilia["tariffs"]] == ["sehen", "vorsorge"]



def test_a_group_added_to_a_running_contract_keeps_to_the_bound(app, make_user, tmp_path):
    from engine import contract_groups
    from tests.engine.test_contract_groups import NEW_YEAR, lumen_contract
    with app.app_context():
        publish(tmp_path, "lumen", budget_300="{min: 60}")
        case, _, contract = lumen_contract(make_user, "esb")  # the contract pins this version
        with pytest.raises(DomainError) as refused:
            contract_groups.request(case["employer_user"], contract, "azubis", "budget_300", "50", NEW_YEAR)
        assert refused.value.field == "employer_share"
        assert refused.value.text["de"] == "Beim Tarif „Lumen Gesundheitsbudget 300“ trägt der Arbeitgeber mindestens 60 % des Beitrags."
        contract = contract_groups.request(case["employer_user"], contract, "azubis", "budget_300", "60", NEW_YEAR)
        assert contract.groups[-1]["employer_share"] == "60"
