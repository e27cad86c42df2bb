"""Another budget level for a tariff group from the contract's next anniversary, asked for by the
employer or the broker before the tenant's notice period. Stored dated on the contract's group
(`groups[].levels`: [{from, level}]); the cover ledger reprices the group's people on that day."""
import copy
import datetime

from engine import audit, clients, clock, contract_lifecycle, pricing, registry, workflow
from engine.db import transaction
from engine.errors import Conflict, DomainError, Forbidden
from engine.formatting import date as date_de
from engine.models import GroupContract

ASKING_ROLES = {"employer", "broker"}


def level_on(group, day):
    """The group's budget level on `day`: the latest change from that day or before, else its level."""
    dated = [entry for entry in group.get("levels", ()) if datetime.date.fromisoformat(entry["from"]) <= day]
    return dated[-1]["level"] if dated else group.get("level")


def group_on(group, day):
    """The contracted group as it is priced on `day` (its level that day)."""
    return dict(group, level=level_on(group, day)) if group.get("levels") else group


def change_days(open_period, employee, contract, until):
    """A cover STEP_SOURCE: (day, "level_change") for each level change of the open period's group."""
    group = next((g for g in contract.groups if g["id"] == open_period.tariff_group), {})
    return ((datetime.date.fromisoformat(entry["from"]), "level_change") for entry in group.get("levels", ()))


def effective_date(contract, today=None):
    """The anniversary a level asked for now takes effect on: the next one whose notice deadline has
    not passed."""
    today = today or clock.today()
    day = contract_lifecycle.next_anniversary(contract, today)
    while contract_lifecycle.notice_deadline(contract, day) < today:
        day = contract_lifecycle.next_anniversary(contract, day)
    return day


def check_anniversary(contract, effective, today, change):
    """Refuse a change of the contract (`change`: its name, {de, en}, e.g. "Eine neue Tarifgruppe")
    unless the contract is in force and `effective` is a coming anniversary whose notice deadline has
    not passed; the refusal names the deadline and the next possible date."""
    if contract.state != "in_force":
        raise DomainError(f"Der Vertrag ist gekündigt; {change['de']} ist nicht mehr möglich.",
                          f"The contract has been cancelled; {change['en'][0].lower() + change['en'][1:]} "
                          "is no longer possible.")
    if effective is None or effective <= today or not contract_lifecycle.is_anniversary(contract, effective):
        raise DomainError(f"{change['de']} gilt jeweils ab dem nächsten Jahrestag des Vertrags.",
                          f"{change['en']} applies from the contract's next anniversary.", field="effective")
    deadline = contract_lifecycle.notice_deadline(contract, effective)
    if today > deadline:
        later = effective_date(contract, today)
        raise DomainError(
            f"{change['de']} zum {date_de(effective)} war bis zum {date_de(deadline)} möglich; "
            f"jetzt ist der {date_de(later)} der nächste Termin.",
            f"{change['en']} on {date_de(effective)} was possible until {date_de(deadline)}; "
            f"the next date now is {date_de(later)}.", field="effective")


def choices(contract, today=None):
    """Per contracted group with budget levels, for the pages: {group, level (today), levels (to
    choose from), effective, deadline, pending: [{from, level}] not yet in force}."""
    today = today or clock.today()
    live = registry.version(contract.tenant_version_id)
    effective = effective_date(contract, today)
    found = []
    for group in contract.groups:
        offered = live.groups.get(group["id"])
        levels = pricing.levels_of(live, offered["tariffs"]) if offered else []
        if not levels:
            continue
        found.append({"group": group["id"], "level": level_on(group, today), "levels": levels,
                      "effective": effective, "deadline": contract_lifecycle.notice_deadline(contract, effective),
                      "pending": [{"from": datetime.date.fromisoformat(e["from"]), "level": e["level"]}
                                  for e in group.get("levels", ()) if e["from"] > today.isoformat()]})
    return found


def check_role(actor, contract):
    if not workflow.roles_of(actor, contract) & ASKING_ROLES:
        raise Forbidden("Nur der Arbeitgeber oder sein Makler kann den Vertrag so ändern.",
                        "Only the employer or its broker can change the contract so.")


def store(actor, contract, groups, action, after):
    """Write the groups with optimistic locking, with an audit entry; returns the fresh contract."""
    with transaction():
        updated = (GroupContract.update(groups=groups, lock_version=contract.lock_version + 1)
                   .where((GroupContract.id == contract.id) & (GroupContract.lock_version == contract.lock_version))
                   .execute())
        if updated != 1:
            raise Conflict("Der Vertrag wurde inzwischen geändert. Bitte laden Sie die Seite neu.",
                           "The contract has been changed in the meantime. Please reload the page.")
        audit.record(actor, action, "contract", contract.id, tenant=contract.tenant_id, after=after,
                     employer=contract.employer_id)
    return GroupContract.get_by_id(contract.id)


def request(actor, contract, group_id, level, effective):
    """Ask for `level` for the group from `effective` (an anniversary, the page offers the next one
    whose deadline has not passed); a request for the same day replaces an earlier one."""
    check_role(actor, contract)
    today = clock.today()
    check_anniversary(contract, effective, today, {"de": "Eine andere Budgetstufe", "en": "Another budget level"})
    groups = copy.deepcopy(contract.groups)
    group = next((g for g in groups if g["id"] == group_id), None)
    live = registry.version(contract.tenant_version_id)
    offered = live.groups.get(group_id) if group is not None else None
    if offered is None or level not in pricing.levels_of(live, offered["tariffs"]):
        raise DomainError(f"{level} ist keine Budgetstufe dieser Tarifgruppe.",
                          f"{level} is not a budget level of this tariff group.", field="level")
    entries = [e for e in group.get("levels", ()) if e["from"] != effective.isoformat()]
    if level_on(dict(group, levels=entries), effective) == level:
        raise DomainError("Diese Budgetstufe gilt an dem Tag bereits.", "This budget level applies on that day already.",
                          field="level")
    group["levels"] = sorted(entries + [{"from": effective.isoformat(), "level": level}], key=lambda e: e["from"])
    return store(actor, contract, groups, "contract.level_requested",
                  {"group": group_id, "level": level, "from": effective.isoformat()})


def withdraw(actor, contract, group_id, effective):
    """Take back a level change before its day."""
    check_role(actor, contract)
    if effective is None or effective <= clock.today():
        raise DomainError("Die Änderung ist bereits in Kraft.", "The change is in force already.")
    groups = copy.deepcopy(contract.groups)
    group = next((g for g in groups if g["id"] == group_id), None)
    entries = (group or {}).get("levels", [])
    if not any(e["from"] == effective.isoformat() for e in entries):
        raise DomainError("Diese Änderung gibt es nicht (mehr).", "There is no such change (any more).")
    group["levels"] = [e for e in entries if e["from"] != effective.isoformat()]
    return store(actor, contract, groups, "contract.level_withdrawn",
                  {"group": group_id, "from": effective.isoformat()})


def of_client(broker, client_id):
    """The broker's view of a client's contracts' levels and groups added at an anniversary: [{contract,
    levels (as `choices`), new_groups (contract_groups.choices), tariffs,
    groups (by id, from the contract's tenant version)}]; NotFound for another broker's client."""
    from engine import contract_groups  # here: it builds on this module
    client = clients.get_for(broker, client_id)
    found = []
    for contract in GroupContract.select().where(GroupContract.employer == client.id).order_by(GroupContract.id):
        doc = registry.version(contract.tenant_version_id).doc
        found.append({"contract": contract, "levels": choices(contract),
                      "new_groups": contract_groups.choices(contract),
                      "tariffs": {t["id"]: t for t in doc["tariffs"]},
                      "groups": {g["id"]: g for g in doc["tariff_groups"]}})
    return found
