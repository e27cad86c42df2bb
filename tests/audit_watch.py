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


def _watching(execute_sql):
    def execute(self, sql, params=None, *args, **kwargs):
        cursor = execute_sql(self, sql, params, *args, **kwargs)
        written = getattr(_local, "written", None)
        if written is not None:
            match = _WRITE.match(sql)
            if match and cursor.rowcount:  # a conditional update that lost its race changed nothing
                written.add(match.group(1).lower())
        return cursor
    return execute


def _started(sender, **extra):
    _local.written = set()


def _finished(sender, response, **extra):
    written, _local.written = getattr(_local, "written", None) or set(), None
    changed = written - TECHNICAL
    if changed and "audit_entry" not in written:
        unaudited.append((request.method, request.path, response.status_code, sorted(changed)))


def install(app):
    peewee.Database.execute_sql = _watching(peewee.Database.execute_sql)
    request_started.connect(_started, app, weak=False)
    request_finished.connect(_finished, app, weak=False)
