"""Webhooks to insurers' systems: a delivery row per new item, sent by a job, signed with HMAC-SHA256,
retried with backoff (the same outbox pattern as mail)."""
import datetime
import hashlib
import hmac
import json
import logging
import secrets
import urllib.parse
import urllib.request

from engine import audit, mail
from engine.db import after_commit, transaction
from engine.errors import DomainError, NotFound
from engine.models import Webhook, WebhookDelivery, utcnow

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
_deliver_hook = None


def set_delivery_hook(hook):
    global _deliver_hook
    _deliver_hook = hook


def new_secret():
    return secrets.token_hex(24)


def sign(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def emit(tenant_slug, event, data):
    """Queue `event` for every active webhook of the tenant (inside the caller's transaction)."""
    for hook in Webhook.select().where((Webhook.tenant == tenant_slug) & (Webhook.active == True)):  # noqa: E712
        WebhookDelivery.create(webhook=hook, event=event, payload={"event": event, "tenant": tenant_slug,
                                                                   "data": data, "at": utcnow().isoformat()})
        if _deliver_hook is not None:
            after_commit(_deliver_hook)


def _post(hook, delivery):
    body = json.dumps(delivery.payload, sort_keys=True).encode()
    request = urllib.request.Request(hook.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Bkv-Event": delivery.event, "X-Bkv-Delivery": str(delivery.id),
        "X-Bkv-Signature": sign(hook.secret, body)})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the insurer's configured URL
        if response.status >= 300:
            raise OSError(f"HTTP {response.status}")


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
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 500:
        raise DomainError("Bitte geben Sie eine vollständige http(s)-Adresse an (höchstens 500 Zeichen).",
                          "Please enter a complete http(s) address (at most 500 characters).", field="url")
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
