"""Budget levels are alternatives: a tariff group has one level, chosen in the offer (modules may be
combined with it). Offer form, offer pricing, the 50 EUR check and the contract's tariffs price that one
level, never the sum of all levels. No database: the tenants are loaded from their folders."""
import datetime
from decimal import Decimal

import pytest

from engine import checks, offers, pricing
from engine.errors import DomainError
from engine.simulate import load_live, tenant_folder

START = datetime.date(2027, 1, 1)
TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(scope="module")
def lumen():
    return load_live(tenant_folder("lumen"))


@pytest.fixture(scope="module")
def auxilia():
    return load_live(tenant_folder("auxilia"))


def offered(level="budget_600", **more):
    return {"start_date": START, "other_benefits_in_kind": Decimal(0), "alle__include": True, "alle__level": level,
            "alle__employer_share": Decimal(100), "alle__headcount": 10, "alle__average_age": 40, **more}


def test_the_offer_form_asks_for_one_budget_level_per_group(lumen, auxilia):
    form = {field.name: field for field in offers.offer_form(lumen, today=TODAY).fields}
    assert form["alle__level"].type == "select" and form["alle__level"].required
    assert [o.value for o in form["alle__level"].options] == ["budget_300", "budget_600", "budget_900", "budget_1200"]
    assert [o.value for o in form["azubis__level"].options] == ["budget_300", "budget_600"]
    assert "alle__tariffs" not in form  # Lumen's groups have no modules to add
    modules = {field.name: field for field in offers.offer_form(auxilia, today=TODAY).fields}
    assert "alle__level" not in modules and modules["alle__tariffs"].type == "multiselect"


def test_an_offered_group_stores_and_prices_its_one_level(lumen):
    [group] = offers.groups_from(lumen, offered("budget_900"))
    assert group["level"] == "budget_900" and group["tariffs"] == ["budget_900"]
    figures = pricing.price_offer(lumen, [group], START)
    assert figures["groups"][0]["premium"] == Decimal("35.40")      # not 117.10, the sum of four levels
    assert figures["monthly_total"] == Decimal("354.00") and figures["yearly_total"] == Decimal("4248.00")


def test_two_levels_or_none_are_refused(lumen):
    with pytest.raises(DomainError, match="genau eine Budgetstufe"):
        offers.groups_from(lumen, offered(None))
    with pytest.raises(DomainError, match="genau eine Budgetstufe"):
        offers.groups_from(lumen, offered("budget_300", alle__tariffs=["budget_600"]))
    with pytest.raises(DomainError, match="keine Budgetstufe"):
        offers.groups_from(lumen, offered("zahn"))


def test_modules_are_still_combined(auxilia):
    values = offered(None, alle__tariffs=["zahn", "sehen"])
    [group] = offers.groups_from(auxilia, values)
    assert group["level"] is None and group["tariffs"] == ["zahn", "sehen"]
    line = pricing.price_group(auxilia, group, START)
    assert [item["tariff"] for item in line["tariffs"]] == ["zahn", "sehen"]


def test_the_50_eur_check_sees_the_chosen_level_only(lumen):
    class Client:
        employees_count, industry = 30, ""
    for level, other, warned in (("budget_1200", Decimal(0), False), ("budget_1200", Decimal(5), True),
                                 ("budget_300", Decimal(30), False)):
        groups = offers.groups_from(lumen, offered(level))
        figures = pricing.price_offer(lumen, groups, START)
        found = checks.offer_findings(lumen, Client(), groups, figures, START, other, today=TODAY)
        assert any(f["rule"].endswith("benefit_in_kind_limit") for f in found) is warned, (level, other, found)


def test_a_contract_group_stored_before_levels_were_chosen_prices_its_first_level(lumen):
    legacy = {"id": "alle", "tariffs": ["budget_300", "budget_600", "budget_900", "budget_1200"]}
    assert pricing.chosen_tariffs(lumen, legacy) == ["budget_300"]
    assert pricing.chosen_tariffs(lumen, {**legacy, "level": "budget_900"}) == ["budget_900"]
    assert pricing.price_group(lumen, {**legacy, "headcount": 1}, START)["premium"] == Decimal("11.90")
