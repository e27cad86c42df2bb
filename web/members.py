"""Who acts for an employer, at /employer/<id>/members: the members, and invitations a member sends
to another address; the invitee takes one up at /invitation/<token> as that address (engine/memberships).
An invitation to an insurer's back office (engine/staff) is taken up at the same address."""
from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from engine import accounts, memberships, staff
from engine.errors import DomainError, NotFound
from web import links
from web.access import SessionUser, current_account, require
from web.auth import _password_form_errors
from web.filters import localized

bp = Blueprint("members", __name__)


def _page(employer, status=200, errors=None, email=""):
    return render_template("members/index.html", employer=employer, members=memberships.members(employer.id),
                           invitations=memberships.open_invitations(employer.id), errors=errors or {},
                           email=email), status


@bp.route("/employer/<int:employer_id>/members")
@require("employer")
def index(employer_id):
    return _page(memberships.employer_for_member(current_account(), employer_id))


@bp.route("/employer/<int:employer_id>/members/invite", methods=["POST"])
@require("employer")
def invite(employer_id):
    employer = memberships.employer_for_member(current_account(), employer_id)
    email = request.form.get("email", "").strip()
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _page(employer, 422, {"email": _("Please enter a valid e-mail address.")}, email)
    try:
        memberships.invite(current_account(), employer, email)
    except DomainError as exc:
        return _page(employer, 422, {"email": localized(exc.text)}, email)
    flash(_("Invitation sent to %(email)s. It is valid for %(days)s days.", email=email,
            days=memberships.INVITATION_DAYS), "success")
    return redirect(url_for("members.index", employer_id=employer.id))


@bp.route("/invitation/<token>")
def invitation(token):
    invitation = links.invitation_from_token(token)
    problem = memberships.invitation_problem(invitation)
    if not current_user.is_authenticated:
        return render_template("members/invitation.html", invitation=invitation, token=token, problem=problem,
                               has_account=accounts.find_user(invitation.email) is not None)
    if current_account().email != invitation.email:
        raise NotFound("Einladung nicht gefunden.", "Invitation not found.")
    return render_template("members/invitation.html", invitation=invitation, token=token, problem=problem)


@bp.route("/invitation/<token>/accept", methods=["POST"])
@login_required
def accept(token):
    invitation = links.invitation_from_token(token)
    try:
        if invitation.tenant_id is not None:  # to an insurer's back office
            tenant = staff.accept(current_account(), invitation)
        else:
            employer = memberships.accept_invitation(current_account(), invitation)
    except NotFound:  # not this user's invitation: no hint that it exists
        raise
    except DomainError as exc:
        flash(localized(exc.text), "error")
        return redirect(url_for("members.invitation", token=token))
    if invitation.tenant_id is not None:
        flash(_("You now work in the back office of %(insurer)s.", insurer=tenant.name), "success")
        return redirect(url_for("office.index", tenant_slug=tenant.slug))
    flash(_("You now act for %(company)s on the platform.", company=employer.company_name), "success")
    return redirect(url_for("public.employer_home"))


@bp.route("/invitation/<token>/register", methods=["GET", "POST"])
def register(token):
    """Registration for the invited address (the link came to it, so it counts as confirmed)."""
    invitation = links.invitation_from_token(token)
    if accounts.find_user(invitation.email):
        return redirect(url_for("auth.login", next=url_for("members.invitation", token=token)))
    errors, name = {}, request.form.get("name", "")
    if request.method == "POST":
        password, errors = _password_form_errors()
        if not errors:
            user = accounts.register(invitation.email, password, name=name, verified=True)
            login_user(SessionUser(user))
            return redirect(url_for("members.invitation", token=token))
    return render_template("members/register.html", invitation=invitation, email=invitation.email, name=name,
                           errors=errors)
