"""Schema migrations match the models; tenant content is versioned by digest."""
import shutil

from engine import migrate, registry
from engine.models import Tenant, TenantVersion


def test_migrations_leave_nothing_between_models_and_database(app):
    with app.app_context():
        assert migrate.upgrade() == []  # applied already, idempotent
        diff = migrate.pending_changes()
        assert not any(diff), diff


def test_each_distinct_tenant_content_is_stored_once(app, tmp_path):
    root = tmp_path / "tenants"
    shutil.copytree("tenants/nordhafen", root / "nordhafen")
    with app.app_context():
        before = TenantVersion.select().where(TenantVersion.tenant == "nordhafen").count()
        assert dict((s, st) for s, st, _ in registry.sync(str(root)))["nordhafen"] == "unchanged"
        content = next((root / "nordhafen" / "content").glob("*.md"))
        content.write_text(content.read_text(encoding="utf-8") + "\nNeuer Absatz.\n", encoding="utf-8")
        assert dict((s, st) for s, st, _ in registry.sync(str(root)))["nordhafen"] == "new"
        assert TenantVersion.select().where(TenantVersion.tenant == "nordhafen").count() == before + 1
        live = registry.get("nordhafen")
        assert live.digest == Tenant.get_by_id("nordhafen").current_digest
        registry.sync("tenants")  # back to the repository's version for the other tests
        assert registry.get("nordhafen").digest != live.digest


def test_a_broken_tenant_keeps_its_last_good_version_live(app, tmp_path):
    root = tmp_path / "tenants"
    shutil.copytree("tenants/nordhafen", root / "nordhafen")
    (root / "nordhafen" / "tenant.yaml").write_text("id: nordhafen\nname: [unclosed\n", encoding="utf-8")
    with app.app_context():
        good = registry.get("nordhafen").digest
        [(slug, status, problems)] = registry.sync(str(root))
        assert status == "invalid" and problems and problems[0]["line"]
        assert registry.get("nordhafen").digest == good
        assert Tenant.get_by_id("nordhafen").problems
        registry.sync("tenants")
        assert Tenant.get_by_id("nordhafen").problems == []
