"""A tenant's own test cases (tests.yaml, read by tenants/cases.py) run through the platform's
eligibility, pricing and rules, the code that decides for real employees and offers; each failing
case is a Problem at the line of the expectation it missed. `bkv tenants check` and
`bkv tenants load` run them: a tenant whose cases fail does not go live. A stored version keeps its
tests.yaml, so a draft can be tried on its cases again before it is activated (run_version)."""
import datetime
import pathlib
import re
from dataclasses import dataclass
from decimal import Decimal

from rules.evaluate import evaluate
from rules.facts import KNOWN_KINDS, NUMBER
from tenants import loader
from tenants.cases import NO_GROUP, TESTS_FILE, case_date, read_cases
from tenants.event_kinds import event_kinds
from tenants.problems import Problem

from engine import checks, eligibility, pricing, registry
from engine.errors import DomainError
from engine.models import TenantVersion

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def run(tenant, live=None) -> list[Problem]:
    """The failures of the cases of a loaded tenant (tenants.loader.Tenant); [] without tests.yaml."""
    document = tenant.tests
    if document is None:
        return []
    live = live or registry.unstored(tenant)
    cases = _Cases(document, str(tenant.folder / TESTS_FILE), live)
    batches = {}
    for index, case in enumerate(document.data["cases"]):
        if "employee" in case:
            key = (case_date(document, index, "start_date"), case_date(document, index, "today"),
                   tuple(case.get("groups") or ()))
            batches.setdefault(key, []).append(index)
        else:
            cases.rules(index, case)
    for (start, today, groups), indices in batches.items():  # one engine batch per start, day and offer
        people = [document.data["cases"][index]["employee"] for index in indices]
        assignments = eligibility.assign(live, people, start, groups=list(groups) or None, today=today)
        for index, assignment in zip(indices, assignments):
            cases.employee(index, document.data["cases"][index], start, today, assignment)
    return sorted(cases.found, key=lambda problem: problem.line or 0)


@dataclass(frozen=True)
class VersionRun:
    """A stored version's own cases run: `stored` whether a tests.yaml was kept with it, `cases` how many
    ran, `failures` the Problems of those that failed (file: <slug>@<digest>/tests.yaml)."""
    stored: bool
    cases: int
    failures: tuple

    @property
    def failing(self):
        """How many cases failed (a case may miss several expectations)."""
        return len({problem.path[1] for problem in self.failures if len(problem.path) > 1})

    @property
    def passed(self):
        return self.stored and not self.failures


def run_version(version_id) -> VersionRun:
    """Run the cases kept with a stored version (its tests.yaml at load time) against that version, as
    the engine decides today: what an administrator tries before activating a draft."""
    row = TenantVersion.get_by_id(version_id)
    text = row.snapshot.get("tests")
    if text is None:  # loaded without a tests.yaml, or before versions kept theirs
        return VersionRun(False, 0, ())
    live = registry.version(version_id)
    folder = pathlib.Path(f"{row.tenant_id}@{row.digest[:12]}")
    document, problems = read_cases({TESTS_FILE: text.encode("utf-8")}, folder, live.doc)
    if document is None:  # no longer sound against the platform (e.g. a platform rule it names is gone)
        return VersionRun(True, 0, tuple(problems))
    tenant = loader.Tenant(id=row.tenant_id, folder=folder, doc=live.doc, digest=row.digest, files={}, tests=document)
    return VersionRun(True, len(document.data["cases"]), tuple(run(tenant, live)))


class _Cases:
    def __init__(self, document, file, live):
        self.document, self.file, self.live, self.found = document, file, live, []

    def fail(self, index, where, message):
        path = ["cases", index, "expect"] + where
        name = self.document.data["cases"][index]["name"]
        self.found.append(Problem(self.file, self.document.line_of(path), path, f"case '{name}': {message}"))

    def employee(self, index, case, start, today, assignment):
        expect, explanation = case["expect"], assignment.explanation
        got = assignment.group or NO_GROUP
        if "group" in expect and expect["group"] != got:
            self.fail(index, ["group"], f"expected group {expect['group']}, got {got}"
                                        f"{_why(expect['group'], assignment)}")
        if "excluded_by" in expect and assignment.group is None:
            excluded = [item["rule"] for item in explanation["rejected"]] or sorted(
                {failure["rule"] for failures in explanation["groups"].values() for failure in failures})
            if set(expect["excluded_by"]) != set(excluded):
                self.fail(index, ["excluded_by"], f"expected excluded by {_list(expect['excluded_by'])}, got "
                                                  f"{_list(excluded)}")
        if "warnings" in expect:
            warned = [item["rule"] for item in explanation["warnings"]]
            if set(expect["warnings"]) != set(warned):
                self.fail(index, ["warnings"], f"expected warnings {_list(expect['warnings'])}, got {_list(warned)}")
        if assignment.group is None:
            return
        facts = eligibility.employee_facts(case["employee"], start, today)["employee"]
        person = pricing.Person(birth_date=facts["birth_date"], family_members=case.get("family_members", 0),
                                employment_type=facts.get("employment_type") or pricing.OFFER_EMPLOYMENT_TYPE,
                                insured_count=case.get("insured_count", self.live.settings.min_insured))
        offered = self.live.groups[assignment.group]["tariffs"]
        for tariff, amount in expect.get("premiums", {}).items():
            if tariff not in offered:
                self.fail(index, ["premiums", tariff], f"group {assignment.group} does not offer {tariff} "
                                                       f"(it offers {', '.join(offered)})")
                continue
            try:
                premium = pricing.premium(self.live, tariff, assignment.group, person, start)
            except DomainError as error:
                self.fail(index, ["premiums", tariff], f"premium of {tariff}: {error.text['en']}")
                continue
            if premium != Decimal(amount):
                self.fail(index, ["premiums", tariff],
                          f"expected a premium of {amount} for {tariff}, got {premium} (group {assignment.group}, "
                          f"start {start.isoformat()}, birth date {_date(facts['birth_date'])}, family_members "
                          f"{person.family_members})")

    def rules(self, index, case):
        facts = _typed(case["facts"])
        today = case_date(self.document, index, "today")
        if today is not None:
            facts["today"] = today
        if "preconditions" in case:  # the event's facts as engine/events.py gives them
            event = facts.setdefault("event", {})
            event.setdefault("type", case["preconditions"])
            event.setdefault("effective_date", event.get(event_kinds()[case["preconditions"]].effective_date))
            own = self.live.compiled.preconditions[case["preconditions"]]
        else:
            own = self.live.compiled.rules[case["rules"]]
        decisions = evaluate(checks.platform_rules(self.live), [facts]) + evaluate(own, [facts])
        fired = [(outcome.rule_id, outcome.texts.get("en", "")) for decision in decisions
                 for outcome in decision.outcomes]
        expected = case["expect"].get("fired")
        if expected is not None and set(expected) != {rule for rule, _ in fired}:
            said = "; ".join(f"{rule}: {text}" if text else rule for rule, text in fired)
            self.fail(index, ["fired"], f"expected {_list(expected)} to fire, got {_list([r for r, _ in fired])}"
                                        + (f" ({said})" if said else ""))


def _why(expected, assignment):
    """Why the employee is not in the expected group: its failed requirements, or who chose another."""
    explanation = assignment.explanation
    if explanation["rejected"]:
        return " (rejected by " + ", ".join(item["rule"] for item in explanation["rejected"]) + ")"
    failures = explanation["groups"].get(expected)
    if failures:
        return f" ({expected} requires " + "; ".join(f"{f['rule']}: {f['reason'].get('en', '')}" for f in failures) + ")"
    if expected != NO_GROUP and expected not in explanation["groups"]:
        return f" ({expected} is not among the offered groups)"
    assigned = [item["rule"] for item in explanation["assigned"] if item["group"] == assignment.group]
    by = {"rule": "assigned by rule " + ", ".join(assigned), "file": "the file's tariff_group names it",
          "eligibility": "the first eligible group in the tenant's order"}[assignment.reason]
    return f" ({by})" if assignment.group else ""


def _typed(facts):
    """Case facts as the engine has them: ISO dates as dates, numbers of number facts as Decimal."""
    typed = {}
    for namespace, values in facts.items():
        typed[namespace] = {}
        for name, value in values.items():
            if isinstance(value, str) and _ISO_DATE.match(value):
                try:
                    value = datetime.date.fromisoformat(value)
                except ValueError:
                    pass
            elif isinstance(value, str) and KNOWN_KINDS.get(f"{namespace}.{name}") == NUMBER:
                try:
                    value = Decimal(value)
                except ArithmeticError:
                    pass
            typed[namespace][name] = value
    return typed


def _list(ids):
    return "[" + ", ".join(ids) + "]"


def _date(value):
    return value.isoformat() if value else "missing"
