"""The monthly limit for benefits in kind per person (Sachbezugsfreigrenze, 50 EUR; the tenant's
`settings.benefit_in_kind_limit`): the employer-paid premium of the month (from the cover ledger,
unless payroll books it as taxable pay) plus the employer's other benefits in kind. It is a
Freigrenze: above it the whole amount is taxable; exactly at it nothing is."""
import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from engine import audit, clock, cover, enrolments, payroll_settings, registry, start_window, statements
from engine.db import prepared, transaction
from engine.errors import DomainError, NotFound
from engine.models import Employee, OtherBenefit

ZERO = Decimal("0.00")
LOOKAHEAD_MONTHS = 12
MAX_AMOUNT = Decimal("10000")
# why a month's premium differs from the month before: the reason of the period that began in it
REASONS = {"age_step": {"de": "Altersstufe", "en": "age step"},
           "price_change": {"de": "Beitragsänderung", "en": "premium change"},
           "event": {"de": "Geschäftsvorfall", "en": "business event"},
           "resumption": {"de": "Wiederaufnahme", "en": "resumption"},
           "enrolment": {"de": "Versicherungsbeginn", "en": "start of cover"},
           "": {"de": "Sachbezüge", "en": "benefits in kind"}}


def limit_of(contract):
    return registry.get(contract.tenant_id).settings.benefit_in_kind_limit


def _amount_text(amount, language):
    text = f"{amount:.2f}"
    return f"{text.replace('.', ',')} EUR" if language == "de" else f"{text} EUR"


@dataclass(frozen=True)
class MonthSum:
    """One person's benefits in kind in one month (EUR)."""
    employee_id: int
    month: datetime.date   # the 1st
    premium: Decimal       # the employer-paid premium that counts (0 when payroll books it as pay)
    other: Decimal         # the employer's other benefits in kind
    limit: Decimal
    reason: str = ""       # why the premium changed in this month (REASONS), '' when it did not

    @property
    def total(self):
        return self.premium + self.other

    @property
    def over(self):
        return self.total > self.limit

    @property
    def text(self):
        """The warning as {de, en}."""
        why = REASONS.get(self.reason, REASONS[""])
        return {language: (f"{self.month:%m/%Y}: " + ("bKV-Beitrag {p} + sonstige Sachbezüge {o} = {t} über der "
                                                     "Freigrenze von {l} ({why}): der ganze Betrag wird steuer- und "
                                                     "beitragspflichtig." if language == "de" else
                                                     "bKV premium {p} + other benefits in kind {o} = {t}, over the "
                                                     "limit of {l} ({why}): the whole amount becomes taxable.")
                            .format(p=_amount_text(self.premium, language), o=_amount_text(self.other, language),
                                    t=_amount_text(self.total, language), l=_amount_text(self.limit, language),
                                    why=why[language]))
                for language in ("de", "en")}


# --- other benefits in kind ---------------------------------------------------------------------------

def _month(value, field):
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value if len(value) > 7 else f"{value}-01")
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        raise DomainError("Bitte geben Sie einen Monat an.", "Please give a month.", field=field)
    return value.replace(day=1)


def record(user, contract, values):
    """Record another benefit in kind: values label, amount (monthly EUR), from_month, to_month (or
    empty: open), employee (an id of the contract's staff, or empty: everyone). Audited."""
    label = str(values.get("label") or "").strip()
    if not label or len(label) > 120:
        raise DomainError("Bitte benennen Sie den Sachbezug (höchstens 120 Zeichen).",
                          "Please name the benefit (at most 120 characters).", field="label")
    try:
        amount = Decimal(str(values.get("amount") or "").replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        amount = None
    if amount is None or not ZERO < amount <= MAX_AMOUNT:
        raise DomainError("Bitte geben Sie den Monatsbetrag in EUR an (z. B. 15,00).",
                          "Please give the monthly amount in EUR (e.g. 15.00).", field="amount")
    first = _month(values.get("from_month"), "from_month")
    last = _month(values["to_month"], "to_month") if values.get("to_month") else None
    if last is not None and last < first:
        raise DomainError("Der letzte Monat liegt vor dem ersten.", "The last month is before the first.",
                          field="to_month")
    employee = None
    if values.get("employee"):
        employee = Employee.get_or_none((Employee.id == int(values["employee"])) & (Employee.contract == contract.id))
        if employee is None:
            raise DomainError("Diese Person gehört nicht zu diesem Vertrag.",
                              "This person is not part of this contract.", field="employee")
    with transaction():
        row = OtherBenefit.create(contract=contract.id, employee=employee, label=label, amount=str(amount),
                                  from_month=first, to_month=last, created_by=user, created_at=clock.utcnow())
        audit.record(user, "other_benefit.recorded", "other_benefit", row.id, tenant=contract.tenant_id,
                     after={"employee": employee.id if employee else None, "label": label, "amount": str(amount),
                            "from_month": first, "to_month": last}, employer=contract.employer_id)
    return row


def end(user, contract, benefit_id, last_month):
    """End a benefit with `last_month` (its last month; not before its first). Audited."""
    row = OtherBenefit.get_or_none((OtherBenefit.id == benefit_id) & (OtherBenefit.contract == contract.id))
    if row is None:
        raise NotFound("Sachbezug nicht gefunden.", "Benefit not found.")
    last = max(_month(last_month, "to_month"), row.from_month)
    with transaction():
        OtherBenefit.update(to_month=last).where(OtherBenefit.id == row.id).execute()
        audit.record(user, "other_benefit.ended", "other_benefit", row.id, tenant=contract.tenant_id,
                     before={"to_month": row.to_month}, after={"to_month": last}, employer=contract.employer_id)


def benefits(contract):
    """The contract's other benefits as dicts (newest first): id, label, amount, from_month, to_month,
    employee_id, person ('' for everyone)."""
    found = []
    for row in (OtherBenefit.select(OtherBenefit, Employee).left_outer_join(Employee)
                .where(OtherBenefit.contract == contract.id).order_by(OtherBenefit.from_month.desc(),
                                                                       OtherBenefit.id.desc())):
        person = row.employee if row.employee_id else None
        found.append({"id": row.id, "label": row.label, "amount": Decimal(row.amount), "from_month": row.from_month,
                      "to_month": row.to_month, "employee_id": row.employee_id,
                      "person": f"{person.last_name}, {person.first_name}" if person else ""})
    return found


@prepared
def _other_benefits(contract_id):
    return (OtherBenefit.select(OtherBenefit.employee, OtherBenefit.amount, OtherBenefit.from_month,
                                OtherBenefit.to_month).where(OtherBenefit.contract == contract_id).tuples())


def _others(contract):
    """fn(employee id, month) -> the other benefits' sum for that person and month."""
    rows = [(who, Decimal(amount), first, last) for who, amount, first, last in _other_benefits(contract.id)]

    def other(employee_id, month):
        return sum((amount for who, amount, first, last in rows
                    if who in (None, employee_id) and first <= month and (last is None or month <= last)), ZERO)
    return other


# --- sums and warnings ------------------------------------------------------------------------------

def _counted(contract, period, booked_as_pay):
    """The employer-paid part of a period's premium that counts as a benefit in kind."""
    if period is None or booked_as_pay:
        return ZERO
    return statements.split(contract, period.tariff_group, period.payer, period.due_premium)[0]


def _sum(contract, employee_id, line, month, other, limit, booked_as_pay):
    period = next((p for p in line if p.covers(month)), None)
    reason = period.reason if period is not None and period.valid_from == month else ""
    return MonthSum(employee_id, month, _counted(contract, period, booked_as_pay), other(employee_id, month), limit,
                    reason)


def _setup(contract):
    return (_others(contract), limit_of(contract),
            payroll_settings.of(contract).treatment == "taxable_pay")


def month_sums(contract, month):
    """{employee id: MonthSum} for `month` of every person with cover in the ledger."""
    month = month.replace(day=1)
    other, limit, as_pay = _setup(contract)
    return {employee_id: _sum(contract, employee_id, line, month, other, limit, as_pay)
            for employee_id, line in cover.lines(contract, cover.end_of_month(month)).items()}


def _months(start, count):
    return [start_window.add_months(start, n) for n in range(count + 1)]


def ahead(contract, today=None, months=LOOKAHEAD_MONTHS, setup=None, lines=None):
    """{employee id: MonthSum of the first month over the limit} from this month through `months`
    ahead, for the contract's people with cover (age steps and premium changes of the ledger's
    projection included): the staff list's and the contract page's warnings. `lines`: the people's
    cover.lines through at least that month, when the caller has them (then only theirs are read)."""
    start = (today or clock.today()).replace(day=1)
    other, limit, as_pay = setup or _setup(contract)
    found = {}
    until = cover.end_of_month(start_window.add_months(start, months))
    for employee_id, line in (cover.lines(contract, until) if lines is None else lines).items():
        first = next((s for s in (_sum(contract, employee_id, line, month, other, limit, as_pay)
                                  for month in _months(start, months)) if s.over), None)
        if first is not None:
            found[employee_id] = first
    return found


def ahead_of(contract, employee_ids, today=None, months=LOOKAHEAD_MONTHS):
    """`ahead` of these people only (a page of the staff): a contract of 50,000 people is not projected whole."""
    if not employee_ids:
        return {}
    until = cover.end_of_month(start_window.add_months((today or clock.today()).replace(day=1), months))
    return ahead(contract, today, months, lines=cover.lines(contract, until, list(employee_ids)))


def for_person(employee, today=None, months=LOOKAHEAD_MONTHS):
    """A person's MonthSums from this month through `months` ahead (the person page)."""
    contract = employee.contract
    start = (today or clock.today()).replace(day=1)
    other, limit, as_pay = _setup(contract)
    line = [p for p in cover.timeline(employee, cover.end_of_month(start_window.add_months(start, months)))
            if not p.void]
    return [_sum(contract, employee.id, line, month, other, limit, as_pay) for month in _months(start, months)]


def staff_list(contract, rows, lines):
    """The warnings of a page of the staff list (`rows`: employees.StaffRow; `lines`: their
    cover.lines, as cover.staff_page read them), the limit, other benefits and payroll treatment read
    once: ({employee id: MonthSum} as `ahead`, {employee id: MonthSum} as `before_enrolment` of those
    ready for enrolment)."""
    setup = _setup(contract)
    return (ahead(contract, setup=setup, lines=lines),
            {person.id: total for person, total in _over_at_start(contract, [p for p in rows if p.ready], setup)})


def before_enrolment(contract, employee_ids):
    """[(employee, MonthSum)] of these people, not yet enrolled, whose premium from their start, with
    the other benefits of that month, would be over the limit: shown before and when enrolling."""
    people = Employee.select().where((Employee.contract == contract.id) & Employee.id.in_(list(employee_ids))
                                     & (Employee.state == "new")).order_by(Employee.name_key, Employee.id)
    return _over_at_start(contract, people, _setup(contract))


def _over_at_start(contract, people, setup):
    """[(person, MonthSum)] of `people` (anything with id, birth_date, employment_start, tariff_group,
    eligible_from and state) in the state "new" that would start over the limit."""
    other, limit, as_pay = setup
    live = registry.version(contract.tenant_version_id)
    found = []
    for employee in people:
        if not employee.tariff_group or employee.state != "new":
            continue
        start = enrolments.start_for(contract, employee)
        premium = enrolments.premium_of(live, contract, employee, employee.tariff_group, start)
        counted = ZERO if as_pay else statements.split(contract, employee.tariff_group,
                                                       cover.payer_of(contract, employee.tariff_group), premium)[0]
        total = MonthSum(employee.id, start, counted, other(employee.id, start), limit, "enrolment")
        if total.over:
            found.append((employee, total))
    return found
