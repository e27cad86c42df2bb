"""The database handle: one proxy, bound by `init_db`, and the unit of work with after-commit hooks."""
import contextlib
import hashlib
import logging
import re
import threading
import weakref

import os

from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase, Value
from playhouse.db_url import connect, parseresult_to_dict
from playhouse.pool import PooledPostgresqlDatabase
from urllib.parse import urlparse

logger = logging.getLogger(__name__)

database = DatabaseProxy()
_pending = threading.local()

SQLITE_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000, "synchronous": "normal"}


def make_database(url):
    """Build a peewee Database from a URL (sqlite:///path or postgresql://user@host/name)."""
    if url.startswith("sqlite:///"):
        # Kept open in a pool as on PostgreSQL: closing SQLite's last connection checkpoints the
        # write-ahead log and removes it, and opening one sets the pragmas - together ~1 ms a request.
        return connect(url.replace("sqlite:", "sqlite+pool:", 1), pragmas=SQLITE_PRAGMAS, check_same_thread=False,
                       max_connections=int(os.environ.get("BKV_DB_POOL", "16")), stale_timeout=300, timeout=30)
    if url.startswith(("postgres://", "postgresql://")):
        try:
            import psycopg2  # noqa: F401
        except ImportError as exc:  # pragma: no cover - optional driver
            raise RuntimeError("DATABASE_URL points at PostgreSQL but psycopg2 is missing: pip install psycopg2-binary") from exc
        # A pool per process: opening a PostgreSQL connection costs ~5 ms and a server process, which
        # is more than a whole page. Connections are checked at checkout (a round trip), so ones the
        # server dropped are replaced instead of failing a request.
        return PooledPostgresqlDatabase(max_connections=int(os.environ.get("BKV_DB_POOL", "16")),
                                        stale_timeout=300, timeout=30, **parseresult_to_dict(urlparse(url)))
    raise RuntimeError(f"Unsupported DATABASE_URL {url!r}: use sqlite:///path or postgresql://user@host/db")


def init_db(url):
    db = make_database(url)
    database.initialize(db)
    return db


def is_postgres():
    return isinstance(database.obj, PostgresqlDatabase)


def is_sqlite():
    return isinstance(database.obj, SqliteDatabase)


def insert_rows(model, rows):
    """Insert many rows (dicts with the same keys) with the statement built once.

    peewee's insert_many renders every value through its query builder, which for an import of
    thousands of rows costs more than storing them; here the driver binds the values (executemany on
    SQLite, multi-row VALUES pages on PostgreSQL). Field conversions and defaults apply as in peewee."""
    if not rows:
        return
    meta, db = model._meta, database.obj
    given = [meta.fields[name] for name in rows[0]]
    defaulted = [f for f in meta.sorted_fields if f.name not in rows[0] and f in meta.defaults]

    def values(row):
        own = [field.db_value(row[field.name]) for field in given]
        for field in defaulted:
            default = meta.defaults[field]
            own.append(field.db_value(default() if callable(default) else default))
        return tuple(own)
    open_quote, close_quote = db.quote[0], db.quote[-1]
    columns = ", ".join(f"{open_quote}{field.column_name}{close_quote}" for field in given + defaulted)
    head = f"INSERT INTO {open_quote}{meta.table_name}{close_quote} ({columns}) VALUES "
    cursor = db.cursor()
    if is_postgres():
        from psycopg2.extras import execute_values
        execute_values(cursor, head + "%s", [values(row) for row in rows], page_size=500)
    else:
        cursor.executemany(head + "(" + ", ".join([db.param] * len(given + defaulted)) + ")",
                           [values(row) for row in rows])


class _Slot:
    """Where a value goes in a prepared query."""
    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


def prepared(build):
    """Render a peewee query's SQL once per database; later calls only bind values and run it.

    `build(*slots)` makes the query with a placeholder wherever a value goes; the returned function
    takes the values in database form (ints, strings) and returns the rows as the query would
    (model instances, or tuples/dicts if it asked for them). Peewee takes about as long to render a
    joined query as PostgreSQL takes to answer it, so the queries of every page render it once.
    On PostgreSQL the statement is also prepared on the server once per connection (PREPARE), so
    it is planned once too; SQLite's driver keeps its own statement cache."""
    arity = build.__code__.co_argcount
    rendered = []  # [(database, query, sql, params)]: the one of the database in use

    def run(*values):
        db = database.obj
        if not rendered or rendered[0][0] is not db:
            query = build(*[Value(_Slot(i), converter=False) for i in range(arity)])
            sql, params = query.sql()
            if isinstance(db, PostgresqlDatabase):
                sql, params = _server_prepared(sql, params, arity)
            rendered[:] = [(db, query, sql, params)]
        _, query, sql, params = rendered[0]
        if isinstance(sql, _ServerStatement):
            sql = sql.ready(db)
        bound = [values[p.index] if isinstance(p, _Slot) else p for p in params]
        return query._get_cursor_wrapper(db.execute_sql(sql, bound))  # what query.execute() does
    return run


class _ServerStatement:
    """A PostgreSQL statement prepared on each pooled connection the first time it runs there."""
    _done = weakref.WeakKeyDictionary()  # psycopg2 connection -> names prepared on it

    def __init__(self, name, prepare, execute):
        self.name, self.prepare, self.execute = name, prepare, execute

    def ready(self, db):
        done = self._done.setdefault(db.connection(), set())
        if self.name not in done:
            db.execute_sql(self.prepare)  # session-wide and kept through a rollback
            done.add(self.name)
        return self.execute


def _server_prepared(sql, params, arity):
    """PREPARE text with $n parameters (one per slot, so a slot used twice is one parameter whose
    type PostgreSQL infers from either use; then one per constant), the EXECUTE text, and what
    EXECUTE binds. The statement is named by its text: the same name is always the same SQL."""
    order = [_Slot(i) for i in range(arity)]
    given = iter(params)

    def number(match):
        if match.group() == "%%":
            return "%"
        param = next(given)
        if isinstance(param, _Slot):
            return f"${param.index + 1}"
        order.append(param)
        return f"${len(order)}"
    body = re.sub(r"%%|%s", number, sql)
    name = "bkv_" + hashlib.sha1(body.encode()).hexdigest()[:16]
    execute = f"EXECUTE {name}({', '.join(['%s'] * len(order))})" if order else f"EXECUTE {name}"
    return _ServerStatement(name, f"PREPARE {name} AS {body}", execute), order


def after_commit(callback):
    """Run `callback` once the outermost transaction commits (mail delivery, webhooks)."""
    hooks = getattr(_pending, "hooks", None)
    if hooks is None or not database.obj.in_transaction():
        callback()
        return
    hooks.append(callback)


def after_rollback(callback):
    """Run `callback` if the outermost transaction rolls back (a file written for a row that is not
    stored); outside a transaction there is nothing to roll back and it never runs."""
    hooks = getattr(_pending, "undo", None)
    if hooks is not None and database.obj.in_transaction():
        hooks.append(callback)


def _run_hooks(hooks, what):
    for hook in hooks:
        try:
            hook()
        except Exception:  # a hook failing must not undo a committed change, nor hide the rollback's cause
            logger.exception("%s hook failed", what)


def _atomic():
    # SQLite: take the write lock at BEGIN. A deferred transaction that reads and then writes cannot
    # wait for another writer (SQLite answers "database is locked" at once); IMMEDIATE waits its turn
    # (busy_timeout). Nested calls become savepoints either way.
    if is_sqlite() and not database.in_transaction():
        return database.atomic(lock_type="IMMEDIATE")
    return database.atomic()


@contextlib.contextmanager
def transaction():
    """One unit of work: a transaction whose after-commit hooks run only if it commits."""
    outer = getattr(_pending, "hooks", None) is None
    if outer:
        _pending.hooks, _pending.undo = [], []
    try:
        with _atomic():
            yield
    except BaseException:
        if outer:
            undo, _pending.hooks, _pending.undo = _pending.undo, None, None
            _run_hooks(undo, "after-rollback")
        raise
    if outer:
        hooks, _pending.hooks, _pending.undo = _pending.hooks, None, None
        _run_hooks(hooks, "after-commit")
