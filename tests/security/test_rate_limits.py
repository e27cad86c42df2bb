"""Issue 13, item 12: behind the TLS proxy each client has its own login limit, and each account has
one too. Before, limits keyed on the connecting address, which behind a proxy is the proxy's: one
client trying 10 passwords locked out every login of the platform."""
import pytest

from tests.conftest import csrf_from

PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # every request arrives from the proxy


@pytest.fixture
def behind_one_proxy(app):
    """The session app as deployed with BKV_PROXY_COUNT=1 and the default login limit."""
    import web
    from web.config import from_env
    from web.extensions import limiter
    assert from_env({"BKV_PROXY_COUNT": "1"})["PROXY_COUNT"] == 1 and from_env({})["PROXY_COUNT"] == 0
    kept = app.wsgi_app, dict(app.config)
    app.config.update(PROXY_COUNT=1, LOGIN_RATE_LIMIT=from_env({})["LOGIN_RATE_LIMIT"])  # 10 per minute
    web._trust_proxies(app)
    limiter.reset()
    yield app
    app.wsgi_app = kept[0]
    app.config.clear()
    app.config.update(kept[1])
    limiter.reset()


def post(client, url, data, client_address):
    """A form sent through the proxy by a client at `client_address`; the answer's status."""
    headers = {"X-Forwarded-For": client_address}
    token = csrf_from(client.get(url, environ_base=PROXY, headers=headers))
    return client.post(url, data={**data, "csrf_token": token}, environ_base=PROXY, headers=headers).status_code


def attempt(client, email, password, client_address):
    return post(client, "/auth/login", {"email": email, "password": password}, client_address)


def test_one_client_behind_the_proxy_does_not_lock_out_the_others(behind_one_proxy, make_user):
    user = make_user("broker")
    attacker = behind_one_proxy.test_client()
    codes = [attempt(attacker, f"guess-{n}@example.org", "wrong-password", "203.0.113.9") for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[-1] == 429
    assert attempt(behind_one_proxy.test_client(), user.email, user.plain_password, "198.51.100.7") == 302


def test_one_account_is_limited_from_however_many_addresses(behind_one_proxy, make_user):
    user = make_user("broker")
    attacker = behind_one_proxy.test_client()
    codes = [attempt(attacker, user.email, "wrong-password", f"203.0.113.{n}") for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[-1] == 429
    assert attempt(attacker, "someone-else@example.org", "wrong-password", "203.0.113.99") == 200
    # the reset link, too, is asked for at most 10 times a minute per account
    forgot = [post(behind_one_proxy.test_client(), "/auth/forgot", {"email": user.email}, f"192.0.2.{n}")
              for n in range(11)]
    assert forgot[:10] == [302] * 10 and forgot[-1] == 429


def test_forwarded_addresses_are_ignored_without_a_proxy(app, make_user):
    """With BKV_PROXY_COUNT=0 (the default) a client cannot pick its own bucket by sending the header."""
    from web.config import from_env
    from web.extensions import limiter
    app.config["LOGIN_RATE_LIMIT"] = from_env({})["LOGIN_RATE_LIMIT"]
    limiter.reset()
    try:
        client = app.test_client()
        codes = [attempt(client, f"guess-{n}@example.org", "wrong", f"203.0.113.{n}") for n in range(11)]
        assert codes[-1] == 429
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "100000 per minute"
        limiter.reset()
