"""The append-only audit log: every state change records who, what, and before/after."""
import collections

from peewee import JOIN, fn

from engine.db import insert_rows, is_postgres, prepared
from engine.models import AuditEntry, User


def record(actor, action, obj_type, obj_id, tenant=None, before=None, after=None, employer=None):
    """Write one audit entry; call inside the transaction of the change it describes.

    `employer` files the entry under an employer's case, so the case timeline is one query.
    """
    return AuditEntry.create(actor=actor, action=action, object_type=obj_type, object_id=str(obj_id),
                             tenant=tenant, before=before, after=after, employer=employer)


def record_many(actor, action, obj_type, entries, tenant=None, employer=None):
    """Write one audit entry per (object id, after) pair in one statement (bulk imports)."""
    insert_rows(AuditEntry, [{"actor": actor, "action": action, "object_type": obj_type, "object_id": str(obj_id),
                              "tenant": tenant, "after": after, "employer": employer}
                             for obj_id, after in entries])


def change_mark_column():
    """A value that differs after every commit, as a column for a query that runs anyway (the
    session user's, so pages kept until the database changes cost no extra round trip).
    PostgreSQL: the current snapshot (its bounds and running transactions move with every commit
    of any session). SQLite: the newest audit entry - writers take turns there, so ids follow
    commit order, and every state change writes an audit entry."""
    if is_postgres():
        return fn.pg_current_snapshot().cast("text").alias("change_mark")
    return AuditEntry.select(fn.MAX(AuditEntry.id)).alias("change_mark")


TimelineEntry = collections.namedtuple("TimelineEntry", "id at action actor_id actor")
Actor = collections.namedtuple("Actor", "email")


@prepared
def _newest_entries(employer_id, tenant, count):
    return (AuditEntry.select(AuditEntry.id, AuditEntry.at, AuditEntry.action, AuditEntry.actor, User.email)
            .join(User, JOIN.LEFT_OUTER, on=(AuditEntry.actor == User.id))
            .where((AuditEntry.employer == employer_id)
                   & (AuditEntry.tenant.is_null() | (AuditEntry.tenant == fn.COALESCE(tenant, AuditEntry.tenant))))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(count).tuples())


def timeline(employer_id, tenant=None, last=None):
    """The state changes of an employer's case (client, consultations, offers, applications, staff),
    oldest first; `tenant` keeps one insurer's part (and the insurer-free entries), `last` the newest n.
    Entries carry what a timeline shows (when, what, who), not the before/after data."""
    return [TimelineEntry(entry_id, at, action, actor_id, Actor(email) if actor_id else None)
            for entry_id, at, action, actor_id, email in reversed(list(_newest_entries(employer_id, tenant, last or 2**31 - 1)))]


def history(obj_type, obj_id):
    return list(AuditEntry.select(AuditEntry, User).join(User, JOIN.LEFT_OUTER, on=(AuditEntry.actor == User.id))
                .where((AuditEntry.object_type == obj_type)
                                          & (AuditEntry.object_id == str(obj_id)))
                .order_by(AuditEntry.at, AuditEntry.id))
