"""What a tenant's rules read and require, checked against what the platform gives them.

- Every fact a condition, a named value or a text reads is one the platform gives at that point
  (rules.facts.facts_at); an unknown one, e.g. a typo such as employee.tarif_group, is an error
  with a "did you mean".
- Tariff groups are drawn only by lawful criteria (rules.facts.LAWFUL_CRITERIA, an allow-list):
  eligibility and the rules on employees may read nothing else. A criterion by age needs an
  `age_justification` (AGG § 10), else it is a warning.
- `require:` names a field of the form filled in at that point.
- Rules on `contract` and `event` are not evaluated by the platform: a warning says so.
"""
from __future__ import annotations

import difflib
import re

from rules.conditions import OPERATORS
from rules.facts import AGE_FACTS, FACTS_AT, LAWFUL_CRITERIA, facts_at, path_problem

from tenants.problems import Problem, warning

DATE_PAIRS = ("age", "insurance_age", "months_between")
AGE_KEYS = ("age", "insurance_age")
DECIDING = ("assign", "reject")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
NOT_EVALUATED = {
    "contract": "rules on contract are not evaluated by the platform yet: this rule never fires; check the "
                "application with application_form fields (required, pattern, min, max) instead",
    "event": "rules on event are not evaluated by the platform: this rule never fires; write it under "
             "business_events[].preconditions of the event it is about",
}


def rule_problems(document, file, compiled) -> list[Problem]:
    """Every problem of the facts and fields the tenant's rules use (see the module's docstring)."""
    doc = document.data
    check = _Checker(document, file)
    event_fields = {event["type"]: _names(compiled.event_forms.get(event["type"])) for event in doc["business_events"]}
    every_event_field = sorted({name for names in event_fields.values() for name in names})

    for index, group in enumerate(doc["tariff_groups"]):
        for position, item in enumerate(group.get("eligibility", [])):
            base = ["tariff_groups", index, "eligibility", position]
            check.rule(base, item, "require", "eligibility", criterion=True, deciding=True, texts=["reason"])

    for index, rule in enumerate(doc.get("rules", [])):
        base, point = ["rules", index], rule["on"]
        fields = every_event_field if point == "event" else ()
        deciding = point == "employee" and next(iter(rule["then"])) in DECIDING
        check.rule(base, rule, "when", point, criterion=point == "employee", deciding=deciding,
                   event_fields=fields)
        if point in NOT_EVALUATED:
            check.found.append(warning(file, document.line_of(base + ["on"]), base + ["on"], NOT_EVALUATED[point]))
        form = {"event": every_event_field, "contract": _names(compiled.application_form)}.get(point)
        check.required_field(base, rule, form, f"rules on {point}")

    for index, event in enumerate(doc["business_events"]):
        fields = event_fields[event["type"]]
        for position, rule in enumerate(event.get("preconditions", [])):
            base = ["business_events", index, "preconditions", position]
            check.rule(base, rule, "when", "event", criterion=False, deciding=False, event_fields=fields)
            if compiled.event_forms.get(event["type"]) is not None:  # else its compile error is reported
                check.required_field(base, rule, fields, f"the {event['type']} form")
    return check.found


def _names(form):
    return list(form.names) if form is not None else []


class _Checker:
    def __init__(self, document, file):
        self.document, self.file, self.found = document, file, []

    def problem(self, path, message, level_warning=False):
        make = warning if level_warning else Problem
        self.found.append(make(self.file, self.document.line_of(path), list(path), message))

    def rule(self, base, item, condition_key, point, *, criterion, deciding, event_fields=(), texts=None):
        """Check the facts one rule (or eligibility entry) reads in its condition, values and texts."""
        known = facts_at(point, event_fields)
        reads = list(condition_reads(item.get(condition_key), base + [condition_key]))
        for name, value in (item.get("values") or {}).items():
            reads += condition_reads(value, base + ["values", name])
        by_age = None
        for path, fact, key in reads:
            if path_problem(fact):
                continue  # malformed: the rules compiler reports it
            typo = fact not in known and _nearest(fact, known)
            if criterion and fact not in LAWFUL_CRITERIA and not typo:
                self.problem(path, f"{fact} may not decide who is in a tariff group: groups are drawn by objective "
                                   "criteria only (function, length of service, working time, residence, age with a "
                                   f"justification); lawful are {', '.join(sorted(LAWFUL_CRITERIA))}")
            elif fact not in known:
                self.problem(path, _unknown(fact, point, known))
            elif deciding and by_age is None and (key in AGE_KEYS or fact in AGE_FACTS):
                by_age = path
        if by_age is not None and not item.get("age_justification"):
            self.problem(by_age, "a criterion by age needs a justification (AGG § 10: a legitimate aim, and "
                                 "appropriate and necessary means); write it under age_justification: of this "
                                 "entry", level_warning=True)
        text_keys = texts or [f"then.{outcome}" for outcome in ("reject", "warn") if outcome in item.get("then", {})]
        names = set(item.get("values") or {})
        for text_key in text_keys:
            text_path = base + text_key.split(".")
            texts_data = _at(item, text_key.split("."))
            for language, text in (texts_data or {}).items():
                for fact in placeholders(text):
                    if fact not in names and "." in fact and not path_problem(fact) and fact not in known:
                        self.problem(text_path + [language], "placeholder {%s}: %s" % (fact, _unknown(fact, point,
                                                                                                      known)))

    def required_field(self, base, rule, form, where):
        """`then: {require: name}` must name a field of the form filled in at that point."""
        name = (rule.get("then") or {}).get("require")
        if name is None:
            return
        path = base + ["then", "require"]
        if form is None:
            self.problem(path, f"require names a form field, but {where} have no form to fill in; use reject "
                               "with a text instead")
            return
        if name not in form:
            hint = difflib.get_close_matches(name, form, n=1)
            self.problem(path, f"unknown field '{name}' in {where}" +
                         (f"; did you mean '{hint[0]}'?" if hint else f"; its fields are {', '.join(form)}"))


def _at(data, keys):
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _unknown(fact, point, known) -> str:
    """The message for a fact the platform does not give at `point`, with the nearest one."""
    where = "in eligibility" if point == "eligibility" else f"to rules on {point}"
    hint = _nearest(fact, known)
    if hint:
        return f"unknown fact {fact}; did you mean {hint}?"
    elsewhere = [other for other in FACTS_AT if other != "eligibility" and fact in facts_at(other)]
    if elsewhere:
        return f"{fact} is not given {where} (only to rules on {', '.join(elsewhere)})"
    namespace = fact.split(".")[0]
    same = sorted(path for path in known if path.startswith(namespace + "."))
    listed = f"; known {namespace} facts here: {', '.join(same)}" if same else \
        f"; no {namespace} facts are given {where}"
    return f"unknown fact {fact}{listed}"


def _nearest(fact, known):
    """The known fact `fact` is most likely a typo of, or None."""
    hint = difflib.get_close_matches(fact, list(known), n=1, cutoff=0.8)
    return hint[0] if hint else None


def condition_reads(data, path):
    """(document path, fact path, value key) of every fact a condition or named value reads."""
    if not isinstance(data, dict):
        return
    for key, inner in data.items():
        if key in ("all", "any") and isinstance(inner, list):
            for index, child in enumerate(inner):
                yield from condition_reads(child, path + [key, index])
        elif key == "not":
            yield from condition_reads(inner, path + [key])
        elif key in ("fact", "day_of_month") and isinstance(inner, str):
            yield path + [key], inner, key
        elif key in DATE_PAIRS + ("sum",) and isinstance(inner, list):
            for index, item in enumerate(inner):
                if isinstance(item, str):
                    yield path + [key, index], item, key
        elif key in OPERATORS and isinstance(inner, dict) and isinstance(inner.get("fact"), str):
            yield path + [key, "fact"], inner["fact"], "fact"


def placeholders(text):
    """The names in braces of a rule text ({{ and }} are literal braces)."""
    if not isinstance(text, str):
        return []
    return [match.group(1).strip() for match in _PLACEHOLDER.finditer(text) if match.group(1) is not None]
