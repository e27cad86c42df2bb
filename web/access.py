"""The one permission check: who is logged in, which role they hold, for which tenant."""
import functools
import unicodedata
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, user_logged_in

from engine import accounts, clock, registry, workflow
from web.extensions import login_manager


class SessionUser(UserMixin):
    """The logged-in account as flask-login sees it; the session id embeds the session token,
    so a password change (new token) ends every other session."""

    def __init__(self, user):
        self.user = user
        self.id = user.id

    def get_id(self):
        return f"{self.user.id}:{self.user.session_token}"

    @property
    def email(self):
        return self.user.email

    @property
    def display_name(self):
        return self.user.name or self.user.email

    @property
    def unread(self):
        """Unread notifications, read with the session user (no query of its own)."""
        return getattr(self.user, "unread", 0) or 0


@login_manager.user_loader
def load_user(session_id):
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = accounts.session_user(int(user_id), token)
    return SessionUser(user) if user else None


@login_manager.unauthorized_handler
def _unauthorized():
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


@user_logged_in.connect
def _login_started(app, user=None, **extra):
    session["login_at"] = session["seen_at"] = int(clock.now().timestamp())


def check_session_age():
    """before_request: a login ends after SESSION_IDLE_MINUTES without a request, and after
    SESSION_MAX_HOURS in any case (a session without these marks predates them and ends too)."""
    if "_user_id" not in session:
        return
    now = int(clock.now().timestamp())
    started, seen = session.get("login_at"), session.get("seen_at")
    config = current_app.config
    if (started is None or seen is None or now - seen > config["SESSION_IDLE_MINUTES"] * 60
            or now - started > config["SESSION_MAX_HOURS"] * 3600):
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("Your session has expired. Please log in again."), "info")
    elif now - seen >= 60:  # once a minute is precise enough, and spares a new cookie on every request
        session["seen_at"] = now


def current_account():
    return current_user.user if current_user.is_authenticated else None


def allowed(kind, tenant_slug=None):
    """May the current user act in this role (and tenant)? Admins are not implicitly anything else."""
    user = current_account()
    if user is None:
        return False
    if kind == "admin":
        return user.is_admin
    return accounts.has_role(user, kind, tenant_slug)


def require(kind):
    """View decorator: log in first, then hold the role (for the tenant in the URL, if any)."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not allowed(kind, g.tenant.slug if g.get("tenant") and kind in accounts.TENANT_ROLE_KINDS else None):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def steps_for(obj, machine):
    """The transitions of `machine` the current user may take on `obj` now: pages draw these buttons."""
    return workflow.allowed(obj, machine, current_account())


def load_tenant(endpoint, values):
    """url_value_preprocessor for portals under /m/<tenant>: the live tenant or 404."""
    slug = (values or {}).pop("tenant_slug", None)
    if slug is not None:
        g.tenant = registry.get(slug)


def add_tenant(endpoint, values):
    if "tenant_slug" not in values and g.get("tenant") is not None:
        values["tenant_slug"] = g.tenant.slug


def safe_next(target, fallback):
    """`target` when it is a path on this site, else `fallback`. Browsers drop tabs and newlines from a
    URL and read a backslash as a slash, so "/<tab>/evil.example" or "/<backslash>evil.example" leads
    to another host: a target with a backslash, a control or a space character is refused."""
    if (not target or not target.startswith("/") or "\\" in target
            or any(unicodedata.category(char)[0] in "CZ" for char in target)):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return fallback
    return target
