"""The employer's way of paying a group contract at /m/<tenant>/contracts/<id>/mandate: the active SEPA
mandate (or transfer when there is none), replacing it, and the earlier ones (engine/mandates.py). The
contract page shows the same card through `contract_mandates`."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import clock, contracts, mandates
from engine.errors import DomainError
from web.access import add_tenant, current_account, load_tenant, require
from web.filters import localized

bp = Blueprint("manager_mandates", __name__, url_prefix="/m/<tenant_slug>/contracts")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "manager"


@bp.app_context_processor
def _payment_card():
    """The contract page shows the payment card too (manager/_mandate.html); that page has checked the contract."""
    return {"payment_of": payment_of}


def payment_of(contract):
    """What the payment card shows: the contract's mandates (the active one first), the mandate's wording,
    the creditor and the day a mandate given now is signed."""
    return {"mandates": mandates.of_contract(contract), "consent": mandates.CONSENT, "signed_on": clock.today(),
            "creditor": g.tenant.name, "creditor_id": g.tenant.settings.creditor_id}


def _refusals(form):
    """Every field's problem at once; the engine checks them again when it records."""
    errors = {}
    for check, value in ((mandates.checked_iban, form.get("iban")), (mandates.checked_bic, form.get("bic")),
                         (mandates.checked_consent, form.get("consent"))):
        try:
            check(value)
        except DomainError as exc:
            errors[exc.field] = localized(exc.text)
    return errors


@bp.route("/<int:contract_id>/mandate", methods=["GET", "POST"])
@require("employer")
def mandate(contract_id):
    """Replace the contract's mandate: a new one signed today revokes the active one (audited by the engine)."""
    contract = contracts.contract_for_employer(current_account(), g.tenant.slug, contract_id)
    errors = {}
    if request.method == "POST":
        errors = _refusals(request.form)
        if not errors:
            try:
                mandates.record_for_contract(contract, request.form.get("holder"), request.form.get("iban"),
                                             clock.today(), current_account(), bic=request.form.get("bic"))
            except DomainError as exc:
                errors[exc.field or "iban"] = localized(exc.text)
        if not errors:
            flash(_("The SEPA mandate is recorded; direct debits use this account from now on."), "success")
            return redirect(url_for("manager.contract", contract_id=contract.id, _anchor="payment"))
    return render_template("manager/mandate.html", contract=contract, values=request.form if errors else {},
                           errors=errors), 422 if errors else 200
