"""Issue 13, item 4: logout ends the session for good, and a login does not last for ever. Before, a
cookie copied before logout still worked (for 31 days)."""
import datetime

import pytest

from tests.conftest import csrf_from


def copy_of(client, app):
    """A second client holding the same session cookie, as someone who copied it would."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session", domain="bkv.test").value, domain="bkv.test")
    return other


def test_a_cookie_copied_before_logout_no_longer_works(app, client, make_user, login):
    user = make_user("broker")
    login(user)
    copied = copy_of(client, app)
    assert copied.get("/advisor/").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/advisor/"))})
    assert copied.get("/advisor/").status_code == 302
    assert client.get("/advisor/").status_code == 302
    login(user)  # and the account logs in again as before
    assert client.get("/advisor/").status_code == 200


@pytest.fixture
def lifetimes(app):
    kept = app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_MAX_HOURS"]
    app.config.update(SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=8)
    yield
    app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_MAX_HOURS"] = kept


def test_a_session_ends_after_the_idle_time(client, make_user, login, clock, lifetimes):
    login(make_user("broker"))
    clock.shift(datetime.timedelta(minutes=29))
    assert client.get("/advisor/").status_code == 200  # a request keeps it alive
    clock.shift(datetime.timedelta(minutes=29))
    assert client.get("/advisor/").status_code == 200
    clock.shift(datetime.timedelta(minutes=31))
    expired = client.get("/advisor/", follow_redirects=True)
    assert expired.request.path == "/auth/login" and "Sitzung ist abgelaufen" in expired.get_data(as_text=True)


def test_a_session_ends_after_its_lifetime_however_busy(client, make_user, login, clock, lifetimes):
    login(make_user("broker"))
    for _ in range(23):  # 7 h 40 min, a request every 20 minutes
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get("/advisor/").status_code == 200
    clock.shift(datetime.timedelta(minutes=25))  # 8 h 5 min after login
    assert client.get("/advisor/").status_code == 302


def test_the_lifetimes_are_settings():
    from web.config import from_env
    settings = from_env({"BKV_SESSION_IDLE_MINUTES": "15", "BKV_SESSION_MAX_HOURS": "4"})
    assert (settings["SESSION_IDLE_MINUTES"], settings["SESSION_MAX_HOURS"]) == (15, 4)
    assert (from_env({})["SESSION_IDLE_MINUTES"], from_env({})["SESSION_MAX_HOURS"]) == (60, 12)
