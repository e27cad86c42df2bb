"""A person's in-app notifications: what happened on their cases since they last looked. Written by
the receivers of the engine's signals (web/notifications.py) in the transaction of the change; the
unread count rides along with the session user's query (accounts.session_user), so the navigation
costs no extra round trip."""
from engine import audit, memberships, staff
from engine.db import transaction
from engine.models import Notification, utcnow

PAGE = 50


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


def recent(user, before=None, limit=PAGE):
    """A page of the user's notifications, newest first: those older than the id `before` when given.
    Returns (items, older): items are dicts (id, text, link, created_at, unread); older is the `before`
    of the next older page, or None when this page holds the oldest."""
    query = Notification.select().where(Notification.user == user.id)
    if before is not None:
        query = query.where(Notification.id < before)
    rows = list(query.order_by(Notification.id.desc()).limit(limit + 1))
    items = [{"id": n.id, "text": n.text, "link": n.link, "created_at": n.created_at, "unread": n.read_at is None}
             for n in rows[:limit]]
    return items, (items[-1]["id"] if len(rows) > limit else None)


def mark_read(user, up_to=None):
    """Mark the user's notifications read up to the id `up_to` (the newest shown; all when None): opening
    the list is looking at everything so far, and one that arrives meanwhile stays unread. The audit entry
    moves the database's change mark, so a page kept in memory (web/pagecache.py) never shows the count
    from before."""
    condition = (Notification.user == user.id) & Notification.read_at.is_null()
    if up_to is not None:
        condition &= Notification.id <= up_to
    with transaction():
        count = Notification.update(read_at=utcnow()).where(condition).execute()
        if count:
            audit.record(user, "notifications.read", "user", user.id, after={"read": count})
    return count
