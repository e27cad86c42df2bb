"""Tests that change a copy of a demo tenant put it in force as the insurer would: `bkv tenants load`
stores it as a draft, then an activation from today makes it live (engine/releases). tests/conftest.py
takes the test's releases out again after each test."""
import pathlib
import shutil

from engine import clock, registry, releases
from tenants.files import digest, read_files


def load_live(root):
    """registry.sync(root), then every tenant that loaded activated from today unless its version is
    live already; returns sync's report."""
    report = registry.sync(str(root))
    for slug, status, _ in report:
        if status not in ("new", "unchanged"):
            continue
        files, _ = read_files(pathlib.Path(root) / slug)
        version = releases.find(slug, digest(files))
        if registry.in_force(slug, clock.today()).id != version.id:
            releases.activate(None, slug, version.digest, clock.today())
    return report


def newest(slug):
    """The digest of the tenant's version stored last."""
    from engine.models import TenantVersion
    return TenantVersion.select().where(TenantVersion.tenant == slug).order_by(TenantVersion.id.desc()).first().digest


def with_group_settings(tmp_path, slug, group, settings):
    """A version of the demo tenant `slug` whose group `group` has `settings` (YAML lines), put in force."""
    folder = tmp_path / "published" / slug
    shutil.copytree(f"tenants/{slug}", folder)
    tenant_yaml = folder / "tenant.yaml"
    text = tenant_yaml.read_text(encoding="utf-8")
    at = text.index(f"  - id: {group}\n") + len(f"  - id: {group}\n")
    tenant_yaml.write_text(text[:at] + "".join(f"    {line}\n" for line in settings) + text[at:], encoding="utf-8")
    [(_, status, problems)] = load_live(folder.parent)
    assert status in ("new", "unchanged"), problems  # unchanged: an earlier test stored the same version
