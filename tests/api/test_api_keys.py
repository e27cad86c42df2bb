"""API keys: made in the back office and shown once, stored as a digest, refused once revoked."""
import hashlib
import re

from engine import apikeys, audit
from engine.models import ApiKey, Webhook
from tests.api.conftest import Api
from tests.conftest import csrf_from, log_in


def test_a_key_is_shown_once_stored_as_digest_and_refused_after_revocation(app, make_user):
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        key, plaintext = apikeys.create("lumen", "Bestandssystem", staff)
        assert re.fullmatch(rf"bkv_{key.prefix}_[A-Za-z0-9_-]{{40,}}", plaintext)
        stored = ApiKey.get_by_id(key.id)
        assert stored.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
        assert plaintext not in (stored.key_hash, stored.prefix, stored.name)

        assert apikeys.authenticate(plaintext).id == key.id
        assert apikeys.authenticate(plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
        assert apikeys.authenticate(f"bkv_{key.prefix}_") is None
        assert apikeys.authenticate("") is None and apikeys.authenticate(None) is None

        apikeys.revoke(stored, staff)
        apikeys.revoke(stored, staff)  # twice is harmless and audited once
        assert apikeys.authenticate(plaintext) is None
        actions = [e.action for e in audit.history("api_key", key.id)]
        assert actions == ["apikey.created", "apikey.revoked"]
        assert all(e.actor_id == staff.id for e in audit.history("api_key", key.id))


def test_the_api_refuses_requests_without_a_valid_key(app, api_key):
    plaintext, key, staff = api_key("lumen")
    client = app.test_client()
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": f"Basic {plaintext}"},
                    {"Authorization": f"Bearer {plaintext}x"}):
        response = client.get("/api/v1/applications", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert Api(client, plaintext).get("/applications").status_code == 200
    with app.app_context():
        apikeys.revoke(key, staff)
    assert Api(client, plaintext).get("/applications").status_code == 401


def test_unknown_paths_and_methods_answer_json(app, api):
    lumen = api("lumen")
    missing = lumen.get("/nothing/here")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong_method = lumen.get("/applications/1/accept")
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"] == "POST"
    assert wrong_method.get_json()["error"]["code"] == "method_not_allowed"


def test_staff_create_a_key_in_the_back_office_see_it_once_and_revoke_it(app, client, make_user):
    staff = make_user("insurer", tenant="lumen")
    log_in(client, staff)
    page_url = "/m/lumen/office/integration/"
    page = client.get(page_url)
    assert page.status_code == 200 and "API-Schlüssel" in page.get_data(as_text=True)

    empty = client.post("/m/lumen/office/integration/keys", data={"name": " ", "csrf_token": csrf_from(page)})
    assert empty.status_code == 422 and "Namen" in empty.get_data(as_text=True)

    created = client.post("/m/lumen/office/integration/keys",
                          data={"name": "Bestandssystem", "csrf_token": csrf_from(page)})
    html = created.get_data(as_text=True)
    plaintext = re.search(r'id="new-api-key">([^<]+)<', html).group(1)
    assert created.headers["Cache-Control"] == "no-store"
    assert Api(app.test_client(), plaintext).get("/applications").status_code == 200
    listing = client.get(page_url).get_data(as_text=True)
    assert "Bestandssystem" in listing and plaintext not in listing  # never shown again

    with app.app_context():
        key = ApiKey.get(ApiKey.name == "Bestandssystem")
    other_staff = app.test_client()
    log_in(other_staff, make_user("insurer", tenant="auxilia"))
    assert other_staff.get(f"/m/lumen/office/integration/keys/{key.id}/revoke").status_code == 403
    assert other_staff.get(f"/m/auxilia/office/integration/keys/{key.id}/revoke").status_code == 404

    confirm_url = f"/m/lumen/office/integration/keys/{key.id}/revoke"
    confirm = client.get(confirm_url)
    assert "widerrufen" in confirm.get_data(as_text=True).lower()
    assert Api(app.test_client(), plaintext).get("/applications").status_code == 200  # not before confirming
    revoked = client.post(confirm_url, data={"csrf_token": csrf_from(confirm)})
    assert revoked.status_code == 302
    assert Api(app.test_client(), plaintext).get("/applications").status_code == 401
    assert client.post(confirm_url, data={}).status_code == 400  # no CSRF token, no change


def test_staff_add_a_webhook_see_its_secret_once_and_deactivate_it(app, client, make_user):
    log_in(client, make_user("insurer", tenant="lumen"))
    page = client.get("/m/lumen/office/integration/")
    wrong = client.post("/m/lumen/office/integration/webhooks", data={"url": "ftp://x", "csrf_token": csrf_from(page)})
    assert wrong.status_code == 422
    added = client.post("/m/lumen/office/integration/webhooks",
                        data={"url": "https://bestand.example/bkv", "csrf_token": csrf_from(page)})
    secret = re.search(r'id="new-webhook-secret">([^<]+)<', added.get_data(as_text=True)).group(1)
    with app.app_context():
        hook = Webhook.get(Webhook.url == "https://bestand.example/bkv")
        assert hook.secret == secret and hook.tenant_id == "lumen" and hook.active
    assert secret not in client.get("/m/lumen/office/integration/").get_data(as_text=True)
    done = client.post(f"/m/lumen/office/integration/webhooks/{hook.id}/deactivate",
                       data={"csrf_token": csrf_from(page)})
    assert done.status_code == 302
    with app.app_context():
        assert not Webhook.get_by_id(hook.id).active
        assert [e.action for e in audit.history("webhook", hook.id)] == ["webhook.created", "webhook.deactivated"]


def test_a_key_of_an_insurer_taken_off_the_platform_is_refused(app, api):
    from engine.models import Tenant
    insurer = api("auxilia")
    with app.app_context():
        Tenant.update(active=False).where(Tenant.slug == "auxilia").execute()
    try:
        response = insurer.get("/applications")
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    finally:
        with app.app_context():
            Tenant.update(active=True).where(Tenant.slug == "auxilia").execute()


def test_a_request_over_the_size_limit_answers_json(app, api):
    insurer = api("lumen")
    huge = "A" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = insurer.post("/applications/1/accept", {"policy_number": "X", "policy_pdf": huge})
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
