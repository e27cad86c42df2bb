"""The insurer's own people at /m/<tenant>/office/staff: its administrators invite staff and other
administrators by e-mail and remove them (engine/staff); the platform admin invites the first
administrator at /admin."""
from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import memberships, staff
from engine.errors import DomainError, Forbidden, NotFound
from web.access import add_tenant, current_account, load_tenant, require
from web.filters import localized

bp = Blueprint("office_staff", __name__, url_prefix="/m/<tenant_slug>/office/staff")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "office"


@bp.app_context_processor
def _staff_link():
    """Office pages show the staff page to the tenant's administrators only."""
    def manages_staff():
        tenant, user = g.get("tenant"), current_account()
        return tenant is not None and user is not None and staff.is_admin(user, tenant.slug)
    return {"manages_staff": manages_staff}


def _page(status=200, errors=None, email="", role=staff.STAFF):
    return render_template("office/staff.html", people=staff.people(g.tenant.slug),
                           invitations=staff.open_invitations(g.tenant.slug), errors=errors or {}, email=email,
                           role=role, days=memberships.INVITATION_DAYS), status


@bp.route("/")
@require("insurer_admin")
def index():
    return _page()


@bp.route("/invite", methods=["POST"])
@require("insurer_admin")
def invite():
    email, role = request.form.get("email", "").strip(), request.form.get("role", staff.STAFF)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _page(422, {"email": _("Please enter a valid e-mail address.")}, email, role)
    try:
        staff.invite(current_account(), g.tenant.slug, email, role)
    except DomainError as exc:
        return _page(422, {exc.field or "email": localized(exc.text)}, email, role)
    flash(_("Invitation sent to %(email)s. It is valid for %(days)s days.", email=email,
            days=memberships.INVITATION_DAYS), "success")
    return redirect(url_for("office_staff.index"))


@bp.route("/<int:user_id>/remove", methods=["POST"])
@require("insurer_admin")
def remove(user_id):
    try:
        user = staff.remove(current_account(), g.tenant.slug, user_id)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        flash(localized(exc.text), "error")
        return redirect(url_for("office_staff.index"))
    flash(_("%(email)s no longer works in this back office.", email=user.email), "success")
    return redirect(url_for("office_staff.index"))
