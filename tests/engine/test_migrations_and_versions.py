"""Schema migrations match the models; tenant content is versioned by digest."""
import shutil

from engine import migrate, registry
from engine.models import Tenant, TenantVersion
from tests.tenant_versions import load_live, newest


def test_migrations_leave_nothing_between_models_and_database(app):
    with app.app_context():
        assert migrate.upgrade() == []  # applied already, idempotent
        diff = migrate.pending_changes()
        assert not any(diff), diff


def test_each_distinct_tenant_content_is_stored_once_and_goes_live_only_when_activated(app, tmp_path):
    root = tmp_path / "tenants"
    shutil.copytree("tenants/nordhafen", root / "nordhafen")
    with app.app_context():
        good = registry.get("nordhafen").digest
        before = TenantVersion.select().where(TenantVersion.tenant == "nordhafen").count()
        assert dict((s, st) for s, st, _ in registry.sync(str(root)))["nordhafen"] == "unchanged"
        content = next((root / "nordhafen" / "content").glob("*.md"))
        content.write_text(content.read_text(encoding="utf-8") + "\nNeuer Absatz.\n", encoding="utf-8")
        assert dict((s, st) for s, st, _ in registry.sync(str(root)))["nordhafen"] == "new"
        assert TenantVersion.select().where(TenantVersion.tenant == "nordhafen").count() == before + 1
        assert registry.get("nordhafen").digest == good  # a draft: loading never makes it live
        load_live(root)
        live = registry.get("nordhafen")
        assert live.digest != good and live.digest == newest("nordhafen")


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


def test_a_tenant_whose_own_test_cases_fail_does_not_go_live(app, tmp_path):
    root = tmp_path / "tenants"
    shutil.copytree("tenants/nordhafen", root / "nordhafen")
    tenant_yaml = root / "nordhafen" / "tenant.yaml"
    tenant_yaml.write_text(tenant_yaml.read_text(encoding="utf-8").replace('value: "21.90"', 'value: "29.10"'),
                           encoding="utf-8")
    with app.app_context():
        good = registry.get("nordhafen").digest
        [(slug, status, problems)] = registry.sync(str(root))
        assert status == "invalid"
        assert problems[0]["file"].endswith("nordhafen/tests.yaml") and problems[0]["level"] == "error"
        assert "expected a premium of 21.90 for kompakt, got 29.10" in problems[0]["message"]
        assert registry.get("nordhafen").digest == good
        registry.sync("tenants")
        assert Tenant.get_by_id("nordhafen").problems == []


def test_a_tenant_with_warnings_goes_live_and_keeps_them_for_the_admin(app, tmp_path):
    root = tmp_path / "tenants"
    shutil.copytree("tenants/nordhafen", root / "nordhafen")
    tenant_yaml = root / "nordhafen" / "tenant.yaml"
    tenant_yaml.write_text(tenant_yaml.read_text(encoding="utf-8").replace(
        "      - id: wohnsitz_deutschland\n",
        "      - id: unter_70\n        require: {age: [employee.birth_date, contract.start_date], lt: 70}\n"
        "        reason: {de: Unter 70., en: Under 70.}\n      - id: wohnsitz_deutschland\n"), encoding="utf-8")
    with app.app_context():
        [(slug, status, problems)] = load_live(root)
        assert status == "new" and [p["level"] for p in problems] == ["warning"]
        assert registry.get("nordhafen").digest == newest("nordhafen")
        assert Tenant.get_by_id("nordhafen").problems == problems
        registry.sync("tenants")
        assert Tenant.get_by_id("nordhafen").problems == []
