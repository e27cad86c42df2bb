"""The employer's side of an offer: the mailed link, login or registration as its addressee,
accept or decline. Who may join the employer through the link is engine/memberships' decision."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from engine import accounts, brokers, comparisons, memberships, offers, registry
from engine.errors import DomainError, NotFound
from web import downloads, links
from web.access import SessionUser, current_account
from web.filters import localized
from web.auth import _password_form_errors

bp = Blueprint("offer_link", __name__, url_prefix="/offer")

REFUSED = {"broker": 403, "invitation_needed": 403, "other_address": 404}


@bp.route("/<token>")
def view(token):
    offer = links.offer_from_token(token)
    if not current_user.is_authenticated:
        if not offer.sent_to:
            raise NotFound("Angebot nicht gefunden.", "Offer not found.")
        return _login_first(offer, url_for("offer_link.view", token=token), url_for("offer_link.register", token=token))
    standing = memberships.offer_access(current_account(), offer)
    if standing in REFUSED:
        return render_template("offer_link/refused.html", offer=offer, reason=standing), REFUSED[standing]
    if standing == "joined":
        flash(_("You now act for %(company)s on the platform.", company=offer.employer.company_name), "success")
    live = registry.get(offer.tenant_id)
    g.portal = "employer"
    application = offers.application_of(offer)
    return render_template("offer_link/offer.html", offer=offer, token=token, live=live,
                           expired=offers.is_expired(offer), application=application,
                           broker_number_confirmed=brokers.is_confirmed(offer.broker, offer.tenant_id),
                           pdf_url=offer.document_id and url_for("manager.document", tenant_slug=offer.tenant_id,
                                                                 document_id=offer.document_id),
                           **offers.products(offer))


@bp.route("/<token>/decide", methods=["POST"])
def decide(token):
    offer = links.offer_from_token(token)
    if not current_user.is_authenticated or not accounts.works_for(current_account(), offer.employer_id):
        raise NotFound("Angebot nicht gefunden.", "Offer not found.")
    try:
        if request.form.get("decision") == "accept":
            offers.accept(current_account(), offer)
            application = offers.application_of(offer)
            flash(_("Thank you: the offer has been accepted. Now complete the application together with your broker."), "success")
            return redirect(url_for("applications.edit", application_id=application.id))
        offers.decline(current_account(), offer, request.form.get("reason", ""))
        flash(_("The offer has been declined. Your broker has been informed."), "info")
    except DomainError as exc:
        flash(localized(exc.text), "error")
    return redirect(url_for("offer_link.view", token=token))


def _login_first(offer, back, register_url):
    return render_template("offer_link/login_first.html", offer=offer, back=back, register_url=register_url,
                           email=offer.sent_to, has_account=accounts.find_user(offer.sent_to) is not None)


@bp.route("/<token>/register", methods=["GET", "POST"])
def register(token):
    return _register(links.offer_from_token(token), url_for("offer_link.view", token=token))


def _register(offer, back):
    """Registration for the offer's addressee (the address it was mailed to). The account is only an
    account: whether it may act for the employer is decided when it opens the offer."""
    email = offer.sent_to
    if not email:
        raise NotFound("Angebot nicht gefunden.", "Offer not found.")
    if accounts.find_user(email):
        return redirect(url_for("auth.login", next=back))
    errors, name = {}, request.form.get("name", offer.employer.contact_name)
    if request.method == "POST":
        password, errors = _password_form_errors()
        if not errors:
            user = accounts.register(email, password, name=name, verified=True)  # the link came to this address
            login_user(SessionUser(user))
            return redirect(back)
    return render_template("offer_link/register.html", offer=offer, email=email, name=name, errors=errors)


# --- several insurers' offers sent together (engine/comparisons.py) ----------------------------

def _comparison_offers(token):
    """The comparison of a link with its current offers, or NotFound."""
    comparison = links.comparison_from_token(token)
    found = comparisons.current_offers(comparison)
    if not found:
        raise NotFound("Angebot nicht gefunden.", "Offer not found.")
    return comparison, found


@bp.route("/compare/<token>")
def comparison(token):
    comparison, found = _comparison_offers(token)
    if not current_user.is_authenticated:
        return _login_first(found[0], url_for("offer_link.comparison", token=token),
                            url_for("offer_link.comparison_register", token=token))
    standing = memberships.offer_access(current_account(), found[0])
    if standing in REFUSED:
        return render_template("offer_link/refused.html", offer=found[0], reason=standing), REFUSED[standing]
    if standing == "joined":
        flash(_("You now act for %(company)s on the platform.", company=comparison.employer.company_name), "success")
    g.portal = "employer"
    chosen = next((o for o in found if o.state == "accepted"), None)
    return render_template("offer_link/comparison.html", comparison=comparison, token=token,
                           columns=[comparisons.offer_column(o) for o in found], offers={o.id: o for o in found},
                           chosen=chosen, application=chosen and offers.application_of(chosen),
                           unconfirmed=[o.tenant.name for o in found if not brokers.is_confirmed(o.broker, o.tenant_id)])


@bp.route("/compare/<token>/register", methods=["GET", "POST"])
def comparison_register(token):
    comparison, found = _comparison_offers(token)
    return _register(found[0], url_for("offer_link.comparison", token=token))


@bp.route("/compare/<token>/decide", methods=["POST"])
def comparison_decide(token):
    """Accept exactly one of the offers (the others are set aside by the engine) or decline them all."""
    comparison, found = _comparison_offers(token)
    if not current_user.is_authenticated or not accounts.works_for(current_account(), comparison.employer_id):
        raise NotFound("Angebot nicht gefunden.", "Offer not found.")
    try:
        if request.form.get("decision") == "accept":
            offer = next((o for o in found if o.id == request.form.get("offer", type=int)), None)
            if offer is None:
                raise NotFound("Angebot nicht gefunden.", "Offer not found.")
            offers.accept(current_account(), offer)
            flash(_("Thank you: the offer from %(insurer)s has been accepted; the other offers are closed. Now "
                    "complete the application together with your broker.", insurer=offer.tenant.name), "success")
            return redirect(url_for("applications.edit", application_id=offers.application_of(offer).id))
        comparisons.decline_all(current_account(), comparison, request.form.get("reason", ""))
        flash(_("The offers have been declined. Your broker has been informed."), "info")
    except DomainError as exc:
        flash(localized(exc.text), "error")
    return redirect(url_for("offer_link.comparison", token=token))


@bp.route("/compare/<token>/comparison.pdf")
def comparison_pdf(token):
    comparison, found = _comparison_offers(token)
    if not current_user.is_authenticated or not accounts.works_for(current_account(), comparison.employer_id):
        raise NotFound("Angebot nicht gefunden.", "Offer not found.")
    return downloads.send_bytes(*comparisons.pdf(comparison), "application/pdf")
