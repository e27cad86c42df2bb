"""Platform rules: each fires when it should, stays silent otherwise, and says why."""

import datetime as dt
from decimal import Decimal

import pytest

from rules.errors import RuleError
from rules.evaluate import evaluate
from rules.platform import load_platform_rules, platform_settings

TODAY = dt.date(2026, 3, 10)


def offer(**fields):
    base = {"insured_count": 12, "min_insured": 10, "start_date": dt.date(2026, 4, 1),
            "monthly_employer_premium": Decimal("30.00")}
    return {"today": TODAY, "offer": {**base, **fields}}


def outcomes(facts, settings=None):
    (decision,) = evaluate(load_platform_rules(settings), [facts])
    return {outcome.rule_id: outcome for outcome in decision.outcomes}


def test_a_sound_offer_passes_silently():
    assert outcomes(offer()) == {}
    assert outcomes({}) == {}


@pytest.mark.parametrize("insured, fires", [(9, True), (10, False), (11, False)])
def test_offer_below_minimum_insured_is_rejected(insured, fires):
    found = outcomes(offer(insured_count=insured))
    assert ("offer_min_insured" in found) is fires
    if fires:
        assert found["offer_min_insured"].kind == "reject"
        assert found["offer_min_insured"].texts["de"] == (
            "Im Angebot sind 9 Personen versichert, der Tarif verlangt mindestens 10.")


def test_a_leaver_breaking_the_contract_minimum_is_warned():
    facts = {"contract": {"insured_count": 4, "min_insured": 5}}
    assert outcomes(facts)["contract_min_insured"].kind == "warn"
    assert outcomes({"contract": {"insured_count": 5, "min_insured": 5}}) == {}


@pytest.mark.parametrize("premium, other, fires", [
    ("50.00", None, False),
    ("50.01", None, True),
    ("45.00", "5.00", False),
    ("45.00", "6.20", True),
    (None, "50.50", True),
])
def test_benefit_in_kind_limit_warns_with_the_amount(premium, other, fires):
    facts = offer(monthly_employer_premium=premium and Decimal(premium),
                  other_benefits_in_kind=other and Decimal(other))
    found = outcomes(facts)
    assert ("offer_benefit_in_kind_limit" in found) is fires
    if premium == "45.00" and fires:
        texts = found["offer_benefit_in_kind_limit"].texts
        assert "51,20 EUR" in texts["de"] and "50,00 EUR" in texts["de"]
        assert "51.20 EUR" in texts["en"] and "50.00 EUR" in texts["en"]


def test_a_tenant_may_override_the_limit():
    facts = offer(monthly_employer_premium=Decimal("55.00"))
    assert "offer_benefit_in_kind_limit" in outcomes(facts)
    found = outcomes(facts, {"benefit_in_kind_limit": "60.00"})
    assert "offer_benefit_in_kind_limit" not in found
    warned = outcomes(offer(monthly_employer_premium=Decimal("61")),
                      {"benefit_in_kind_limit": "60.00"})
    assert "60,00 EUR" in warned["offer_benefit_in_kind_limit"].texts["de"]
    assert platform_settings() == {"benefit_in_kind_limit": Decimal("50.00"), "oldest_working_age": 67,
                                   "statement_pdf_max_lines": 500}


def test_contract_premiums_are_checked_too():
    facts = {"contract": {"monthly_employer_premium": Decimal("52"),
                          "other_benefits_in_kind": Decimal("0")}}
    assert "contract_benefit_in_kind_limit" in outcomes(facts)


@pytest.mark.parametrize("settings, path", [
    ({"benefit_in_kind_limt": "60"}, ["settings", "benefit_in_kind_limt"]),
    ({"benefit_in_kind_limit": [60]}, ["settings", "benefit_in_kind_limit"]),
    ({"benefit_in_kind_limit": "sixty"}, ["rules", 2, "when", "gt", "setting"]),
])
def test_bad_overrides_name_the_path(settings, path):
    with pytest.raises(RuleError) as caught:
        load_platform_rules(settings)
    assert caught.value.path == path


def test_no_platform_rule_reads_the_start_date_any_more():
    """The start date is the tenant's start window's (engine/start_window.py), not the offer's validity."""
    assert outcomes(offer(start_date=dt.date(2026, 4, 15))) == {}
    assert outcomes(offer(start_date=dt.date(2030, 1, 1))) == {}


def leaving(**event):
    return {"today": TODAY, "employee": {"employment_start": dt.date(2021, 1, 1)},
            "contract": {"start_date": dt.date(2020, 1, 1)},
            "event": {"type": "leaving", **event}}


def test_leaving_preconditions():
    assert outcomes(leaving(effective_date=dt.date(2026, 3, 31))) == {}
    found = outcomes(leaving(effective_date=dt.date(2020, 12, 31)))
    assert set(found) == {"leaving_before_employment_start"}
    assert found["leaving_before_employment_start"].texts["en"] == (
        "Leaving on 2020-12-31 is before joining on 2021-01-01.")
    required = outcomes(leaving())
    assert required["leaving_needs_date"].kind == "require"
    assert required["leaving_needs_date"].value == "effective_date"


def test_events_before_the_contract_start_are_rejected():
    found = outcomes(leaving(effective_date=dt.date(2019, 12, 31)))
    assert "event_before_contract_start" in found


def test_parental_leave_must_end_after_it_starts():
    def event(end):
        return {"event": {"type": "parental_leave", "effective_date": dt.date(2026, 5, 1),
                          "end_date": end}}
    assert outcomes(event(dt.date(2027, 4, 30))) == {}
    assert set(outcomes(event(dt.date(2026, 5, 1)))) == {"parental_leave_end_not_after_start"}
    assert set(outcomes(event(dt.date(2026, 4, 1)))) == {"parental_leave_end_not_after_start"}
    assert set(outcomes(event(None))) == {"parental_leave_needs_end"}


def test_other_event_types_are_not_held_to_leaving_rules():
    facts = leaving(effective_date=dt.date(2020, 6, 1))
    facts["event"]["type"] = "address_change"
    assert outcomes(facts) == {}
