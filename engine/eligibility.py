"""Tariff groups for employees by the tenant's rules, each refusal explained."""
import datetime
from dataclasses import asdict, dataclass, is_dataclass

from rules.evaluate import check_eligibility, evaluate


@dataclass(frozen=True)
class Assignment:
    group: str | None
    reason: str  # rule | file | eligibility | none
    explanation: dict


def employee_facts(row, start_date):
    data = asdict(row) if is_dataclass(row) else dict(row)
    employee = {k: data.get(k) for k in ("personnel_number", "first_name", "last_name", "birth_date", "gender",
                                         "employment_type", "employment_start", "weekly_hours", "postal_code",
                                         "city")}
    employee["tariff_group"] = data.get("tariff_group") or ""
    return {"employee": employee, "contract": {"start_date": start_date}, "today": datetime.date.today()}


def _group_by_name(live, text, offered):
    wanted = (text or "").strip().lower()
    for group in live.doc["tariff_groups"]:
        names = {group["id"].lower(), group["name"]["de"].lower(), group["name"]["en"].lower()}
        if wanted in names and group["id"] in offered:
            return group["id"]
    return None


def _failures(check):
    return [{"rule": f.rule_id, "reason": dict(f.texts), "seen": {k: str(v) for k, v in f.seen.items()}}
            for f in check.failures]


def assign(live, employees, start_date, groups=None):
    offered = [g["id"] for g in live.doc["tariff_groups"] if groups is None or g["id"] in groups]
    facts = [employee_facts(e, start_date) for e in employees]
    decisions = evaluate(live.compiled.rules["employee"], facts)
    checks = check_eligibility([(g, live.compiled.eligibility[g]) for g in offered], facts)
    results = []
    for employee, fact, decision, check in zip(employees, facts, decisions, checks):
        explanation = {"groups": {c.group_id: _failures(c) for c in check.checks},
                       "rejected": [{"rule": o.rule_id, "reason": dict(o.texts)} for o in decision.of_kind("reject")]}
        eligible = {c.group_id for c in check.checks if c.eligible}
        if explanation["rejected"]:
            results.append(Assignment(None, "rule", explanation))
            continue
        by_rule = decision.assigned
        if by_rule in offered and by_rule in eligible:
            results.append(Assignment(by_rule, "rule", explanation))
            continue
        by_file = _group_by_name(live, fact["employee"]["tariff_group"], offered)
        if by_file in eligible:
            results.append(Assignment(by_file, "file", explanation))
            continue
        first = next((g for g in offered if g in eligible), None)
        results.append(Assignment(first, "eligibility" if first else "none", explanation))
    return results
