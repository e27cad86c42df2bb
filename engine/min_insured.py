"""The tenant's minimum number of insured people (settings.min_insured) and each tariff group's own
minimum and participation quota (tariff_groups[].min_insured, .participation_quota), checked when an
application is released and accepted and watched on the cover ledger: the employer is warned before a
count falls below one; once it has, broker and insurer get a task, once per drop
(`GroupContract.below_minimum_since` remembers the drop told)."""
import collections
import datetime
import logging
import math

from engine import audit, clock, cover, offer_benefits, registry, signals, start_window
from engine.db import transaction
from engine.errors import DomainError
from engine.models import BusinessEvent, Employee, GroupContract
from tenants.event_kinds import event_kinds

logger = logging.getLogger(__name__)

DAY = datetime.timedelta(days=1)
AHEAD_MONTHS = 24


def counts(contract, until, group=None, spans=None):
    """[(day, n)]: the number of people the ledger covers (insured, premium-free or suspended) from
    each day on which it changes, written and projected, through `until`; of one tariff group when given.
    `spans`: cover.spans(contract, until) when read already."""
    deltas = collections.Counter()
    for first, last, tariff_group, people in cover.spans(contract, until) if spans is None else spans:
        if group is not None and tariff_group != group:  # a person's periods do not overlap
            continue
        deltas[first] += people
        if last is not None:
            deltas[last + DAY] -= people
    return _running(deltas, until)


def _running(deltas, until):
    """[(day, n)]: the running total of `deltas` (day -> change) on each day it changes, through `until`."""
    found, count = [], 0
    for day in sorted(deltas):
        if day > until:
            break
        count += deltas[day]
        found.append((day, count))
    return found


def covered_on(contract, day):
    """How many people the ledger covers on `day`."""
    return _at(counts(contract, day), day)


def required(live, group_id, staff):
    """(minimum, quota) of one tariff group: the people it must insure, its own minimum or its quota of
    the `staff` eligible for it (rounded up), whichever is more; quota in percent or None."""
    offered = live.groups.get(group_id) or {}
    quota = offered.get("participation_quota")
    minimum = int(offered.get("min_insured") or 0)
    if quota and staff:
        minimum = max(minimum, math.ceil(quota * staff / 100))
    return minimum, quota


def staff_counts(contract, group_id, until):
    """[(day, n)] like `counts`: the contract's people reported in the tariff group (as it is reported
    now) and employed on each day on which their number changes, through `until`: from their
    employment_start through their last day employed (the earlier of their leaving_date and the day of
    an accepted event that ends their cover: leaving, death). One gone with no known day is not counted."""
    people = list(Employee.select(Employee.id, Employee.employment_start, Employee.leaving_date, Employee.state)
                  .where((Employee.contract == contract) & (Employee.tariff_group == group_id)))
    last_days = _last_days(contract, [p.id for p in people])
    deltas = collections.Counter()
    for person in people:
        last = min((day for day in (person.leaving_date, last_days.get(person.id)) if day is not None), default=None)
        if person.state in offer_benefits.GONE and last is None:
            continue
        deltas[person.employment_start] += 1
        if last is not None:
            deltas[last + DAY] -= 1
    return _running(deltas, until)


def _last_days(contract, employee_ids):
    """{employee id: the effective day of the accepted event that ended their cover (leaving, death)}."""
    ending = {name: kind.effective_date for name, kind in event_kinds().items()
              if any(effect == "end_cover" for effect, _ in kind.effects)}
    if not employee_ids or not ending:
        return {}
    days = {}
    for event in (BusinessEvent.select(BusinessEvent.employee, BusinessEvent.type, BusinessEvent.data)
                  .where((BusinessEvent.contract == contract) & BusinessEvent.employee.in_(employee_ids)
                         & BusinessEvent.type.in_(list(ending)) & (BusinessEvent.state == "accepted"))):
        text = (event.data or {}).get(ending[event.type])
        if text:
            day = datetime.date.fromisoformat(str(text)[:10])
            days[event.employee_id] = min(day, days.get(event.employee_id, day))
    return days


def _at(points, day):
    """The value of a step function [(day, n)] on `day` (0 before its first day)."""
    return next((count for changed, count in reversed(points) if changed <= day), 0)


def shortfall(contract, today=None):
    """{day, count, minimum, dropped, group (None: the contract's minimum), group_name ({de, en}), quota}
    of the contract's fall below its minimum or a group's minimum or quota: one that lasts on `today`
    (dropped: True; the earliest), else the first one ahead (a warning), else None. A contract or group
    that never reached its minimum (still enrolling) has none; nor do days after the contract's end."""
    today = today or clock.today()
    live = registry.version(contract.tenant_version_id)
    last = contract.end_date or start_window.add_months(today, AHEAD_MONTHS)
    spans = cover.spans(contract, last)
    found = [_fall(counts(contract, last, spans=spans), live.settings.min_insured, today, None, None)]
    for group in contract.groups:
        gid = group["id"]
        points = counts(contract, last, gid, spans)
        if not (live.groups.get(gid) or {}).get("participation_quota"):
            minimum, quota = required(live, gid, 0)
            if minimum:
                found.append(_fall(points, minimum, today, gid, None))
            continue
        # a quota is of the staff employed on each day: who joins later raises it from then, a leaver lowers it
        staff = staff_counts(contract, gid, last)
        days = sorted({day for day, _ in points} | {day for day, _ in staff})
        merged = [(day, _at(points, day)) for day in days]
        found.append(_fall(merged, lambda day, gid=gid, staff=staff: required(live, gid, _at(staff, day))[0],
                           today, gid, live.groups[gid]["participation_quota"]))
    found = [item for item in found if item is not None]
    for item in found:
        item["group_name"] = (live.groups.get(item["group"]) or {}).get("name") if item["group"] else None
    dropped = sorted((item for item in found if item["dropped"]), key=lambda item: item["day"])
    ahead = sorted((item for item in found if not item["dropped"]), key=lambda item: item["day"])
    return (dropped or ahead or [None])[0]


def _fall(points, minimum, today, group, quota):
    """The lasting or coming fall of `points` below `minimum` (a number, or day -> number for a quota)."""
    reached, current, ahead = False, None, None
    for day, count in points:
        need = minimum(day) if callable(minimum) else minimum
        if not need:
            current = None if day <= today else current
            continue
        if count >= need:
            reached = True
            current = None if day <= today else current
        elif not reached:
            continue  # still enrolling
        elif day <= today:
            current = current or {"day": day, "minimum": need, "dropped": True, "group": group, "quota": quota}
            current["count"], current["minimum"] = count, need
        elif current is None and ahead is None:
            ahead = {"day": day, "count": count, "minimum": need, "dropped": False, "group": group, "quota": quota}
    return current or ahead


def application_problems(live, groups, staff):
    """Why an offer's groups do not meet their group's minimum or quota ({group, de, en} each): `groups` the
    offer's (with headcount), `staff` {group id: number of the employer's people eligible for it}
    (offer_benefits.known_staff; a quota is checked only against known staff)."""
    problems = []
    for group in groups:
        offered = live.groups.get(group["id"]) or {}
        name = offered.get("name") or {"de": group["id"], "en": group["id"]}
        headcount = int(group.get("headcount") or 0)
        own = int(offered.get("min_insured") or 0)
        if headcount < own:
            problems.append({"group": group["id"],
                             "de": f"Tarifgruppe {name['de']}: {headcount} Versicherte, verlangt sind "
                                   f"mindestens {own}.",
                             "en": f"Tariff group {name['en']}: {headcount} insured, at least {own} are required."})
        quota, eligible = offered.get("participation_quota"), staff.get(group["id"], 0)
        if quota and eligible and headcount * 100 < quota * eligible:
            needed = math.ceil(quota * eligible / 100)
            problems.append({"group": group["id"],
                             "de": f"Tarifgruppe {name['de']}: {headcount} von {eligible} Beschäftigten versichert, "
                                   f"verlangt sind mindestens {quota} % ({needed}).",
                             "en": f"Tariff group {name['en']}: {headcount} of {eligible} employees insured, at "
                                   f"least {quota} % ({needed}) are required."})
    return problems


def check_application(application):
    """DomainError when the application's offer misses a group's minimum or quota (release, accept)."""
    live = registry.version(application.tenant_version_id)
    groups = application.offer.groups
    if not any((live.groups.get(g["id"]) or {}).get(key) for g in groups
               for key in ("min_insured", "participation_quota")):
        return
    start = application.offer.start_date
    staff = {gid: len(dates) for gid, dates in
             offer_benefits.known_staff(application.employer, live, groups, start).items()}
    problems = application_problems(live, groups, staff)
    if problems:
        raise DomainError(" ".join(p["de"] for p in problems), " ".join(p["en"] for p in problems))


def check_due(today=None):
    """The daily job: a contract whose count has fallen below the minimum is told to broker and insurer
    (signals.below_minimum) once per drop; one back at the minimum is forgotten. Returns how many were told."""
    today = today or clock.today()
    told = 0
    for contract in GroupContract.select().where(GroupContract.state != "ended").order_by(GroupContract.id):
        found = shortfall(contract, today)
        day = found["day"] if found and found["dropped"] else None
        if day == contract.below_minimum_since:
            continue
        with transaction():
            changed = (GroupContract.update(below_minimum_since=day)
                       .where((GroupContract.id == contract.id)
                              & (GroupContract.below_minimum_since == contract.below_minimum_since
                                 if contract.below_minimum_since else GroupContract.below_minimum_since.is_null()))
                       .execute())
            if changed != 1:
                continue  # told by another run meanwhile
            audit.record(None, "contract.below_minimum" if day else "contract.minimum_reached", "contract",
                         contract.id, tenant=contract.tenant_id, employer=contract.employer_id,
                         after={"since": day, "count": found["count"] if day else None,
                                "group": found["group"] if day else None})
            if day is not None:
                signals.below_minimum.send(contract, day=day, count=found["count"], minimum=found["minimum"],
                                           group=found["group_name"])
                told += 1
    return told
