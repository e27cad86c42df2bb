"""Another tariff group for a group contract from its next anniversary, asked for by the employer or the
broker before the tenant's notice period, withdrawable until the day. Stored on the contract as a group
with a `from` day (a group without one is there from the start): the rules assign people to it at once,
but it counts for cover only from that day (`groups_on`, `first_day`), and on the day the people not yet
enrolled are assigned again (`open_due`)."""
import copy
import dataclasses
import datetime
from decimal import Decimal, InvalidOperation

from engine import clock, contract_lifecycle, eligibility, level_changes, pricing, registry
from engine.errors import DomainError
from engine.formatting import date as date_de
from engine.models import GroupContract


def _from(group):
    return datetime.date.fromisoformat(group["from"]) if group.get("from") else None


def groups_on(contract, day):
    """The contract's groups that count on `day`: those without a `from` day and those from it on."""
    return [g for g in contract.groups if _from(g) is None or _from(g) <= day]


def first_day(contract, group_id):
    """The first day the contract's group counts for cover, or None when it is there from the start."""
    return next((_from(g) for g in contract.groups if g["id"] == group_id), None)


def check_on(contract, group_id, day, field):
    """Refuse moving a person on `day` to a group of the contract that counts only later."""
    start = first_day(contract, group_id)
    if day is not None and start is not None and day < start:
        raise DomainError(f"Diese Tarifgruppe gilt im Vertrag erst ab dem {date_de(start)}.",
                          f"This tariff group applies in the contract only from {date_de(start)}.", field=field)


def assign_from(live, contract, rows):
    """eligibility.assign_from with all the contract's groups (those added for a later day too), each
    person's eligible_from not before the day their group counts: cover in it begins then at the earliest."""
    found = eligibility.assign_from(live, rows, contract.start_date, groups=[g["id"] for g in contract.groups])
    return [dataclasses.replace(a, eligible_from=max(a.eligible_from, first_day(contract, a.group)))
            if a.group and a.eligible_from and first_day(contract, a.group) else a for a in found]


def choices(contract, today=None):
    """What the pages show and offer: {effective (the next anniversary a group asked for now is added
    on), deadline, groups: [{group, levels}] (the tenant's groups the contract does not have), pending:
    [{group, from, level}] (groups added for a day not yet come)}."""
    today = today or clock.today()
    live = registry.version(contract.tenant_version_id)
    effective = level_changes.effective_date(contract, today)
    have = {g["id"] for g in contract.groups}
    return {"effective": effective, "deadline": contract_lifecycle.notice_deadline(contract, effective),
            "groups": [{"group": gid, "levels": pricing.levels_of(live, group["tariffs"])}
                       for gid, group in live.groups.items() if gid not in have],
            "pending": [{"group": g["id"], "from": _from(g), "level": g.get("level")}
                        for g in contract.groups if _from(g) is not None and _from(g) > today]}


def request(actor, contract, group_id, level, employer_share, effective):
    """Add the tenant's tariff group `group_id` to the contract from `effective` (the next anniversary
    whose deadline has not passed), priced at `level` (when it has budget levels) with the employer's
    share in percent; its modules come with it."""
    level_changes.check_role(actor, contract)
    today = clock.today()
    level_changes.check_anniversary(contract, effective, today,
                                    {"de": "Eine neue Tarifgruppe", "en": "A new tariff group"})
    live = registry.version(contract.tenant_version_id)
    offered = live.groups.get(group_id)
    if offered is None or any(g["id"] == group_id for g in contract.groups):
        raise DomainError("Diese Tarifgruppe kann dem Vertrag nicht hinzugefügt werden.",
                          "This tariff group cannot be added to the contract.", field="group")
    levels = pricing.levels_of(live, offered["tariffs"])
    if levels and level not in levels:
        raise DomainError("Bitte wählen Sie eine Budgetstufe der Tarifgruppe.",
                          "Please choose a budget level of the tariff group.", field="level")
    share = _share(employer_share)
    pricing.check_employer_share(live, ([level] if levels else []) + pricing.modules_of(live, offered["tariffs"]), share)
    group = {"id": group_id, "level": level if levels else None,
             "tariffs": ([level] if levels else []) + pricing.modules_of(live, offered["tariffs"]),
             "employer_share": str(share), "from": effective.isoformat()}
    return level_changes.store(actor, contract, copy.deepcopy(contract.groups) + [group], "contract.group_requested",
                               {"group": group_id, "level": group["level"], "employer_share": str(share),
                                "from": effective.isoformat()})


def _share(value):
    try:
        share = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        share = None
    if share is None or not share.is_finite() or not 0 <= share <= 100:
        raise DomainError("Der Arbeitgeberanteil ist ein Prozentsatz von 0 bis 100.",
                          "The employer's share is a percentage from 0 to 100.", field="employer_share")
    return share


def withdraw(actor, contract, group_id, effective):
    """Take back a group asked for, before its day."""
    level_changes.check_role(actor, contract)
    if effective is None or effective <= clock.today():
        raise DomainError("Die Tarifgruppe gilt bereits.", "The tariff group applies already.")
    if not any(g["id"] == group_id and g.get("from") == effective.isoformat() for g in contract.groups):
        raise DomainError("Diese Änderung gibt es nicht (mehr).", "There is no such change (any more).")
    return level_changes.store(actor, contract, [g for g in copy.deepcopy(contract.groups) if g["id"] != group_id],
                               "contract.group_withdrawn", {"group": group_id, "from": effective.isoformat()})


def open_due(today=None):
    """The daily job: on the day a group counts from, the rules run again for the contract's people not
    yet enrolled, so those it admits get it (idempotent: the same rules give the same group). Returns how
    many people's group changed."""
    from engine import employees  # here: employees imports enrolments, which reads this module
    today = today or clock.today()
    changed = 0
    for contract in GroupContract.select().where(GroupContract.state == "in_force").order_by(GroupContract.id):
        if not any(g.get("from") == today.isoformat() for g in contract.groups):
            continue
        changed += employees.reassign_new(contract)
    return changed

