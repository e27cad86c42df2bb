"""The insurer's back office at /m/<tenant>/office: staff of that tenant only."""
from flask import Blueprint, g, render_template

from web.access import add_tenant, load_tenant, require

bp = Blueprint("office", __name__, url_prefix="/m/<tenant_slug>/office")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "office"


@bp.route("/")
@require("insurer")
def index():
    return render_template("office/index.html")
