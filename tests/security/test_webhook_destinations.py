"""Issue 13, item 14: a webhook URL must not make the platform call into its own network (blind SSRF).
Hosts that resolve to loopback, private, link-local, multicast, reserved or unspecified addresses,
also written as IPv6 or IPv4-mapped, are refused when registered and again at every delivery, unless
the operator allows private addresses (BKV_WEBHOOK_ALLOW_PRIVATE=1)."""
import pytest

from engine import webhooks
from engine.models import Webhook, WebhookDelivery
from tests.api.test_api_webhooks import Receiver
from tests.conftest import csrf_from, log_in
from tests.journey import released_application
from web import config

INTERNAL = ["http://127.0.0.1/hook", "http://localhost:8080/hook", "http://127.1/hook", "http://2130706433/hook",
            "http://0177.0.0.1/hook", "http://0x7f.0.0.1/hook", "http://0.0.0.0/hook", "http://10.0.0.7/hook",
            "http://172.16.5.4/hook", "http://192.168.1.1/hook", "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/hook", "http://224.0.0.1/hook", "http://255.255.255.255/hook", "http://240.0.0.1/hook",
            "http://[::1]/hook", "http://[::]/hook", "http://[fe80::1]/hook", "http://[fc00::1]/hook",
            "http://[fec0::1]/hook", "http://[ff02::1]/hook", "http://[::ffff:127.0.0.1]/hook",
            "http://[::ffff:7f00:1]/hook", "http://[::ffff:10.0.0.1]/hook", "http://[64:ff9b::a9fe:a9fe]/hook",
            "http://[2002:7f00:1::]/hook", "https://127.0.0.1:8443/hook"]


@pytest.fixture
def staff(app, client, make_user):
    log_in(client, make_user("insurer", tenant="lumen"))
    return client


def register(client, url):
    page = client.get("/m/lumen/office/integration/")
    return client.post("/m/lumen/office/integration/webhooks", data={"url": url, "csrf_token": csrf_from(page)})


@pytest.mark.parametrize("url", INTERNAL)
def test_a_webhook_into_the_internal_network_is_refused(app, staff, url):
    refused = register(staff, url)
    assert refused.status_code == 422, url
    assert "ins interne Netz" in refused.get_data(as_text=True)
    with app.app_context():
        assert not Webhook.select().exists()


def test_public_addresses_and_names_without_dns_yet_are_accepted(app, staff):
    for url in ("https://8.8.8.8/bkv", "https://[2001:4860:4860::8888]/bkv", "https://[::ffff:8.8.8.8]/bkv",
                "https://noch-ohne-dns.example/bkv"):
        assert register(staff, url).status_code == 200, url
    with app.app_context():
        assert Webhook.select().count() == 4


@pytest.fixture
def receiver():
    started = Receiver()
    yield started
    started.stop()


def allow_private(value):
    webhooks.configure(allow_private=config.from_env({"BKV_WEBHOOK_ALLOW_PRIVATE": value})["WEBHOOK_ALLOW_PRIVATE"])


def test_delivery_checks_the_address_again_and_the_operator_may_allow_private_ones(app, make_user, receiver):
    """Registered while allowed (or while the name still pointed outside): each delivery resolves the
    host again and does not connect when it now leads inside."""
    insurer = make_user("insurer", tenant="lumen")
    port = receiver.server.server_address[1]
    try:
        allow_private("1")
        with app.app_context():
            by_name = webhooks.add("lumen", f"http://localhost:{port}/by-name", insurer)
            released_application("lumen", tag="allowed")
        # delivered, to the address that was checked, with the name as the Host
        assert [r["headers"]["Host"] for r in receiver.received] == [f"localhost:{port}"]

        allow_private("0")
        with app.app_context():
            released_application("lumen", tag="refused")
            row = WebhookDelivery.select().where(WebhookDelivery.webhook == by_name.id).order_by(
                WebhookDelivery.id.desc()).get()
            assert row.status == "pending" and row.attempts == 1
            assert "non-public" in row.last_error and "BKV_WEBHOOK_ALLOW_PRIVATE" in row.last_error
        assert len(receiver.received) == 1  # nothing reached the internal receiver
    finally:
        webhooks.configure(allow_private=app.config["WEBHOOK_ALLOW_PRIVATE"])
