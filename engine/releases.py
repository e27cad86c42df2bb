"""Releases of a tenant: a loaded version is a draft until an insurer administrator (or `bkv tenants
activate`) puts it in force from a day (valid_from). New offers and applications use the version in
force on the day they are made; contracts keep theirs. Every activation and withdrawal is audited."""
import datetime

from engine import audit, clock, registry, staff, tenant_cases
from engine.db import transaction
from engine.errors import DomainError, Forbidden, NotFound
from engine.models import Tenant, TenantRelease, TenantVersion, utcnow
from tenants import diff as tenant_diff

LIVE, SCHEDULED, DRAFT, EARLIER = "live", "scheduled", "draft", "earlier"


def _require_admin(actor, slug):
    """None is the command line (the operator); else the tenant's administrators or the platform admin."""
    if actor is not None and not staff.may_manage(actor, slug):
        raise Forbidden("Nur Administratoren des Versicherers geben Versionen frei.",
                        "Only the insurer's administrators release versions.")


def find(slug, digest):
    """The stored version of `slug` whose digest is or starts with `digest` (at least 6 characters)."""
    digest = (digest or "").strip().lower()
    rows = [] if len(digest) < 6 else list(
        TenantVersion.select(TenantVersion.id, TenantVersion.digest, TenantVersion.created_at)
        .where((TenantVersion.tenant == slug) & TenantVersion.digest.startswith(digest)).limit(2))
    if len(rows) != 1:
        raise NotFound(f"Keine eindeutige Version {digest or '-'} von {slug}.", f"No unique version {digest or '-'} of {slug}.")
    return rows[0]


def versions(slug, today=None):
    """[{id, digest, created_at, state (live | scheduled | draft | earlier), valid_from, releases}] of every
    stored version of the tenant, newest first; `releases`: its releases not withdrawn, with their
    days; `valid_from` of a scheduled version: its next day in force, of the live one: since when."""
    today = today or clock.today()
    live = registry.in_force(slug, today)
    rows = list(TenantRelease.select().where((TenantRelease.tenant == slug) & TenantRelease.withdrawn_at.is_null())
                .order_by(TenantRelease.valid_from, TenantRelease.id))
    found = []
    for version in (TenantVersion.select(TenantVersion.id, TenantVersion.digest, TenantVersion.created_at)
                    .where(TenantVersion.tenant == slug).order_by(TenantVersion.id.desc())):
        own = [r for r in rows if r.version_id == version.id]
        coming = [r for r in own if r.valid_from > today]
        if live is not None and version.id == live.id:
            state, since = LIVE, max((r.valid_from for r in own if r.valid_from <= today), default=None)
        elif coming:
            state, since = SCHEDULED, coming[0].valid_from
        else:
            state, since = (EARLIER if own else DRAFT), None
        found.append({"id": version.id, "digest": version.digest, "created_at": version.created_at, "state": state,
                      "valid_from": since, "releases": [{"id": r.id, "valid_from": r.valid_from,
                                                         "scheduled": r.valid_from > today} for r in own]})
    return found


def activate(actor, slug, digest, valid_from):
    """Put a stored version of the tenant in force from `valid_from` (today or later); audited."""
    _require_admin(actor, slug)
    if not isinstance(valid_from, datetime.date):
        raise DomainError("Bitte geben Sie das Datum an, ab dem die Version gilt.",
                          "Please give the date from which the version applies.", field="valid_from")
    today = clock.today()
    if valid_from < today:
        raise DomainError(f"Eine Version gilt frühestens ab heute ({today:%d.%m.%Y}).",
                          f"A version can apply from today ({today:%d/%m/%Y}) at the earliest.", field="valid_from")
    version = find(slug, digest)
    current = registry.in_force(slug, valid_from)
    if current is not None and current.id == version.id:
        raise DomainError(f"Diese Version gilt am {valid_from:%d.%m.%Y} bereits.",
                          f"This version already applies on {valid_from:%d/%m/%Y}.", field="valid_from")
    with transaction():
        row = Tenant.get_by_id(slug)
        return registry.release(actor, row, TenantVersion.get_by_id(version.id), valid_from)


def withdraw(actor, slug, release_id):
    """Take back a release before its day; the version stays stored (a draft again unless released
    elsewhen). Audited."""
    _require_admin(actor, slug)
    release = TenantRelease.get_or_none((TenantRelease.id == release_id) & (TenantRelease.tenant == slug)
                                        & TenantRelease.withdrawn_at.is_null())
    if release is None:
        raise NotFound("Freigabe nicht gefunden.", "Release not found.")
    if release.valid_from <= clock.today():
        raise DomainError("Eine Version, die schon gilt, lässt sich nicht zurückziehen; geben Sie eine andere "
                          "Version frei.", "A version in force cannot be withdrawn; release another version instead.")
    with transaction():
        TenantRelease.update(withdrawn_at=utcnow()).where(TenantRelease.id == release.id).execute()
        audit.record(actor, "tenant.release_withdrawn", "tenant", slug, tenant=slug,
                     before={"digest": release.version.digest, "valid_from": release.valid_from.isoformat(),
                             "release": release.id})
    registry.forget_live(slug)
    return release


def tests(slug, digest):
    """The stored version's own test cases run against it (engine/tenant_cases.VersionRun), once per
    process and version: its cases name their dates, so the result changes only with the platform."""
    version = find(slug, digest)
    return registry.derived(("tenant_cases", version.id), lambda: tenant_cases.run_version(version.id))


def _side(live, label):
    return tenant_diff.Version(label, live.doc, live.compiled.formulas, live.compiled.premium_changes,
                               live.compiled.eligibility, live.compiled.family_formulas)


def changes(slug, digest):
    """The diff (tenants/diff.py) of a stored version against the one live today: every premium by
    tariff, group, family count and age, and every changed part of the document."""
    version = find(slug, digest)
    live = registry.get(slug)
    draft = registry.version(version.id)
    return tenant_diff.diff(_side(live, f"{slug} {live.digest[:12]}"), _side(draft, f"{slug} {draft.digest[:12]}"))
