"""Benchmark of rule evaluation: eligibility through durable-rules (batched) against the
plain-Python floor, and premium formulas; prints JSON.

    python -m bench.rules --employees 10000
"""

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import time
from decimal import Decimal

from rules import adapter
from rules.compile import compile_eligibility
from rules.evaluate import check_eligibility
from rules.formulas import compile_formula, money

AGE = ["employee.birth_date", "contract.start_date"]
NOT_MINIJOB = {"id": "no_minijob", "require": {"fact": "employee.employment_type", "ne": "minijob"},
               "reason": {"de": "Kein Minijob.", "en": "No minijob."}}
UNDER_67 = {"id": "under_67", "require": {"age": AGE, "lt": 67},
            "reason": {"de": "Unter 67.", "en": "Under 67."}}
GROUPS = [
    ("management", [
        {"id": "management", "require": {"fact": "employee.tariff_group", "eq": "management"},
         "reason": {"de": "Nur Führungskräfte.", "en": "Management only."}},
        NOT_MINIJOB, UNDER_67]),
    ("trainees", [
        {"id": "trainee", "require": {"fact": "employee.employment_type", "eq": "trainee"},
         "reason": {"de": "Nur Auszubildende.", "en": "Trainees only."}}]),
    ("staff", [
        NOT_MINIJOB, UNDER_67,
        {"id": "six_months",
         "require": {"months_between": ["employee.employment_start", "contract.start_date"],
                     "gte": 6},
         "reason": {"de": "Sechs Monate.", "en": "Six months."}},
        {"id": "part_time_15_hours",
         "require": {"any": [{"fact": "employee.employment_type", "ne": "parttime"},
                             {"fact": "employee.weekly_hours", "gte": 15}]},
         "reason": {"de": "15 Stunden.", "en": "15 hours."}}]),
]
FORMULA = ('round(table("dental_bands", age) * (1 + family_members * 0.8) '
           '+ table("levels", budget), 2)')
TABLES = {
    "dental_bands": {"bands": [{"from": 0, "to": 20, "value": "8.50"},
                               {"from": 21, "to": 40, "value": "12.90"},
                               {"from": 41, "to": 120, "value": "17.40"}]},
    "levels": {"map": {"300": "12.90", "600": "24.90", "900": "36.90"}},
}


def employees(count, seed=7):
    rng = random.Random(seed)
    people = []
    for number in range(count):
        people.append({
            "employee": {
                "personnel_number": str(number),
                "birth_date": dt.date(rng.randint(1955, 2009), rng.randint(1, 12), rng.randint(1, 28)),
                "employment_start": dt.date(rng.randint(2005, 2025), rng.randint(1, 12), 1),
                "weekly_hours": Decimal(rng.randint(80, 400)) / 10,
                "employment_type": rng.choice(["regular"] * 6 + ["parttime", "minijob", "trainee"]),
                "tariff_group": rng.choice([""] * 9 + ["management"]),
            },
            "contract": {"start_date": dt.date(2026, 1, 1)},
        })
    return people


def python_floor(groups, people):
    """The same answers in plain Python: first eligible group and every failed requirement."""
    results = []
    for facts in people:
        cache, first, failures = {}, None, {}
        for group_id, ruleset in groups:
            failed = [rule.id for rule in ruleset.rules if not rule.condition.holds(facts, cache)]
            failures[group_id] = failed
            if first is None and not failed:
                first = group_id
        results.append((first, failures))
    return results


def timed(function, repeat):
    """Median seconds of `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    people = employees(args.employees)
    groups = [(group_id, compile_eligibility(rules, name="bench.%s" % group_id))
              for group_id, rules in GROUPS]
    check_eligibility(groups, people[:10])  # register the rulesets outside the timing

    durable_s, checked = timed(lambda: check_eligibility(groups, people), args.repeat)
    caches = [{} for _ in people]
    batches = [(ruleset.durable_name, ruleset.expressions,
                [ruleset.message(facts, cache) for facts, cache in zip(people, caches)])
               for _, ruleset in groups]
    engine_s, _ = timed(lambda: adapter.fire(batches), args.repeat)
    floor_s, floored = timed(lambda: python_floor(groups, people), args.repeat)
    agree = all(
        result.group_id == first and all(
            [failure.rule_id for failure in result.check(group_id).failures] == failed
            for group_id, failed in failures.items())
        for result, (first, failures) in zip(checked, floored))

    formula = compile_formula(FORMULA, TABLES, {"age", "family_members", "budget"})
    inputs = [{"age": (2026 - facts["employee"]["birth_date"].year), "family_members": n % 3,
               "budget": (300, 600, 900)[n % 3]} for n, facts in enumerate(people)]
    formula_s, _ = timed(lambda: [money(formula.evaluate(values)) for values in inputs],
                         args.repeat)

    per_employee = 1e6 / len(people)
    report = {
        "employees": len(people),
        "groups": len(groups),
        "requirements": sum(len(ruleset.rules) for _, ruleset in groups),
        "repeat": args.repeat,
        "eligibility_durable_us_per_employee": round(durable_s * per_employee, 2),
        "durable_engine_only_us_per_employee": round(engine_s * per_employee, 2),
        "eligibility_python_floor_us_per_employee": round(floor_s * per_employee, 2),
        "durable_vs_floor": round(durable_s / floor_s, 1),
        "formula_us_per_employee": round(formula_s * per_employee, 2),
        "eligible": sum(1 for result in checked if result.group_id),
        "durable_and_python_agree": agree,
        "python": platform.python_version(),
        "chunk": adapter.CHUNK,
    }
    print(json.dumps(report, indent=2))
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
