"""Releases of a tenant: a loaded version is a draft; an insurer administrator (or `bkv tenants
activate`) puts it in force from a day, and from that day new business uses it. A new insurer's first
version goes live at load, so a fresh machine works."""
import datetime
import shutil

import pytest

from engine import registry, releases
from engine.errors import DomainError, Forbidden
from engine.models import AuditEntry, Tenant, TenantRelease, TenantVersion
from tenants.files import digest, read_files
from tests.tenant_versions import newest
from web.cli import cli

D = datetime.date


def price_change(tmp_path, price="22.40", slug="nordhafen"):
    """A copy of the demo tenant whose kompakt premium from age 40 is `price` instead of 21.90; its
    test case follows the figure. Returns (root, digest)."""
    folder = tmp_path / "tenants" / slug
    shutil.copytree(f"tenants/{slug}", folder)
    for name in ("tenant.yaml", "tests.yaml"):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace("21.90", price), encoding="utf-8")
    return folder.parent, digest(read_files(folder)[0])


def state_of(slug, version_digest):
    return next(v for v in releases.versions(slug) if v["digest"] == version_digest)


def test_a_loaded_version_is_a_draft_until_it_comes_into_force(app, tmp_path, clock, make_user):
    root, new = price_change(tmp_path)
    admin = make_user("insurer_admin", tenant="nordhafen")
    with app.app_context():
        old = registry.get("nordhafen").digest
        [(slug, status, problems)] = registry.sync(str(root))
        assert (slug, status) == ("nordhafen", "new"), problems
        assert registry.get("nordhafen").digest == old
        assert state_of("nordhafen", new)["state"] == "draft"
        assert state_of("nordhafen", old)["state"] == "live"

        made = releases.activate(admin, "nordhafen", new[:12], D(2027, 1, 1))
        assert state_of("nordhafen", new)["state"] == "scheduled"
        assert state_of("nordhafen", new)["valid_from"] == D(2027, 1, 1)
        assert registry.get("nordhafen").digest == old  # still December: offers made today use the old one
        entry = AuditEntry.get((AuditEntry.action == "tenant.version_activated") & (AuditEntry.actor == admin.id))
        assert entry.after == {"digest": new, "valid_from": "2027-01-01", "release": made.id}
        assert entry.before == {"digest": old}

        clock.move_to(datetime.datetime(2027, 1, 1, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1))))
        live = registry.get("nordhafen")
        assert live.digest == new
        assert live.tariffs["kompakt"]["premium"]["tables"]
        assert state_of("nordhafen", new)["state"] == "live" and state_of("nordhafen", old)["state"] == "earlier"
        assert registry.version(live.version_id).digest == new
        assert registry.in_force("nordhafen", D(2026, 12, 31)).digest == old  # what December's business used

    # the next release names as "before" the version that came into force by its day, not the one live
    # when the last release was made
    third_root, third = price_change(tmp_path / "third", price="23.10")
    with app.app_context():
        registry.sync(str(third_root))
        releases.activate(admin, "nordhafen", third[:12], D(2027, 1, 1))
        entry = (AuditEntry.select().where((AuditEntry.action == "tenant.version_activated")
                                           & (AuditEntry.actor == admin.id)).order_by(AuditEntry.id.desc()).first())
        assert entry.before == {"digest": new} and entry.after["digest"] == third
        assert registry.get("nordhafen").digest == third


def test_only_the_insurers_administrators_release_and_only_from_today(app, tmp_path, make_user):
    root, new = price_change(tmp_path)
    with app.app_context():
        registry.sync(str(root))
        for outsider in (make_user("insurer", tenant="nordhafen"), make_user("insurer_admin", tenant="lumen")):
            with pytest.raises(Forbidden):
                releases.activate(outsider, "nordhafen", new, D(2027, 1, 1))
        admin = make_user("insurer_admin", tenant="nordhafen")
        with pytest.raises(DomainError) as refused:
            releases.activate(admin, "nordhafen", new, D(2026, 12, 1))
        assert refused.value.field == "valid_from" and "02.12.2026" in refused.value.text["de"]
        live = registry.get("nordhafen").digest
        with pytest.raises(DomainError) as refused:
            releases.activate(admin, "nordhafen", live, D(2027, 1, 1))
        assert "bereits" in refused.value.text["de"]
        assert not TenantRelease.select().where(TenantRelease.version ==
                                                TenantVersion.get(TenantVersion.digest == new)).exists()


def test_a_scheduled_release_is_withdrawn_before_its_day(app, tmp_path, make_user, clock):
    root, new = price_change(tmp_path)
    admin = make_user("insurer_admin", tenant="nordhafen")
    with app.app_context():
        registry.sync(str(root))
        made = releases.activate(admin, "nordhafen", new, D(2027, 2, 1))
        releases.withdraw(admin, "nordhafen", made.id)
        assert state_of("nordhafen", new)["state"] == "draft"
        assert AuditEntry.select().where(AuditEntry.action == "tenant.release_withdrawn").count() == 1
        clock.move_to(datetime.datetime(2027, 2, 2, 9, 0))
        assert registry.get("nordhafen").digest != new
        today = releases.activate(None, "nordhafen", new, D(2027, 2, 2))  # the command line: the operator
        assert registry.get("nordhafen").digest == new
        with pytest.raises(DomainError):
            releases.withdraw(admin, "nordhafen", today.id)  # in force: release another version instead


def test_a_new_insurers_first_version_goes_live_at_load(app, tmp_path):
    folder = tmp_path / "tenants" / "neuland"
    shutil.copytree("tenants/nordhafen", folder)
    tenant_yaml = folder / "tenant.yaml"
    tenant_yaml.write_text(tenant_yaml.read_text(encoding="utf-8").replace("id: nordhafen", "id: neuland", 1),
                           encoding="utf-8")
    with app.app_context():
        try:
            [(slug, status, problems)] = registry.sync(str(folder.parent))
            assert (slug, status) == ("neuland", "live"), problems
            assert registry.get("neuland").digest == newest("neuland")  # a new insurer's first version is live
            assert state_of("neuland", registry.get("neuland").digest)["valid_from"] == D(2026, 12, 2)
            (tenant_yaml.parent / "content" / "extra.md").write_text("Neu.\n", encoding="utf-8")
            [(_, status, _)] = registry.sync(str(folder.parent))
            assert status == "new"  # the second version is a draft like any other
        finally:
            AuditEntry.delete().where(AuditEntry.tenant == "neuland").execute()
            TenantRelease.delete().where(TenantRelease.tenant == "neuland").execute()
            TenantVersion.delete().where(TenantVersion.tenant == "neuland").execute()
            Tenant.delete().where(Tenant.slug == "neuland").execute()
            registry.forget_live("neuland")


def test_the_command_line_loads_a_draft_lists_and_activates_it(app, tmp_path):
    root, new = price_change(tmp_path, "22.60")  # a version no other test stored
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["tenants", "load", str(root)])
    assert result.exit_code == 0 and "nordhafen: new draft" in result.output, result.output
    listed = runner.invoke(cli, ["tenants", "versions", "nordhafen"]).output.splitlines()
    assert listed[0].startswith(new[:12]) and listed[0].endswith("draft")
    assert any(" live from " in line for line in listed[1:])
    result = runner.invoke(cli, ["tenants", "activate", "nordhafen", new[:12], "--from", "2026-11-30"])
    assert result.exit_code == 1 and "from today (02/12/2026) at the earliest" in result.output
    result = runner.invoke(cli, ["tenants", "activate", "nordhafen", new[:12], "--from", "2026-12-02"])
    assert result.exit_code == 0 and f"version {new[:12]} applies from 2026-12-02" in result.output
    with app.app_context():
        assert registry.get("nordhafen").digest == new
