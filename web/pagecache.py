"""Rendered pages kept in memory per user until the database changes.

A view decorated with `cached_page` (below its role check) must depend only on the database, the
logged-in user and their roles, the URL, the language, the tenant version and the day. Its page is
served again while the database's change mark (read with the session user, see
audit.change_mark_column) is what it was when the page was rendered, for at most MAX_AGE seconds
(the bound for what the database does not show: a tenant loaded by another process, see
registry.LIVE_CHECK_SECONDS). Every response gets a fresh CSRF token and fresh form submission
ids; a request with flash messages waiting renders the page anew and does not keep it. Pages are
kept per process (each worker warms its own), MAX_PAGES at most. BKV_PAGE_CACHE=0 turns it off.
The navigation's unread count (read with the session user) is part of the key, so a kept page never
shows another count than the one the request read.
"""
import collections
import functools
import re
import threading
import time
import uuid

from flask import current_app, g, request, session
from flask.globals import request_ctx
from flask_wtf.csrf import generate_csrf

from engine import accounts, clock
from web.access import current_account
from web.extensions import select_locale

MAX_AGE = 10.0
MAX_PAGES = 512
# What a kept page holds where each response needs a fresh value (letters only: survive escaping).
CSRF_MARK = "csrfmark" + uuid.uuid4().hex
SUBMISSION_MARK = "submissionmark" + uuid.uuid4().hex

_pages = collections.OrderedDict()  # key -> (monotonic time rendered, page cut at its marks)
_lock = threading.Lock()


def csrf_token():
    """The template's csrf_token(): a mark while a page is rendered to be kept."""
    return CSRF_MARK if g.get("page_marks") else generate_csrf()


def submission_id():
    return SUBMISSION_MARK if g.get("page_marks") else uuid.uuid4().hex


_MARKS = re.compile(f"({CSRF_MARK}|{SUBMISSION_MARK})")


def _parts(body):
    """The page cut at its marks: text, mark, text, mark, ..., text."""
    return _MARKS.split(body)


def _filled(parts):
    csrf = generate_csrf()
    return "".join(csrf if part == CSRF_MARK else uuid.uuid4().hex if part == SUBMISSION_MARK else part
                   for part in parts)


def _key():
    if request.method != "GET" or session.get("_flashes") or not current_app.config["PAGE_CACHE"]:
        return None
    user = current_account()
    tenant = g.get("tenant")
    return (request.full_path, user.id, user.name, user.email, tuple(role.id for role in accounts.roles_of(user)),
            select_locale(), tenant.digest if tenant else None, clock.today(), user.change_mark,
            getattr(user, "unread", None))


def _flashes_shown():
    return bool(request_ctx.flashes) or bool(session.get("_flashes"))


def cached_page(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        key = _key()
        if key is None:
            return view(*args, **kwargs)
        with _lock:
            kept = _pages.get(key)
            if kept is not None and time.monotonic() - kept[0] < MAX_AGE:
                _pages.move_to_end(key)
                return _filled(kept[1])
        rendered_at = time.monotonic()
        g.page_marks = True
        try:
            body = view(*args, **kwargs)
        finally:
            g.page_marks = False
        if not isinstance(body, str):  # a redirect or an error: not kept
            return body
        parts = _parts(body)
        if not _flashes_shown():  # a page with a message is not kept
            with _lock:
                _pages[key] = (rendered_at, parts)
                while len(_pages) > MAX_PAGES:
                    _pages.popitem(last=False)
        return _filled(parts)
    return wrapped


def clear():
    with _lock:
        _pages.clear()


def init_app(app):
    """After CSRFProtect.init_app: its csrf_token (a global and a context value) gives way to ours."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
