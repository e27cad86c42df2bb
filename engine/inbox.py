"""A person's in-app notifications: what happened on their cases since they last looked. Written by
the receivers of the engine's signals (web/notifications.py) in the transaction of the change; the
unread count rides along with the session user's query (accounts.session_user), so the navigation
costs no extra round trip."""
from engine import audit, memberships, staff
from engine.db import transaction
from engine.models import Notification, utcnow

PAGE = 100


def notify(users, text, link=""):
    """One notification per user (each once) with `text` as {de, en}."""
    seen = set()
    for user in users:
        if user is not None and user.id not in seen:
            seen.add(user.id)
            Notification.create(user=user.id, text=text, link=link)


def employer_members(employer_id):
    return memberships.members(employer_id)


def tenant_staff(tenant_slug):
    return [person["user"] for person in staff.people(tenant_slug)]


def unread_count(user):
    return Notification.select().where((Notification.user == user.id) & Notification.read_at.is_null()).count()


def recent(user, limit=PAGE):
    """The user's newest notifications (dicts: text, link, created_at, unread)."""
    rows = (Notification.select().where(Notification.user == user.id)
            .order_by(Notification.id.desc()).limit(limit))
    return [{"text": n.text, "link": n.link, "created_at": n.created_at, "unread": n.read_at is None} for n in rows]


def mark_read(user):
    """Mark everything the user has seen as read. The audit entry moves the database's change mark,
    so a page kept in memory (web/pagecache.py) never shows the count from before."""
    with transaction():
        count = (Notification.update(read_at=utcnow())
                 .where((Notification.user == user.id) & Notification.read_at.is_null()).execute())
        if count:
            audit.record(user, "notifications.read", "user", user.id, after={"read": count})
    return count
