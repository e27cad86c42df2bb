"""The insurer's dated premium changes (a tariff's `premium.changes`) reaching contracts in force.

New business is priced by `valid_from`: an offer or an enrolment starting on or after it gets the
new premium. A contract in force gets a change from its `valid_from` when the version the contract
was made with already held it (the figures were known when it was made); otherwise not before the
first 1st of a month at least `premium_change_notice_weeks` (of the version that brought it) after
the first version holding it was released (the later of the day it was activated and its valid_from,
in Berlin; a draft counts for nothing). The
tenant's live version decides: a change it no longer holds is withdrawn, a corrected change is a new
one (its notice runs again), and a later change that reaches a contract first supersedes an earlier
one that would reach it later.

`prices(contract)` is the contract's price list: the contract's own version whose dated entries are
the live version's changes on the days they reach this contract, so the one pricing function
(pricing.premium: the entry valid on the day priced) prices contracts in force too.
"""
import dataclasses
import datetime
import logging

from peewee import IntegrityError

from tenants import premium_changes
from tenants.settings import TenantSettings

from engine import audit, clock, registry, signals, start_window
from engine.db import transaction
from engine.errors import NotFound
from engine.models import CoverPeriod, GroupContract, PremiumChangeNotice, TenantRelease, TenantVersion

logger = logging.getLogger(__name__)


def notice_day(known_on, weeks):
    """The first 1st of a month at least `weeks` after `known_on`."""
    return start_window.first_on_or_after(known_on + datetime.timedelta(weeks=weeks))


def _keys(doc):
    """{change key: (tariff id, entry)} of a tenant document's dated changes."""
    return {premium_changes.key(tariff["id"], entry): (tariff["id"], entry)
            for tariff in doc["tariffs"] for entry in premium_changes.entries(tariff)}


def _known(live):
    """{change key: the first day it may reach a contract in force} of the live version's changes:
    the notice day from the first release of the tenant that held it (the later of the day it was
    activated and the day it came into force; a draft tells no contract anything)."""
    def make():
        wanted, found = set(_keys(live.doc)), {}
        released = (TenantRelease.select(TenantRelease.id, TenantRelease.created_at, TenantRelease.valid_from,
                                         TenantVersion.snapshot)
                    .join(TenantVersion).where((TenantRelease.tenant == live.slug)
                                               & TenantRelease.withdrawn_at.is_null()))
        for row in sorted(released, key=lambda r: (max(_berlin_day(r.created_at), r.valid_from), r.id)):
            doc = row.version.snapshot["doc"]
            weeks = TenantSettings.of(doc.get("settings")).premium_change_notice_weeks
            for key in (set(_keys(doc)) & wanted) - set(found):
                found[key] = notice_day(max(_berlin_day(row.created_at), row.valid_from), weeks)
        return found
    return registry.derived(("price_changes_known", live.version_id), make)


def _berlin_day(stored):
    return stored.replace(tzinfo=datetime.timezone.utc).astimezone(clock.ZONE).date()


@dataclasses.dataclass(frozen=True)
class Change:
    """A change of the live version as it reaches one contract."""
    key: str
    tariff: str
    valid_from: datetime.date
    day: datetime.date          # the day it reaches the contract
    agreed: bool                # the contract's own version held it: from valid_from, no notice
    formula: object = dataclasses.field(repr=False, compare=False)


def _live(slug):
    try:
        return registry.get(slug)
    except NotFound:  # an insurer taken off the platform: its contracts keep their own prices
        return None


def _versions(contract):
    own = registry.version(contract.tenant_version_id)
    return own, _live(contract.tenant_id) or own


def changes(contract):
    """{tariff id: [Change]} of the live version that reach `contract`, in the order they take
    effect; changes superseded before they reach it are left out."""
    own, live = _versions(contract)
    return registry.derived(("price_changes_of", own.version_id, live.version_id), lambda: _reaching(own, live))


def _reaching(own, live):
    agreed, known = set(_keys(own.doc)), _known(live)
    by_tariff = {}
    for key, (tariff, entry) in _keys(live.doc).items():
        if tariff not in own.compiled.formulas:
            continue  # a tariff the contract's version does not know is not in the contract
        day = entry["valid_from"] if key in agreed else max(entry["valid_from"], known[key])
        formula = dict(live.compiled.premium_changes[tariff])[entry["valid_from"]]
        by_tariff.setdefault(tariff, []).append(Change(key, tariff, entry["valid_from"], day, key in agreed, formula))
    found = {}
    for tariff, items in by_tariff.items():
        items.sort(key=lambda change: change.valid_from)
        found[tariff] = [change for index, change in enumerate(items)
                         if all(later.day > change.day for later in items[index + 1:])]
    return found


def prices(contract):
    """The contract's price list (a LiveTenant for pricing.premium): its own version, each tariff's
    dated entries being the live version's changes on the days they reach this contract."""
    own, live = _versions(contract)

    def make():
        dated = {tariff: [(change.day, change.formula) for change in items]
                 for tariff, items in changes(contract).items()}
        return dataclasses.replace(own, compiled=dataclasses.replace(own.compiled, premium_changes=dated))
    return registry.derived(("price_list", own.version_id, live.version_id), make)


def version_on(contract, tariffs, day, default):
    """The version that prices `tariffs` of a contract in force on `day`: the live one once one of
    its changes not held by the contract's own version has reached the contract, else `default`."""
    reached = changes(contract)
    if any(change.day <= day and not change.agreed for tariff in tariffs for change in reached.get(tariff, ())):
        return _versions(contract)[1].version_id
    return default


def step_days(open_period, employee, contract, until):
    """(day, "price_change") for each day after the open period began, up to `until`, on which a
    change reaches one of its tariffs (a STEP_SOURCE of the cover ledger)."""
    reached = changes(contract)
    return ((change.day, "price_change") for tariff in open_period.tariffs for change in reached.get(tariff, ())
            if open_period.valid_from < change.day <= until)


def upcoming(contract, today=None):
    """The changes that will reach the contract after `today`, for the tariffs its groups offer:
    [{day, valid_from, tariff, name: {de, en}, key}] by day."""
    today = today or clock.today()
    own = registry.version(contract.tenant_version_id)
    used = {tariff for group in contract.groups for tariff in group["tariffs"]}
    return sorted(({"day": change.day, "valid_from": change.valid_from, "tariff": change.tariff,
                    "name": own.tariffs[change.tariff]["name"], "key": change.key}
                   for tariff, items in changes(contract).items() if tariff in used
                   for change in items if change.day > today), key=lambda item: (item["day"], item["tariff"]))


def announce(today=None):
    """Tell each employer with cover in force once of every change that will reach its contract
    (signals.premium_change_announced; the web layer writes the notifications). Idempotent; the daily
    job runs it. Returns how many contracts were told."""
    today = today or clock.today()
    told = 0
    in_force = GroupContract.select().where(GroupContract.id.in_(
        CoverPeriod.select(CoverPeriod.contract).where(CoverPeriod.valid_to.is_null())))
    for contract in in_force.order_by(GroupContract.id):
        ahead = upcoming(contract, today)
        if not ahead:
            continue
        done = {row.change for row in PremiumChangeNotice.select(PremiumChangeNotice.change)
                .where(PremiumChangeNotice.contract == contract.id)}
        new = [item for item in ahead if item["key"] not in done]
        if new:
            try:
                _tell(contract, new)
                told += 1
            except IntegrityError:
                logger.warning("price changes: contract %s was told concurrently", contract.id)
    return told


def _tell(contract, new):
    live_version = _versions(contract)[1].version_id
    with transaction():
        for item in new:
            PremiumChangeNotice.create(contract=contract.id, change=item["key"], tariff=item["tariff"],
                                       valid_from=item["valid_from"], takes_effect=item["day"],
                                       tenant_version=live_version)
        audit.record(None, "contract.premium_change_announced", "contract", contract.id, tenant=contract.tenant_id,
                     after={"changes": [{"tariff": item["tariff"], "valid_from": item["valid_from"],
                                         "from": item["day"]} for item in new]},
                     employer=contract.employer_id)
        signals.premium_change_announced.send(contract, changes=new, day=min(item["day"] for item in new))
