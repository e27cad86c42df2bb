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
from engine.models import Employee, GroupContract

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
    found, count = [], 0
    for day in sorted(deltas):
        if day > until:
            break
        count += deltas[day]
        found.append((day, count))
    return found


def covered_on(contract, day):
    """How many people the ledger covers on `day`."""
    return next((count for changed, count in reversed(counts(contract, day)) if changed <= day), 0)


def required(live, group_id, staff):
    """(minimum, quota) of one tariff group: the people it must insure, its own minimum or its quota of
    the `staff` eligible for it (rounded up), whichever is more; quota in percent or None."""
    offered = live.groups.get(group_id) or {}
    quota = offered.get("participation_quota")
    minimum = int(offered.get("min_insured") or 0)
    if quota and staff:
        minimum = max(minimum, math.ceil(quota * staff / 100))
    return minimum, quota


def group_staff(contract, group_id):
    """The contract's people the employer has reported in a tariff group and who have not left."""
    return (Employee.select().where((Employee.contract == contract) & (Employee.tariff_group == group_id)
                                    & Employee.state.not_in(offer_benefits.GONE)).count())


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
        has_quota = (live.groups.get(group["id"]) or {}).get("participation_quota")
        minimum, quota = required(live, group["id"], group_staff(contract, group["id"]) if has_quota else 0)
        if minimum:
            found.append(_fall(counts(contract, last, group["id"], spans), minimum, today, group["id"], quota))
    found = [item for item in found if item is not None]
    for item in found:
        item["group_name"] = (live.groups.get(item["group"]) or {}).get("name") if item["group"] else None
    dropped = sorted((item for item in found if item["dropped"]), key=lambda item: item["day"])
    ahead = sorted((item for item in found if not item["dropped"]), key=lambda item: item["day"])
    return (dropped or ahead or [None])[0]


def _fall(points, minimum, today, group, quota):
    reached, current, ahead = False, None, None
    for day, count in points:
        if count >= minimum:
            reached = True
            current = None if day <= today else current
        elif not reached:
            continue  # still enrolling
        elif day <= today:
            current = current or {"day": day, "minimum": minimum, "dropped": True, "group": group, "quota": quota}
            current["count"] = count
        elif current is None and ahead is None:
            ahead = {"day": day, "count": count, "minimum": minimum, "dropped": False, "group": group, "quota": quota}
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
