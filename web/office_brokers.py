"""The back office's list of broker numbers at /m/<tenant>/office/brokers: staff confirm a number
once they have checked it; until then employers see it marked as unconfirmed."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import brokers
from web.access import add_tenant, current_account, load_tenant, require

bp = Blueprint("office_brokers", __name__, url_prefix="/m/<tenant_slug>/office/brokers")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "office"


@bp.route("/")
@require("insurer")
def index():
    return render_template("office/brokers.html", numbers=brokers.numbers_at(g.tenant.slug))


@bp.route("/<int:number_id>/confirm", methods=["POST"])
@require("insurer")
def confirm(number_id):
    confirmed = request.form.get("confirmed", "1") == "1"
    row = brokers.confirm_number(current_account(), g.tenant.slug, number_id, confirmed=confirmed)
    if confirmed:
        flash(_("Broker number %(number)s confirmed.", number=row.number), "success")
    else:
        flash(_("Confirmation of broker number %(number)s withdrawn.", number=row.number), "info")
    return redirect(url_for("office_brokers.index"))
