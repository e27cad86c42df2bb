"""The insurer's view of a group contract at /m/<tenant>/office/contracts/<id>: its state and term, the
budget level changes asked for, a fall below the minimum size, and the insurer's notice."""
from flask import Blueprint, g, redirect, render_template, url_for

from engine import contracts
from web import contract_term
from web.access import add_tenant, current_account, load_tenant, require

bp = Blueprint("office_contracts", __name__, url_prefix="/m/<tenant_slug>/office/contracts")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "office"


@bp.route("/<int:contract_id>")
@require("insurer")
def contract(contract_id):
    found = contracts.for_insurer(g.tenant.slug, contract_id)
    return render_template("office/contract.html", contract=found, **contract_term.page_of(found),
                           groups={gr["id"]: gr for gr in g.tenant.doc["tariff_groups"]})


@bp.route("/<int:contract_id>/term/<path:step>", methods=["POST"])
@require("insurer")
def term_step(contract_id, step):
    """The insurer gives notice to a contract year's end (with a reason) or withdraws its notice."""
    found = contracts.for_insurer(g.tenant.slug, contract_id)
    contract_term.take("office", step, current_account(), found)
    return redirect(url_for("office_contracts.contract", contract_id=found.id))
