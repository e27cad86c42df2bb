"""Rule lists and eligibility: compiling with paths, decisions and the UI's "why not eligible"."""

import datetime as dt
from decimal import Decimal

import pytest

from rules.compile import compile_eligibility, compile_rules
from rules.errors import RuleError
from rules.evaluate import check_eligibility, evaluate

START = dt.date(2026, 1, 1)
AGE = ["employee.birth_date", "contract.start_date"]


def employee(number, birth, start, hours, kind="regular"):
    return {
        "employee": {"personnel_number": number, "birth_date": birth, "employment_start": start,
                     "weekly_hours": hours, "employment_type": kind},
        "contract": {"start_date": START},
    }


ADA = employee("1", dt.date(1980, 5, 1), dt.date(2020, 1, 1), Decimal("40"), "management")
BOB = employee("2", dt.date(2009, 5, 1), dt.date(2025, 9, 1), Decimal("12"), "trainee")
CAROL = employee("3", dt.date(1999, 5, 1), dt.date(2025, 7, 1), Decimal("30"))
MINIJOB = employee("4", dt.date(1970, 5, 1), dt.date(2010, 1, 1), Decimal("8"), "minijob")

ELIGIBILITY = [
    {"id": "min_months_employed",
     "require": {"months_between": ["employee.employment_start", "contract.start_date"],
                 "gte": 6},
     "reason": {"de": "Beschäftigt seit {employee.employment_start}: weniger als 6 Monate.",
                "en": "Employed since {employee.employment_start}: less than 6 months."}},
    {"id": "adult",
     "require": {"age": AGE, "gte": 18},
     "reason": {"de": "Unter 18 Jahre.", "en": "Under 18."}},
    {"id": "min_hours",
     "require": {"fact": "employee.weekly_hours", "gte": 15},
     "reason": {"de": "Weniger als 15 Wochenstunden ({employee.weekly_hours}).",
                "en": "Fewer than 15 hours a week ({employee.weekly_hours})."}},
    {"id": "no_minijob",
     "require": {"fact": "employee.employment_type", "ne": "minijob"},
     "reason": {"de": "Minijobs sind ausgeschlossen.", "en": "Minijobs are excluded."}},
]
MANAGEMENT = [
    {"id": "management",
     "require": {"fact": "employee.employment_type", "eq": "management"},
     "reason": {"de": "Nur Führungskräfte.", "en": "Management only."}},
]


def test_eligibility_explains_every_failed_requirement_with_the_facts_seen():
    staff = compile_eligibility(ELIGIBILITY, name="acme.staff")
    (bob,) = check_eligibility([("staff", staff)], [BOB])
    assert bob.group_id is None
    check = bob.check("staff")
    assert not check.eligible
    assert [failure.rule_id for failure in check.failures] == [
        "min_months_employed", "adult", "min_hours"]
    months, adult, hours = check.failures
    assert months.texts == {"de": "Beschäftigt seit 01.09.2025: weniger als 6 Monate.",
                            "en": "Employed since 2025-09-01: less than 6 months."}
    assert months.seen == {
        "employee.employment_start": dt.date(2025, 9, 1),
        "contract.start_date": START,
        "months_between(employee.employment_start,contract.start_date)": Decimal(4),
    }
    assert adult.seen["age(employee.birth_date,contract.start_date)"] == Decimal(16)
    assert hours.texts["de"] == "Weniger als 15 Wochenstunden (12)."
    assert hours.seen == {"employee.weekly_hours": Decimal("12")}


def test_first_eligible_group_in_the_order_given():
    groups = [("management", compile_eligibility(MANAGEMENT, name="acme.management")),
              ("staff", compile_eligibility(ELIGIBILITY, name="acme.staff"))]
    ada, bob, carol, minijob = check_eligibility(groups, [ADA, BOB, CAROL, MINIJOB])
    assert ada.group_id == "management"
    assert carol.group_id == "staff"
    assert carol.check("management").failures[0].texts["en"] == "Management only."
    assert bob.group_id is None
    assert minijob.group_id is None
    assert [f.rule_id for f in minijob.check("staff").failures] == ["min_hours", "no_minijob"]


def test_an_empty_eligibility_list_admits_everyone():
    everyone = compile_eligibility([], name="acme.everyone")
    results = check_eligibility([("all", everyone)], [ADA, BOB, {}])
    assert [result.group_id for result in results] == ["all", "all", "all"]


def test_group_ids_must_be_unique_and_rulesets_of_the_right_kind():
    staff = compile_eligibility(ELIGIBILITY)
    with pytest.raises(ValueError):
        check_eligibility([("staff", staff), ("staff", staff)], [ADA])
    with pytest.raises(TypeError):
        check_eligibility([("staff", compile_rules([]))], [ADA])
    with pytest.raises(TypeError):
        evaluate(staff, [ADA])


RULES = [
    {"id": "assign_management",
     "when": {"fact": "employee.employment_type", "eq": "management"},
     "then": {"assign": "management"}},
    {"id": "assign_staff",
     "when": {"fact": "employee.weekly_hours", "gte": 15},
     "then": {"assign": "staff"}},
    {"id": "too_young",
     "when": {"age": AGE, "lt": 18},
     "then": {"reject": {"de": "Unter 18 ({age} Jahre).", "en": "Under 18 ({age} years)."}},
     "values": {"age": {"age": AGE}}},
    {"id": "part_time",
     "when": {"not": {"fact": "employee.weekly_hours", "gte": 15}},
     "then": {"warn": {"de": "Teilzeit.", "en": "Part time."}}},
    {"id": "need_tax_id",
     "when": {"fact": "employee.tax_id", "exists": False},
     "then": {"require": "tax_id"}},
]


def test_decisions_list_every_outcome_in_rule_order():
    rules = compile_rules(RULES, name="acme.rules")
    ada, bob = evaluate(rules, [dict(ADA, employee=dict(ADA["employee"], tax_id="X1")), BOB])
    assert [outcome.rule_id for outcome in ada.outcomes] == ["assign_management", "assign_staff"]
    assert ada.assigned == "management"
    assert not ada.rejected
    assert [outcome.rule_id for outcome in bob.outcomes] == ["too_young", "part_time",
                                                           "need_tax_id"]
    too_young = bob.of_kind("reject")[0]
    assert too_young.texts == {"de": "Unter 18 (16 Jahre).", "en": "Under 18 (16 years)."}
    assert bob.rejected and bob.assigned is None
    assert bob.required == ("tax_id",)
    assert bob.of_kind("warn")[0].seen == {"employee.weekly_hours": Decimal("12")}


def test_batches_larger_than_a_session_keep_their_order():
    rules = compile_rules(RULES, name="acme.rules")
    people = [employee(str(n), dt.date(1950 + n % 60, 1, 1), dt.date(2020, 1, 1), n % 41)
              for n in range(257)]
    decisions = evaluate(rules, people)
    assert len(decisions) == 257
    for person, decision in zip(people, decisions):
        expected = ["assign_staff"] if person["employee"]["weekly_hours"] >= 15 else []
        if person["employee"]["birth_date"].year > 2008:
            expected.append("too_young")
        if person["employee"]["weekly_hours"] < 15:
            expected.append("part_time")
        expected.append("need_tax_id")
        assert [outcome.rule_id for outcome in decision.outcomes] == expected
    assert evaluate(rules, []) == []


def test_same_rules_share_a_versioned_name_and_changed_rules_get_a_new_one():
    first = compile_rules(RULES, name="acme.rules")
    again = compile_rules(RULES, name="acme.rules")
    changed = compile_rules(RULES[:-1], name="acme.rules")
    assert first.durable_name == again.durable_name
    assert first.durable_name.startswith("acme.rules.")
    assert changed.durable_name != first.durable_name
    for ruleset in (first, again, changed):  # registering twice must not fail
        assert evaluate(ruleset, [BOB])[0].rejected


@pytest.mark.parametrize("data, path", [
    ([{"id": "x"}], [0]),
    ([{"id": "x", "when": {"fact": "employee.city", "exists": True}, "then": {"warn": {
        "de": "a", "en": "b"}}}, {"id": "x", "when": {}, "then": {}}], [1, "id"]),
    ([{"id": "Bad Id", "when": {}, "then": {}}], [0, "id"]),
    ([{"when": {}, "then": {}}], [0, "id"]),
    ([{"id": "x", "when": {"fact": "employee.city", "exists": True}, "then": {}}],
     [0, "then"]),
    ([{"id": "x", "when": {"fact": "employee.city", "exists": True},
       "then": {"warn": {"de": "a", "en": "b"}, "reject": {"de": "a", "en": "b"}}}],
     [0, "then"]),
    ([{"id": "x", "when": {"fact": "employee.city", "exists": True},
       "then": {"warn": {"de": "a"}}}], [0, "then", "warn", "en"]),
    ([{"id": "x", "when": {"fact": "employee.city", "exists": True},
       "then": {"warn": {"de": "a", "en": "b", "fr": "c"}}}], [0, "then", "warn", "fr"]),
    ([{"id": "x", "when": {"fact": "employee.city", "exists": True},
       "then": {"warn": {"de": "{amount}", "en": "b"}}}], [0, "then", "warn", "de"]),
    ([{"id": "x", "when": {"fact": "employee.city", "exists": True},
       "then": {"warn": {"de": "{employee}", "en": "b"}}}], [0, "then", "warn", "de"]),
    ([{"id": "x", "when": {"fact": "employee.city", "exists": True},
       "then": {"warn": {"de": "a } b", "en": "b"}}}], [0, "then", "warn", "de"]),
    ([{"id": "x", "when": {"fact": "employee.city", "exists": True},
       "then": {"assign": "Not A Group"}}], [0, "then", "assign"]),
    ([{"id": "x", "when": {"all": [{"fact": "employee.city", "lt": 3}]},
       "then": {"require": "tax_id"}}], [0, "when", "all", 0, "lt"]),
    ([{"id": "x", "when": {"value": "amount", "gt": 1}, "then": {"require": "tax_id"},
       "values": {"amount": {"sum": ["offer.start_date"]}}}], [0, "values", "amount", "sum", 0]),
    ([{"id": "x", "when": {"fact": "employee.city", "exists": True}, "then": {"require": "a"},
       "unless": {}}], [0, "unless"]),
    ("not a list", []),
])
def test_rule_list_errors_name_the_path(data, path):
    with pytest.raises(RuleError) as caught:
        compile_rules(data)
    assert caught.value.path == path, caught.value


@pytest.mark.parametrize("data, path", [
    ([{"id": "x", "require": {"fact": "employee.city", "exists": True}}], [0]),
    ([{"id": "x", "require": {"fact": "employee.city", "exists": True},
       "reason": {"de": "a", "en": ""}}], [0, "reason", "en"]),
    ([{"id": "x", "require": {"fact": "Employee.Sex", "eq": "f"},
       "reason": {"de": "a", "en": "b"}}], [0, "require", "fact"]),
    ([{"id": "x", "when": {"fact": "employee.city", "exists": True},
       "reason": {"de": "a", "en": "b"}}], [0, "when"]),
])
def test_eligibility_errors_name_the_path(data, path):
    with pytest.raises(RuleError) as caught:
        compile_eligibility(data)
    assert caught.value.path == path, caught.value


def test_literal_braces_and_placeholders_of_settings():
    rules = compile_rules([{"id": "x", "when": {"fact": "employee.city", "exists": True},
                            "then": {"warn": {"de": "{{Grenze}} {limit}", "en": "{limit}"}}}],
                          settings={"limit": Decimal("50.00")})
    (decision,) = evaluate(rules, [{"employee": {"city": "Köln"}}])
    assert decision.outcomes[0].texts == {"de": "{Grenze} 50,00", "en": "50.00"}
