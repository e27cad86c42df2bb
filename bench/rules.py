"""Benchmark of rule evaluation: tariff-group eligibility through durable-rules (shared by distinct
combinations) against two floors, the compiled conditions interpreted in Python and the same
rules hand-written with plain `if`s; and a premium formula; prints JSON.

    python -m bench.rules --employees 10000
"""

import argparse
import datetime as dt
import gc
import json
import platform
import random
import statistics
import time
from decimal import Decimal

from rules import adapter
from rules.compile import compile_eligibility
from rules.dates import age, months_between
from rules.evaluate import check_eligibility
from rules.facts import lookup
from rules.formulas import compile_formula, money

START = dt.date(2026, 1, 1)
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
# The worst case: a requirement that reads each employee's own personnel number, which no
# threshold can share, so every employee is a combination of its own.
PERSONNEL_NUMBER = {"id": "personnel_number",
                    "require": {"fact": "employee.personnel_number", "ne": ""},
                    "reason": {"de": "Personalnummer fehlt.", "en": "No personnel number."}}
WORST_CASE = GROUPS[:2] + [("staff", GROUPS[2][1] + [PERSONNEL_NUMBER])]

# Weekly hours as payrolls have them: full time 40 or 38.5, part time 30, 20 or 15, minijobs 8.
HOURS = {"regular": [Decimal(40), Decimal("38.5")], "trainee": [Decimal(40), Decimal("38.5")],
         "parttime": [Decimal(30), Decimal(20), Decimal(15)], "minijob": [Decimal(8)]}
FORMULA = ('round(table("dental_bands", age) * (1 + family_members * 0.8) '
           '+ table("levels", budget), 2)')
TABLES = {
    "dental_bands": {"bands": [{"from": 0, "to": 20, "value": "8.50"},
                               {"from": 21, "to": 40, "value": "12.90"},
                               {"from": 41, "to": 120, "value": "17.40"}]},
    "levels": {"map": {"300": "12.90", "600": "24.90", "900": "36.90"}},
}


def employees(count, seed=7):
    """Synthetic staff: birth dates and employment starts spread over decades (near-continuous
    ages and months of service), weekly hours from the typical values in HOURS."""
    rng = random.Random(seed)
    people = []
    for number in range(count):
        kind = rng.choice(["regular"] * 6 + ["parttime", "minijob", "trainee"])
        people.append({
            "employee": {
                "personnel_number": str(number),
                "birth_date": dt.date(rng.randint(1955, 2009), rng.randint(1, 12),
                                      rng.randint(1, 28)),
                "employment_start": dt.date(rng.randint(2005, 2025), rng.randint(1, 12), 1),
                "weekly_hours": rng.choice(HOURS[kind]),
                "employment_type": kind,
                "tariff_group": rng.choice([""] * 9 + ["management"]),
            },
            "contract": {"start_date": START},
        })
    return people


def interpreted(groups, people):
    """The compiled conditions evaluated in Python: first eligible group and failed requirements."""
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


def hand_written(people, worst_case=False):
    """The benchmark's rules written by hand with plain `if`s, the same answers as interpreted()."""
    results = []
    for facts in people:
        employee = facts["employee"]
        kind = employee["employment_type"]
        years = age(employee["birth_date"], START)
        management, staff = [], []
        if employee["tariff_group"] != "management":
            management.append("management")
        if kind == "minijob":
            management.append("no_minijob")
            staff.append("no_minijob")
        if years >= 67:
            management.append("under_67")
            staff.append("under_67")
        if months_between(employee["employment_start"], START) < 6:
            staff.append("six_months")
        if kind == "parttime" and employee["weekly_hours"] < 15:
            staff.append("part_time_15_hours")
        if worst_case and employee["personnel_number"] == "":
            staff.append("personnel_number")
        trainees = [] if kind == "trainee" else ["trainee"]
        first = ("management" if not management else "trainees" if not trainees
                 else "staff" if not staff else None)
        results.append((first, {"management": management, "trainees": trainees,
                                "staff": staff}))
    return results


def timed(function, repeat):
    """Median CPU seconds of `repeat` runs, and the result of one more, untimed run."""
    (seconds,) = rounds([function], repeat)
    return statistics.median(seconds), function()


def rounds(functions, repeat):
    """Per function its CPU seconds in each of `repeat` rounds, in which each runs once.

    CPU time of this process (it runs one thread), not wall time: on a shared machine other
    processes' turns on the CPU would count otherwise; on an idle machine the two are the same.
    Taking turns, a busy moment of the machine falls on all of them alike. Results are dropped
    at once and garbage is collected before each run, so no run pays for another's objects; the
    collector runs as usual while timing. Compare two with ratio().
    """
    seconds = [[] for _ in functions]
    for _ in range(repeat):
        for times, function in zip(seconds, functions):
            gc.collect()
            start = time.process_time()
            function()
            times.append(time.process_time() - start)
    return seconds


def ratio(seconds, floor_seconds):
    """The median over rounds of seconds / floor seconds."""
    return statistics.median(a / b for a, b in zip(seconds, floor_seconds))


def agree(checked, expected):
    """Whether check_eligibility's answers are the expected (first group, failed ids) pairs."""
    return len(checked) == len(expected) and all(
        result.group_id == first and all(
            [failure.rule_id for failure in result.check(group_id).failures] == failed
            for group_id, failed in failures.items())
        for result, (first, failures) in zip(checked, expected))


def measure(definitions, people, repeat, worst_case):
    """µs per employee of durable-rules and of both floors, for one set of group definitions."""
    groups = [(group_id, compile_eligibility(rules, name="bench.%s" % group_id))
              for group_id, rules in definitions]
    check_eligibility(groups, people[:10])  # register the rulesets outside the timing
    durable, interpreted_s, hand = rounds([
        lambda: check_eligibility(groups, people), lambda: interpreted(groups, people),
        lambda: hand_written(people, worst_case)], repeat)
    stats = {}
    checked = check_eligibility(groups, people, stats)
    by_interpreter, by_hand = interpreted(groups, people), hand_written(people, worst_case)
    paths = sorted({path for _, ruleset in groups for rule in ruleset.rules
                    for path in rule.condition.paths})
    per = 1e6 / len(people)
    return {
        "requirements": sum(len(ruleset.rules) for _, ruleset in groups),
        "facts_read": paths,
        "distinct_raw_values": len({tuple(lookup(facts, path) for path in paths)
                                    for facts in people}),
        "distinct_combinations": stats["distinct"],
        "eligibility_durable_us_per_employee": round(statistics.median(durable) * per, 2),
        "interpreted_python_us_per_employee": round(statistics.median(interpreted_s) * per, 2),
        "hand_written_us_per_employee": round(statistics.median(hand) * per, 3),
        "durable_vs_hand_written": round(ratio(durable, hand), 1),
        "interpreted_vs_hand_written": round(ratio(interpreted_s, hand), 1),
        "durable_vs_interpreted": round(ratio(durable, interpreted_s), 2),
        "eligible": sum(1 for result in checked if result.group_id),
        "durable_agrees_with_both_floors": (agree(checked, by_interpreter)
                                            and agree(checked, by_hand)),
    }, statistics.median(durable)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    people = employees(args.employees)
    realistic, durable_s = measure(GROUPS, people, args.repeat, worst_case=False)
    worst, _ = measure(WORST_CASE, people, args.repeat, worst_case=True)

    formula = compile_formula(FORMULA, TABLES, {"age", "family_members", "budget"})
    inputs = [{"age": (2026 - facts["employee"]["birth_date"].year), "family_members": n % 3,
               "budget": (300, 600, 900)[n % 3]} for n, facts in enumerate(people)]
    formula_s, _ = timed(lambda: [money(formula.evaluate(values)) for values in inputs],
                         args.repeat)
    ok = (realistic["durable_agrees_with_both_floors"]
          and worst["durable_agrees_with_both_floors"])
    report = {
        "employees": len(people),
        "groups": len(GROUPS),
        "repeat": args.repeat,
        "employees_generated": "birth dates 1955-2009 and employment starts 2005-2025 on any "
                               "day/month; weekly hours from typical values (40 or 38.5 full "
                               "time and trainees, 30/20/15 part time, 8 minijob)",
        "realistic": realistic,
        "worst_case_all_distinct": dict(
            worst, how="the staff group also requires a personnel number (ne ''), which "
                       "differs for every employee, so no two share a combination"),
        "formula_us_per_employee": round(formula_s * 1e6 / len(people), 2),
        "checked_and_priced_s": round(durable_s + formula_s, 3),
        "target_checked_and_priced_s": 0.3 * len(people) / 10000,
        "durable_and_python_agree": ok,
        "measured": "CPU seconds of this process, median of --repeat rounds in which durable "
                    "and both floors run in turn; ratios are the median of each round's ratio",
        "python": platform.python_version(),
        "chunk": adapter.CHUNK,
    }
    print(json.dumps(report, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
