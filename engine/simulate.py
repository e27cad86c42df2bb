"""`bkv tenants simulate`: a tenant folder and an employee file in, groups and premiums out, before
the tenant goes live. No database: the folder is loaded and compiled as `bkv tenants load` would."""
import datetime
import json
import logging
import pathlib
import sys
from decimal import Decimal

from tenants import check, loader
from tenants.problems import TenantError

from engine import clock, eligibility, employee_file, pricing, registry, start_window
from engine.errors import DomainError

logger = logging.getLogger(__name__)

MONTHS = 12
ZERO = Decimal("0.00")


def tenant_folder(name_or_path):
    """A tenant id without a slash is tenants/<id> (in the working directory, else the bundled one)."""
    text = str(name_or_path)
    if "/" in text or "\\" in text:
        path = pathlib.Path(text)
        return path.parent if path.name == loader.TENANT_FILE else path
    local = pathlib.Path("tenants") / text
    return local if local.is_dir() else check.DEFAULT_ROOT / text


def load_live(folder):
    """The tenant in `folder` compiled as the web processes run it; TenantError lists its problems."""
    return registry.unstored(loader.load_tenant(folder))


def first_of_next_month(today=None):
    return start_window.first_of_next_month(today or clock.today())


def choose_levels(live, groups=None, tariffs=None, levels=None):
    """group id -> the budget level priced for it (None: the group has no budget tariff left). A group's
    level is the one `levels` names for it (by group id, or "*" for every group offering it), else its
    first budget tariff as listed in the tenant's tariff_groups (for the demo tenants the cheapest).
    `tariffs`, when given, narrows the levels to choose from as it narrows the modules."""
    levels = levels or {}
    chosen = {}
    for gid, group in live.groups.items():
        if groups is not None and gid not in groups:
            continue
        candidates = [t for t in pricing.levels_of(live, group["tariffs"]) if tariffs is None or t in tariffs]
        wanted = levels.get(gid) or levels.get("*")
        chosen[gid] = wanted if wanted in candidates else (candidates[0] if candidates else None)
    return chosen


def _person(row, live, group_id, start_date, assignment, tariffs=None, level=None, insured_count=None):
    """One employee's line: group, exclusions, premium per tariff (employer pays 100 %), warnings.
    `level`: the group's budget level; `tariffs`: the modules to price (None: every module of the group)."""
    explanation = assignment.explanation
    line = {"row": row.row, "personnel_number": row.personnel_number, "name": f"{row.first_name} {row.last_name}",
            "group": group_id, "excluded_by": [], "premiums": {}, "total": None, "warnings": []}
    line["warnings"] += [w["reason"].get("de", "") for w in explanation["warnings"]]
    requested = explanation["requested"]
    if requested and requested["group"] != group_id:
        line["warnings"].append(_requested_note(requested, explanation))
    if group_id is None:
        line["excluded_by"] = [{"rule": r["rule"], "group": None, "reason": r["reason"].get("de", ""),
                                "seen": r["seen"]} for r in explanation["rejected"]]
        if not line["excluded_by"]:
            line["excluded_by"] = [{"rule": f["rule"], "group": gid, "reason": f["reason"].get("de", ""),
                                    "seen": f["seen"]}
                                   for gid, failures in explanation["groups"].items() for f in failures]
        return line
    group = live.groups[group_id]
    person = pricing.Person(birth_date=row.birth_date, employment_type=row.employment_type, insured_count=insured_count)
    total = ZERO
    priced = ([level] if level else []) + [t for t in pricing.modules_of(live, group["tariffs"])
                                           if tariffs is None or t in tariffs]
    for tariff in priced:
        try:
            amount = pricing.premium(live, tariff, group_id, person, start_date)
        except DomainError as exc:
            line["premiums"][tariff] = None
            line["warnings"].append(exc.message)
            continue
        line["premiums"][tariff] = amount
        total += amount
    line["total"] = total
    limit = live.settings.benefit_in_kind_limit
    if total > limit:
        line["warnings"].append(f"Sachbezugsgrenze überschritten: {total} EUR im Monat (Grenze {limit} EUR).")
    return line


def _requested_note(requested, explanation):
    if requested["group"] is None:
        return f"Tarifgruppe „{requested['written']}“ aus der Datei ist keine Gruppe des Versicherers."
    failures = explanation["groups"].get(requested["group"])
    if failures is None:
        return f"Tarifgruppe „{requested['written']}“ aus der Datei wird nicht angeboten."
    reasons = "; ".join(f["reason"].get("de", "") for f in failures)
    return f"Tarifgruppe „{requested['written']}“ aus der Datei nicht möglich: {reasons}"


def simulate(live, parsed, start_date, groups=None, tariffs=None, levels=None):
    """The report of one file: every valid employee with group and premiums, totals per group and overall.
    `groups` / `tariffs`: what an offer would contain (None: all of the tenant's); `levels`: the budget
    level per group as `choose_levels` reads it. The report's `levels` says which level each group got."""
    assignments = eligibility.assign(live, parsed.rows, start_date, groups=groups)
    chosen = choose_levels(live, groups, tariffs, levels)
    insured = sum(1 for a in assignments if a.group is not None)  # the file's staff as the contract's insured
    people = [_person(row, live, a.group, start_date, a, tariffs, chosen.get(a.group), insured)
              for row, a in zip(parsed.rows, assignments)]
    offered = [gid for gid in live.groups if groups is None or gid in groups]
    by_group = {gid: {"persons": 0, "monthly": ZERO} for gid in offered}
    for person in people:
        if person["group"] is not None:
            by_group[person["group"]]["persons"] += 1
            by_group[person["group"]]["monthly"] += person["total"]
    for figures in by_group.values():
        figures["yearly"] = figures["monthly"] * MONTHS
    monthly = sum((g["monthly"] for g in by_group.values()), ZERO)
    return {"tenant": live.slug, "start_date": start_date, "levels": chosen, "employees": people, "groups": by_group,
            "total": {"persons": sum(g["persons"] for g in by_group.values()), "monthly": monthly,
                      "yearly": monthly * MONTHS, "excluded": sum(1 for p in people if p["group"] is None),
                      "rows": parsed.total},
            "file_errors": [{"row": e.row, "column": e.column, "message": e.message} for e in parsed.errors],
            "file_warnings": [warning["de"] for warning in parsed.warnings]}


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _table(rows, right=()):
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [str(cell).rjust(width) if i in right else str(cell).ljust(width)
                 for i, (cell, width) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def render(report, live):
    """The report as aligned plain-text tables."""
    tariffs = list(live.tariffs)
    total = report["total"]
    out = [f"{live.name} ({report['tenant']}), start {report['start_date']}: {total['rows']} rows, "
           f"{len(report['employees'])} valid, {total['persons']} insured, {total['excluded']} excluded", ""]
    if report["employees"]:
        rows = [["row", "personnel no.", "name", "group", *tariffs, "total", "notes"]]
        for person in report["employees"]:
            notes = [f"{item['rule']}" + (f" ({item['group']})" if item["group"] else "") + f": {item['reason']}"
                     for item in person["excluded_by"]] + person["warnings"]
            rows.append([person["row"], person["personnel_number"], person["name"], person["group"] or "-",
                         *[_money(person["premiums"].get(t), t in person["premiums"]) for t in tariffs],
                         _money(person["total"], person["group"] is not None), " | ".join(notes)])
        out += [_table(rows, right={0, *range(4, 5 + len(tariffs))}), ""]
    rows = [["group", "budget level", "persons", "per month", "per year"]]
    for gid, figures in report["groups"].items():
        rows.append([gid, report["levels"].get(gid) or "-", figures["persons"], figures["monthly"], figures["yearly"]])
    rows.append(["total", "", total["persons"], total["monthly"], total["yearly"]])
    out += [_table(rows, right={2, 3, 4})]
    if report["file_errors"]:
        out += ["", f"{len(report['file_errors'])} problem(s) in the file:"]
        out += [f"  row {e['row']}, {e['column']}: {e['message']}" for e in report["file_errors"]]
    out += [f"warning: {warning}" for warning in report["file_warnings"]]
    return "\n".join(out)


def _money(amount, applies):
    if not applies:
        return ""
    return "?" if amount is None else str(amount)


def parse_levels(live, specs):
    """`--level` values ("budget_600" for every group offering it, "alle=budget_900" for one group) as
    {group id or "*": tariff id}; DomainError naming the spec that is no budget level (of that group)."""
    levels = {}
    for spec in specs or ():
        gid, _, tariff = spec.rpartition("=")
        offered = live.groups[gid]["tariffs"] if gid in live.groups else (live.tariffs if not gid else None)
        if offered is None:
            raise DomainError(f"--level {spec}: unbekannte Tarifgruppe {gid}",
                              f"--level {spec}: unknown tariff group {gid}; the tenant has {', '.join(live.groups)}")
        if tariff not in pricing.levels_of(live, [t for t in offered if t in live.tariffs]):
            known = ", ".join(pricing.levels_of(live, list(offered)))
            raise DomainError(f"--level {spec}: {tariff} ist keine Budgetstufe",
                              f"--level {spec}: {tariff} is not a budget level{f' of group {gid}' if gid else ''}; "
                              f"choose one of {known or 'none'}")
        levels[gid or "*"] = tariff
    return levels


def tests_summary(run, label):
    """A stored version's test result (engine/tenant_cases.VersionRun) as `bkv tenants check` says it."""
    if not run.stored:
        return f"{label}: no test cases stored with this version (it was loaded without a tests.yaml)"
    lines = [check.format_problems(run.failures)] if run.failures else []
    said = f"{run.failing} of {run.cases} failing" if run.failures else "all pass"
    return "\n".join(lines + [f"{label}: {run.cases} test case(s) run, {said}"])


def tests_json(run):
    return {"stored": run.stored, "cases": run.cases, "failing": run.failing,
            "failures": check.problems_as_json(run.failures)}


def main(tenant, employees_file, start=None, as_json=False, out=None, tariffs=None, levels=None, live=None,
         tests=None):
    """Run a simulation and print it; 0 when it ran, 1 when the tenant has problems, the file is unusable
    or a test case fails, 2 for an unknown tariff in `tariffs` (the tariff ids to price; None or empty: every
    tariff of a group) or a `levels` spec that is no budget level (see parse_levels; none given: each group's
    first level). `live`: a stored version to try instead of the folder `tenant`, with `tests` its own cases'
    result (tenant_cases.VersionRun), printed first; without `employees_file` only that is printed."""
    out = out or sys.stdout
    start_date = start if isinstance(start, datetime.date) else (
        datetime.date.fromisoformat(start) if start else first_of_next_month())
    tested = 1 if tests is not None and tests.failures else 0
    if tests is not None and employees_file is None:
        out.write((json.dumps({"tenant": live.slug, "version": live.digest, "tests": tests_json(tests)},
                              ensure_ascii=False, indent=2) if as_json else
                   tests_summary(tests, f"{live.slug} {live.digest[:12]}")) + "\n")
        return tested
    try:
        live = live or load_live(tenant_folder(tenant))
    except TenantError as error:
        if as_json:
            out.write(json.dumps({"tenant": str(tenant), "problems": check.problems_as_json(error.problems)},
                                 ensure_ascii=False, indent=2) + "\n")
        else:
            out.write(check.format_problems(error.problems) + f"\n{len(error.problems)} problem(s) found\n")
        return 1
    known = list(live.tariffs)
    unknown = [t for t in tariffs or () if t not in known]
    if unknown:
        out.write(f"unknown tariff(s) {', '.join(unknown)}; the tenant has {', '.join(known)}\n")
        return 2
    try:
        chosen = parse_levels(live, levels)
    except DomainError as error:
        out.write(error.text["en"] + "\n")
        return 2
    path = pathlib.Path(employees_file)
    try:
        parsed = employee_file.parse(path.name, path.read_bytes())
    except employee_file.FileUnusable as error:
        if as_json:
            zero = {"persons": 0, "monthly": str(ZERO), "yearly": str(ZERO)}
            out.write(json.dumps({"tenant": live.slug, "start_date": start_date.isoformat(), "employees": [],
                                  "groups": {}, "total": {**zero, "excluded": 0, "rows": 0},
                                  "file_errors": [{"row": error.row, "column": None, "message": error.message}],
                                  "file_warnings": []}, ensure_ascii=False, indent=2) + "\n")
        else:
            out.write(f"{path}: {error.message}\n")
        return 1
    report = simulate(live, parsed, start_date, tariffs=set(tariffs) if tariffs else None, levels=chosen)
    if as_json:
        shown = {**report, "version": live.digest, "tests": tests_json(tests)} if tests is not None else report
        out.write(json.dumps(_jsonable(shown), ensure_ascii=False, indent=2) + "\n")
    else:
        if tests is not None:
            out.write(tests_summary(tests, f"{live.slug} {live.digest[:12]}") + "\n\n")
        out.write(render(report, live) + "\n")
    return tested
