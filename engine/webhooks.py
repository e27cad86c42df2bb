"""Webhooks to insurers' systems: a delivery row per new item, sent by a job, signed with HMAC-SHA256,
retried with backoff (the same outbox pattern as mail).

A webhook reaches only public addresses: the host is resolved when the URL is registered and again
at every delivery, which then connects to the address it checked (a name that changes to point
inside between the check and the connection cannot redirect it). BKV_WEBHOOK_ALLOW_PRIVATE lifts
this for a receiver on the operator's own network."""
import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import urllib.parse

from engine import audit, mail, signals
from engine.db import after_commit, transaction
from engine.errors import DomainError, NotFound
from engine.models import Webhook, WebhookDelivery, utcnow

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
TIMEOUT = 10
_deliver_hook = None
_settings = {"allow_private": False}


def configure(allow_private=False):
    """The operator's choice (BKV_WEBHOOK_ALLOW_PRIVATE): may webhooks reach loopback and private addresses?"""
    _settings["allow_private"] = bool(allow_private)


class RefusedDestination(OSError):
    """The webhook's host resolves to an address the platform does not call (loopback, private, ...)."""


def set_delivery_hook(hook):
    global _deliver_hook
    _deliver_hook = hook


def new_secret():
    return secrets.token_hex(24)


def sign(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@signals.on_transition("application.release")
def _application_released(application, ctx):
    """A released application is the insurer's to process: its systems hear of it."""
    emit(application.tenant_id, "application.released", {"id": application.id})


def emit(tenant_slug, event, data):
    """Queue `event` for every active webhook of the tenant (inside the caller's transaction)."""
    for hook in Webhook.select().where((Webhook.tenant == tenant_slug) & (Webhook.active == True)):  # noqa: E712
        WebhookDelivery.create(webhook=hook, event=event, payload={"event": event, "tenant": tenant_slug,
                                                                   "data": data, "at": utcnow().isoformat()})
        if _deliver_hook is not None:
            after_commit(_deliver_hook)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(address):
    """True for an address on the public internet; False for loopback, private, link-local, multicast,
    reserved, unspecified and shared addresses, also when written inside an IPv6 address (IPv4-mapped,
    NAT64, 6to4, Teredo)."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address.split("%", 1)[0])
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if address in _NAT64:
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        inner = [address.sixtofour, *(address.teredo or ())]
        if any(a is not None and not is_public(a) for a in inner):
            return False
    return not (address.is_loopback or address.is_private or address.is_link_local or address.is_multicast
                or address.is_reserved or address.is_unspecified or getattr(address, "is_site_local", False)
                or not address.is_global)


def resolve(host, port):
    """The addresses the host resolves to, each checked: RefusedDestination for one not public
    (unless the operator allows private addresses); socket.gaierror when the name does not resolve."""
    addresses = list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))
    if not _settings["allow_private"]:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise RefusedDestination(f"{host} resolves to a non-public address ({', '.join(refused)}); "
                                     "set BKV_WEBHOOK_ALLOW_PRIVATE=1 to allow it")
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to by then."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As _PinnedHTTPConnection, with TLS verified for the URL's host name."""

    def __init__(self, host, port, address, **kwargs):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, context=self.tls, **kwargs)
        self.address = address

    def connect(self):
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def _post(hook, delivery):
    """POST the delivery to the checked address of the hook's host; redirects are not followed."""
    body = json.dumps(delivery.payload, sort_keys=True).encode()
    parts = urllib.parse.urlsplit(hook.url)
    https = parts.scheme == "https"
    try:
        port = parts.port or (443 if https else 80)
        address = resolve(parts.hostname, port)[0]
    except (ValueError, UnicodeError) as exc:  # a bad port or host name: a failed attempt, not a crash
        raise OSError(f"invalid address: {exc}") from exc
    connection = (_PinnedHTTPSConnection if https else _PinnedHTTPConnection)(parts.hostname, port, address,
                                                                               timeout=TIMEOUT)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers={
            "Content-Type": "application/json", "X-Bkv-Event": delivery.event, "X-Bkv-Delivery": str(delivery.id),
            "X-Bkv-Signature": sign(hook.secret, body)})
        response = connection.getresponse()
        response.read()
        if response.status >= 300:
            raise OSError(f"HTTP {response.status}")
    except http.client.HTTPException as exc:
        raise OSError(f"HTTP error: {exc!r}") from exc
    finally:
        connection.close()


def deliver_due(limit=100):
    now = utcnow()
    due = list(WebhookDelivery.select().where((WebhookDelivery.status == "pending")
                                              & (WebhookDelivery.next_attempt_at <= now)).limit(limit))
    sent = failed = 0
    for delivery in due:
        with transaction():
            claimed = (WebhookDelivery.update(next_attempt_at=now + mail.LEASE)
                       .where((WebhookDelivery.id == delivery.id) & (WebhookDelivery.status == "pending")
                              & (WebhookDelivery.next_attempt_at <= now)).execute())
        if not claimed:
            continue
        try:
            _post(delivery.webhook, delivery)
        except OSError as exc:
            failed += 1
            attempts = delivery.attempts + 1
            with transaction():
                WebhookDelivery.update(attempts=attempts, last_error=str(exc)[:1000],
                                       status="failed" if attempts >= MAX_ATTEMPTS else "pending",
                                       next_attempt_at=utcnow() + datetime.timedelta(seconds=mail.backoff(attempts))
                                       ).where(WebhookDelivery.id == delivery.id).execute()
            continue
        sent += 1
        with transaction():
            WebhookDelivery.update(status="sent", delivered_at=utcnow(), attempts=delivery.attempts + 1
                                   ).where(WebhookDelivery.id == delivery.id).execute()
    return sent, failed


def add(tenant_slug, url, actor):
    """Register a URL of the insurer's system; returns the Webhook with its signing secret."""
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 500 or port == -1:
        raise DomainError("Bitte geben Sie eine vollständige http(s)-Adresse an (höchstens 500 Zeichen).",
                          "Please enter a complete http(s) address (at most 500 characters).", field="url")
    try:
        resolve(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except RefusedDestination:
        raise DomainError("Diese Adresse führt ins interne Netz (Loopback, private oder reservierte Adresse). "
                          "Webhooks gehen nur an öffentlich erreichbare Adressen.",
                          "This address leads into an internal network (loopback, private or reserved address). "
                          "Webhooks only go to publicly reachable addresses.", field="url") from None
    except (OSError, UnicodeError):
        pass  # a name without DNS yet: checked again at every delivery
    with transaction():
        hook = Webhook.create(tenant=tenant_slug, url=url, secret=new_secret())
        audit.record(actor, "webhook.created", "webhook", hook.id, tenant=tenant_slug, after={"url": url})
    return hook


def deactivate(hook, actor):
    with transaction():
        if Webhook.update(active=False).where((Webhook.id == hook.id) & (Webhook.active == True)).execute():  # noqa: E712
            audit.record(actor, "webhook.deactivated", "webhook", hook.id, tenant=hook.tenant_id,
                         after={"url": hook.url})
    return Webhook.get_by_id(hook.id)


def for_tenant(tenant_slug):
    return list(Webhook.select().where(Webhook.tenant == tenant_slug).order_by(Webhook.active.desc(), Webhook.id))


def get_for(tenant_slug, hook_id):
    hook = Webhook.get_or_none((Webhook.id == hook_id) & (Webhook.tenant == tenant_slug))
    if hook is None:
        raise NotFound("Webhook nicht gefunden.", "Webhook not found.")
    return hook
