"""Eligibility shared by distinct combinations of facts: durable-rules decides once per combination,
each employee's explanation comes from their own facts. (Properties: test_properties.py.)"""

import datetime as dt
from decimal import Decimal

import pytest

from rules import adapter
from rules.compile import compile_eligibility, compile_rules
from rules.errors import EvaluationError
from rules.evaluate import check_eligibility, evaluate

START = dt.date(2026, 1, 1)
MONTHS = ["employee.employment_start", "contract.start_date"]
STAFF = [
    {"id": "six_months", "require": {"months_between": MONTHS, "gte": 6},
     "reason": {"de": "Seit {employee.employment_start}.",
                "en": "Employed since {employee.employment_start}."}},
    {"id": "adult", "require": {"age": ["employee.birth_date", "contract.start_date"], "gte": 18},
     "reason": {"de": "Unter 18.", "en": "Under 18."}},
    {"id": "min_hours", "require": {"fact": "employee.weekly_hours", "gte": 15},
     "reason": {"de": "{employee.weekly_hours} Stunden.", "en": "{employee.weekly_hours} hours."}},
]


def employee(birth, start, hours, **more):
    return {"employee": {"birth_date": birth, "employment_start": start, "weekly_hours": hours,
                         **more},
            "contract": {"start_date": START}}


NEW_20 = employee(dt.date(1980, 5, 1), dt.date(2025, 9, 1), Decimal(20))
NEW_30 = employee(dt.date(1990, 7, 9), dt.date(2025, 10, 1), Decimal("38.5"))
TRAINEE = employee(dt.date(2009, 5, 1), dt.date(2025, 9, 1), Decimal(12))
LONG_SERVING = employee(dt.date(1970, 1, 1), dt.date(2010, 1, 1), Decimal(40))


def test_employees_alike_for_the_rules_share_one_verdict_but_keep_their_own_explanation():
    staff = compile_eligibility(STAFF, name="acme.staff")
    stats = {}
    # 20 and 38.5 hours, born 1980 and 1990, 4 and 3 months: the rules only ask >= 15 hours,
    # >= 18 years and >= 6 months, so the first two are one combination
    first, second, trainee = check_eligibility([("staff", staff)], [NEW_20, NEW_30, TRAINEE],
                                                stats)
    assert stats == {"fact_sets": 3, "distinct": 2}
    assert [f.rule_id for f in first.check("staff").failures] == ["six_months"]
    assert first.check("staff").failures[0].texts["en"] == "Employed since 2025-09-01."
    assert second.check("staff").failures[0].texts["en"] == "Employed since 2025-10-01."
    assert second.check("staff").failures[0].seen == {
        "employee.employment_start": dt.date(2025, 10, 1), "contract.start_date": START,
        "months_between(employee.employment_start,contract.start_date)": Decimal(3)}
    assert [f.rule_id for f in trainee.check("staff").failures] == [
        "six_months", "adult", "min_hours"]
    assert trainee.check("staff").failures[2].texts["de"] == "12 Stunden."


def test_a_value_on_a_threshold_is_not_shared_with_its_neighbours():
    staff = compile_eligibility(STAFF[2:], name="acme.hours")
    people = [employee(None, None, Decimal(hours)) for hours in
              ("14.999999", "14", "15", "15.000001", "40")]
    stats = {}
    checked = check_eligibility([("staff", staff)], people, stats)
    assert [result.group_id for result in checked] == [None, None, "staff", "staff", "staff"]
    assert stats["distinct"] == 3  # below 15, exactly 15, above 15


def test_rule_decisions_are_shared_the_same_way():
    rules = compile_rules([{"id": "part_time", "when": {"fact": "employee.weekly_hours", "lt": 30},
                            "then": {"warn": {"de": "{employee.weekly_hours} h",
                                              "en": "{employee.weekly_hours} h"}}}],
                          name="acme.part_time")
    stats = {}
    decisions = evaluate(rules, [NEW_20, TRAINEE, LONG_SERVING], stats)
    assert stats == {"fact_sets": 3, "distinct": 2}
    assert [d.outcomes[0].texts["en"] if d.outcomes else None for d in decisions] == [
        "20 h", "12 h", None]


def test_a_list_too_big_for_one_engine_rule_is_decided_requirement_by_requirement():
    fields = ["employee.first_name", "employee.city", "employee.postal_code",
              "employee.tariff_group", "employee.employment_type", "employee.last_name"]
    either = [{"any": [{"fact": path, "eq": "%s%d" % (path, index)} for path in fields]}
              for index in range(2)]  # 6 x 6 ways to hold both at once: over the engine's 32
    staff = compile_eligibility(STAFF[:2] + [
        {"id": "either%d" % index, "require": condition, "reason": {"de": "e", "en": "e"}}
        for index, condition in enumerate(either)], name="acme.wide")
    both = dict(LONG_SERVING, employee=dict(LONG_SERVING["employee"], city="employee.city0",
                                           last_name="employee.last_name1"))
    checked = check_eligibility([("staff", staff)], [both, TRAINEE, LONG_SERVING])
    assert [result.group_id for result in checked] == ["staff", None, None]
    assert [f.rule_id for f in checked[1].check("staff").failures] == [
        "six_months", "adult", "either0", "either1"]
    assert [f.rule_id for f in checked[2].check("staff").failures] == ["either0", "either1"]


def test_the_engine_and_the_explanation_disagreeing_is_an_error_not_a_silent_answer(
        monkeypatch):
    staff = compile_eligibility(STAFF, name="acme.staff.quiet")
    monkeypatch.setitem(adapter.ACTIONS, "bkv_record", lambda c: None)  # the engine says no
    with pytest.raises(EvaluationError):
        check_eligibility([("staff", staff)], [LONG_SERVING])  # who meets every requirement
