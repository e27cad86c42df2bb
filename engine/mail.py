"""Mail through a transactional outbox: written with the change, delivered over SMTP by a job.

A mail server that is down loses nothing: rows stay pending and are retried with exponential
backoff. Delivery is at-least-once; a row is claimed with a lease so two workers never send it
at the same time.
"""
import datetime
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from engine import product_documents
from engine.db import after_commit, transaction
from engine.models import Outbox, utcnow

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
LEASE = datetime.timedelta(minutes=5)
_deliver_hook = None


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = "bKV-Plattform <noreply@bkv.example>"
    timeout: float = 10.0


def set_delivery_hook(hook):
    """The job layer registers how to trigger delivery after a commit (enqueue a job)."""
    global _deliver_hook
    _deliver_hook = hook


def queue(recipient, subject, body, attachments=()):
    """Write a mail to the outbox inside the caller's transaction; delivery starts after commit.
    `attachments`: [{filename, tenant, sha256}] of product documents (engine/product_documents)."""
    row = Outbox.create(recipient=recipient, subject=subject, body=body, attachments=list(attachments))
    if _deliver_hook is not None:
        after_commit(_deliver_hook)
    return row


def backoff(attempts):
    """Seconds to wait after the n-th failed attempt: 30 s, 1 min, 2 min, ... capped at 6 h."""
    return min(30 * 2 ** (attempts - 1), 6 * 3600)


def _claim(row_id, now):
    return (Outbox.update(next_attempt_at=now + LEASE)
            .where((Outbox.id == row_id) & (Outbox.status == "pending") & (Outbox.next_attempt_at <= now))
            .execute()) == 1


def _send(settings, row):
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Message-ID"] = f"<outbox-{row.id}@bkv-platform>"
    message.set_content(row.body)
    for attachment in row.attachments:
        message.add_attachment(product_documents.read(attachment["tenant"], attachment["sha256"]),
                               maintype="application", subtype="pdf", filename=attachment["filename"])
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)


def deliver_due(settings, limit=100):
    """Send every pending mail that is due; returns (sent, failed) counts of this run."""
    now = utcnow()
    due = list(Outbox.select(Outbox.id).where((Outbox.status == "pending") & (Outbox.next_attempt_at <= now))
               .order_by(Outbox.id).limit(limit))
    sent = failed = 0
    for (row_id,) in ((r.id,) for r in due):
        with transaction():
            claimed = _claim(row_id, now)
        if not claimed:
            continue
        row = Outbox.get_by_id(row_id)
        try:
            _send(settings, row)
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            attempts = row.attempts + 1
            status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
            logger.warning("mail %s to %s failed (attempt %s): %s", row.id, row.recipient, attempts, exc)
            with transaction():
                Outbox.update(attempts=attempts, status=status, last_error=str(exc)[:2000],
                              next_attempt_at=utcnow() + datetime.timedelta(seconds=backoff(attempts))
                              ).where(Outbox.id == row.id).execute()
            continue
        sent += 1
        with transaction():
            Outbox.update(status="sent", sent_at=utcnow(), attempts=row.attempts + 1, last_error=None
                          ).where(Outbox.id == row.id).execute()
    return sent, failed
