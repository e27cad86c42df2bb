"""Issue 13, item 1: a link in a mail leads to this platform, whatever Host header asked for it.
Before, `POST /auth/forgot` with `Host: evil.example` mailed http://evil.example/auth/reset/<token>."""
import pytest


def forgot(client, email, host):
    return client.post("/auth/forgot", data={"email": email}, headers={"Host": host})


@pytest.fixture
def config(app):
    """Settings of the session app changed for one test. The attacker's own client passes CSRF (it
    holds a session for its Host); here CSRF is off, so only the Host decides."""
    kept = dict(app.config)
    app.config["WTF_CSRF_ENABLED"] = False
    yield app.config
    app.config.clear()
    app.config.update(kept)


def test_a_request_for_another_host_is_refused_and_mails_nothing(client, mailbox, make_user, config):
    user = make_user("broker")
    response = forgot(client, user.email, "evil.example")
    assert response.status_code == 400
    assert mailbox.to(user.email) == []
    assert client.get("/", headers={"Host": "bkv.test:8443"}).status_code == 200  # the port is not the host


def test_the_reset_link_is_on_the_base_url_even_for_another_trusted_host(client, mailbox, make_user, config):
    config["TRUSTED_HOSTS"] = ["bkv.test", "alias.bkv.test"]
    config["BASE_URL"] = "https://bkv.example.org"
    user = make_user("broker")
    assert forgot(client, user.email, "alias.bkv.test").status_code == 302
    assert mailbox.link(user.email, r"https?://\S+").startswith("https://bkv.example.org/auth/reset/")


def test_workflow_mails_link_to_the_base_url_also_outside_a_request(app, mailbox, config):
    from tests.journey import submitted_application
    config["BASE_URL"] = "https://bkv.example.org/portal"
    with app.app_context():  # as in the job worker: no request, no Host at all
        case = submitted_application("lumen", submit=False)
    link = mailbox.link(case["client"].contact_email, r"https?://\S+")
    assert link.startswith("https://bkv.example.org/portal/offer/")
