"""Tenants at run time: versions synced from tenants/ into the database, compiled once per process.

`sync(root)` checks every tenant folder and stores each distinct content once (digest + snapshot), as a
draft: a version goes live only when it is released from a day (engine/releases.py; a tenant's very
first version is released at once). The web processes read the version in force from the database, so
every host runs the same config, and compile each version once (rulesets, formulas, forms) into a
`LiveTenant`.
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

from engine import audit, clock
from engine.db import transaction
from engine.errors import NotFound
from engine.models import Tenant, TenantFile, TenantRelease, TenantVersion, utcnow
from tenants import loader
from tenants.cases import TESTS_FILE
from tenants.settings import TenantSettings

logger = logging.getLogger(__name__)

LIVE_CHECK_SECONDS = 5.0

_cache = {}  # (slug, digest) -> LiveTenant
_cache_lock = threading.RLock()  # re-entrant: a derived value may be made from other cached ones
_by_version = {}  # TenantVersion id -> LiveTenant
_live_by_slug = {}  # slug -> (monotonic time read, day, LiveTenant)


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
    """JSON-safe content of a loaded tenant: the document plus its logo bytes and the text of its
    tests.yaml (`tests`, None without one), so a stored draft can be tried on its own test cases
    (engine/tenant_cases.run_version)."""
    doc = json.loads(json.dumps(tenant.doc, default=str))
    logo = None
    logo_name = (tenant.doc.get("branding") or {}).get("logo")
    if logo_name:
        name = pathlib.PurePosixPath(logo_name).name
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        logo = {"name": name, "mime": mime, "data": base64.b64encode(tenant.files[logo_name]).decode()}
    tests = tenant.files.get(TESTS_FILE)
    return {"doc": doc, "logo": logo, "tests": tests.decode("utf-8") if tests is not None else None}


def sync(root, actor=None):
    """Load every tenant folder under `root`; store new versions as drafts and each folder's check result.

    Returns a list of (slug, status, problems) where status is new (a draft), live (the tenant's first
    version, in force from today), unchanged or invalid; a tenant that loads may have warnings among
    its problems.
    """
    from engine import tenant_cases  # it builds LiveTenants of this module
    tenants, problems = loader.load_tenants(root)
    for tenant in list(tenants):  # a tenant whose own test cases fail is not stored
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
                _store_documents(row, tenant)
                status = "new"
                audit.record(actor, "tenant.version_loaded", "tenant", row.slug, tenant=row,
                             before={"digest": _digest_in_force(row.slug)}, after={"digest": tenant.digest})
            if not TenantRelease.select().where(TenantRelease.tenant == row).exists():
                release(actor, row, version, clock.today())  # a new insurer: nothing to keep live instead
                status = "live"
            warnings = [problem_dict(p) for p in by_folder.pop(tenant.folder.name, [])]
            row.problems = warnings  # a tenant with warnings loads; /admin shows them
            row.checked_at = utcnow()
            row.save()
            report.append((row.slug, status, warnings))
        for slug, found in sorted(by_folder.items()):
            as_dicts = [problem_dict(p) for p in found]
            row, _ = Tenant.get_or_create(slug=slug, defaults={"name": slug})
            row.problems = as_dicts
            row.checked_at = utcnow()
            row.save()  # the last good version stays live; the problems are shown in /admin
            report.append((slug, "invalid", as_dicts))
    return report


def _store_documents(row, tenant):
    """Keep the bytes of the tenant's product documents, once per content (TenantFile)."""
    for tariff in tenant.doc["tariffs"]:
        for product_document in tariff.get("documents", []):
            if not TenantFile.select().where((TenantFile.tenant == row)
                                             & (TenantFile.sha256 == product_document["sha256"])).exists():
                raw = tenant.files[product_document["file"]]
                TenantFile.create(tenant=row, sha256=product_document["sha256"], size=len(raw),
                                  data=base64.b64encode(raw).decode())


def release(actor, row, version, valid_from):
    """Put `version` of tenant `row` in force from `valid_from`, audited (call inside a transaction;
    engine/releases.activate checks who may and which day)."""
    before = _digest_in_force(row.slug)
    made = TenantRelease.create(tenant=row, version=version, valid_from=valid_from)
    live = in_force(row.slug, clock.today())
    audit.record(actor, "tenant.version_activated", "tenant", row.slug, tenant=row, before={"digest": before},
                 after={"digest": version.digest, "valid_from": valid_from.isoformat(), "release": made.id})
    if live is not None:
        row.name = TenantVersion.get_by_id(live.id).snapshot["doc"].get("name", row.slug)
    row.save()
    forget_live(row.slug)
    return made


def forget_live(slug=None):
    """Read the tenant's (None: every tenant's) live version again at the next `get` (releases changed)."""
    if slug is None:
        _live_by_slug.clear()
    else:
        _live_by_slug.pop(slug, None)


def in_force(slug, day):
    """The TenantVersion (id and digest) live on `day`: of the releases not withdrawn with valid_from up
    to that day, the one with the latest day (of two on the same day, the later made). Before the
    tenant's first release its first version counts: there was no other. None without releases."""
    released = (TenantVersion.select(TenantVersion.id, TenantVersion.digest)
                .join(TenantRelease, on=(TenantRelease.version == TenantVersion.id))
                .where((TenantRelease.tenant == slug) & TenantRelease.withdrawn_at.is_null()))
    return (released.where(TenantRelease.valid_from <= day)
            .order_by(TenantRelease.valid_from.desc(), TenantRelease.id.desc()).first()
            or released.order_by(TenantRelease.valid_from, TenantRelease.id).first())


def _digest_in_force(slug):
    """The digest of the tenant's version in force today, None before its first release."""
    live = in_force(slug, clock.today())
    return live.digest if live is not None else None


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
    """The version of a tenant in force today (engine.clock), compiled once per process and digest.
    NotFound when unknown or not yet released.

    Which version is live is read from the database at most every LIVE_CHECK_SECONDS per process and
    day (every portal request asks); a release in this process takes effect at once, in other processes
    within that time."""
    today = clock.today()
    seen = _live_by_slug.get(slug)
    if seen is not None and seen[1] == today and time.monotonic() - seen[0] < LIVE_CHECK_SECONDS:
        return seen[2]
    row = Tenant.get_or_none((Tenant.slug == slug) & (Tenant.active == True))  # noqa: E712
    version_row = in_force(slug, today) if row is not None else None
    if version_row is None:
        _live_by_slug.pop(slug, None)
        raise NotFound("Unbekannter Versicherer.", "Unknown insurer.")
    live = _cached((slug, version_row.digest), lambda: _build(TenantVersion.get_by_id(version_row.id)))
    _live_by_slug[slug] = (time.monotonic(), today, live)
    return live


def live_tenants():
    """Every active tenant with a version in force today, by name."""
    found = []
    for row in Tenant.select().where(Tenant.active == True):  # noqa: E712
        try:
            found.append(get(row.slug))
        except NotFound:
            continue
    return sorted(found, key=lambda live: live.name)


def overview():
    """Every tenant with its check result, for /admin (its versions: engine/releases.versions)."""
    return [{"tenant": row} for row in Tenant.select().order_by(Tenant.slug)]


def clear_cache():
    """Forget every compiled tenant (a new database, or tenants loaded elsewhere)."""
    with _cache_lock:
        _cache.clear()
        _by_version.clear()
        _live_by_slug.clear()
