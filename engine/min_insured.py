"""The tenant's minimum number of insured people (settings.min_insured), watched on the cover ledger:
the employer is warned before the count falls below it; once it has, broker and insurer get a task,
once per drop (`GroupContract.below_minimum_since` remembers the drop told)."""
import collections
import datetime
import logging

from engine import audit, clock, cover, registry, signals, start_window
from engine.db import transaction
from engine.models import GroupContract

logger = logging.getLogger(__name__)

DAY = datetime.timedelta(days=1)
AHEAD_MONTHS = 24


def counts(contract, until):
    """[(day, n)]: the number of people the ledger covers (insured, premium-free or suspended) from
    each day on which it changes, written and projected, through `until`."""
    deltas = collections.Counter()
    for line in cover.lines(contract, until).values():  # a person's periods do not overlap
        for period in line:
            deltas[period.valid_from] += 1
            if period.valid_to is not None:
                deltas[period.valid_to + DAY] -= 1
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


def shortfall(contract, today=None):
    """{day, count, minimum, dropped} of the contract's fall below min_insured: the last one on or
    before `today` while it lasts (dropped: True), else the first one ahead (a warning), else None.
    A contract that never reached the minimum (still enrolling) has none; nor do days after its end."""
    today = today or clock.today()
    minimum = registry.version(contract.tenant_version_id).settings.min_insured
    last = contract.end_date or start_window.add_months(today, AHEAD_MONTHS)
    reached, current, ahead = False, None, None
    for day, count in counts(contract, last):
        if count >= minimum:
            reached = True
            current = None if day <= today else current
        elif not reached:
            continue  # still enrolling
        elif day <= today:
            current = current or {"day": day, "minimum": minimum, "dropped": True}
            current["count"] = count
        elif current is None and ahead is None:
            ahead = {"day": day, "count": count, "minimum": minimum, "dropped": False}
    return current or ahead


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
                         after={"since": day, "count": found["count"] if day else None})
            if day is not None:
                signals.below_minimum.send(contract, day=day, count=found["count"], minimum=found["minimum"])
                told += 1
    return told
