"""The insurer's view of a group contract's premium statements at /m/<tenant>/office/contracts/<id>/statements
(engine/statements.py): the list and the downloads."""
from flask import Blueprint, g, render_template

from engine import statements
from web import downloads
from web.access import add_tenant, load_tenant, require

bp = Blueprint("office_statements", __name__, url_prefix="/m/<tenant_slug>/office/contracts")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "office"


@bp.route("/<int:contract_id>/statements")
@require("insurer")
def statement_list(contract_id):
    contract = statements.contract_for_insurer(g.tenant.slug, contract_id)
    return render_template("office/statements.html", contract=contract, statements=statements.for_contract(contract))


@bp.route("/<int:contract_id>/statements/<int:statement_id>.<fmt>")
@require("insurer")
def statement_file(contract_id, statement_id, fmt):
    contract = statements.contract_for_insurer(g.tenant.slug, contract_id)
    return downloads.send_bytes(*statements.download(contract, statement_id, fmt))
