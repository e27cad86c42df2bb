"""Pages for everyone: the start page, the language switch, the employer's list of managers, the
insurers' product documents (AVB, product information sheets) for anyone logged in."""
from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_login import login_required

from engine import accounts, product_documents, registry
from web import downloads
from web.access import current_account, safe_next

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    return render_template("index.html", tenants=registry.live_tenants())


@bp.route("/lang/<code>")
def set_language(code):
    from flask import current_app
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        g.pop("locale", None)
    return redirect(safe_next(request.args.get("next"), url_for("public.index")))


@bp.route("/employer")
@login_required
def employer_home():
    """One login for an employer with contracts at several insurers: pick the insurer's manager."""
    user = current_account()
    employers = accounts.employers_of(user)
    return render_template("employer_home.html", employers=employers, tenants=registry.live_tenants())


@bp.route("/products/<tenant_slug>/<sha256>/<name>")
@login_required
def product_document(tenant_slug, sha256, name):
    """A product document of an insurer's tariff, by its content: the one an offer recorded stays
    available when a later version brings another. `name` is the file name it is saved under."""
    return downloads.send_bytes(name if name.lower().endswith(".pdf") else f"{name}.pdf",
                                product_documents.read(tenant_slug, sha256), "application/pdf")
