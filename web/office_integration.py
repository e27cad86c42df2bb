"""The back office's integration page at /m/<tenant>/office/integration: API keys and webhooks.

A new key's plaintext and a new webhook's secret are shown once, in the answer to the POST that
made them (never put into the session or a redirect), with caching forbidden."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import apikeys, webhooks
from engine.errors import DomainError
from web.access import add_tenant, current_account, load_tenant, require
from web.filters import localized

bp = Blueprint("office_integration", __name__, url_prefix="/m/<tenant_slug>/office/integration")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "office"


def _page(status=200, **shown):
    slug = g.tenant.slug
    html = render_template("office/integration.html", keys=apikeys.for_tenant(slug), hooks=webhooks.for_tenant(slug),
                           **shown)
    headers = {"Cache-Control": "no-store"} if shown.get("plaintext") or shown.get("secret") else {}
    return html, status, headers


@bp.route("/")
@require("insurer")
def index():
    return _page()


@bp.route("/keys", methods=["POST"])
@require("insurer")
def key_new():
    try:
        key, plaintext = apikeys.create(g.tenant.slug, request.form.get("name"), current_account())
    except DomainError as exc:
        return _page(422, errors={exc.field or "name": localized(exc.text)}, name=request.form.get("name", ""))
    return _page(created_key=key, plaintext=plaintext)


@bp.route("/keys/<int:key_id>/revoke", methods=["GET", "POST"])
@require("insurer")
def key_revoke(key_id):
    key = apikeys.get_for(g.tenant.slug, key_id)
    if request.method == "POST":
        apikeys.revoke(key, current_account())
        flash(_("The API key “%(name)s” has been revoked; systems using it will be refused from now on.", name=key.name),
              "info")
        return redirect(url_for("office_integration.index"))
    return render_template("office/integration_revoke.html", key=key)


@bp.route("/webhooks", methods=["POST"])
@require("insurer")
def webhook_new():
    try:
        hook = webhooks.add(g.tenant.slug, request.form.get("url"), current_account())
    except DomainError as exc:
        return _page(422, errors={exc.field or "url": localized(exc.text)}, url=request.form.get("url", ""))
    return _page(created_hook=hook, secret=hook.secret)


@bp.route("/webhooks/<int:hook_id>/deactivate", methods=["POST"])
@require("insurer")
def webhook_deactivate(hook_id):
    hook = webhooks.deactivate(webhooks.get_for(g.tenant.slug, hook_id), current_account())
    flash(_("The webhook to %(url)s has been deactivated.", url=hook.url), "info")
    return redirect(url_for("office_integration.index"))
