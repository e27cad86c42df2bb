"""Tenants at run time: versions synced from tenants/ into the database, compiled once per process.

`sync(root)` checks every tenant folder and stores each distinct content once (digest + snapshot).
The web processes read the current versions from the database, so every host runs the same config,
and compile each version once (rulesets, formulas, forms) into a `LiveTenant`.
"""
import base64
import functools
import json
import logging
import mimetypes
import pathlib
import threading
import time
from dataclasses import dataclass, field

from engine import audit
from engine.db import transaction
from engine.errors import NotFound
from engine.models import Tenant, TenantVersion, utcnow
from tenants import loader
from tenants.settings import TenantSettings

logger = logging.getLogger(__name__)

LIVE_CHECK_SECONDS = 5.0

_cache = {}  # (slug, digest) -> LiveTenant
_cache_lock = threading.RLock()  # re-entrant: a derived value may be made from other cached ones
_by_version = {}  # TenantVersion id -> LiveTenant
_live_by_slug = {}  # slug -> (monotonic time read, LiveTenant)


@dataclass
class LiveTenant:
    """A tenant version ready to use: its document, logo and compiled rules/formulas/forms, and a
    typed view of it (settings with defaults, tariffs and groups by id), each built once."""
    slug: str
    digest: str
    version_id: int
    doc: dict
    logo: dict | None
    compiled: object = field(default=None, repr=False)

    @property
    def name(self):
        return self.doc.get("name", self.slug)

    @property
    def branding(self):
        return self.doc.get("branding", {})

    @functools.cached_property
    def settings(self):
        return TenantSettings.of(self.doc.get("settings"))

    @functools.cached_property
    def tariffs(self):
        """tariff id -> tariff, in the document's order."""
        return {tariff["id"]: tariff for tariff in self.doc["tariffs"]}

    @functools.cached_property
    def groups(self):
        """tariff group id -> group, in the document's order (the order of preference)."""
        return {group["id"]: group for group in self.doc["tariff_groups"]}


def unstored(tenant):
    """A LiveTenant of a tenant read from its folder and not stored (simulate, the tenant's tests)."""
    return LiveTenant(slug=tenant.id, digest=tenant.digest, version_id=None, doc=tenant.doc, logo=None,
                      compiled=loader.compile_tenant(tenant))


def _snapshot(tenant):
    """JSON-safe content of a loaded tenant: the document plus its logo bytes."""
    doc = json.loads(json.dumps(tenant.doc, default=str))
    logo = None
    logo_name = (tenant.doc.get("branding") or {}).get("logo")
    if logo_name:
        name = pathlib.PurePosixPath(logo_name).name
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        logo = {"name": name, "mime": mime, "data": base64.b64encode(tenant.files[logo_name]).decode()}
    return {"doc": doc, "logo": logo}


def sync(root, actor=None):
    """Load every tenant folder under `root`; store new versions and each folder's check result.

    Returns a list of (slug, status, problems) where status is new | unchanged | invalid; a tenant
    that loads may have warnings among its problems.
    """
    from engine import tenant_cases  # it builds LiveTenants of this module
    tenants, problems = loader.load_tenants(root)
    for tenant in list(tenants):  # a tenant whose own test cases fail does not go live
        failed = tenant_cases.run(tenant)
        if failed:
            tenants.remove(tenant)
            problems += failed
    report = []
    by_folder = {}
    for problem in problems:
        slug = pathlib.Path(problem.file).resolve().relative_to(pathlib.Path(root).resolve()).parts[0]
        by_folder.setdefault(slug, []).append(problem)
    with transaction():
        for tenant in tenants:
            row, _ = Tenant.get_or_create(slug=tenant.id, defaults={"name": tenant.doc.get("name", tenant.id)})
            version = TenantVersion.get_or_none((TenantVersion.tenant == row) & (TenantVersion.digest == tenant.digest))
            status = "unchanged"
            if version is None:
                version = TenantVersion.create(tenant=row, digest=tenant.digest, snapshot=_snapshot(tenant))
                status = "new"
                audit.record(actor, "tenant.version_loaded", "tenant", row.slug, tenant=row,
                             before={"digest": row.current_digest}, after={"digest": tenant.digest})
            warnings = [problem_dict(p) for p in by_folder.pop(tenant.folder.name, [])]
            row.name = tenant.doc.get("name", tenant.id)
            row.current_digest = tenant.digest
            row.problems = warnings  # a tenant with warnings loads; /admin shows them
            row.checked_at = utcnow()
            row.save()
            report.append((row.slug, status, warnings))
            _live_by_slug.pop(row.slug, None)
        for slug, found in sorted(by_folder.items()):
            as_dicts = [problem_dict(p) for p in found]
            row, _ = Tenant.get_or_create(slug=slug, defaults={"name": slug})
            row.problems = as_dicts
            row.checked_at = utcnow()
            row.save()  # the last good version stays live; the problems are shown in /admin
            report.append((slug, "invalid", as_dicts))
    return report


def problem_dict(problem):
    return {"file": str(problem.file), "line": problem.line, "level": problem.level,
            "path": loader.format_path(problem.path), "message": problem.message}


def _build(version):
    snapshot = version.snapshot
    tenant = loader.Tenant(id=version.tenant_id, folder=None, doc=snapshot["doc"], digest=version.digest, files={})
    return LiveTenant(slug=version.tenant_id, digest=version.digest, version_id=version.id, doc=snapshot["doc"],
                      logo=snapshot.get("logo"), compiled=loader.compile_tenant(tenant))


def _cached(key, make):
    live = _cache.get(key)
    if live is None:
        with _cache_lock:
            live = _cache.get(key)
            if live is None:
                live = make()
                _cache[key] = live
    return live


def derived(key, make):
    """What is worked out from stored versions once per process (`key`: a tuple naming them), cleared
    with the compiled tenants (engine/price_changes.py keeps a contract's price list here)."""
    return _cached(("derived",) + tuple(key), make)


def version(version_id):
    """A tenant as it was in a stored version: what an offer or contract was made with. Versions
    never change, so each is read from the database once per process."""
    live = _by_version.get(version_id)
    if live is None:
        row = TenantVersion.get_by_id(version_id)
        live = _by_version[version_id] = _cached((row.tenant_id, row.digest), lambda: _build(row))
    return live


def get(slug):
    """The live version of a tenant, compiled once per process and digest. NotFound when unknown.

    Which version is live is read from the database at most every LIVE_CHECK_SECONDS per process
    (every portal request asks); `sync` in this process takes effect at once, in other processes
    within that time."""
    seen = _live_by_slug.get(slug)
    if seen is not None and time.monotonic() - seen[0] < LIVE_CHECK_SECONDS:
        return seen[1]
    row = Tenant.get_or_none((Tenant.slug == slug) & (Tenant.active == True))  # noqa: E712
    if row is None or row.current_digest is None:
        _live_by_slug.pop(slug, None)
        raise NotFound("Unbekannter Versicherer.", "Unknown insurer.")
    live = _live(row)
    _live_by_slug[slug] = (time.monotonic(), live)
    return live


def _live(row):
    return _cached((row.slug, row.current_digest), lambda: _build(
        TenantVersion.get((TenantVersion.tenant == row) & (TenantVersion.digest == row.current_digest))))


def live_tenants():
    rows = Tenant.select().where((Tenant.active == True) & Tenant.current_digest.is_null(False)).order_by(Tenant.name)  # noqa: E712
    return [_live(row) for row in rows]


def overview():
    """Every tenant with its check result and versions, for /admin."""
    rows = list(Tenant.select().order_by(Tenant.slug))
    versions = {}
    for version in TenantVersion.select(TenantVersion.id, TenantVersion.tenant, TenantVersion.digest,
                                        TenantVersion.created_at).order_by(TenantVersion.created_at.desc()):
        versions.setdefault(version.tenant_id, []).append(version)
    return [{"tenant": row, "versions": versions.get(row.slug, [])} for row in rows]


def clear_cache():
    """Forget every compiled tenant (a new database, or tenants loaded elsewhere)."""
    with _cache_lock:
        _cache.clear()
        _by_version.clear()
        _live_by_slug.clear()
