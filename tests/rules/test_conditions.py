"""Conditions: strict compile errors with paths, every operator in Python and durable-rules alike."""

import datetime as dt
from decimal import Decimal

import pytest

from rules.conditions import compile_condition
from rules.errors import RuleError
from rules.facts import LAWFUL_CRITERIA

HOURS = {"fact": "employee.weekly_hours", "gte": 15}
AGE = ["employee.birth_date", "contract.start_date"]


@pytest.mark.parametrize("data, path", [
    ({"all": [HOURS, HOURS, {"age": AGE, "gte": 18, "lt": 67}]}, ["all", 2, "lt"]),
    ({"fact": "employee.weekly_hours", "gte": 15, "colour": "red"}, ["colour"]),
    ({"fact": "employee.weekly_hours", "age": AGE, "gte": 1}, ["age"]),
    ({"fact": "employee.weekly_hours"}, []),
    ({"gte": 15}, []),
    ({"fact": "person.age", "gt": 1}, ["fact"]),
    ({"fact": "employee", "exists": True}, ["fact"]),
    ({"fact": "today.year", "eq": 2026}, ["fact"]),
    ({"fact": "Employee.Weekly-Hours", "eq": 1}, ["fact"]),
    ({"fact": 42, "eq": 1}, ["fact"]),
    ({"fact": "employee.weekly_hours", "gte": "many"}, ["gte"]),
    ({"fact": "employee.weekly_hours", "gte": dt.date(2026, 1, 1)}, ["gte"]),
    ({"fact": "employee.birth_date", "lt": 1990}, ["lt"]),
    ({"fact": "employee.birth_date", "lt": "1990-02-30"}, ["lt"]),
    ({"fact": "contract.start_date", "gte": dt.datetime(2026, 1, 1, 8, 0)}, ["gte"]),
    ({"fact": "employee.city", "lt": "M"}, ["lt"]),
    ({"fact": "event.flag", "gt": True}, ["gt"]),
    ({"fact": "employee.weekly_hours", "gte": 0.1234567}, ["gte"]),
    ({"fact": "employee.weekly_hours", "gte": 10 ** 12}, ["gte"]),
    ({"fact": "employee.weekly_hours", "gte": float("nan")}, ["gte"]),
    ({"fact": "employee.weekly_hours", "gte": None}, ["gte"]),
    ({"fact": "employee.weekly_hours", "gte": [15]}, ["gte"]),
    ({"fact": "employee.city", "in": "Berlin"}, ["in"]),
    ({"fact": "employee.city", "in": []}, ["in"]),
    ({"fact": "event.code", "in": ["a", 1]}, ["in", 1]),
    ({"fact": "employee.weekly_hours", "in": [10, "x"]}, ["in", 1]),
    ({"fact": "employee.city", "exists": "yes"}, ["exists"]),
    ({"all": []}, ["all"]),
    ({"any": {"fact": "employee.city", "exists": True}}, ["any"]),
    ({"not": {"fact": "employee.city"}}, ["not"]),
    ({"not": {"fact": "employer.size", "between": [1, 2]}}, ["not", "between"]),
    ({"all": [HOURS], "fact": "employee.city"}, ["fact"]),
    ({"all": [HOURS], "any": [HOURS]}, ["any"]),
    ({"age": ["employee.birth_date"], "gte": 18}, ["age"]),
    ({"age": ["employee.weekly_hours", "contract.start_date"], "gte": 18}, ["age", 0]),
    ({"months_between": ["employee.employment_start", "offer.min_insured"], "gte": 6},
     ["months_between", 1]),
    ({"sum": ["offer.start_date"], "gt": 1}, ["sum", 0]),
    ({"sum": [], "gt": 1}, ["sum"]),
    ({"day_of_month": "offer.insured_count", "eq": 1}, ["day_of_month"]),
    ({"fact": "offer.monthly_employer_premium", "gt": {"setting": "limit"}}, ["gt", "setting"]),
    ({"fact": "offer.monthly_employer_premium", "gt": {"percent": 5}}, ["gt"]),
    ({"value": "amount", "gt": 50}, ["value"]),
    ({"fact": "employee.city", "eq": {"fact": "employee.last_name"}}, ["eq", "fact"]),
    ({"fact": "employee.weekly_hours", "gt": {"fact": "employee.birth_date"}}, ["gt", "fact"]),
    ({"fact": "employee.weekly_hours", "gt": {"fact": "employee.gender"}}, ["gt", "fact"]),
    ({1: "employee.city"}, [1]),
    ("employee.weekly_hours >= 15", []),
    ({}, []),
    (None, []),
    ({"any": [HOURS, {"all": [HOURS, {"fact": "employee.weekly_hours", "gte": 15, "lte": 40}]}]},
     ["any", 1, "all", 1, "lte"]),
])
def test_compile_errors_name_the_path(data, path):
    with pytest.raises(RuleError) as caught:
        compile_condition(data)
    assert caught.value.path == path, caught.value
    assert caught.value.message


def test_protected_characteristics_are_no_lawful_criteria():
    """The rules compiler reads any well-formed fact; which facts may draw a tariff group is an
    allow-list the tenant checker applies (tests/tenants/test_strict_facts.py)."""
    assert compile_condition({"fact": "employee.gender", "eq": "w"})
    assert not {"employee.gender", "employee.first_name", "employee.last_name",
                "employee.personnel_number"} & LAWFUL_CRITERIA
    assert all(path.split(".")[0] in ("employee", "contract", "today") for path in LAWFUL_CRITERIA)


def test_error_prefix_for_callers():
    error = RuleError("bad", ["all", 0])
    assert error.at("groups", 2, "eligibility").path == ["groups", 2, "eligibility", "all", 0]
    assert str(RuleError("bad", ["all", 0])) == "all/0: bad"


def test_deep_nesting_is_refused():
    data = HOURS
    for _ in range(30):
        data = {"not": data}
    with pytest.raises(RuleError):
        compile_condition(data)


EMPLOYEE = {
    "employee": {
        "birth_date": dt.date(1990, 6, 15),
        "employment_start": dt.date(2025, 7, 1),
        "weekly_hours": Decimal("20.5"),
        "employment_type": "regular",
        "city": "Köln",
        "postal_code": "50667",
        "trainee": False,
        "cost_centre": "A1",
    },
    "employer": {"employees_count": 42},
    "contract": {"start_date": dt.date(2026, 1, 1)},
    "offer": {"monthly_employer_premium": Decimal("45.00"),
              "other_benefits_in_kind": Decimal("6.20")},
    "event": {"type": "leaving", "effective_date": dt.date(2026, 3, 31)},
    "today": dt.date(2026, 2, 1),
}


@pytest.mark.parametrize("condition, expected", [
    ({"fact": "employee.weekly_hours", "eq": "20.5"}, True),
    ({"fact": "employee.weekly_hours", "eq": 20.50}, True),
    ({"fact": "employee.weekly_hours", "ne": 20}, True),
    ({"fact": "employee.weekly_hours", "lt": 20.5}, False),
    ({"fact": "employee.weekly_hours", "lte": 20.5}, True),
    ({"fact": "employee.weekly_hours", "gt": 20.499999}, True),
    ({"fact": "employee.weekly_hours", "gte": 21}, False),
    ({"fact": "employee.weekly_hours", "in": [10, 20.5, 40]}, True),
    ({"fact": "employee.weekly_hours", "not_in": [10, 40]}, True),
    ({"fact": "employee.birth_date", "lt": "1990-06-16"}, True),
    ({"fact": "employee.birth_date", "eq": dt.date(1990, 6, 15)}, True),
    ({"fact": "employee.birth_date", "gte": dt.date(1990, 6, 16)}, False),
    ({"fact": "employee.city", "eq": "Köln"}, True),
    ({"fact": "employee.city", "ne": "Köln"}, False),
    ({"fact": "employee.city", "in": ["Berlin", "Köln"]}, True),
    ({"fact": "employee.city", "not_in": ["Berlin", "Köln"]}, False),
    ({"fact": "employee.postal_code", "eq": "50667"}, True),
    ({"fact": "employee.trainee", "eq": False}, True),
    ({"fact": "employee.trainee", "ne": True}, True),
    ({"fact": "employee.trainee", "exists": True}, True),
    ({"fact": "employee.city", "exists": False}, False),
    ({"fact": "employee.first_name", "exists": False}, True),
    ({"fact": "employee.first_name", "eq": "Ada"}, False),
    ({"fact": "employee.first_name", "ne": "Ada"}, False),
    ({"not": {"fact": "employee.first_name", "eq": "Ada"}}, True),
    ({"fact": "employee.cost_centre", "eq": 3}, False),
    ({"fact": "employee.cost_centre", "not_in": [1, 2]}, False),
    ({"not": {"fact": "employee.cost_centre", "in": [1, 2]}}, True),
    ({"age": AGE, "eq": 35}, True),
    ({"insurance_age": AGE, "eq": 36}, True),
    ({"months_between": ["employee.employment_start", "contract.start_date"], "gte": 6}, True),
    ({"months_between": ["employee.employment_start", "contract.start_date"], "gt": 6}, False),
    ({"day_of_month": "event.effective_date", "eq": 31}, True),
    ({"sum": ["offer.monthly_employer_premium", "offer.other_benefits_in_kind"], "eq": "51.20"},
     True),
    ({"sum": ["offer.monthly_employer_premium", "offer.insured_count"], "eq": 45}, True),
    ({"sum": ["contract.monthly_employer_premium"], "exists": False}, True),
    ({"fact": "event.effective_date", "gt": {"fact": "today"}}, True),
    ({"fact": "contract.start_date", "lt": {"fact": "employee.employment_start"}}, False),
    ({"fact": "employer.employees_count", "gte": {"fact": "employee.weekly_hours"}}, True),
    ({"fact": "employer.employees_count", "eq": {"fact": "offer.min_insured"}}, False),
    ({"fact": "employer.employees_count", "ne": {"fact": "offer.min_insured"}}, False),
    ({"all": [{"fact": "employee.city", "eq": "Köln"}, {"age": AGE, "gte": 18}]}, True),
    ({"all": [{"fact": "employee.city", "eq": "Köln"}, {"age": AGE, "gte": 40}]}, False),
    ({"any": [{"fact": "employee.city", "eq": "Bonn"}, {"age": AGE, "gte": 18}]}, True),
    ({"any": [{"fact": "employee.city", "eq": "Bonn"}, {"age": AGE, "gte": 40}]}, False),
    ({"not": {"any": [{"fact": "employee.city", "eq": "Bonn"}, {"age": AGE, "lt": 18}]}}, True),
    ({"not": {"all": [{"fact": "employee.city", "eq": "Köln"}, {"not": {"age": AGE, "lt": 18}}]}},
     False),
])
def test_every_operator_agrees_in_python_and_durable(judge, condition, expected):
    assert judge(condition, EMPLOYEE) is expected


def test_settings_are_literals_compiled_in(judge):
    settings = {"limit": Decimal("50.00")}
    condition = {"sum": ["offer.monthly_employer_premium", "offer.other_benefits_in_kind"],
                 "gt": {"setting": "limit"}}
    assert judge(condition, EMPLOYEE, settings) is True
    assert judge(condition, EMPLOYEE, {"limit": "60"}) is False


def test_a_list_setting_serves_in_and_not_in(judge):
    settings = {"excluded": ["minijob", "working_student"], "flags": {"a": 1}}
    condition = {"fact": "employee.employment_type", "not_in": {"setting": "excluded"}}
    assert judge(condition, {"employee": {"employment_type": "regular"}}, settings) is True
    assert judge(condition, {"employee": {"employment_type": "minijob"}}, settings) is False
    with pytest.raises(RuleError) as caught:
        compile_condition({"fact": "employee.weekly_hours", "gte": {"setting": "flags"}},
                          settings=settings)
    assert caught.value.path == ["gte", "setting"]


def test_missing_namespace_and_wrong_kinds_are_false_not_errors(judge):
    facts = {"employee": {"weekly_hours": "twenty", "birth_date": "1990-01-01"},
             "contract": {"start_date": dt.date(2026, 1, 1)}}
    assert judge({"fact": "employee.weekly_hours", "gte": 15}, facts) is False
    assert judge({"fact": "employee.weekly_hours", "lt": 15}, facts) is False
    assert judge({"age": AGE, "gte": 18}, facts) is False
    assert judge({"age": AGE, "exists": False}, facts) is True
    assert judge({"fact": "employer.employees_count", "exists": True}, {}) is False


def test_datetimes_count_as_their_date_and_floats_by_their_digits(judge):
    facts = {"employee": {"birth_date": dt.datetime(2000, 1, 1, 23, 59), "weekly_hours": 0.1},
             "contract": {"start_date": dt.datetime(2018, 1, 1, 0, 0)}}
    assert judge({"age": AGE, "eq": 18}, facts) is True
    assert judge({"fact": "employee.weekly_hours", "eq": "0.1"}, facts) is True


def test_numbers_beyond_the_encoding_compare_exactly(judge):
    huge = {"employer": {"employees_count": Decimal("1E+30")}}
    tiny = {"employer": {"employees_count": Decimal("0.0000000001")}}
    assert judge({"fact": "employer.employees_count", "gt": 999999999999}, huge) is True
    assert judge({"fact": "employer.employees_count", "gt": 0}, tiny) is True
    assert judge({"fact": "employer.employees_count", "lt": "0.000001"}, tiny) is True
    assert judge({"fact": "employer.employees_count", "eq": 0}, tiny) is False
    nudged = {"employer": {"employees_count": Decimal("15.5000001")}}
    assert judge({"fact": "employer.employees_count", "gt": "15.5"}, nudged) is True
    assert judge({"fact": "employer.employees_count", "lte": "15.5"}, nudged) is False
    assert judge({"fact": "employer.employees_count", "lt": "15.500001"}, nudged) is True
    assert judge({"fact": "employer.employees_count", "gt": 0},
                 {"employer": {"employees_count": float("nan")}}) is False
    assert judge({"fact": "employer.employees_count", "gt": 5},
                 {"employer": {"employees_count": float("inf")}}) is True


def test_a_condition_reports_the_facts_it_read():
    condition = compile_condition({"all": [
        {"age": AGE, "gte": 18},
        {"fact": "employee.weekly_hours", "gte": 15},
        {"fact": "event.effective_date", "gt": {"fact": "today"}},
    ]})
    assert condition.paths == ("employee.birth_date", "contract.start_date",
                               "employee.weekly_hours", "event.effective_date", "today")
    assert condition.seen(EMPLOYEE) == {
        "employee.birth_date": dt.date(1990, 6, 15),
        "contract.start_date": dt.date(2026, 1, 1),
        "age(employee.birth_date,contract.start_date)": Decimal(35),
        "employee.weekly_hours": Decimal("20.5"),
        "event.effective_date": dt.date(2026, 3, 31),
        "today": dt.date(2026, 2, 1),
    }


def test_durable_expression_uses_precomputed_flat_fields():
    condition = compile_condition({"all": [{"age": AGE, "gte": 18},
                                           {"fact": "employee.city", "in": ["Köln", "Bonn"]}]})
    assert condition.durable() == {"$and": [
        {"$gte": {"age(employee.birth_date,contract.start_date):n": 36000000}},
        {"$or": [{"employee.city:s": "Köln"}, {"employee.city:s": "Bonn"}]},
    ]}
