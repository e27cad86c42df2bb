"""The append-only audit log: every state change records who, what, and before/after."""
import collections
import datetime

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
    record_each(actor, [(action, obj_type, obj_id, after) for obj_id, after in entries], tenant, employer)


def record_each(actor, entries, tenant=None, employer=None):
    """Write one audit entry per (action, object type, object id, after), in this order, in one statement."""
    insert_rows(AuditEntry, [{"actor": actor, "action": action, "object_type": obj_type, "object_id": str(obj_id),
                              "tenant": tenant, "after": after, "employer": employer}
                             for action, obj_type, obj_id, after in entries])


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


WINDOW = 60  # entries a timeline reads at a time, newest first
_NEWEST = (datetime.datetime(9999, 12, 31), 0)   # a cursor before every entry...
_OLDEST = (datetime.datetime(1, 1, 1), 0)        # ...and one after every entry


def _older(at, entry_id):
    """Entries older than (at, id) in the timeline's order (the index employer, at, id walks it)."""
    return (AuditEntry.at <= at) & ((AuditEntry.at < at) | (AuditEntry.id < entry_id))


def _of_case(employer_id, tenant):
    return ((AuditEntry.employer == employer_id)
            & (AuditEntry.tenant.is_null() | (AuditEntry.tenant == fn.COALESCE(tenant, AuditEntry.tenant))))


@prepared
def _window(employer_id, tenant, at, entry_id, count):
    return (AuditEntry.select(AuditEntry.id, AuditEntry.at, AuditEntry.action, AuditEntry.actor, User.email)
            .join(User, JOIN.LEFT_OUTER, on=(User.id == AuditEntry.actor))
            .where(_of_case(employer_id, tenant) & _older(at, entry_id))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(count).tuples())


@prepared
def _run_ends(employer_id, tenant, at, entry_id, action, actor_id):
    """The newest entry older than (at, id) that is not of this action and actor: where a run ends."""
    return (AuditEntry.select(AuditEntry.at, AuditEntry.id)
            .where(_of_case(employer_id, tenant) & _older(at, entry_id)
                   & ((AuditEntry.action != action) | (fn.COALESCE(AuditEntry.actor, 0) != actor_id)))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1).tuples())


@prepared
def _run_rest(employer_id, tenant, at, entry_id, end_at, end_id):
    """How many entries lie between (at, id) and a run's end, and their highest id (not their newest time:
    older than (at, id), it never changes the run's; leaving it out spares a third of the count's time)."""
    after_end = (AuditEntry.at >= end_at) & ((AuditEntry.at > end_at) | (AuditEntry.id > end_id))
    return (AuditEntry.select(fn.COUNT(AuditEntry.id), fn.MAX(AuditEntry.id))
            .where(_of_case(employer_id, tenant) & _older(at, entry_id) & after_end).tuples())


def timeline(employer_id, tenant=None, last=None):
    """The state changes of an employer's case (client, consultations, offers, applications, staff),
    oldest first, a run of the same action by the same person as one entry with its `count`;
    `tenant` keeps one insurer's part (and the insurer-free entries), `last` the newest n runs.
    Entries carry what a timeline shows (when, what, who), not the before/after data.
    Read newest first a window at a time; a run longer than the window (an import's 50,000 "employee
    created") is counted by the database from its end, not read entry by entry."""
    runs, cursor = [], _NEWEST
    while last is None or len(runs) < last:
        rows = list(_window(employer_id, tenant, *cursor, WINDOW))
        if not rows:
            break
        groups = []
        for entry_id, at, action, actor_id, email in rows:
            if groups and (groups[-1]["action"], groups[-1]["actor_id"]) == (action, actor_id):
                group = groups[-1]
                group.update(count=group["count"] + 1, id=max(group["id"], entry_id), at=max(group["at"], at),
                             oldest=(at, entry_id))
            else:
                groups.append({"id": entry_id, "at": at, "action": action, "actor_id": actor_id, "email": email,
                               "count": 1, "oldest": (at, entry_id)})
        if len(rows) < WINDOW:
            runs += groups
            break
        if last is not None and len(runs) + len(groups) - 1 >= last:
            runs += groups[:-1]  # enough whole runs before the one the window ends in
            break
        tail = groups[-1]  # the window ends inside it, maybe: find where it ends and count the rest
        ends = list(_run_ends(employer_id, tenant, *tail["oldest"], tail["action"], tail["actor_id"] or 0))
        end = ends[0] if ends else _OLDEST
        [(more, highest_id)] = list(_run_rest(employer_id, tenant, *tail["oldest"], *end))
        if more:
            tail.update(count=tail["count"] + more, id=max(tail["id"], highest_id))
        runs += groups
        if not ends:
            break
        cursor = (end[0], end[1] + 1)  # the run's end is the newest entry of the next window
    runs = runs if last is None else runs[:last]
    return [TimelineEntry(run["id"], run["at"], run["action"], run["actor_id"],
                          Actor(run["email"]) if run["actor_id"] else None, run["count"])
            for run in reversed(runs)]


def history(obj_type, obj_id):
    return list(AuditEntry.select(AuditEntry, User).join(User, JOIN.LEFT_OUTER, on=(AuditEntry.actor == User.id))
                .where((AuditEntry.object_type == obj_type)
                                          & (AuditEntry.object_id == str(obj_id)))
                .order_by(AuditEntry.at, AuditEntry.id))
