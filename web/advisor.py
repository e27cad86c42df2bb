"""The broker's advisor at /advisor."""
from flask import Blueprint, g, render_template

from engine import registry
from engine.models import Employer
from web.access import current_account, require

bp = Blueprint("advisor", __name__, url_prefix="/advisor")


@bp.before_request
def _portal():
    g.portal = "advisor"


@bp.route("/")
@require("broker")
def index():
    clients = Employer.select().where(Employer.broker == current_account()).count()
    return render_template("advisor/index.html", tenants=registry.live_tenants(), clients=clients)
