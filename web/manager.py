"""The insurer's manager at /m/<tenant>: the employer's portal, in the tenant's branding."""
import base64

from flask import Blueprint, Response, g, render_template

from engine import accounts
from web.access import add_tenant, current_account, load_tenant, require

bp = Blueprint("manager", __name__, url_prefix="/m/<tenant_slug>")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "manager"


@bp.route("/logo")
def logo():
    logo = g.tenant.logo
    if not logo:
        return Response(status=404)
    response = Response(base64.b64decode(logo["data"]), mimetype=logo["mime"])
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.route("/")
@require("employer")
def index():
    employers = [role.employer for role in accounts.roles_of(current_account(), "employer")]
    return render_template("manager/index.html", employers=employers)


@bp.route("/theme.css")
def theme():
    """The tenant's colours as CSS variables (a stylesheet, so the CSP needs no inline styles)."""
    branding = g.tenant.branding
    css = (":root{--brand:%s;--brand-2:%s;}\n" % (branding.get("primary_color", "#1f4e79"),
                                                 branding.get("secondary_color", "#e8eef5")))
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/applications/<int:application_id>")
@require("employer")
def application(application_id):
    """The application as the employer sees it in the insurer's manager (release comes here)."""
    from engine import applications
    app_row = applications.get_for(current_account(), application_id)
    if app_row.tenant_id != g.tenant.slug:
        from engine.errors import NotFound
        raise NotFound("Antrag nicht gefunden.")
    return render_template("manager/application.html", application=app_row,
                           form=g.tenant.compiled.application_form)
