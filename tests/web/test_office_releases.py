"""An insurer's administrator releases a new version in the back office: the versions page lists the
live one and the loaded draft, the draft's page shows exactly the premiums that change and the changed
texts, and releasing it from a day schedules it (audited); staff do not see the page."""
from engine import registry
from engine.models import AuditEntry
from tests.conftest import csrf_from, log_in
from tests.engine.test_releases import price_change


def test_an_administrator_sees_a_drafts_changes_and_schedules_it(app, client, make_user, tmp_path):
    root, new = price_change(tmp_path, "22.70")
    with app.app_context():
        registry.sync(str(root))
    admin = make_user("insurer_admin", tenant="nordhafen")
    log_in(client, admin)
    page = client.get("/m/nordhafen/office/releases/").get_data(as_text=True)
    assert "Versionen" in page and new[:12] in page and "Entwurf" in page and "aktiv" in page

    version = client.get(f"/m/nordhafen/office/releases/{new[:12]}")
    text = version.get_data(as_text=True)
    assert version.status_code == 200
    assert ("<td>Nordhafen Budget Kompakt</td><td>Belegschaft</td><td>0</td><td>40-99</td><td>21.90</td>"
            "<td>22.70</td>") in text
    assert "tariffs[kompakt].premium.tables" in text

    token = csrf_from(version)
    refused = client.post(f"/m/nordhafen/office/releases/{new[:12]}/activate",
                          data={"valid_from": "2026-11-01", "csrf_token": token})
    assert refused.status_code == 422
    assert "Eine Version gilt frühestens ab heute (02.12.2026)." in refused.get_data(as_text=True)

    done = client.post(f"/m/nordhafen/office/releases/{new[:12]}/activate",
                       data={"valid_from": "2027-01-01", "csrf_token": token})
    assert done.status_code == 302
    listed = client.get("/m/nordhafen/office/releases/").get_data(as_text=True)
    assert "geplant ab 01.01.2027" in listed and "Freigabe ab 01.01.2027 zurückziehen" in listed
    assert AuditEntry.select().where((AuditEntry.action == "tenant.version_activated")
                                     & (AuditEntry.actor == admin.id)).count() == 1
    with app.app_context():
        assert registry.get("nordhafen").digest != new  # from January

    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get("/m/nordhafen/office/releases/").get_data(as_text=True)
    assert "scheduled from 1 Jan 2027" in english and "Withdraw release from 1 Jan 2027" in english


def test_staff_without_administration_do_not_release(app, client, make_user, tmp_path):
    clerk = make_user("insurer", tenant="nordhafen")
    log_in(client, clerk)
    assert client.get("/m/nordhafen/office/releases/").status_code == 403
    assert "/office/releases" not in client.get("/m/nordhafen/office/").get_data(as_text=True)


def test_the_release_page_says_whether_the_drafts_test_cases_pass(app, client, make_user, tmp_path):
    from engine.models import TenantVersion
    root, new = price_change(tmp_path, "22.95")
    with app.app_context():
        registry.sync(str(root))
    log_in(client, make_user("insurer_admin", tenant="nordhafen"))
    page = client.get(f"/m/nordhafen/office/releases/{new[:12]}").get_data(as_text=True)
    assert "Tests bestanden: alle 8 Testfälle dieser Version liefern das Erwartete." in page
    assert f"bkv tenants simulate nordhafen --version {new[:12]}" in page

    root, failing = price_change(tmp_path / "again", "23.05")
    with app.app_context():
        registry.sync(str(root))
        row = TenantVersion.get(TenantVersion.digest == failing)  # as if the platform now decided otherwise
        TenantVersion.update(snapshot={**row.snapshot, "tests": row.snapshot["tests"].replace(
            'kompakt: "23.05"', 'kompakt: "23.15"', 1)}).where(TenantVersion.id == row.id).execute()
    page = client.get(f"/m/nordhafen/office/releases/{failing[:12]}").get_data(as_text=True)
    assert "Fehlgeschlagen: 1 von 8 Testfällen." in page
    assert "<td>12</td><td><code>cases[0].expect.premiums.kompakt</code></td>" in page
    assert "expected a premium of 23.15 for kompakt, got 23.05" in page
    assert "Testfälle dieser Version schlagen fehl (siehe oben)" in page
