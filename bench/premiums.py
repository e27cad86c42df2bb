"""Benchmark of premiums: the demo tenants' formulas (parsed once, evaluated over Decimal) against the
same premiums hand-written in Decimal Python; prints JSON.

    python -m bench.premiums --employees 10000
"""
import argparse
import datetime as dt
import json
import pathlib
import platform
import random
import statistics
from decimal import ROUND_HALF_UP, Decimal

from bench.rules import ratio, rounds
from rules.dates import age
from tenants import loader

ROOT = pathlib.Path(__file__).resolve().parent.parent
CENT = Decimal("0.01")
START = dt.date(2026, 1, 1)


def people(count, seed=11):
    rng = random.Random(seed)
    return [(dt.date(rng.randint(1960, 2006), rng.randint(1, 12), rng.randint(1, 28)), rng.choice((0, 0, 1, 2)))
            for _ in range(count)]


def hand_written(tenant):
    """Auxilia's dental premium written by hand: age band lookup plus 9.90 per family member."""
    bands = [(row["from"], row["to"], Decimal(row["value"]))
             for row in next(t for t in tenant.doc["tariffs"] if t["id"] == "zahn")["premium"]["tables"]["zahn"]["bands"]]
    per_member = Decimal("9.90")

    def premium(birth, family):
        years = age(birth, START)
        for low, high, value in bands:
            if low <= years <= high:
                return (value + family * per_member).quantize(CENT, ROUND_HALF_UP)
        raise ValueError(years)
    return premium


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    tenant = loader.load_tenant(ROOT / "tenants" / "auxilia")
    formula = loader.compile_tenant(tenant).formulas["zahn"]
    staff = people(args.employees)
    from rules.formulas import money

    def through_formula():
        return [money(formula.evaluate({"age": age(birth, START), "insurance_age": START.year - birth.year,
                                        "tariff": "zahn", "group": "alle", "family_members": family,
                                        "budget": Decimal(0)})) for birth, family in staff]

    manual = hand_written(tenant)
    by_hand = lambda: [manual(birth, family) for birth, family in staff]  # noqa: E731
    formula_runs, floor_runs = rounds([through_formula, by_hand], args.repeat)
    formula_s, floor_s = statistics.median(formula_runs), statistics.median(floor_runs)
    per = 1e6 / len(staff)
    report = {
        "employees": len(staff), "tenant": "auxilia", "tariff": "zahn", "repeat": args.repeat,
        "formula_s": round(formula_s, 4), "hand_written_s": round(floor_s, 4),
        "formula_us_per_employee": round(formula_s * per, 2), "hand_written_us_per_employee": round(floor_s * per, 2),
        "formula_vs_hand_written": round(ratio(formula_runs, floor_runs), 2),
        "measured": "CPU seconds, median of --repeat rounds; the ratio is the median of each "
                    "round's ratio (formula and hand-written run in turn)",
        "identical_results": through_formula() == by_hand(), "python": platform.python_version(),
    }
    print(json.dumps(report, indent=2))
    return 0 if report["identical_results"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
