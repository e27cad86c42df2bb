"""The employer's side of an offer: the mailed link, login or registration, accept or decline."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from engine import accounts, audit, offers, registry
from engine.db import transaction
from engine.errors import DomainError, NotFound
from engine.models import Application
from web import links
from web.access import SessionUser, current_account
from web.filters import localized
from web.auth import _password_form_errors

bp = Blueprint("offer_link", __name__, url_prefix="/offer")


def _employer_access(user, offer):
    """The user may see the offer if they are a member of the employer, or are its contact
    (then they become a member: the mailed link proves the address)."""
    client = offer.employer
    if accounts.works_for(user, client.id):
        return True
    if user.email == (client.contact_email or "").lower():
        with transaction():
            accounts.grant_role(user, "employer", employer=client)
            audit.record(user, "employer.member_joined", "employer", client.id, employer=client.id,
                         after={"email": user.email, "via": "offer"})
        return True
    return False


@bp.route("/<token>")
def view(token):
    offer = links.offer_from_token(token)
    if not current_user.is_authenticated:
        return render_template("offer_link/login_first.html", offer=offer, token=token,
                               email=offer.employer.contact_email,
                               has_account=accounts.find_user(offer.employer.contact_email) is not None)
    if not _employer_access(current_account(), offer):
        raise NotFound("Angebot nicht gefunden.", "Offer not found.")
    live = registry.get(offer.tenant_id)
    g.portal = "employer"
    application = Application.get_or_none(Application.offer == offer)
    return render_template("offer_link/offer.html", offer=offer, token=token, live=live,
                           expired=offers.is_expired(offer), application=application,
                           tariffs={t["id"]: t for t in live.doc["tariffs"]},
                           groups={g_["id"]: g_ for g_ in live.doc["tariff_groups"]})


@bp.route("/<token>/decide", methods=["POST"])
def decide(token):
    offer = links.offer_from_token(token)
    if not current_user.is_authenticated or not _employer_access(current_account(), offer):
        raise NotFound("Angebot nicht gefunden.", "Offer not found.")
    try:
        if request.form.get("decision") == "accept":
            offers.accept(current_account(), offer)
            application = Application.get(Application.offer == offer)
            flash(_("Thank you: the offer has been accepted. Now complete the application together with your broker."), "success")
            return redirect(url_for("applications.edit", application_id=application.id))
        offers.decline(current_account(), offer, request.form.get("reason", ""))
        flash(_("The offer has been declined. Your broker has been informed."), "info")
    except DomainError as exc:
        flash(localized(exc.text), "error")
    return redirect(url_for("offer_link.view", token=token))


@bp.route("/<token>/register", methods=["GET", "POST"])
def register(token):
    """Employer registration from the offer link: the address is the offer's contact address."""
    offer = links.offer_from_token(token)
    email = offer.employer.contact_email
    if accounts.find_user(email):
        return redirect(url_for("auth.login", next=url_for("offer_link.view", token=token)))
    errors, name = {}, request.form.get("name", offer.employer.contact_name)
    if request.method == "POST":
        password, errors = _password_form_errors()
        if not errors:
            user = accounts.register(email, password, name=name, role="employer", employer=offer.employer,
                                     verified=True)  # the link came to this address
            login_user(SessionUser(user))
            return redirect(url_for("offer_link.view", token=token))
    return render_template("offer_link/register.html", offer=offer, email=email, name=name, errors=errors)
