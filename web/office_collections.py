"""The insurer's SEPA direct-debit runs (Lastschriften) at /m/<tenant>/office/collections
(engine/direct_debits.py): the list, a run's items, its pain.008 file, and making the run for a date."""
import datetime

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import clock, direct_debits
from engine.errors import DomainError
from web import downloads
from web.access import add_tenant, current_account, load_tenant, require
from web.filters import date as date_text, localized

bp = Blueprint("office_collections", __name__, url_prefix="/m/<tenant_slug>/office/collections")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "office"


def _page(status=200, errors=None, collection_date=None):
    return render_template("office/collections.html", runs=direct_debits.runs_of(g.tenant.slug),
                           collection_date=collection_date or clock.today().isoformat(), errors=errors or {},
                           creditor_id=g.tenant.settings.creditor_id), status


@bp.route("/")
@require("insurer")
def index():
    return _page()


@bp.route("/run", methods=["POST"])
@require("insurer")
def run():
    """Make (or find) the run for a collection date, with the staff member as its author."""
    text = request.form.get("collection_date", "").strip()
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return _page(422, {"collection_date": _("Please enter a date.")}, text)
    try:
        made, created = direct_debits.run(g.tenant.slug, day, actor=current_account())
    except DomainError as exc:
        return _page(422, {exc.field or "form": localized(exc.text)}, text)
    if made is None:
        flash(_("No premium statement is due for collection on %(date)s.", date=date_text(day)), "info")
        return redirect(url_for("office_collections.index"))
    if created:
        flash(_("The direct-debit run for %(date)s is made.", date=date_text(day)), "success")
    else:
        flash(_("The run for %(date)s was made before; here it is.", date=date_text(day)), "info")
    return redirect(url_for("office_collections.detail", collection_id=made.id))


@bp.route("/<int:collection_id>")
@require("insurer")
def detail(collection_id):
    return render_template("office/collection.html",
                           run=direct_debits.view(direct_debits.of_tenant(g.tenant.slug, collection_id)))


@bp.route("/<int:collection_id>.xml")
@require("insurer")
def xml(collection_id):
    return downloads.send_bytes(*direct_debits.xml_file(direct_debits.of_tenant(g.tenant.slug, collection_id)))
