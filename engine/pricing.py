"""Premiums from the tenant's formulas: per person and month, per group, per offer.

Every euro comes from the tenant's YAML: the formula of each tariff with its tables, evaluated
over Decimal and rounded half-up to cents. Formulas see `age` (at start), `insurance_age` (start
year minus birth year) and `nearest_age` (by the nearest birthday, rules.dates.AGE_METHODS); the
tenant's `age_method` says which one its formulas use. A tariff's
dated changes (premium.changes) price from their valid_from: a premium is that of the entry valid
on the day priced (a contract in force is priced with its price list, engine/price_changes.py).
"""
import datetime
from dataclasses import dataclass
from decimal import Decimal

from rules import dates
from rules.errors import RuleError
from rules.formulas import money

from tenants import premium_changes

from engine.errors import DomainError

HUNDRED = Decimal(100)
MONTHS = 12
PREMIUMS_KEPT = 20000
_premiums = {}  # (formula, its inputs) -> premium (see premium)


OFFER_EMPLOYMENT_TYPE = "fulltime"  # what an offer, which knows no one yet, prices an employment type as
EMPLOYEE = "employee"  # the formula input `role` of an employee's own premium


@dataclass(frozen=True)
class Person:
    """Who a premium is for: an age (offers estimate by a group's average age) or a birth date, and
    what the formula inputs employment_type and insured_count (the contract's, insured_count_of) read."""
    age: int | None = None
    birth_date: datetime.date | None = None
    family_members: int = 0
    role: str = ""  # a family member (spouse | child): priced with the tariff's family_premium
    employment_type: str = OFFER_EMPLOYMENT_TYPE  # the employee's (a family member's: the employee's)
    insured_count: int | None = None  # the contract's (or offer's) number insured; None: not known


def insured_count_of(groups):
    """The number insured a contract or an offer is priced with: its groups' headcounts (as offered;
    a contract keeps the offer's, a group added later counts none)."""
    return sum(int(group.get("headcount") or 0) for group in groups)


def tariff_by_id(live, tariff_id):
    if tariff_id in live.tariffs:
        return live.tariffs[tariff_id]
    raise DomainError(f"Unbekannter Tarif {tariff_id!r}.", f"Unknown tariff {tariff_id!r}.")


def levels_of(live, tariff_ids):
    """The budget tariffs (levels) among `tariff_ids`, in their order: alternatives, one per group."""
    return [t for t in tariff_ids if tariff_by_id(live, t).get("kind") == "budget"]


def modules_of(live, tariff_ids):
    """The module tariffs among `tariff_ids`, in their order: these may be combined."""
    return [t for t in tariff_ids if tariff_by_id(live, t).get("kind") != "budget"]


def chosen_tariffs(live, group):
    """The tariffs one person of an offered or contracted group is priced with: its budget level
    (`group["level"]`; a group stored before levels were chosen keeps its first budget tariff) and
    its modules. Budget levels are alternatives: never more than one is priced."""
    tariffs = list(group["tariffs"])
    levels = levels_of(live, tariffs)
    level = group.get("level") or (levels[0] if levels else None)
    return ([level] if level else []) + modules_of(live, tariffs)


def premium(live, tariff_id, group_id, person, start_date):
    """Monthly premium of one tariff for one person in EUR (Decimal, cents): the tariff's premium, or
    for a family member (`person.role`) its family_premium. DomainError when the formula cannot be
    evaluated for these inputs (e.g. an age outside its table)."""
    tariff = tariff_by_id(live, tariff_id)
    values = {"age": person.age, "insurance_age": person.age, "nearest_age": person.age, "tariff": tariff_id,
              "group": group_id,
              "family_members": person.family_members, "budget": Decimal(str(tariff.get("budget", 0))),
              "role": person.role or EMPLOYEE, "employment_type": person.employment_type,
              "insured_count": person.insured_count}
    formula = (live.compiled.family_formulas[tariff_id] if person.role
               else premium_changes.formula_on(live.compiled, tariff_id, start_date))
    if person.birth_date is not None:  # the tenant's formula picks the age its age_method names
        values.update(dates.ages(person.birth_date, start_date))
    # a formula is a pure function of its inputs: the ledger's projection asks the same few hundred
    # questions for thousands of people (the key holds the formula, so a reloaded tenant is not confused)
    key = (formula, *values.values())
    found = _premiums.get(key)
    if found is not None:
        return found
    try:
        found = money(formula.evaluate(values))
    except RuleError as exc:
        raise DomainError(f"Beitrag für {tariff['name']['de']} nicht berechenbar: {exc.message}",
                          f"The premium for {tariff['name']['en']} cannot be calculated: {exc.message}") from exc
    if len(_premiums) >= PREMIUMS_KEPT:
        _premiums.clear()
    _premiums[key] = found
    return found


def person_premium(live, group, person, start_date):
    """One person's monthly premium in an offered or contracted group: its chosen tariffs summed."""
    return sum((premium(live, t, group["id"], person, start_date) for t in chosen_tariffs(live, group)),
               Decimal("0.00"))


def share_bound(tariff):
    """(least, most) employer's share in percent (Decimal) the tariff accepts: its `employer_share`,
    a fixed number or {min, max}; (0, 100) without one."""
    bound = tariff.get("employer_share")
    if bound is None:
        return Decimal(0), HUNDRED
    if isinstance(bound, dict):
        return Decimal(str(bound.get("min", 0))), Decimal(str(bound.get("max", 100)))
    return Decimal(str(bound)), Decimal(str(bound))


def bound_in_words(tariff):
    """A tariff's share bound as people read it, {de, en}: "at least 50 %", "exactly 100 %", "50 to 80 %"."""
    low, high = (_percent(value) for value in share_bound(tariff))
    if low == high:
        return {"de": f"genau {low['de']} %", "en": f"exactly {low['en']} %"}
    if high["en"] == "100":
        return {"de": f"mindestens {low['de']} %", "en": f"at least {low['en']} %"}
    if low["en"] == "0":
        return {"de": f"höchstens {high['de']} %", "en": f"at most {high['en']} %"}
    return {"de": f"{low['de']} bis {high['de']} %", "en": f"{low['en']} to {high['en']} %"}


def _percent(value):
    text = format(value.normalize(), "f")
    return {"de": text.replace(".", ","), "en": text}


def check_employer_share(live, tariff_ids, share, field="employer_share"):
    """Refuse an employer's share (percent) outside the bound of one of the chosen tariffs (their
    `employer_share`; the strictest applies), or tariffs whose bounds leave no share: DomainError naming
    the tariff(s)."""
    bounded = [tariff_by_id(live, t) for t in tariff_ids if tariff_by_id(live, t).get("employer_share") is not None]
    if not bounded:
        return
    lowest = max(bounded, key=lambda t: share_bound(t)[0])
    highest = min(bounded, key=lambda t: share_bound(t)[1])
    if share_bound(lowest)[0] > share_bound(highest)[1]:
        a, b = lowest["name"], highest["name"]
        wa, wb = bound_in_words(lowest), bound_in_words(highest)
        raise DomainError(f"„{a['de']}“ und „{b['de']}“ lassen sich nicht zusammen anbieten: der Arbeitgeber trägt "
                          f"bei „{a['de']}“ {wa['de']}, bei „{b['de']}“ {wb['de']} des Beitrags.",
                          f"“{a['en']}” and “{b['en']}” cannot be offered together: the employer pays {wa['en']} of "
                          f"the premium with “{a['en']}”, {wb['en']} with “{b['en']}”.", field=field)
    for tariff in (lowest, highest):
        low, high = share_bound(tariff)
        if not low <= share <= high:
            words, name = bound_in_words(tariff), tariff["name"]
            raise DomainError(f"Beim Tarif „{name['de']}“ trägt der Arbeitgeber {words['de']} des Beitrags.",
                              f"With the tariff “{name['en']}” the employer pays {words['en']} of the premium.",
                              field=field)


def employer_part(group, per_person):
    """The employer's part of one person's monthly premium: the group's employer_share (percent)."""
    return money(per_person * Decimal(str(group.get("employer_share", 100))) / HUNDRED)


def price_group(live, group, start_date, insured_count=None):
    """Figures of one offer group: {group, tariffs: [{id, premium}], premium, employer, employee, ...}.

    `group` holds id, level (its budget tariff or None), tariffs (ids: the level and the modules),
    employer_share (percent), headcount, average_age. One budget level is priced, never the sum of levels.
    `insured_count`: the offer's (default: this group's headcount).
    """
    person = Person(age=int(group.get("average_age") or 40),
                    insured_count=insured_count if insured_count is not None else int(group.get("headcount") or 0))
    lines = [{"tariff": t, "premium": premium(live, t, group["id"], person, start_date)}
             for t in chosen_tariffs(live, group)]
    per_person = sum((line["premium"] for line in lines), Decimal("0.00"))
    employer = employer_part(group, per_person)
    headcount = int(group.get("headcount") or 0)
    return {"group": group["id"], "tariffs": lines, "premium": per_person, "employer": employer,
            "employee": per_person - employer, "headcount": headcount,
            "monthly_total": per_person * headcount, "employer_monthly_total": employer * headcount,
            "yearly_total": per_person * headcount * MONTHS}


def price_offer(live, groups, start_date):
    """Figures for a whole offer: each group plus totals per month and year."""
    count = insured_count_of(groups)
    priced = [price_group(live, group, start_date, count) for group in groups]
    monthly = sum((g["monthly_total"] for g in priced), Decimal("0.00"))
    employer_monthly = sum((g["employer_monthly_total"] for g in priced), Decimal("0.00"))
    return {"groups": priced, "insured": sum(g["headcount"] for g in priced),
            "monthly_total": monthly, "yearly_total": monthly * MONTHS,
            "employer_monthly_total": employer_monthly, "employer_yearly_total": employer_monthly * MONTHS}
