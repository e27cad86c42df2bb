"""Platform operators at /admin: tenants with their check results and versions, users."""
from flask import Blueprint, g, render_template

from engine import registry
from engine.models import Role, User
from web.access import require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _portal():
    g.portal = "admin"


@bp.route("/")
@require("admin")
def index():
    return render_template("admin/index.html", tenants=registry.overview())


@bp.route("/users")
@require("admin")
def users():
    users = list(User.select().order_by(User.email))
    roles = {}
    for role in Role.select():
        roles.setdefault(role.user_id, []).append(role)
    return render_template("admin/users.html", users=users, roles=roles)
