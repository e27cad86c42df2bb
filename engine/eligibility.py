"""Tariff groups for employees by the tenant's rules, each refusal explained with the rule and the facts
it saw. Every call evaluates all employees in one batch per rule set (10,000 employees take about a second).
"""
import dataclasses
import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rules.evaluate import check_eligibility, evaluate
from rules.facts import DATE, EMPLOYEE_FIELDS, NUMBER

from engine import clock, start_window

logger = logging.getLogger(__name__)

EMPLOYEE_FACTS = tuple(EMPLOYEE_FIELDS)  # the fields the employee's catalogue lets rules read


@dataclass(frozen=True)
class Assignment:
    """The tariff group of one employee (None: no group admits them) and why.

    reason: "rule" (a tenant employee rule assigned the group, or rejected the employee), "file" (the
    group named in the file's tariff_group column) or "eligibility" (the first offered group whose
    eligibility holds, or none does).
    explanation: {"groups": {group id: [{"rule", "reason": {de, en}, "seen": {fact: value}}]} (the failed
    requirements of every offered group), "rejected": [{"rule", "reason", "seen"}], "warnings": [{"rule",
    "reason", "seen"}], "assigned": [{"rule", "group"}] (assign outcomes of the tenant's rules),
    "requested": {"written", "group"} or None (the file's tariff_group and the group it names)}.
    eligible_from: the first 1st of a month the person is in the group (see assign_from; None from assign).
    """
    group: str | None
    reason: str
    explanation: dict = field(default_factory=dict)
    eligible_from: datetime.date | None = None


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date) or value is None:
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None  # unreadable counts as missing: no requirement on it holds


def _number(value):
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    try:
        return Decimal(str(value).strip().replace(",", ".")) if str(value).strip() else None
    except InvalidOperation:
        return None


def _text(value):
    text = "" if value is None else str(value).strip()
    return text or None  # an empty cell is a missing fact (`exists: false` holds)


def reader(row):
    """name -> value of an employee row given as a dict or an object (an EmployeeRow, a model);
    dataclasses.asdict would deep-copy every row, which an import of 10,000 rows feels."""
    return row.get if isinstance(row, dict) else lambda name: getattr(row, name, None)


_READ = {DATE: _date, NUMBER: _number}


def employee_facts(row, start_date, today=None, kinds=EMPLOYEE_FIELDS):
    """The facts the rules see for one employee (an EmployeeRow or a dict of its fields), each read as its
    kind (`kinds`: rules.facts.field_kinds of a catalogue): {"employee": {...}, "contract": {"start_date"},
    "today"}. tariff_group is the text as written."""
    get = reader(row)
    employee = {name: _READ.get(kind, _text)(get(name)) for name, kind in kinds.items()}
    return {"employee": employee, "contract": {"start_date": start_date}, "today": today or clock.today()}


def group_names(live):
    """Every spelling of a tariff group an employer may write (id, German and English name), casefolded."""
    names = {}
    for group in live.groups.values():
        for spelling in (group["id"], *(group.get("name") or {}).values()):
            names.setdefault(str(spelling).strip().casefold(), group["id"])
    return names


def _outcome(outcome):
    return {"rule": outcome.rule_id, "reason": dict(outcome.texts), "seen": dict(outcome.seen)}


def assign(live, employees, start_date, groups=None, today=None):
    """One Assignment per employee, in order. `groups`: the offered group ids (None: all the tenant's),
    tried in the tenant's order. `start_date`: the date the rules see as contract.start_date, one for
    all or a list with one per employee."""
    employees = list(employees)
    if not employees:
        return []
    dates = start_date if isinstance(start_date, list) else [start_date] * len(employees)
    wanted = None if groups is None else set(groups)
    offered = [gid for gid in live.compiled.eligibility if wanted is None or gid in wanted]
    if wanted is not None and wanted - set(offered):
        logger.warning("groups %s are not groups of tenant %s", sorted(wanted - set(offered)), live.slug)
    names = group_names(live)
    facts = [employee_facts(employee, at, today) for employee, at in zip(employees, dates)]
    written_groups = []
    for fact in facts:  # rules see the group the file names by its id, however the employer wrote it
        written = fact["employee"]["tariff_group"]
        written_groups.append(written)
        if written and names.get(written.casefold()):
            fact["employee"]["tariff_group"] = names[written.casefold()]
    decisions = evaluate(live.compiled.rules["employee"], facts)
    checks = (check_eligibility([(gid, live.compiled.eligibility[gid]) for gid in offered], facts) if offered
              else [None] * len(facts))
    results = []
    for fact, decision, check, written in zip(facts, decisions, checks, written_groups):
        group_checks = check.checks if check is not None else ()
        eligible = [c.group_id for c in group_checks if c.eligible]
        requested = names.get(written.casefold()) if written else None
        assigned = [{"rule": o.rule_id, "group": o.value} for o in decision.of_kind("assign")]
        explanation = {
            "groups": {c.group_id: [_outcome(o) for o in c.failures] for c in group_checks},
            "rejected": [_outcome(o) for o in decision.of_kind("reject")],
            "warnings": [_outcome(o) for o in decision.of_kind("warn")],
            "assigned": assigned,
            "requested": {"written": written, "group": requested} if written else None,
        }
        if explanation["rejected"]:
            results.append(Assignment(None, "rule", explanation))
            continue
        by_rule = next((item["group"] for item in assigned if item["group"] in eligible), None)
        if by_rule is not None:
            results.append(Assignment(by_rule, "rule", explanation))
        elif requested in eligible:
            results.append(Assignment(requested, "file", explanation))
        else:
            results.append(Assignment(eligible[0] if eligible else None, "eligibility", explanation))
    return results


HORIZON_MONTHS = 60  # how far ahead a not yet eligible person's date is looked for
_STEP = 12           # months evaluated in one batch


def _dated(rule):
    return "contract.start_date" in rule.condition.paths


def may_become_eligible(live, assignment):
    """Whether waiting can change the verdict: every reason the person is out of some offered group is a
    requirement that reads the date (contract.start_date), and no date-free rule rejected them."""
    employee_rules = {rule.id: rule for rule in live.compiled.rules["employee"].rules}
    if any(not _dated(employee_rules[item["rule"]]) for item in assignment.explanation["rejected"]):
        return False
    for gid, failures in assignment.explanation["groups"].items():
        rules = {rule.id: rule for rule in live.compiled.eligibility[gid].rules}
        if all(_dated(rules[failure["rule"]]) for failure in failures):
            return True
    return False


def assign_from(live, employees, start_date, groups=None, today=None):
    """One Assignment per employee with its eligible_from: the first 1st of a month, not before
    `start_date` (the contract's start) nor the person's entry, on which the rules admit them to a group;
    the group is the one of that date, the explanation the one of the first date (it says why not yet).
    No group and None when no date within HORIZON_MONTHS admits them, or none can: a requirement that
    does not read the date fails (a minijob stays a minijob).

    Waiting periods and age limits count from each person's own dates: the rules are evaluated with
    contract.start_date moved to the candidate dates, a batch of months at a time, and only for those
    whom waiting can help (each batch shares one evaluation per distinct combination of facts)."""
    employees = list(employees)
    firsts = []
    for employee in employees:
        entry = _date(reader(employee)("employment_start"))
        firsts.append(max(start_date, start_window.first_on_or_after(entry)) if entry else start_date)
    first = assign(live, employees, firsts, groups=groups, today=today)
    results = [dataclasses.replace(a, eligible_from=day) if a.group else a for a, day in zip(first, firsts)]
    waiting = [i for i, a in enumerate(first) if a.group is None and may_become_eligible(live, a)]
    for offset in range(1, HORIZON_MONTHS + 1, _STEP):
        if not waiting:
            break
        months = range(offset, min(offset + _STEP, HORIZON_MONTHS + 1))
        people = [(i, start_window.add_months(firsts[i], k)) for i in waiting for k in months]
        later = assign(live, [employees[i] for i, _ in people], [day for _, day in people], groups=groups,
                       today=today)
        found = {}
        for (i, day), assignment in zip(people, later):
            if assignment.group is not None and i not in found:
                found[i] = Assignment(assignment.group, assignment.reason, first[i].explanation, day)
        for i, result in found.items():
            results[i] = result
        waiting = [i for i in waiting if i not in found]
    return results
