"""Role separation and tenant branding of the four portals."""
import pytest

from tests.conftest import log_in


@pytest.mark.parametrize("url", ["/advisor/", "/admin/", "/m/lumen/", "/m/lumen/office/", "/employer"])
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_each_role_reaches_its_portal_and_no_other(app, make_user):
    cases = {
        "broker": {"/advisor/": 200, "/admin/": 403, "/m/lumen/office/": 403, "/m/lumen/": 403},
        "employer": {"/advisor/": 403, "/admin/": 403, "/m/lumen/office/": 403, "/m/lumen/": 200},
        "admin": {"/advisor/": 403, "/admin/": 200, "/m/lumen/office/": 403, "/admin/users": 200},
    }
    for kind, expected in cases.items():
        user = make_user(None if kind == "admin" else kind, admin=kind == "admin")
        client = app.test_client()
        log_in(client, user)
        for url, code in expected.items():
            assert client.get(url).status_code == code, (kind, url)


def test_insurer_staff_see_only_their_own_tenant(client, make_user, login):
    staff = make_user("insurer", tenant="lumen")
    login(staff)
    assert client.get("/m/lumen/office/").status_code == 200
    assert client.get("/m/auxilia/office/").status_code == 403
    assert client.get("/m/unknown/office/").status_code == 404


def test_manager_wears_the_tenant_branding(client, make_user, login, app):
    from engine import registry
    employer = make_user("employer")
    login(employer)
    for slug in ("lumen", "auxilia", "nordhafen"):
        with app.app_context():
            live = registry.get(slug)
        html = client.get(f"/m/{slug}/").get_data(as_text=True)
        assert live.name in html
        assert f"/m/{slug}/theme.css" in html and f"/m/{slug}/logo" in html
        css = client.get(f"/m/{slug}/theme.css").get_data(as_text=True)
        assert live.branding["primary_color"] in css
        logo = client.get(f"/m/{slug}/logo")
        assert logo.status_code == 200 and logo.mimetype == "image/svg+xml"


def test_one_employer_login_reaches_the_managers_of_several_insurers(client, make_user, login):
    user = make_user("employer")
    login(user)
    assert client.get("/m/lumen/").status_code == 200
    assert client.get("/m/auxilia/").status_code == 200


def test_error_pages_are_in_the_platform_design(client):
    response = client.get("/does-not-exist")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "Seite nicht gefunden" in html and "style.css" in html


def test_admin_lists_tenants_with_check_result_and_versions(client, make_user, login):
    login(make_user(admin=True))
    html = client.get("/admin/").get_data(as_text=True)
    for slug in ("lumen", "auxilia", "nordhafen"):
        assert f"<code>{slug}</code>" in html
    assert "Prüfung bestanden" in html
