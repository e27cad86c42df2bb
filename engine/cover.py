"""The cover ledger: dated periods per insured person, the source of "who is insured on D" and
"what is due for month M" (docs/contracts.md, "The cover ledger").

A period runs from `valid_from` to `valid_to`, both days included (`valid_to` is None while it is
open). It is append-only: a change closes the open period the day before it takes effect and opens
a new one. Accepted events whose date has not come, and age steps, are *projected* onto the written
periods by the same code that later writes them (`apply_due`, run daily), so every read sees the
future as it will be written, and writing it is idempotent.
"""
import collections
import datetime
import logging
from dataclasses import dataclass, replace
from decimal import Decimal

from peewee import fn, SQL

from rules import dates
from tenants.event_kinds import event_kinds

from engine import audit, clock, enrolments, family, level_changes, registry, start_window, workflow
from engine import names, price_changes
from engine.db import prepared, transaction
from engine.errors import Conflict
from engine.models import BusinessEvent, CoverPeriod, Employee, Enrolment, FamilyMember, utcnow

TREATMENTS = ("employer_pays", "premium_free", "suspended", "employee_pays")

logger = logging.getLogger(__name__)

KINDS = event_kinds()
ZERO = Decimal("0.00")
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """One period of cover. `id` is None for a projected period (written when it becomes due)."""
    valid_from: datetime.date
    valid_to: datetime.date | None   # the last day covered, inclusive; None: open
    cover: str                       # insured | suspended (ruhend) | premium_free
    tariff_group: str
    tariffs: tuple
    premium: Decimal                 # monthly, EUR
    payer: str                       # employer | employee | shared
    reason: str                      # enrolment | event | age_step | resumption
    tenant_version: int
    event_id: int | None = None
    event_kind: str = ""
    enrolment_id: int | None = None
    id: int | None = None

    def covers(self, day):
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def void(self):
        """Closed before it began: superseded by a change dated earlier than its start."""
        return self.valid_to is not None and self.valid_to < self.valid_from

    @property
    def due_premium(self):
        return self.premium if self.cover == "insured" else ZERO


def _period(row):
    return Period(row.valid_from, row.valid_to, row.cover, row.tariff_group, tuple(row.tariffs), Decimal(row.premium),
                  row.payer, row.reason, row.tenant_version_id, row.event_id, row.event_kind, row.enrolment_id, row.id)


def _period_of(values):
    """A Period from the values of _PERIOD_COLUMNS but the last (the employee)."""
    first, last, kind, group, tariffs, premium, payer, reason, version, event, event_kind, enrolment, row_id = values
    return Period(first, last, kind, group, tuple(tariffs), Decimal(premium), payer, reason, version, event,
                  event_kind, enrolment, row_id)


def _in_order(line):
    """Periods oldest first, void ones before all others: they cover nothing, and one left void by a
    change dated back may begin after the period opened by that change, which must stay last."""
    return sorted(line, key=lambda p: (not p.void, p.valid_from, p.id))


def periods(employee_id, family_member_id=None):
    """The written periods of an employee (or of one of their family members), oldest first."""
    query = CoverPeriod.select().where((CoverPeriod.employee == employee_id)
                                       & (CoverPeriod.family_member == family_member_id))
    return _in_order(_period(row) for row in query)


# --- insured persons: an employee or a family member (engine/family.py) -----------------------------

def _ledger_of(person):
    """(employee id, family member id or None): whose periods these are."""
    return (person.employee_id, person.id) if isinstance(person, FamilyMember) else (person.id, None)


def _owner(person):
    employee_id, member_id = _ledger_of(person)
    return {"employee": employee_id, "family_member": member_id}


def _pending_of(person, pending):
    """Of an employee's pending events those that change this person's cover (a family member's:
    the event adding or removing them, the end of the employee's cover)."""
    return [e for e in pending if family.concerns(e, person)] if isinstance(person, FamilyMember) else pending


def _pending(employee_ids):
    """Accepted events not yet in force, by person."""
    found = {}
    for event in (BusinessEvent.select().where(BusinessEvent.employee.in_(list(employee_ids))
                                               & (BusinessEvent.state == "accepted")
                                               & BusinessEvent.applied_at.is_null())):
        found.setdefault(event.employee_id, []).append(event)
    return found


def _date(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def end_of_month(day):
    return start_window.first_of_next_month(day) - DAY


def effective_date(event):
    return _date(event.data[KINDS[event.type].effective_date])


ENDS = ("end_cover", "end_family_cover")  # effects ending cover at the end of the effective date's month


def takes_effect(event):
    """The day an event changes cover and the person: its effective date; for an end of cover the
    first day no longer covered (cover runs to the end of the month of leaving or death, or of a
    family member's removal)."""
    day = effective_date(event)
    if any(name in ENDS for name, _ in KINDS[event.type].effects):
        return end_of_month(day) + DAY
    return day


def payer_of(contract, group_id):
    share = next((Decimal(str(g.get("employer_share", 100))) for g in contract.groups if g["id"] == group_id),
                 Decimal(100))
    return "employer" if share >= 100 else "employee" if share <= 0 else "shared"


def _priced(employee, contract, version, group, day):
    """A person's premium in the group on `day`, from the contract's price list: its own prices and
    the insurer's later changes from the day they reach it (engine/price_changes.py)."""
    if isinstance(employee, FamilyMember):
        return family.premium_of(registry.version(version), contract, employee, group, day)
    return enrolments.premium_of(price_changes.prices(contract), contract, employee, group, day)


# --- the projection: written periods + what pending events and age steps will write -----------------

def _close(timeline, day):
    """Close the timeline so that `day` is the first day it no longer covers: the open period, and
    for a change dated back past a written step (a leaving reported late) the closed periods running
    past `day` too; a period that begins on or after `day` is left void (closed the day before it began)."""
    return [replace(p, valid_to=max(day, p.valid_from) - DAY) if p.valid_to is None or p.valid_to >= day else p
            for p in timeline]


def _last_insured(timeline):
    return next((p for p in reversed(timeline) if p.cover == "insured" and not p.void and not is_unpaid(p)), None)


# --- unpaid periods: parental leave, long sickness, care leave, sabbatical ---------------------------

def is_unpaid(period):
    """Part of an unpaid period (from its start up to the return), whatever the tenant's treatment."""
    return (period is not None and period.event_id is not None and period.reason != "resumption"
            and period.event_kind in KINDS and KINDS[period.event_kind].unpaid)


def treatment(event, contract):
    """(treatment, premium-free months or None) of an unpaid event: the tenant's
    business_events[].unpaid_cover; without a treatment there, the employer's choice in the kind's
    mode field (premium_free) or suspended."""
    entry = next((e for e in registry.version(contract.tenant_version_id).doc.get("business_events", [])
                  if e["type"] == event.type), {})
    setting = entry.get("unpaid_cover", {})
    name = setting.get("treatment")
    if name is None:
        field = dict(KINDS[event.type].effects)["suspend_cover"].get("mode_field")
        name = "premium_free" if field and event.data.get(field) == "premium_free" else "suspended"
    return name, setting.get("premium_free_months") if name == "premium_free" else None


def unpaid_plan(event, base, contract):
    """The periods an unpaid event writes from its start, each open (they are written one after the
    other when due), and the day cover resumes (the day after the expected end; None: no end)."""
    start, end = effective_date(event), _date(event.data.get("end_date")) or None
    name, months = treatment(event, contract)
    mark = {"reason": "event", "event_id": event.id, "event_kind": event.type, "enrolment_id": None, "id": None}

    def part(day, cover, premium, payer):
        return replace(base, valid_from=day, valid_to=None, cover=cover, premium=premium, payer=payer, **mark)
    if name in ("employer_pays", "employee_pays"):
        parts = [part(start, "insured", base.premium, name.split("_")[0])]
    elif name == "premium_free":
        parts = [part(start, "premium_free", ZERO, base.payer)]
        if months:
            parts.append(part(start_window.add_months(start, months), "suspended", ZERO, base.payer))
    else:
        parts = [part(start, "suspended", ZERO, base.payer)]
    if end is not None:
        parts = [p for p in parts if p.valid_from <= end] or parts[:1]
    return parts, (end + DAY if end is not None else None)


def _resumed(period, day, employee, contract, event=None):
    """Insured again from `day` after an unpaid period: its group and tariffs, the group's payer (a family
    member's own), priced then."""
    mark = ({"event_id": event.id, "event_kind": event.type} if event is not None else {})
    payer = employee.payer if isinstance(employee, FamilyMember) else payer_of(contract, period.tariff_group)
    return replace(repriced(period, employee, contract, day), valid_from=day, valid_to=None, cover="insured",
                   reason="resumption", enrolment_id=None, id=None, payer=payer, **mark)


def _resume(timeline, day, person, contract, event):
    """The timeline after a return on `day` ends the open unpaid period early."""
    current = timeline[-1] if timeline and timeline[-1].valid_to is None else None
    if is_unpaid(current) and current.valid_from <= day:
        return _close(timeline, day) + [_resumed(current, day, person, contract, event)]
    return timeline


def _unpaid_step(open_period, employee, contract, until, events):
    """(day, period) of the next change inside the open unpaid period up to `until`: its next part
    (premium-free months over) or the resumption after its expected end; None when none is due."""
    if not is_unpaid(open_period):
        return None
    event = events.get(open_period.event_id) or BusinessEvent.get_by_id(open_period.event_id)
    events[event.id] = event
    parts, back = unpaid_plan(event, open_period, contract)
    later = [p for p in parts if p.valid_from > open_period.valid_from]
    if later and later[0].valid_from <= until:
        return later[0].valid_from, later[0]
    if not later and back is not None and back <= until:
        return back, _resumed(open_period, back, employee, contract)
    return None


def _event_writes(timeline, event, employee, contract):
    """The timeline after `event` took effect."""
    day, kind = effective_date(event), KINDS[event.type]
    if isinstance(employee, FamilyMember):
        return _family_writes(timeline, event, employee, contract)
    # the cover in force on the event's day: for an event dated back past a written step, not the step's
    base = _last_insured([p for p in timeline if p.valid_from <= day]) or _last_insured(timeline)
    if base is None:
        return timeline
    mark = {"reason": "event", "event_id": event.id, "event_kind": event.type, "enrolment_id": None, "id": None}
    for name, spec in kind.effects:
        if name == "end_cover":
            timeline = _close(timeline, end_of_month(day) + DAY)
        elif name == "suspend_cover":
            # only the first part is written now; the next parts and the resumption are steps of
            # the open period (`_unpaid_step`), so that a return can still end it early
            timeline = _close(timeline, day) + unpaid_plan(event, base, contract)[0][:1]
        elif name == "resume_cover":
            timeline = _resume(timeline, day, employee, contract, event)
        elif name == "change_group":
            group = event.data[spec["field"]]
            timeline = _close(timeline, day) + [replace(
                base, valid_from=day, valid_to=None, cover="insured", tariff_group=group,
                tariffs=tuple(enrolments.tariffs_of(contract, group, day=day)), payer=payer_of(contract, group),
                premium=_priced(employee, contract, base.tenant_version, group, day), **mark)]
    return timeline


def _family_writes(timeline, event, member, contract):
    """A family member's timeline after `event`: the event adding them opens their first period; one
    removing them, or the end of the employee's cover, closes it at the end of that month; the employee's
    group change, unpaid period and return move the member's cover with the employee's (`FOLLOWS`)."""
    for name, spec in KINDS[event.type].effects:
        if name == "add_family_member":
            timeline = _close(timeline, effective_date(event)) + [family.first_period(member, contract, event)]
        elif name in ENDS:
            timeline = _close(timeline, end_of_month(effective_date(event)) + DAY)
        elif name in FOLLOWS:
            current = timeline[-1] if timeline and timeline[-1].valid_to is None else None
            if current is not None and current.valid_from <= effective_date(event):
                timeline = FOLLOWS[name](timeline, current, event, spec, member, contract)
    return timeline


def _member_group(timeline, current, event, spec, member, contract):
    """The employee's new group: the member's open period repriced in its family tariffs from the day,
    or ended the day before when it has none (said when the change is filed, family.filing_warnings)."""
    day, group = effective_date(event), event.data[spec["field"]]
    tariffs = family.tariffs_of(registry.version(current.tenant_version), contract, group)
    if not tariffs:
        return _close(timeline, day)
    mark = {} if is_unpaid(current) else {"reason": "event", "event_id": event.id, "event_kind": event.type}
    moved = replace(current, valid_from=day, valid_to=None, tariff_group=group, tariffs=tuple(tariffs),
                    enrolment_id=None, id=None, **mark)
    premium = _priced(member, contract, current.tenant_version, group, day) if current.cover == "insured" else ZERO
    return _close(timeline, day) + [replace(moved, premium=premium)]


def _member_unpaid(timeline, current, event, spec, member, contract):
    """The employee's unpaid period: the member's cover suspended or premium-free as the employee's, for
    the same time (its later parts and the resumption are steps of the open period); unchanged when the
    employer or the employee keeps paying."""
    if treatment(event, contract)[0] in ("employer_pays", "employee_pays"):
        return timeline
    return _close(timeline, effective_date(event)) + unpaid_plan(event, current, contract)[0][:1]


def _member_return(timeline, current, event, spec, member, contract):
    return _resume(timeline, effective_date(event), member, contract, event)


# the employee's effects a family member's cover follows (family.concerns names their events)
FOLLOWS = {"change_group": _member_group, "suspend_cover": _member_unpaid, "resume_cover": _member_return}


def step_dates(age_method, birth_date, after, until):
    """The days on which a person's age for pricing rises, after `after` up to `until`: 1 January
    (insurance age), the 1st of the month after the birthday (age at start), or the first 1st of a
    month on which six whole months have passed since the birthday (nearest birthday)."""
    for year in range(after.year - 1, until.year + 1):
        if age_method == "insurance_age":
            day = datetime.date(year, 1, 1)
        elif age_method == "nearest_birthday":
            day = _half_birthday_step(birth_date, year)
        else:
            birthday = _birthday(birth_date, year)
            day = start_window.first_of_next_month(birthday) if birthday > after else None
        if day is not None and after < day <= until:
            yield day


def _half_birthday_step(birth_date, year):
    """The first 1st of a month on which the birthday in `year` counts by the nearest birthday
    (rules.dates.nearest_birthday_age): six whole months after the birthday of the year before."""
    day = start_window.first_of_next_month(_birthday(birth_date, year - 1))
    for _ in range(12):
        if dates.nearest_birthday_age(birth_date, day) > dates.age(birth_date, day):
            return day
        day = start_window.first_of_next_month(day)
    return None


def _birthday(birth_date, year):
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a common year
        return datetime.date(year, 2, 28)


def age_step_days(open_period, employee, contract, until):
    """(day, "age_step") for each day after the open period began on which the person's age for
    pricing rises (the tenant's age_method)."""
    method = registry.version(open_period.tenant_version).settings.age_method
    return ((day, "age_step") for day in step_dates(method, employee.birth_date, open_period.valid_from, until))


# Sources of the days on which an open insured period may change without an event: each is
# fn(open_period, employee, contract, until) -> iterable of (day, reason), days after the period's
# start up to `until`. On such a day the period is priced anew (`repriced`); a new period is
# written only when its tariffs or premium differ.
STEP_SOURCES = [age_step_days, level_changes.change_days]
# reason -> key in apply_due's answer (others: unpaid_steps)
STEP_COUNTS = {"age_step": "age_steps", "level_change": "level_changes"}


# the insurer's dated premium changes, from the day each reaches the contract (engine/price_changes.py)
STEP_SOURCES.append(price_changes.step_days)
STEP_COUNTS["price_change"] = "price_changes"


def _price_on(open_period, employee, contract, day):
    """(tariffs, premium) of the open period's group on `day`."""
    if isinstance(employee, FamilyMember):
        tariffs = family.tariffs_of(registry.version(open_period.tenant_version), contract, open_period.tariff_group)
    else:
        tariffs = enrolments.tariffs_of(contract, open_period.tariff_group, day=day)
    return tuple(tariffs), _priced(employee, contract, open_period.tenant_version, open_period.tariff_group, day)


def repriced(open_period, employee, contract, day):
    """The open period as priced on `day`: the group's tariffs and premium that day."""
    tariffs, premium = _price_on(open_period, employee, contract, day)
    return replace(open_period, tariffs=tariffs, premium=premium)


def _premium_step(open_period, employee, contract, until):
    """(day, reason, period) of the first day up to `until` on which the open insured period's
    tariffs or premium change (age steps and the other STEP_SOURCES), or None."""
    if open_period is None or open_period.cover != "insured" or open_period.valid_to is not None:
        return None
    days = sorted({item for source in STEP_SOURCES for item in source(open_period, employee, contract, until)
                   if open_period.valid_from < item[0] <= until}, key=lambda item: (item[0], item[1]))
    for day, reason in days:
        tariffs, premium = _price_on(open_period, employee, contract, day)
        if (tariffs, premium) != (open_period.tariffs, open_period.premium):
            # the period names the version that priced it: the live one once its change has reached it
            return day, reason, replace(open_period, tariffs=tariffs, premium=premium, tenant_version=(
                price_changes.version_on(contract, tariffs, day, open_period.tenant_version)))
    return None


def project(employee, contract, written, pending, until):
    """The timeline through `until`: the written periods, then every pending event and age step in
    the order of the days they take effect (an event before an age step on the same day). A cancelled
    contract's end date cuts it: nothing changes after it, and from the day after no period is open."""
    end = contract.end_date
    timeline = _project(employee, contract, written, pending, until if end is None else min(until, end))
    return timeline if end is None or end + DAY > until else _close(timeline, end + DAY)


def _project(employee, contract, written, pending, until):
    timeline = list(written)
    queue = sorted(pending, key=lambda e: (takes_effect(e), e.id))
    known = {e.id: e for e in pending}
    while True:
        open_period = timeline[-1] if timeline and timeline[-1].valid_to is None else None
        event_day = takes_effect(queue[0]) if queue else None
        horizon = min(until, event_day - DAY) if event_day else until
        unpaid = _unpaid_step(open_period, employee, contract, horizon, known)
        step = _premium_step(open_period, employee, contract, unpaid[0] - DAY if unpaid else horizon)
        if step is not None:
            day, reason, priced = step
            link = ({} if is_unpaid(open_period) else {"event_id": None, "event_kind": ""})  # keeps the unpaid period's end
            timeline = _close(timeline, day) + [replace(priced, valid_from=day, reason=reason, enrolment_id=None,
                                                        id=None, **link)]
        elif unpaid is not None:
            timeline = _close(timeline, unpaid[0]) + [unpaid[1]]
        elif event_day is not None and event_day <= until:
            timeline = _event_writes(timeline, queue.pop(0), employee, contract)
        else:
            return timeline


# --- reads ------------------------------------------------------------------------------------------

def timeline(employee, until=None):
    """Written and projected periods of a person through `until` (default: two years ahead)."""
    until = until or start_window.add_months(clock.today(), 24)
    employee_id, _ = _ledger_of(employee)
    return project(employee, employee.contract, periods(*_ledger_of(employee)),
                   _pending_of(employee, _pending([employee_id]).get(employee_id, [])), until)


def state_on(employee, day):
    """The period in force on `day`, or None when the person is not covered that day."""
    return next((p for p in timeline(employee, max(day, clock.today())) if not p.void and p.covers(day)), None)


def premium_for(employee, month):
    """The premium due for the month of `month`: that of the period in force on its 1st (a change
    within a month counts from the next one; cover starts on a 1st and ends on a month's last day)."""
    period = state_on(employee, month.replace(day=1))
    return period.due_premium if period else ZERO


def upcoming(employee, today=None):
    """Periods that begin after today, and the open period's end when it lies ahead."""
    today = today or clock.today()
    return [p for p in timeline(employee) if not p.void and (p.valid_from > today or
                                                             (p.valid_to is not None and p.valid_to >= today))]


def month_premiums(contract, month):
    """{employee id: premium due for `month`} of a contract's people with cover."""
    return {employee_id: row["premium"] for employee_id, row in overview(contract, month).items()}


def overview(contract, month, employee_ids=None):
    """Per person with cover, for the staff list: {employee id: {premium: due for `month`, period: in
    force on its 1st (or None), next: the first change after today (a period, or the open period's
    end as {ends: day}), or None}}; only of `employee_ids` when given (a page of the list)."""
    return staff_page(contract, month, employee_ids)[0]


def staff_page(contract, month, employee_ids=None):
    """(overview, the lines it was read from) of `overview`: the lines run two years ahead, for the
    page's other readers (benefit_limit.staff_list) to use without projecting the people again."""
    first, today = month.replace(day=1), clock.today()
    found = {}
    people = lines(contract, max(first, start_window.add_months(today, 24)), employee_ids)
    for employee_id, line in people.items():
        period = next((p for p in line if p.covers(first)), None)
        found[employee_id] = {"premium": period.due_premium if period else ZERO, "period": period,
                              "next": _next_change(line, today)}
    return found, people


_PERIOD_COLUMNS = (CoverPeriod.valid_from, CoverPeriod.valid_to, CoverPeriod.cover, CoverPeriod.tariff_group,
                   CoverPeriod.tariffs, CoverPeriod.premium, CoverPeriod.payer, CoverPeriod.reason,
                   CoverPeriod.tenant_version, CoverPeriod.event, CoverPeriod.event_kind, CoverPeriod.enrolment,
                   CoverPeriod.id, CoverPeriod.employee)


@prepared
def _contract_ledger(contract_id):
    """The written periods of a contract's employees as tuples (_PERIOD_COLUMNS): a contract of
    50,000 people is read without making 50,000 model instances."""
    return (CoverPeriod.select(*_PERIOD_COLUMNS)
            .where((CoverPeriod.contract == contract_id) & CoverPeriod.family_member.is_null())
            .order_by(CoverPeriod.employee, CoverPeriod.valid_from, CoverPeriod.id).tuples())


# What the projection reads of an employee (pricing: engine/enrolments.premium_of), read as tuples: a
# statement run of 50,000 people spent 0.65 s making model instances of them.
_Insured = collections.namedtuple("_Insured", "id birth_date employment_type")
_PERSON_COLUMNS = [Employee.id, Employee.birth_date, Employee.employment_type]


@prepared
def _contract_pending(contract_id):
    return BusinessEvent.select().where((BusinessEvent.contract == contract_id) & (BusinessEvent.state == "accepted")
                                        & BusinessEvent.applied_at.is_null())


@prepared
def _contract_staff(contract_id):
    return Employee.select(*_PERSON_COLUMNS).where(Employee.contract == contract_id).tuples()


def lines(contract, until, employee_ids=None):
    """{employee id: the person's written and projected periods through `until`, void ones left out}
    of a contract's people with cover (of `employee_ids` only, when given); three queries: the
    ledger, pending events, the people."""
    rows = {}
    if employee_ids is None:
        ledger = _contract_ledger(contract.id)
    else:  # by the people's index alone: a plan by the contract's (or the family member's) reads all its periods
        ledger = (values for *values, contract_id, member_id in (
            CoverPeriod.select(*_PERIOD_COLUMNS, CoverPeriod.contract, CoverPeriod.family_member)
            .where(CoverPeriod.employee.in_(list(employee_ids)))
            .order_by(CoverPeriod.employee, CoverPeriod.valid_from, CoverPeriod.id).tuples())
            if contract_id == contract.id and member_id is None)
    for *values, employee_id in ledger:
        rows.setdefault(employee_id, []).append(_period_of(values))
    if not rows:
        return {}
    if employee_ids is None:  # the whole contract: by contract, not by a list of every person's id
        pending = {}
        for event in _contract_pending(contract.id):
            pending.setdefault(event.employee_id, []).append(event)
        people = {row[0]: _Insured(*row) for row in _contract_staff(contract.id) if row[0] in rows}
    else:
        pending = _pending(rows)
        people = {row[0]: _Insured(*row) for row in Employee.select(*_PERSON_COLUMNS)
                  .where(Employee.id.in_(list(rows))).tuples()}
    return {employee_id: [p for p in project(people[employee_id], contract, _in_order(written),
                                             pending.get(employee_id, []), until) if not p.void]
            for employee_id, written in rows.items()}


@prepared
def _written_spans(contract_id):
    return (CoverPeriod.select(CoverPeriod.valid_from, CoverPeriod.valid_to, CoverPeriod.tariff_group,
                               fn.COUNT(SQL("*")))  # from the index alone
            .where((CoverPeriod.contract == contract_id) & CoverPeriod.family_member.is_null())
            .group_by(CoverPeriod.valid_from, CoverPeriod.valid_to, CoverPeriod.tariff_group).tuples())


def spans(contract, until):
    """[(valid_from, valid_to or None, tariff group, how many)]: the periods of `lines(contract,
    until)` counted by their days and group, without projecting every person: for those without
    pending events the database counts their written periods (their projection only splits a period
    at an age step, a premium change or the next part of an unpaid period, in the same group, and
    cover goes on; a contract's end closes it, as `project` does); only people with pending events
    are projected."""
    moving = {event.employee_id for event in _contract_pending(contract.id)}
    counted = collections.Counter()
    for employee_id, line in (lines(contract, until, moving) if moving else {}).items():
        for period in line:
            counted[period.valid_from, period.valid_to, period.tariff_group] += 1
    stay = collections.Counter({(first, last, group): n for first, last, group, n in _written_spans(contract.id)})
    if moving:  # their written periods are counted above, projected
        for row in CoverPeriod.select(CoverPeriod.valid_from, CoverPeriod.valid_to, CoverPeriod.tariff_group).where(
                (CoverPeriod.contract == contract) & CoverPeriod.family_member.is_null()
                & CoverPeriod.employee.in_(list(moving))).tuples():
            stay[row] -= 1
    end = contract.end_date
    for (first, last, group), n in stay.items():
        if end is not None and end + DAY <= until and (last is None or last > end):
            last = max(end + DAY, first) - DAY  # as project's _close at the day after the end
        if n and (last is None or last >= first):
            counted[first, last, group] += n
    return [(first, last, group, n) for (first, last, group), n in counted.items()]


def _next_change(line, today):
    later = [p for p in line if p.valid_from > today]
    ending = next((p for p in line if p.covers(today) and p.valid_to is not None), None)
    if ending is not None and not any(p.valid_from == ending.valid_to + DAY for p in later):
        return {"ends": ending.valid_to}
    return later[0] if later else None


def contract_total(contract, month):
    """What the contract costs for `month`: the sum of every insured person's premium due, the
    employees' and their family members'."""
    return sum(month_premiums(contract, month).values(), ZERO) + sum(
        (row["premium"] for row in family_overview(contract, month).values()), ZERO)


def family_overview(contract, month):
    """Per family member of the contract's people, as `overview` per employee: {member id: {member:
    {id, employee_id, first_name, last_name, role, payer}, premium, period, next}}; members whose
    cover begins later are projected from the accepted event that adds them."""
    first, today = month.replace(day=1), clock.today()
    found = {}
    for member, line in family_lines(contract, max(first, start_window.add_months(today, 24))):
        period = next((p for p in line if p.covers(first)), None)
        found[member.id] = {"member": {"id": member.id, "employee_id": member.employee_id, "role": member.role,
                                       "first_name": member.first_name, "last_name": member.last_name,
                                       "payer": member.payer},
                            "premium": period.due_premium if period else ZERO, "period": period,
                            "next": _next_change(line, today)}
    return found


def family_lines(contract, until):
    """[(family member, their written and projected periods through `until`, void ones left out)] of
    the contract's people's family members (those added by an accepted event), in id order."""
    found_members = list(FamilyMember.select(FamilyMember, Employee).join_from(FamilyMember, Employee)
                         .switch(FamilyMember).join(BusinessEvent).where(
                             (Employee.contract == contract) & (BusinessEvent.state == "accepted"))
                         .order_by(FamilyMember.id))
    if not found_members:
        return []
    written = {}
    for row in (CoverPeriod.select().where((CoverPeriod.contract == contract) & CoverPeriod.family_member.is_null(False))
                .order_by(CoverPeriod.valid_from, CoverPeriod.id)):
        written.setdefault(row.family_member_id, []).append(_period(row))
    pending = _pending({m.employee_id for m in found_members})
    return [(member, [p for p in project(member, contract, _in_order(written.get(member.id, [])),
                                         _pending_of(member, pending.get(member.employee_id, [])), until)
                      if not p.void])
            for member in found_members]


def in_force(contract, months):
    """{month's 1st: {(employee id, family member id or None): the period in force on it}} for several
    months, of every insured person (employees and family members) with cover that day: the ledger
    projected once through the end of the latest of them, not once per month. (A period's end
    within that month is projected too; a statement line runs to it.)"""
    firsts = sorted({month.replace(day=1) for month in months})
    until = end_of_month(firsts[-1])  # what changes after the last month does not change who is covered on a 1st
    people = [((employee_id, None), line) for employee_id, line in lines(contract, until).items()]
    people += [((member.employee_id, member.id), line) for member, line in family_lines(contract, until)]
    found = {first: {} for first in firsts}
    for key, line in people:
        for period in line:
            for first in firsts:
                if period.covers(first):
                    found[first][key] = period
    return found


def month_totals(contract, months):
    """{month: what the contract costs for it} for several months (each a day in the month), as
    `contract_total` but from one projection of the ledger."""
    periods_on = in_force(contract, months)
    return {month: sum((p.due_premium for p in periods_on[month.replace(day=1)].values()), ZERO) for month in months}


# --- writes -----------------------------------------------------------------------------------------

def _write(employee, contract, before, after, actor):
    """Store what `after` adds to `before`: closes (valid_to of the open period) and new periods."""
    written = {p.id: p for p in before}
    for period in after:
        if period.id is not None:
            old = written[period.id]
            if old.valid_to != period.valid_to:
                # a closed period is only ever shortened (a change dated back before its end), never
                # lengthened or reopened
                if old.valid_to is not None and (period.valid_to is None or period.valid_to > old.valid_to):
                    raise Conflict("Ein abgeschlossener Versicherungszeitraum kann nicht verlängert werden.",
                                   "A closed period of cover cannot be extended.")
                unchanged = CoverPeriod.valid_to.is_null() if old.valid_to is None else (
                    CoverPeriod.valid_to == old.valid_to)
                closed = CoverPeriod.update(valid_to=period.valid_to).where(
                    (CoverPeriod.id == period.id) & unchanged).execute()
                if closed != 1:  # someone else wrote this person's ledger meanwhile
                    raise Conflict("Der Versicherungsverlauf wurde inzwischen geändert.",
                                   "The cover ledger was changed in the meantime.")
                audit.record(actor, "cover.closed", "cover_period", period.id, tenant=contract.tenant_id,
                             before={"valid_to": old.valid_to} if old.valid_to is not None else None,
                             after={**_owner(employee), "valid_to": period.valid_to},
                             employer=contract.employer_id)
            continue
        row = CoverPeriod.create(**_owner(employee), contract=contract.id, valid_from=period.valid_from,
                                 valid_to=period.valid_to, cover=period.cover, tariff_group=period.tariff_group,
                                 tariffs=list(period.tariffs), premium=str(period.premium), payer=period.payer,
                                 reason=period.reason, enrolment=period.enrolment_id, event=period.event_id,
                                 event_kind=period.event_kind, tenant_version=period.tenant_version)
        audit.record(actor, "cover.opened", "cover_period", row.id, tenant=contract.tenant_id,
                     after={**_owner(employee), "valid_from": period.valid_from, "valid_to": period.valid_to,
                            "cover": period.cover, "group": period.tariff_group, "premium": str(period.premium),
                            "reason": period.reason, "event": period.event_id},
                     employer=contract.employer_id)


def open_first(enrolment, actor):
    """An accepted enrolment opens the person's first period from its start date."""
    contract = enrolment.contract
    first = Period(enrolment.start_date, None, "insured", enrolment.tariff_group, tuple(enrolment.tariffs),
                   Decimal(enrolment.premium), payer_of(contract, enrolment.tariff_group), "enrolment",
                   contract.tenant_version_id, enrolment_id=enrolment.id)
    with transaction():
        before = periods(enrolment.employee_id)
        _write(enrolment.employee, contract, before, _close(before, enrolment.start_date) + [first], actor)


def _person_changes(event):
    """The person's data an event changes, and the employee machine's transition it takes (or None)."""
    changes, transition = {}, None
    for name, spec in KINDS[event.type].effects:
        if name == "update_person":
            changes.update({field: event.data[field] for field in spec if event.data.get(field)})
        elif name == "end_cover":
            transition = spec["person_transition"]
        elif name == "change_group":
            changes["tariff_group"] = event.data[spec["field"]]
    return changes, transition


def _take_effect(event, actor):
    """Write an event into the ledger and onto the person, now that its day has come."""
    employee, contract = Employee.get_by_id(event.employee_id), event.contract
    with transaction():
        if BusinessEvent.update(applied_at=utcnow()).where((BusinessEvent.id == event.id)
                                                           & BusinessEvent.applied_at.is_null()).execute() != 1:
            return False  # applied by someone else already
        before = periods(employee.id)
        after = project(employee, contract, before, [event], takes_effect(event))
        _write(employee, contract, before, after, actor)
        for member in family.concerned(event):  # the family members whose cover it changes
            before = periods(employee.id, member.id)
            _write(member, contract, before, project(member, contract, before, [event], takes_effect(event)), actor)
        family.in_force(event, actor)
        changes, transition = _person_changes(event)
        if transition:
            workflow.move(Employee, "employee", transition, actor, [employee.id], scope=contract,
                          changes={"updated_at": utcnow()})
        if changes:
            Employee.update(**names.keyed(changes, employee), updated_at=utcnow()).where(
                Employee.id == employee.id).execute()
        audit.record(actor, "event.in_force", "business_event", event.id, tenant=contract.tenant_id,
                     after={"type": event.type, "from": takes_effect(event)}, employer=contract.employer_id)
        _in_force_follow_ups(event, employee, changes, actor)
    return True


def _in_force_follow_ups(event, employee, changes, actor):
    """What an event in force starts beyond the ledger: a leaver's continuation case, and the group
    checked again after the person's data changed (engine/continuation.py, engine/regroup.py)."""
    from engine import continuation, regroup  # here: regroup reads engine.enrolments, which imports this module
    continuation.open_for(event, actor)
    if changes and set(changes) - {"tariff_group"}:
        regroup.recheck(employee, actor, effective_date(event))


def event_accepted(event, actor):
    """An accepted event takes effect now when its day has come, else on that day (`apply_due`)."""
    if takes_effect(event) <= clock.today():
        _take_effect(event, actor)


def _steps_due(employee, today):
    """Write the open period's steps due by `today` (age steps, the parts and the end of an unpaid
    period); returns {age_steps: n, unpaid_steps: n}."""
    with transaction():
        before = periods(*_ledger_of(employee))
        after = project(employee, employee.contract, before, [], today)
        if after != before:
            _write(employee, employee.contract, before, after, None)
        counts = {"age_steps": 0, "unpaid_steps": 0}
        for period in after:
            if period.id is None:
                key = STEP_COUNTS.get(period.reason, "unpaid_steps")
                counts[key] = counts.get(key, 0) + 1
        return counts


def backfill():
    """Periods for people insured before the ledger existed: each accepted enrolment whose person has
    no period opens their first one; the events accepted back then (not yet applied to the ledger)
    follow in `apply_due`, in the order of their dates. Idempotent. Returns how many were opened."""
    missing = Enrolment.select().where((Enrolment.state == "accepted") & ~fn.EXISTS(
        CoverPeriod.select(CoverPeriod.id).where((CoverPeriod.employee == Enrolment.employee)
                                                 & CoverPeriod.family_member.is_null())))
    opened = 0
    for enrolment in missing.order_by(Enrolment.id):
        open_first(enrolment, None)
        opened += 1
    return opened


def apply_due(today=None):
    """Apply what became due by `today`: first periods for people insured before the ledger existed
    (`backfill`), accepted events whose day has come (ledger, the person's data and state) and age
    steps. Idempotent; each person's change is its own transaction.
    Returns {backfilled: n, events: n, age_steps: n, unpaid_steps: n}."""
    today = today or clock.today()
    done = {"backfilled": backfill(), "events": 0, "age_steps": 0, "unpaid_steps": 0}
    due = (BusinessEvent.select().where((BusinessEvent.state == "accepted") & BusinessEvent.applied_at.is_null())
           .order_by(BusinessEvent.id))
    for event in sorted(due, key=lambda e: (takes_effect(e), e.id)):
        if takes_effect(event) <= today:
            try:
                done["events"] += _take_effect(event, None)
            except Conflict:
                logger.warning("cover: event %s was applied concurrently", event.id)
    for employee_id, member_id in CoverPeriod.select(CoverPeriod.employee, CoverPeriod.family_member).where(
            CoverPeriod.valid_to.is_null()).distinct().tuples():
        person = FamilyMember.get_by_id(member_id) if member_id else Employee.get_by_id(employee_id)
        try:
            for key, count in _steps_due(person, today).items():
                done[key] = done.get(key, 0) + count
        except Conflict:
            logger.warning("cover: ledger of employee %s changed concurrently", employee_id)
    return done
