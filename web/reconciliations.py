"""Reconciliation (Abgleich) pages of a group contract (engine/reconciliation.py): upload the insurer's
statement or the payroll result for a month, see the differences per person and the totals, and the
earlier reconciliations. The employer's at /m/<tenant>/contracts/<id>/reconciliations (`bp`), the
insurer's back office at /m/<tenant>/office/contracts/<id>/reconciliations (`office_bp`): one view each
side, the same templates."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import clock, reconciliation
from engine.errors import DomainError
from web.access import add_tenant, current_account, load_tenant, require
from web.filters import localized

bp = Blueprint("reconciliations", __name__, url_prefix="/m/<tenant_slug>/contracts")
office_bp = Blueprint("office_reconciliations", __name__, url_prefix="/m/<tenant_slug>/office/contracts")
for _blueprint, _portal in ((bp, "manager"), (office_bp, "office")):
    _blueprint.url_value_preprocessor(load_tenant)
    _blueprint.url_defaults(add_tenant)
    _blueprint.before_request(lambda portal=_portal: setattr(g, "portal", portal))


def _list(contract, side):
    """The upload form and the earlier reconciliations; a POST reconciles and shows the result."""
    errors, problems = {}, []
    month = request.form.get("month") or f"{clock.today():%Y-%m}"
    if request.method == "POST":
        file = request.files.get("file")
        try:
            if file is None or not file.filename:
                raise DomainError("Bitte eine CSV- oder XLSX-Datei wählen.", "Please choose a CSV or XLSX file.",
                                  field="file")
            found = reconciliation.reconcile(current_account(), contract, reconciliation.month_of(month),
                                             file.filename, file.read(), side)
        except reconciliation.RowsInvalid as exc:
            problems = exc.errors
            errors["file"] = _("%(count)d rows of the file cannot be read; nothing was reconciled.", count=exc.count)
        except DomainError as exc:
            errors[exc.field or "file"] = localized(exc.text)
        else:
            flash(_("The file is reconciled."), "success")
            return redirect(url_for(f"{request.blueprint}.reconciliation_page", contract_id=contract.id,
                                    reconciliation_id=found.id))
    return render_template(f"{g.portal}/reconciliations.html", contract=contract, month=month, errors=errors,
                           problems=problems, items=reconciliation.for_contract(contract)), 422 if errors else 200


@bp.route("/<int:contract_id>/reconciliations", methods=["GET", "POST"])
@require("employer")
def reconciliation_list(contract_id):
    return _list(reconciliation.contract_for_employer(current_account(), g.tenant.slug, contract_id), "employer")


@bp.route("/<int:contract_id>/reconciliations/<int:reconciliation_id>")
@require("employer")
def reconciliation_page(contract_id, reconciliation_id):
    contract = reconciliation.contract_for_employer(current_account(), g.tenant.slug, contract_id)
    return render_template("manager/reconciliation.html", contract=contract,
                           item=reconciliation.of_contract(contract, reconciliation_id))


@office_bp.route("/<int:contract_id>/reconciliations", methods=["GET", "POST"], endpoint="reconciliation_list")
@require("insurer")
def office_list(contract_id):
    return _list(reconciliation.contract_for_insurer(g.tenant.slug, contract_id), "insurer")


@office_bp.route("/<int:contract_id>/reconciliations/<int:reconciliation_id>", endpoint="reconciliation_page")
@require("insurer")
def office_page(contract_id, reconciliation_id):
    contract = reconciliation.contract_for_insurer(g.tenant.slug, contract_id)
    return render_template("office/reconciliation.html", contract=contract,
                           item=reconciliation.of_contract(contract, reconciliation_id))
