"""The append-only audit log: every state change records who, what, and before/after."""
import collections

from peewee import JOIN, Select, fn

from engine.db import database, insert_rows, is_postgres, prepared
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


TimelineEntry = collections.namedtuple("TimelineEntry", "id at action actor_id actor count")
Actor = collections.namedtuple("Actor", "email")


@prepared
def _newest_runs(employer_id, tenant, count):
    """The newest `count` runs of an employer's entries, a run being consecutive entries of the
    same action by the same actor (an import's hundreds of "employee created"): numbered in time
    order overall and within each (action, actor), consecutive entries of one run keep the same
    difference of the two numbers (the gaps-and-islands method), so a run is one GROUP BY group."""
    newest_first = [AuditEntry.at.desc(), AuditEntry.id.desc()]
    island = (fn.ROW_NUMBER().over(order_by=newest_first)
              - fn.ROW_NUMBER().over(partition_by=[AuditEntry.action, AuditEntry.actor], order_by=newest_first))
    entries = (AuditEntry.select(AuditEntry.id, AuditEntry.at, AuditEntry.action, AuditEntry.actor, island.alias("island"))
               .where((AuditEntry.employer == employer_id)
                      & (AuditEntry.tenant.is_null() | (AuditEntry.tenant == fn.COALESCE(tenant, AuditEntry.tenant)))))
    e = entries.alias("entries")
    runs = (Select([e], [fn.MAX(e.c.id).alias("id"), fn.MAX(e.c.at).alias("at"), e.c.action, e.c.actor_id,
                         fn.COUNT(e.c.id).alias("n")])
            .group_by(e.c.action, e.c.actor_id, e.c.island)
            .order_by(fn.MAX(e.c.at).desc(), fn.MAX(e.c.id).desc()).limit(count)).alias("runs")
    return (Select([runs], [runs.c.id, runs.c.at, runs.c.action, runs.c.actor_id, User.email, runs.c.n])
            .join(User, JOIN.LEFT_OUTER, on=(User.id == runs.c.actor_id))
            .order_by(runs.c.at.desc(), runs.c.id.desc()).tuples().bind(database))


def timeline(employer_id, tenant=None, last=None):
    """The state changes of an employer's case (client, consultations, offers, applications, staff),
    oldest first, a run of the same action by the same person as one entry with its `count`;
    `tenant` keeps one insurer's part (and the insurer-free entries), `last` the newest n runs.
    Entries carry what a timeline shows (when, what, who), not the before/after data."""
    rows = _newest_runs(employer_id, tenant, last or 2**31 - 1)
    return [TimelineEntry(entry_id, AuditEntry.at.python_value(at), action, actor_id,
                          Actor(email) if actor_id else None, count)
            for entry_id, at, action, actor_id, email, count in reversed(list(rows))]


def history(obj_type, obj_id):
    return list(AuditEntry.select(AuditEntry, User).join(User, JOIN.LEFT_OUTER, on=(AuditEntry.actor == User.id))
                .where((AuditEntry.object_type == obj_type)
                                          & (AuditEntry.object_id == str(obj_id)))
                .order_by(AuditEntry.at, AuditEntry.id))
