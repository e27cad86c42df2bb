"""A tenant's own test cases (tests.yaml beside tenant.yaml): read, schema-checked and checked
against the tenant document. Running them needs the engine's eligibility and pricing, so the engine
does that (engine/tenant_cases.py); here everything that can be said without running.

Why a file of its own rather than a `tests:` section: the tenant document stays what the platform
runs, a review sees at once whether a change touched the tariffs or only their tests, and the cases
(often many) do not count against the 1 MB of tenant.yaml.
"""
from __future__ import annotations

import datetime
import functools
import json
from pathlib import Path

import jsonschema

from rules.platform import load_platform_rules

from tenants.problems import Problem, TenantError
from tenants.safe_yaml import YamlDocument, parse_yaml
from tenants.schema import explain

TESTS_FILE = "tests.yaml"
SCHEMA_FILE = Path(__file__).with_name("tests.schema.json")
NO_GROUP = "none"
EMPLOYEE_EXPECT = ("group", "excluded_by", "premiums", "warnings")
RULE_EXPECT = ("fired",)


@functools.cache
def _validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


@functools.cache
def _platform_rule_ids():
    return [rule.id for rule in load_platform_rules().rules]


def tests_schema() -> dict:
    """The JSON Schema of tests.yaml (for editors, as tenants/schema.json is for tenant.yaml)."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def read_cases(files: dict, folder: Path, doc: dict) -> tuple[YamlDocument | None, list[Problem]]:
    """The tests.yaml of a tenant (None when it has none) and its problems; a document with
    problems is not returned, so the engine only ever runs sound cases."""
    if TESTS_FILE not in files:
        return None, []
    file = str(folder / TESTS_FILE)
    try:
        document = parse_yaml(files[TESTS_FILE], file)
    except TenantError as error:
        return None, error.problems
    if not isinstance(document.data, dict):
        return None, [Problem(file, 1, [], "found a single value or a list, expected a mapping with cases:")]
    problems = []
    for error in _validator().iter_errors(document.data):
        path, message = explain(error)
        problems.append(Problem(file, document.line_of(path), path, message))
    if problems:
        return None, sorted(problems, key=lambda p: p.line or 0)
    problems = _CaseChecks(document, file, doc).run()
    return (None if problems else document), problems


def case_date(document, index, key) -> datetime.date | None:
    """A case's start_date (or the file's) or today (default: its start date)."""
    case = document.data["cases"][index]
    text = case.get(key) or (case.get("start_date") or document.data.get("start_date")
                             if key in ("today", "start_date") else None)
    return datetime.date.fromisoformat(text) if text else None


class _CaseChecks:
    def __init__(self, document, file, doc):
        self.document, self.file, self.doc, self.found = document, file, doc, []
        self.groups = [group["id"] for group in doc["tariff_groups"]]
        self.tariffs = {tariff["id"] for tariff in doc["tariffs"]}
        rules = doc.get("rules", [])
        self.eligibility = {item["id"] for group in doc["tariff_groups"] for item in group.get("eligibility", [])}
        self.employee_rules = {rule["id"]: next(iter(rule["then"])) for rule in rules if rule["on"] == "employee"}
        self.platform = _platform_rule_ids()
        self.offer_rules = [rule["id"] for rule in rules if rule["on"] == "offer"] + self.platform
        self.events = {event["type"]: [rule["id"] for rule in event.get("preconditions", [])] + self.platform
                       for event in doc["business_events"]}

    def problem(self, path, message):
        self.found.append(Problem(self.file, self.document.line_of(path), list(path), message))

    def run(self):
        for index, case in enumerate(self.document.data["cases"]):
            self.case(["cases", index], case, index)
        return self.found

    def case(self, base, case, index):
        kinds = [key for key in ("employee", "rules", "preconditions") if key in case]
        if len(kinds) != 1:
            self.problem(base, "a case has exactly one of employee: (an employee's group and premiums), "
                               "rules: offer or preconditions: <event type> (with facts:)")
            return
        for key in ("start_date", "today"):
            if key in case or (key == "start_date" and "start_date" in self.document.data):
                try:
                    case_date(self.document, index, key)
                except ValueError:
                    self.problem(base + [key] if key in case else ["start_date"], "not a date such as 2027-01-01")
                    return
        if case_date(self.document, index, "start_date") is None and kinds[0] == "employee":
            self.problem(base, "the case needs a start_date (here or at the top of the file)")
        expect = case["expect"]
        allowed, what = (EMPLOYEE_EXPECT, "an employee") if kinds[0] == "employee" else (RULE_EXPECT, "a rule")
        for key in expect:
            if key not in allowed:
                self.problem(base + ["expect", key], f"{key} is not expected of {what} case; expect here: "
                                                     f"{', '.join(allowed)}")
        if kinds[0] == "employee":
            self.employee_case(base, case)
        else:
            if "facts" not in case:
                self.problem(base, f"a case with {kinds[0]}: needs facts:")
            if kinds[0] == "preconditions" and case["preconditions"] not in self.events:
                self.problem(base + ["preconditions"], f"unknown business event '{case['preconditions']}'; the "
                                                       f"tenant supports {', '.join(self.events)}")
                return
            known = self.offer_rules if kinds[0] == "rules" else self.events[case["preconditions"]]
            self.ids(base + ["expect", "fired"], expect.get("fired", []), known, "rule")

    def employee_case(self, base, case):
        if "facts" in case:
            self.problem(base + ["facts"], "an employee case gives the employee's facts under employee:")
        expect = case["expect"]
        self.ids(base + ["groups"], case.get("groups", []), self.groups, "tariff group")
        group = expect.get("group")
        if group is not None and group != NO_GROUP and group not in self.groups:
            self.problem(base + ["expect", "group"], f"unknown tariff group '{group}'; expected one of "
                                                     f"{', '.join(self.groups)} or {NO_GROUP}")
        if "excluded_by" in expect and group not in (None, NO_GROUP):
            self.problem(base + ["expect", "excluded_by"], "excluded_by is for an employee who gets no group "
                                                           f"(group: {NO_GROUP})")
        self.ids(base + ["expect", "excluded_by"], expect.get("excluded_by", []),
                 sorted(self.eligibility) + [r for r, kind in self.employee_rules.items() if kind == "reject"],
                 "eligibility entry or reject rule")
        self.ids(base + ["expect", "warnings"], expect.get("warnings", []),
                 [r for r, kind in self.employee_rules.items() if kind == "warn"], "employee rule that warns")
        if "premiums" in expect and group in (None, NO_GROUP):
            self.problem(base + ["expect", "premiums"], "premiums are priced in a group: expect a group too")
        for tariff in expect.get("premiums", {}):
            if tariff not in self.tariffs:
                self.problem(base + ["expect", "premiums", tariff], f"unknown tariff '{tariff}'; expected one of "
                                                                    f"{', '.join(sorted(self.tariffs))}")

    def ids(self, path, given, known, what):
        for position, value in enumerate(given):
            if value not in known:
                self.problem(path + [position], f"unknown {what} '{value}'; known: {', '.join(known) or 'none'}")
