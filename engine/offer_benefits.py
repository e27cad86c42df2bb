"""The offer's benefit-in-kind check per person: each known person of an offered group priced at their own
age (the employer's share), or, while the staff are unknown, a person of the oldest working age. The
offer's totals keep their average-age estimate (engine/pricing.py); only the 50 EUR check looks at people."""
from dataclasses import dataclass
from decimal import Decimal

from rules import dates
from rules.platform import platform_settings
from rules.texts import format_value

from engine import eligibility, pricing, regroup
from engine.errors import DomainError
from engine.models import Employee, GroupContract

CENT = Decimal("0.01")
GONE = ("left", "deceased")


def oldest_working_age():
    """The age an offer's check prices when the staff are unknown (rules/platform.yaml)."""
    return int(platform_settings()["oldest_working_age"])


@dataclass(frozen=True)
class Check:
    """One group's people against the limit: the highest employer premium, that person's age and the whole
    monthly amount (premium + other benefits), how many are over the limit, `known` False when the
    person is the oldest working age (staff unknown)."""
    employer: Decimal
    age: int
    total: Decimal
    over: int
    known: bool

    def text(self, limit):
        """The people part of the warning as {de, en}."""
        amount = {lang: format_value(self.total.quantize(CENT), lang) for lang in ("de", "en")}
        limit = {lang: format_value(Decimal(limit).quantize(CENT), lang) for lang in ("de", "en")}
        if not self.known:
            return {"de": f"Belegschaft noch nicht bekannt: bei einer {self.age}-jährigen Person {amount['de']} EUR.",
                    "en": f"Staff not known yet: a person aged {self.age} would have {amount['en']} EUR."}
        return {"de": f"{self.over} {'Person' if self.over == 1 else 'Personen'} über {limit['de']} EUR, "
                      f"höchstens {amount['de']} EUR (Alter {self.age}).",
                "en": f"{self.over} {'person' if self.over == 1 else 'persons'} over {limit['en']} EUR, "
                      f"at most {amount['en']} EUR (age {self.age})."}


def known_staff(client, live, groups, start_date):
    """{group id: [birth dates]} of the client's current employees (of any of its contracts) whom the
    tenant's rules place in an offered group, at the offer's start or once a waiting period is over (as an
    import would); a group no known person falls in is left out."""
    if getattr(client, "id", None) is None:
        return {}
    people = {}
    for employee in (Employee.select().join(GroupContract)
                     .where((GroupContract.employer == client.id) & Employee.state.not_in(GONE))
                     .order_by(Employee.id)):
        if employee.leaving_date is None or employee.leaving_date >= start_date:
            people.setdefault((employee.personnel_number, employee.birth_date),
                              regroup.rule_facts(employee, employee.tariff_group_requested))
    rows = list(people.values())
    found = {}
    for row, assignment in zip(rows, eligibility.assign_from(live, rows, start_date, groups=[g["id"] for g in groups])):
        if assignment.group is not None:
            found.setdefault(assignment.group, []).append(row["birth_date"])
    return found


def _age(live, birth_date, start_date):
    return dates.AGE_METHODS[live.settings.age_method][1](birth_date, start_date)


def check(live, group, start_date, other, birth_dates=None, insured_count=None):
    """The Check of one offered group (its id, level, tariffs, employer_share): with `birth_dates` each
    person at their age at `start_date`, else one person of the oldest working age (or the oldest the
    tariffs price, below it). People the tariffs cannot price (no insurable age) are left out."""
    limit, other = live.settings.benefit_in_kind_limit, other or Decimal("0.00")
    if birth_dates:
        ages = [_age(live, birth_date, start_date) for birth_date in birth_dates]
        premiums = {}
        for birth_date, age in zip(birth_dates, ages):
            if age not in premiums:
                premiums[age] = _premium(live, group, pricing.Person(birth_date=birth_date, insured_count=insured_count),
                                         start_date)
        people = [(pricing.employer_part(group, premiums[age]), age) for age in ages if premiums[age] is not None]
        if people:
            employer, age = max(people)
            return Check(employer, age, employer + other, sum(1 for e, _ in people if e + other > limit), True)
    for age in range(oldest_working_age(), 0, -1):
        premium = _premium(live, group, pricing.Person(age=age, insured_count=insured_count), start_date)
        if premium is not None:
            employer = pricing.employer_part(group, premium)
            return Check(employer, age, employer + other, int(employer + other > limit), False)
    return None


def _premium(live, group, person, start_date):
    try:
        return pricing.person_premium(live, group, person, start_date)
    except DomainError:
        return None
