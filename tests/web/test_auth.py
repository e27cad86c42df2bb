"""Accounts as a user meets them: register, confirm by mail, log in and out, reset, change password."""
import re

from tests.conftest import csrf_from


def post_form(client, url, data):
    token = csrf_from(client.get(url))
    return client.post(url, data={**data, "csrf_token": token})


def test_broker_registers_confirms_mail_and_logs_in(client, mailbox):
    response = post_form(client, "/auth/register", {"name": "Berta Broker", "email": "Berta@Example.org",
                                                    "password": "long-enough-pw", "password2": "long-enough-pw"})
    assert response.status_code == 200
    assert "berta@example.org" in response.get_data(as_text=True)
    [mail] = mailbox.to("berta@example.org")
    assert "E-Mail-Adresse" in mail["subject"]  # German by default

    blocked = post_form(client, "/auth/login", {"email": "berta@example.org", "password": "long-enough-pw"})
    assert "bestätigen" in blocked.get_data(as_text=True)

    confirmed = client.get(mailbox.link("berta@example.org"), follow_redirects=True)
    assert "bestätigt" in confirmed.get_data(as_text=True)

    logged_in = post_form(client, "/auth/login", {"email": "berta@example.org", "password": "long-enough-pw"})
    assert logged_in.status_code == 302 and logged_in.headers["Location"].endswith("/advisor/")
    assert client.get("/advisor/").status_code == 200


def test_registration_errors_keep_values_and_name_the_field(client):
    response = post_form(client, "/auth/register", {"name": "X", "email": "not-an-address",
                                                    "password": "long-enough-pw", "password2": "long-enough-pw"})
    html = response.get_data(as_text=True)
    assert 'id="e-email"' in html and "gültige E-Mail-Adresse" in html
    assert 'value="X"' in html
    short = post_form(client, "/auth/register", {"name": "X", "email": "new@example.org",
                                                 "password": "short", "password2": "short"})
    assert "mindestens 10 Zeichen" in short.get_data(as_text=True)


def test_forged_or_expired_verification_link_is_refused(client, app, make_user):
    response = client.get("/auth/verify/not-a-token", follow_redirects=True)
    assert "ungültig" in response.get_data(as_text=True)


def test_wrong_password_and_unknown_user_get_the_same_answer(client, make_user):
    user = make_user("broker")
    wrong = post_form(client, "/auth/login", {"email": user.email, "password": "nope-nope-nope"})
    unknown = post_form(client, "/auth/login", {"email": "ghost@example.org", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "falsch" in wrong.get_data(as_text=True) and "falsch" in unknown.get_data(as_text=True)


def test_login_gives_a_fresh_session_and_logout_ends_it(client, make_user, login):
    user = make_user("broker")
    with client.session_transaction() as session:
        session["planted"] = "attacker"
    login(user)
    with client.session_transaction() as session:
        assert "planted" not in session  # no session fixation
    assert client.get("/advisor/").status_code == 200
    token = csrf_from(client.get("/advisor/"))
    client.post("/auth/logout", data={"csrf_token": token})
    assert client.get("/advisor/").status_code == 302


def test_password_reset_by_mail_works_once(client, mailbox, make_user):
    user = make_user("broker")
    post_form(client, "/auth/forgot", {"email": user.email})
    link = mailbox.link(user.email)
    page = client.get(link)
    token = csrf_from(page)
    done = client.post(link, data={"password": "brand-new-password", "password2": "brand-new-password",
                                   "csrf_token": token})
    assert done.status_code == 302
    again = client.get(link, follow_redirects=True)
    assert "ungültig" in again.get_data(as_text=True)
    ok = post_form(client, "/auth/login", {"email": user.email, "password": "brand-new-password"})
    assert ok.status_code == 302


def test_forgot_password_does_not_reveal_accounts(client, mailbox):
    response = post_form(client, "/auth/forgot", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mailbox.to("nobody@example.org") == []


def test_password_change_logs_out_other_sessions(app, make_user, login):
    user = make_user("broker")
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        page = c.get("/auth/login")
        c.post("/auth/login", data={"email": user.email, "password": user.plain_password,
                                    "csrf_token": csrf_from(page)})
        assert c.get("/advisor/").status_code == 200
    page = first.get("/auth/password")
    first.post("/auth/password", data={"current_password": user.plain_password, "password": "another-long-pw",
                                       "password2": "another-long-pw", "csrf_token": csrf_from(page)})
    assert first.get("/advisor/").status_code == 200
    assert second.get("/advisor/").status_code == 302


def test_forms_without_csrf_token_are_refused(client, make_user):
    user = make_user("broker")
    response = client.post("/auth/login", data={"email": user.email, "password": user.plain_password})
    assert response.status_code == 400


def test_login_attempts_are_rate_limited(app, make_user):
    from web.config import from_env
    from web.extensions import limiter
    app.config["LOGIN_RATE_LIMIT"] = from_env({})["LOGIN_RATE_LIMIT"]
    try:
        c = app.test_client()
        codes = []
        for _ in range(12):
            token = csrf_from(c.get("/auth/login"))
            codes.append(c.post("/auth/login", data={"email": "x@example.org", "password": "wrong-password",
                                                     "csrf_token": token}).status_code)
        assert codes[:10] == [200] * 10 and codes[-1] == 429
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "100000 per minute"
        limiter.reset()


def test_english_is_selectable(client):
    client.get("/lang/en")
    html = client.get("/auth/login").get_data(as_text=True)
    assert "Forgot your password?" in html and 'lang="en"' in html
    client.get("/lang/de")
    assert "Passwort vergessen?" in client.get("/auth/login").get_data(as_text=True)


def test_security_headers_on_every_page(client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert re.search(r"same-origin", response.headers["Referrer-Policy"])
