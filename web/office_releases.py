"""The insurer's versions at /m/<tenant>/office/releases: its administrators see what a loaded draft
changes against the live version and whether its own test cases (tests.yaml) pass, and put it in force
from a day (engine/releases); a scheduled release can be withdrawn before its day."""
import datetime

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import clock, employees, releases
from engine.errors import DomainError, Forbidden, NotFound
from tenants.diff import premium_runs, short
from web.access import add_tenant, current_account, load_tenant, require
from web.filters import date, localized

bp = Blueprint("office_releases", __name__, url_prefix="/m/<tenant_slug>/office/releases")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "office"


@bp.route("/")
@require("insurer_admin")
def index():
    return render_template("office/releases.html", versions=releases.versions(g.tenant.slug))


def _page(digest, status=200, errors=None, valid_from=None):
    version = releases.find(g.tenant.slug, digest)
    found = releases.changes(g.tenant.slug, version.digest)
    state = next(v for v in releases.versions(g.tenant.slug) if v["id"] == version.id)
    return render_template(
        "office/release.html", version=state, premiums=premium_runs(found["premiums"]),
        dated=[{"valid_from": item["valid_from"], "premiums": premium_runs(item["premiums"])}
               for item in found["dated_premiums"]],
        changes=[{"path": c["path"], "change": c["change"], "old": short(c["old"]), "new": short(c["new"])}
                 for c in found["changes"]],
        tariffs=g.tenant.tariffs, groups=g.tenant.groups, employment=employees.form()["employment_type"],
        tests=releases.tests(g.tenant.slug, version.digest),
        errors=errors or {}, valid_from=valid_from or clock.today().isoformat()), status


@bp.route("/<digest>")
@require("insurer_admin")
def version(digest):
    return _page(digest)


@bp.route("/<digest>/activate", methods=["POST"])
@require("insurer_admin")
def activate(digest):
    text = request.form.get("valid_from", "").strip()
    try:
        valid_from = datetime.date.fromisoformat(text)
    except ValueError:
        return _page(digest, 422, {"valid_from": _("Please enter a date.")}, text)
    try:
        made = releases.activate(current_account(), g.tenant.slug, digest, valid_from)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        return _page(digest, 422, {exc.field or "valid_from": localized(exc.text)}, text)
    flash(_("Version %(version)s applies from %(date)s to new offers and applications.",
            version=made.version.digest[:12], date=date(valid_from)), "success")
    return redirect(url_for("office_releases.index"))


@bp.route("/withdraw/<int:release_id>", methods=["POST"])
@require("insurer_admin")
def withdraw(release_id):
    try:
        releases.withdraw(current_account(), g.tenant.slug, release_id)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        flash(localized(exc.text), "error")
    else:
        flash(_("The scheduled release has been withdrawn."), "success")
    return redirect(url_for("office_releases.index"))
