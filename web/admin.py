"""Platform operators at /admin: tenants with their check results, versions and administrators
(the first one invited here by e-mail), users."""
from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import accounts, memberships, registry, releases, staff
from engine.errors import DomainError, NotFound
from web.access import current_account, require
from web.filters import localized

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _portal():
    g.portal = "admin"


def _index(status=200, errors=None, invite_for=None, email=""):
    tenants = registry.overview()
    for item in tenants:
        slug = item["tenant"].slug
        item["versions"] = releases.versions(slug)
        item["admins"] = [person["user"] for person in staff.people(slug) if person["admin"]]
        item["invitations"] = [i for i in staff.open_invitations(slug) if i.role == staff.ADMIN]
    return render_template("admin/index.html", tenants=tenants, errors=errors or {}, invite_for=invite_for,
                           email=email), status


@bp.route("/")
@require("admin")
def index():
    return _index()


@bp.route("/tenants/<tenant_slug>/invite-admin", methods=["POST"])
@require("admin")
def invite_admin(tenant_slug):
    """Invite an insurer's (first) administrator, who then invites its staff in the back office."""
    email = request.form.get(f"email-{tenant_slug}", "").strip()
    try:
        validate_email(email, check_deliverability=False)
        staff.invite(current_account(), tenant_slug, email, staff.ADMIN)
    except EmailNotValidError:
        return _index(422, {f"email-{tenant_slug}": _("Please enter a valid e-mail address.")}, tenant_slug, email)
    except NotFound:
        raise
    except DomainError as exc:
        return _index(422, {f"email-{tenant_slug}": localized(exc.text)}, tenant_slug, email)
    flash(_("Invitation sent to %(email)s. It is valid for %(days)s days.", email=email,
            days=memberships.INVITATION_DAYS), "success")
    return redirect(url_for("admin.index"))


@bp.route("/users")
@require("admin")
def users():
    users, roles = accounts.users_with_roles()
    return render_template("admin/users.html", users=users, roles=roles)
