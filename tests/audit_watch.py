"""Every state change is one transaction with an audit entry. While the tests run, each HTTP
request that writes to a domain table must also write an audit entry; a test whose requests broke
that fails (tests/conftest.py). Technical tables are exempt: they record how a change was carried
out (the mail outbox, form submissions, API idempotency records, webhook deliveries, stored tenant
versions, the audit log itself), not a change of the case."""
import re
import threading

import peewee
from flask import request, request_finished, request_started

TECHNICAL = {"outbox", "form_submission", "idempotency_record", "webhook_delivery", "audit_entry", "tenant",
             "tenant_version"}
_WRITE = re.compile(r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)

_local = threading.local()
unaudited = []  # (method, path, status, tables) of requests that changed something without an audit entry


def _note(sql, cursor):
    written = getattr(_local, "written", None)
    if written is not None:
        match = _WRITE.match(sql.decode() if isinstance(sql, bytes) else sql)
        if match and cursor.rowcount:  # a conditional update that lost its race changed nothing
            written.add(match.group(1).lower())


class _Cursor:
    """The driver's cursor, noting the tables its statements write: every statement, also the bulk
    inserts of engine.db.insert_rows (executemany, execute_values), which bypass Database.execute_sql."""
    __slots__ = ("_cursor",)

    def __init__(self, cursor):
        self._cursor = cursor

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def __iter__(self):
        return iter(self._cursor)

    def execute(self, sql, *args, **kwargs):
        result = self._cursor.execute(sql, *args, **kwargs)
        _note(sql, self._cursor)
        return result

    def executemany(self, sql, *args, **kwargs):
        result = self._cursor.executemany(sql, *args, **kwargs)
        _note(sql, self._cursor)
        return result


def _watching(cursor):
    def watched(self, *args, **kwargs):
        return _Cursor(cursor(self, *args, **kwargs))
    return watched


def _started(sender, **extra):
    _local.written = set()


def _finished(sender, response, **extra):
    written, _local.written = getattr(_local, "written", None) or set(), None
    changed = written - TECHNICAL
    if changed and "audit_entry" not in written:
        unaudited.append((request.method, request.path, response.status_code, sorted(changed)))


def install(app):
    peewee.Database.cursor = _watching(peewee.Database.cursor)
    request_started.connect(_started, app, weak=False)
    request_finished.connect(_finished, app, weak=False)
