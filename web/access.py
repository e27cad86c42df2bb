"""The one permission check: who is logged in, which role they hold, for which tenant."""
import functools

from flask import abort, g, redirect, request, url_for
from flask_login import UserMixin, current_user

from engine import accounts, registry
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
            if not allowed(kind, g.tenant.slug if g.get("tenant") and kind == "insurer" else None):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def load_tenant(endpoint, values):
    """url_value_preprocessor for portals under /m/<tenant>: the live tenant or 404."""
    slug = (values or {}).pop("tenant_slug", None)
    if slug is not None:
        g.tenant = registry.get(slug)


def add_tenant(endpoint, values):
    if "tenant_slug" not in values and g.get("tenant") is not None:
        values["tenant_slug"] = g.tenant.slug


def safe_next(target, fallback):
    """Only relative, same-site redirect targets are followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback
