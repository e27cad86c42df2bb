"""Every premium of a tenant: each tariff at every age from 15 to 99, in every group that offers it,
with every family count it allows, and, where its formula reads them, every employment type the
group admits and the insured counts where a table changes; and what the checker says about them.

Errors: a premium that cannot be calculated or is negative. Warnings: a premium of 0, a premium
that falls with age (unless the tariff declares `premium.may_fall_with_age`), and a rise from one
age to the next above `checks.max_step_factor` (a typo such as 129.00 for 12.90). A formula is
evaluated once per distinct input: one that reads no age is priced at one age, one that reads no
group once for all groups.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from rules import catalogue
from rules.dates import AGE_INPUTS
from rules.errors import RuleError
from rules.formulas import money

from tenants.problems import Problem, warning

AGES = range(15, 100)          # trainees start at 15; premiums must be known up to 99
TRAINEE_AGES = range(15, 18)
DEFAULT_STEP_FACTOR = Decimal(2)
DEFAULT_FAMILY_MEMBERS = 6
DEFAULT_MAX_INSURED = 1000     # the largest insured count swept unless checks.max_insured_count says
EMPLOYEE_ROLE = "employee"     # `role` of the employee's own premium; a family member's is spouse | child


@dataclass(frozen=True)
class Case:
    """One priced combination; `premium` is the monthly amount in cents, or None with `failure`."""

    tariff: str
    group: str
    family_members: int
    age: int
    premium: Decimal | None
    failure: str | None = None
    role: str = ""  # a family member's premium: spouse | child
    employment_type: str = ""  # only where the formula reads it
    insured_count: int = 0     # only where the formula reads it (0: not read)

    def describe(self) -> str:
        if self.role:
            return f"age {self.age}, group '{self.group}', role {self.role}{self.variant()}"
        return f"age {self.age}, group '{self.group}', family_members {self.family_members}{self.variant()}"

    def variant(self) -> str:
        """', employment_type parttime, insured_count 10' as far as the formula reads them."""
        return (f", employment_type {self.employment_type}" if self.employment_type else "") + \
            (f", insured_count {self.insured_count}" if self.insured_count else "")

    @property
    def line(self):
        """What one line of premiums by age shares: all but the age."""
        return self.group, self.family_members, self.role, self.employment_type, self.insured_count


def family_counts(doc, tariff) -> range:
    """The family counts priced for a tariff: 0 only, or 0 up to checks.max_family_members."""
    if not tariff.get("family_members"):
        return range(0, 1)
    return range(0, (doc.get("checks") or {}).get("max_family_members", DEFAULT_FAMILY_MEMBERS) + 1)


def groups_offering(doc, tariff_id) -> list[str]:
    """The ids of the groups that offer a tariff, in document order ("" when none does)."""
    return [g["id"] for g in doc["tariff_groups"] if tariff_id in g["tariffs"]] or [""]


def employment_types(group_id="", eligibility=None) -> list[str]:
    """The employment types (the employee catalogue's options) a group admits: all of them, less those
    a requirement of the group's eligibility that reads only the employment type refuses."""
    field = next(f for f in catalogue.load("employee") if f.name == "employment_type")
    types = [value for value, _ in field.spellings]
    ruleset = (eligibility or {}).get(group_id)
    if ruleset is None:
        return types
    alone = [rule.condition for rule in ruleset.rules if set(rule.condition.paths) == {"employee.employment_type"}]
    return [kind for kind in types
            if all(condition.holds({"employee": {"employment_type": kind}}) for condition in alone)]


def insured_counts(doc, tariff) -> list[int]:
    """The insured counts swept: settings.min_insured, checks.max_insured_count (default 1000) and
    each limit of the tariff's tables between them with its neighbours, so every band is priced."""
    low = int(doc["settings"].get("min_insured", 1))
    high = max(low, int((doc.get("checks") or {}).get("max_insured_count", DEFAULT_MAX_INSURED)))
    limits = set()
    for table in _tables_of(tariff):
        for row in table.get("bands") or []:
            limits.update(_whole(row.get("from")), _whole(row.get("to")))
        for row in table.get("rows") or []:
            for cell in row.values() if isinstance(row, dict) else ():
                if isinstance(cell, dict):
                    limits.update(_whole(cell.get("from")), _whole(cell.get("to")))
    near = {number + step for number in limits for step in (-1, 0, 1)}
    return sorted({low, high} | {number for number in near if low <= number <= high})


def _tables_of(tariff):
    premium = tariff.get("premium") or {}
    yield from (premium.get("tables") or {}).values()
    for change in premium.get("changes") or []:
        yield from (change.get("tables") or {}).values()
    yield from ((tariff.get("family_premium") or {}).get("tables") or {}).values()


def _whole(value):
    return {value} if isinstance(value, int) and not isinstance(value, bool) else set()


def price_tariff(doc, tariff, formula, reads=frozenset(), eligibility=None) -> list[Case]:
    """Every Case of one tariff, ordered by group, family count, employment type, insured count, age.
    `reads`: inputs to sweep as if the formula read them (a diff sweeps both sides alike)."""
    names = formula.names | reads
    groups = groups_offering(doc, tariff["id"])
    reads_age, reads_group = bool(names & AGE_INPUTS), "group" in names
    reads_family = "family_members" in names
    counts = insured_counts(doc, tariff) if "insured_count" in names else [0]
    results = {}
    cases = []
    for group in groups:
        types = employment_types(group, eligibility) if "employment_type" in names else [""]
        for members in family_counts(doc, tariff):
            for kind in types:
                for count in counts:
                    for age in AGES:
                        key = (group if reads_group else "", members if reads_family else 0, kind, count,
                               age if reads_age else 0)
                        if key not in results:
                            results[key] = _evaluate(formula, dict(
                                dict.fromkeys(AGE_INPUTS, age), tariff=tariff["id"], group=group,
                                family_members=members, budget=tariff.get("budget", 0), role=EMPLOYEE_ROLE,
                                employment_type=kind, insured_count=count))
                        premium, failure = results[key]
                        cases.append(Case(tariff["id"], group, members, age, premium, failure, "", kind, count))
    return cases


def premiums(doc, formulas, reads=None, eligibility=None) -> dict:
    """{(tariff, group, family_members, age, employment_type, insured_count): Decimal or None} of every
    tariff with a formula ("" and 0 where the formula reads no employment type or insured count).
    `reads`: {tariff id: inputs to sweep as if read}."""
    grid = {}
    for tariff in doc["tariffs"]:
        formula = formulas.get(tariff["id"])
        if formula is not None:
            for case in price_tariff(doc, tariff, formula, (reads or {}).get(tariff["id"], frozenset()),
                                     eligibility):
                grid[(case.tariff, case.group, case.family_members, case.age, case.employment_type,
                      case.insured_count)] = case.premium
    return grid


def _evaluate(formula, values):
    try:
        result = formula.evaluate(values)
    except RuleError as error:
        return None, error.message
    except Exception as error:  # noqa: BLE001 - any failure of a formula is the author's to fix
        return None, str(error) or type(error).__name__
    return money(result), None


def sweep_problems(document, file, formulas, family_formulas=None, eligibility=None) -> list[Problem]:
    """The problems of every premium of every tariff (see the module's docstring), and of every
    family premium (family_problems). `eligibility`: {group id: RuleSet}, for the employment types
    each group admits."""
    doc, found = document.data, family_problems(document, file, family_formulas or {}, eligibility)
    factor, factor_problem = _step_factor(document, file)
    found += factor_problem
    for index, tariff in enumerate(doc["tariffs"]):
        formula = formulas.get(tariff["id"])
        if formula is None:
            continue  # its compile error is reported
        found += _formula_problems(document, file, tariff, formula, ["tariffs", index, "premium", "formula"], factor,
                                   eligibility)
    return found


def change_problems(document, file, formulas, premium_changes, eligibility=None) -> list[Problem]:
    """The problems of every premium of each dated change (`premium.changes`), swept as the main
    formula (`formulas`: the main ones by tariff id; `premium_changes`: {tariff id: [(valid_from,
    Formula)]} of the compiled tenant); a problem the entry before has already is not said again."""
    found, factor = [], _step_factor(document, file)[0]
    for index, tariff in enumerate(document.data["tariffs"]):
        compiled = dict(premium_changes.get(tariff["id"], ()))
        before = _messages(document, file, tariff, formulas.get(tariff["id"]), factor, eligibility)
        for position, change in enumerate(tariff["premium"].get("changes", [])):
            formula = compiled.get(_day(change.get("valid_from")))
            if formula is None:
                continue  # its compile error or its date is reported
            path = ["tariffs", index, "premium", "changes", position, "formula"]
            problems = _formula_problems(document, file, tariff, formula, path, factor, eligibility)
            # what it keeps from the entry before (a formula failing at 40) is said there, once
            found += [problem for problem in problems if problem.message not in before]
            before = {problem.message for problem in problems}
    return found


def _messages(document, file, tariff, formula, factor, eligibility=None):
    return set() if formula is None else {
        problem.message for problem in _formula_problems(document, file, tariff, formula, [], factor, eligibility)}


def _day(text):
    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        return None


def _formula_problems(document, file, tariff, formula, path, factor, eligibility=None):
    """The problems of one premium formula of a tariff, written at `path`."""
    found, line = [], document.line_of(path)
    if "family_members" in formula.names and not tariff.get("family_members"):
        found.append(Problem(file, line, path, "the formula uses 'family_members', but this tariff allows no "
                                               "family members; set family_members: true on the tariff or "
                                               "remove the family part from the formula"))
    return found + _case_problems(file, line, path, tariff,
                                  price_tariff(document.data, tariff, formula, eligibility=eligibility), factor)


FAMILY_AGES = range(0, 100)   # children from birth; spouses of any age
FAMILY_ROLES = ("spouse", "child")


def family_problems(document, file, family_formulas, eligibility=None) -> list[Problem]:
    """A family premium must be calculable and not negative for a spouse and a child at every age
    from 0 to 99 in every group offering the tariff (and every employment type and insured count, as
    for the tariff's own premium, where it reads them); falls with age and steep rises are warned as
    for the tariff's own premium."""
    doc, found = document.data, []
    factor = _step_factor(document, file)[0]
    for index, tariff in enumerate(doc["tariffs"]):
        formula = family_formulas.get(tariff["id"])
        if formula is None:
            continue
        path = ["tariffs", index, "family_premium", "formula"]
        found += _case_problems(file, document.line_of(path), path, {"premium": tariff["family_premium"]},
                                price_family(doc, tariff, formula, eligibility=eligibility), factor)
    return found


def price_family(doc, tariff, formula, reads=frozenset(), eligibility=None) -> list[Case]:
    """Every Case of one tariff's family premium: each group offering it, role spouse and child, every
    employment type and insured count where read (or in `reads`), every age from 0 to 99."""
    names = formula.names | reads
    counts = insured_counts(doc, tariff) if "insured_count" in names else [0]
    cases = []
    for group in groups_offering(doc, tariff["id"]):
        types = employment_types(group, eligibility) if "employment_type" in names else [""]
        for role in FAMILY_ROLES:
            for kind in types:
                for count in counts:
                    for age in FAMILY_AGES:
                        premium, failure = _evaluate(formula, dict(
                            dict.fromkeys(AGE_INPUTS, age), role=role, tariff=tariff["id"], group=group,
                            budget=tariff.get("budget", 0), employment_type=kind, insured_count=count))
                        cases.append(Case(tariff["id"], group, 0, age, premium, failure, role, kind, count))
    return cases


def family_premiums(doc, family_formulas, reads=None, eligibility=None) -> dict:
    """{(tariff, group, role, age, employment_type, insured_count): Decimal or None} of every family
    premium ("" and 0 where not read); `reads` as for premiums."""
    grid = {}
    for tariff in doc["tariffs"]:
        formula = family_formulas.get(tariff["id"])
        if formula is not None:
            for case in price_family(doc, tariff, formula, (reads or {}).get(tariff["id"], frozenset()), eligibility):
                grid[(case.tariff, case.group, case.role, case.age, case.employment_type,
                      case.insured_count)] = case.premium
    return grid


def _step_factor(document, file):
    raw = (document.data.get("checks") or {}).get("max_step_factor")
    if raw is None:
        return DEFAULT_STEP_FACTOR, []
    factor = Decimal(raw)
    if factor <= 1:
        path = ["checks", "max_step_factor"]
        return DEFAULT_STEP_FACTOR, [Problem(file, document.line_of(path), path,
                                             f"found '{raw}', expected a factor above 1 such as \"1.5\"")]
    return factor, []


def _case_problems(file, line, path, tariff, cases, factor):
    found = []
    failed = [case for case in cases if case.failure is not None]
    if failed:
        first = failed[0]
        message = f"premium cannot be calculated for {first.describe()}: {first.failure}"
        message += _where(failed, cases)
        failing_ages = {case.age for case in failed}
        if failing_ages & set(TRAINEE_AGES) and failing_ages != set(AGES):
            message += "; trainees are insured from age 15, so ages 15 to 17 must be priceable"
        found.append(Problem(file, line, path, message))
    negative = [case for case in cases if case.premium is not None and case.premium < 0]
    if negative:
        first = negative[0]
        found.append(Problem(file, line, path, f"premium is negative ({first.premium}) for {first.describe()}"
                                               + _where(negative, cases)))
    zero = [case for case in cases if case.premium == 0]
    if zero:
        first = zero[0]
        found.append(warning(file, line, path, f"premium is 0.00 for {first.describe()}" + _where(zero, cases)
                             + "; a tariff without a price is rarely meant"))
    falls = rises = None
    for before, case in zip(cases, cases[1:]):
        if before.line != case.line:
            continue
        if before.premium is None or case.premium is None or min(before.premium, case.premium) < 0:
            continue  # reported as an error
        if falls is None and case.premium < before.premium and not tariff["premium"].get("may_fall_with_age"):
            falls = (before, case)
        if rises is None and before.premium > 0 and case.premium > before.premium * factor:
            rises = (before, case)
    if falls:
        before, case = falls
        found.append(warning(file, line, path,
                             f"premium falls with age: {before.premium} at age {before.age}, {case.premium} at age "
                             f"{case.age} (group '{case.group}', family_members {case.family_members}"
                             f"{case.variant()}); if that is meant, declare it with premium.may_fall_with_age: true"))
    if rises:
        before, case = rises
        step = (case.premium / before.premium).quantize(Decimal("0.1"))
        found.append(warning(file, line, path,
                             f"premium rises {step}-fold from {before.premium} at age {before.age} to {case.premium} "
                             f"at age {case.age} (group '{case.group}', family_members {case.family_members}"
                             f"{case.variant()}), more "
                             f"than checks.max_step_factor {factor}; a typo in a band? (set checks.max_step_factor "
                             "if the step is meant)"))
    return found


def _where(selected, cases) -> str:
    """Where else it happens: the ages (as ranges) and, when not everywhere, how many combinations."""
    ages = sorted({case.age for case in selected})
    combos = {case.line for case in selected}
    everywhere = {case.line for case in cases}
    parts = [f"at ages {_ranges(ages)}"] if len(ages) > 1 else []
    if len(everywhere) > 1:
        names = ["group", "family count"] + (["employment type"] if any(c.employment_type for c in cases) else []) \
            + (["insured count"] if any(c.insured_count for c in cases) else [])
        if len(names) == 2:
            parts.append("in every group and family count" if combos == everywhere else
                         f"in {len(combos)} of {len(everywhere)} group and family combinations")
        else:
            said = ", ".join(names[:-1]) + " and " + names[-1]
            parts.append(f"in every combination of {said}" if combos == everywhere else
                         f"in {len(combos)} of {len(everywhere)} combinations of {said}")
    return "; the same " + " ".join(parts) if parts else ""


def _ranges(numbers) -> str:
    """[15, 16, 17, 40] -> '15-17, 40'."""
    parts, start = [], None
    for index, number in enumerate(numbers):
        if start is None:
            start = number
        if index + 1 == len(numbers) or numbers[index + 1] != number + 1:
            parts.append(str(start) if start == number else f"{start}-{number}")
            start = None
    return ", ".join(parts)
