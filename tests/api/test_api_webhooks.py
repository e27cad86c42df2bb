"""Webhooks reach a real HTTP server on 127.0.0.1, signed; when it is down nothing is lost."""
import datetime
import hashlib
import hmac
import http.server
import json
import threading

import pytest

from engine import webhooks
from engine.models import WebhookDelivery, utcnow
from tests.journey import released_application
from tests.conftest import free_port
from web import config


class Receiver:
    """An insurer's endpoint: records each POST (headers and body) and answers 204."""

    def __init__(self, port=0):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append({"headers": dict(self.headers), "body": body})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/bkv-hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def private_addresses_allowed(app):
    """The receiver listens on 127.0.0.1, which webhooks refuse unless the operator allows private
    addresses: these tests run as with BKV_WEBHOOK_ALLOW_PRIVATE=1."""
    webhooks.configure(allow_private=config.from_env({"BKV_WEBHOOK_ALLOW_PRIVATE": "1"})["WEBHOOK_ALLOW_PRIVATE"])
    yield
    webhooks.configure(allow_private=app.config["WEBHOOK_ALLOW_PRIVATE"])


@pytest.fixture
def receiver():
    started = Receiver()
    yield started
    started.stop()


def verified(secret, body, signature):
    """What the insurer's system does (docs/api.md): recompute the HMAC and compare in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def test_a_released_application_is_announced_signed_to_the_insurers_webhook(app, make_user, receiver):
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        hook = webhooks.add("lumen", receiver.url, staff)
        silent = webhooks.deactivate(webhooks.add("lumen", receiver.url + "/old", staff), staff)
        webhooks.add("auxilia", receiver.url + "/other-insurer", make_user("insurer", tenant="auxilia"))
        case = released_application("lumen")
    [delivery] = receiver.received  # delivered right after the commit; not to the inactive or other hooks
    headers, body = delivery["headers"], delivery["body"]
    assert verified(hook.secret, body, headers["X-Bkv-Signature"])
    assert not verified(hook.secret, body + b" ", headers["X-Bkv-Signature"])
    payload = json.loads(body)
    assert payload["event"] == headers["X-Bkv-Event"] == "application.released"
    assert payload["tenant"] == "lumen" and payload["data"] == {"id": case["application"].id}
    with app.app_context():
        row = WebhookDelivery.get(WebhookDelivery.webhook == hook.id)
        assert row.status == "sent" and str(row.id) == headers["X-Bkv-Delivery"]
        assert not WebhookDelivery.select().where(WebhookDelivery.webhook == silent.id).exists()


def test_a_delivery_waits_while_the_server_is_down_and_arrives_once_when_it_is_up(app, make_user):
    port = free_port()
    staff = make_user("insurer", tenant="nordhafen")
    with app.app_context():
        hook = webhooks.add("nordhafen", f"http://127.0.0.1:{port}/bkv-hook", staff)
        released_application("nordhafen")  # released on submit: the delivery is tried at once and fails
        row = WebhookDelivery.get(WebhookDelivery.webhook == hook.id)
        assert (row.status, row.attempts) == ("pending", 1) and row.last_error
        assert row.next_attempt_at > utcnow()
        assert webhooks.deliver_due() == (0, 0)  # not due yet: backing off

    receiver = Receiver(port)
    try:
        with app.app_context():
            WebhookDelivery.update(next_attempt_at=datetime.datetime(2000, 1, 1)).where(
                WebhookDelivery.id == row.id).execute()
            assert webhooks.deliver_due() == (1, 0)
            assert webhooks.deliver_due() == (0, 0)
            done = WebhookDelivery.get_by_id(row.id)
            assert (done.status, done.attempts) == ("sent", 2)
        [delivery] = receiver.received
        assert verified(hook.secret, delivery["body"], delivery["headers"]["X-Bkv-Signature"])
        assert json.loads(delivery["body"])["event"] == "application.released"
    finally:
        receiver.stop()
