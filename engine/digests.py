"""Decision mails held for a digest. A bulk action in the back office (`batch()`) holds the lines of
its decisions and mails each recipient once at its end; a person who chose the daily digest
(User.digest = "daily") gets the day's lines once a day (`send_daily`, a job). A single decision
for anyone else is mailed at once, as before. Lines are stored with the decision (same
transaction), and the digest mail with marking them mailed, so nothing is lost or sent twice."""
import contextlib
import threading
import uuid

from engine import audit, signals
from engine.db import transaction
from engine.errors import DomainError
from engine.models import HeldDecision, User, utcnow

CHOICES = ("batch", "daily")  # batch: each decision (or a bulk action's batch) at once; daily: once a day
_open = threading.local()


@contextlib.contextmanager
def batch():
    """Hold the decision mails taken inside (one bulk action); on leaving, mail each recipient one
    digest, in the caller's transaction when there is one."""
    outer = getattr(_open, "batch", None)
    if outer is not None:  # nested: the outer batch mails
        yield outer
        return
    _open.batch = uuid.uuid4().hex
    try:
        yield _open.batch
        with transaction():
            _mail(HeldDecision.batch == _open.batch)
    finally:
        _open.batch = None


def daily(recipient):
    """True when a person with this address chose the daily digest."""
    return (User.select().where((User.email == (recipient or "").strip().lower()) & (User.digest == "daily"))
            .exists())


def hold(recipient, line, link=""):
    """Keep a decision's line ({de, en}) for a digest instead of mailing it now: within a batch, or
    for a daily reader. False when neither applies (the caller sends the single mail)."""
    if not recipient:
        return False
    batch_id = getattr(_open, "batch", None)
    if daily(recipient):
        batch_id = None
    elif batch_id is None:
        return False
    HeldDecision.create(recipient=recipient, batch=batch_id, line=line, link=link)
    return True


def send_daily():
    """Mail every daily reader the lines held for them (the daily job); returns the mails written."""
    with transaction():
        return _mail(HeldDecision.batch.is_null())


def _mail(condition):
    rows = list(HeldDecision.select().where(HeldDecision.mailed_at.is_null() & condition)
                .order_by(HeldDecision.id))
    by_recipient = {}
    for row in rows:
        by_recipient.setdefault(row.recipient, []).append({"line": row.line, "link": row.link})
    for recipient, lines in by_recipient.items():
        signals.digest_ready.send(recipient, lines=lines)
    if rows:
        (HeldDecision.update(mailed_at=utcnow()).where(HeldDecision.id.in_([r.id for r in rows])).execute())
    return len(by_recipient)


def choose(user, choice):
    """A person's choice of decision mails: as they come (a bulk action's in one mail) or daily."""
    if choice not in CHOICES:
        raise DomainError("Unbekannte Auswahl.", "Unknown choice.", field="digest")
    with transaction():
        before = user.digest
        User.update(digest=choice).where(User.id == user.id).execute()
        audit.record(user, "user.digest_chosen", "user", user.id, before={"digest": before},
                     after={"digest": choice})
    user.digest = choice
