"""The Flask app factory: the one place where configuration, database, jobs and portals meet."""
import datetime
import logging

from flask import Flask, abort, g, render_template, request
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from engine import unit, documents, employee_file, employees, offers, registry, webhooks, workflow
from engine.jobs import Jobs, make_huey
from engine.mail import SmtpSettings
from web import config as configmod
from web.extensions import csrf, init_babel, limiter, login_manager, select_locale

logger = logging.getLogger(__name__)


def create_app(overrides=None):
    app = Flask(__name__, instance_path=None)
    app.config.update(configmod.DEFAULTS)
    app.config.update(configmod.from_env())
    app.config.update(overrides or {})
    configmod.finish(app.config)
    _trust_proxies(app)

    unit.start(app.config["DATABASE_URL"])
    registry.clear_cache()  # compiled tenants carry version ids of the database they came from
    documents.init_store(app.config.get("DOCUMENTS_DIR") or f"{app.config['INSTANCE_DIR']}/documents")
    offers.configure(mails_per_day=app.config.get("OFFER_MAILS_PER_DAY", offers.DEFAULT_MAILS_PER_DAY))
    webhooks.configure(allow_private=app.config.get("WEBHOOK_ALLOW_PRIVATE", False))
    smtp = SmtpSettings(host=app.config["SMTP_HOST"], port=app.config["SMTP_PORT"],
                        username=app.config["SMTP_USERNAME"], password=app.config["SMTP_PASSWORD"],
                        starttls=app.config["SMTP_STARTTLS"], sender=app.config["MAIL_SENDER"])
    employee_file.configure(max_rows=app.config["IMPORT_MAX_ROWS"], max_columns=app.config["IMPORT_MAX_COLUMNS"],
                            max_cells=app.config["IMPORT_MAX_CELLS"],
                            max_unpacked=app.config["IMPORT_MAX_UNPACKED_MB"] * 2**20)
    employees.configure(report_problems=app.config["IMPORT_REPORT_PROBLEMS"])
    app.extensions["bkv_jobs"] = Jobs(make_huey(app.config), smtp,
                                      stalled_after=datetime.timedelta(minutes=app.config["STALLED_JOB_MINUTES"]))

    csrf.init_app(app)
    login_manager.init_app(app)
    init_babel(app)
    limiter.init_app(app)

    from web import filters, formview, pagecache, submissions
    pagecache.init_app(app)  # after csrf: its csrf_token() leaves a mark in pages it keeps
    filters.init_app(app)
    formview.init_app(app)
    submissions.init_app(app)
    _register_blueprints(app)
    workflow.check()  # every guard and effect a machine names exists, or the app does not start
    _register_request_hooks(app)
    _register_errors(app)
    app.jinja_loader = ChoiceLoader([app.jinja_loader, FileSystemLoader(_forms_templates())])
    return app


def _trust_proxies(app):
    """Behind PROXY_COUNT proxies, the client's address (rate limits) and scheme are the ones the
    proxies forwarded; with none, X-Forwarded-* headers are ignored (a client could forge them)."""
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _forms_templates():
    import forms
    import pathlib
    return str(pathlib.Path(forms.__file__).parent / "templates")


def _register_blueprints(app):
    from web import (admin, advisor, api, applications, auth, inbox, manager, manager_payroll, members, notifications,
                     offer_link, manager_mandates, office_collections,
                     office, office_brokers, office_contracts, office_integration, office_staff, office_statements,
                     public)
    del notifications  # imported for its workflow effects and signal receivers
    for module in (public, auth, inbox, advisor, offer_link, members, applications, manager, manager_payroll, office,
                   office_brokers, manager_mandates, office_collections,
                   office_integration, office_staff, office_statements, office_contracts, admin, api):
        app.register_blueprint(module.bp)
    from web import reconciliations
    app.register_blueprint(reconciliations.bp)
    app.register_blueprint(reconciliations.office_bp)
    from web import office_releases
    app.register_blueprint(office_releases.bp)
    csrf.exempt(api.bp)  # no cookies there: every request carries its API key


def _register_request_hooks(app):
    from web.access import check_session_age
    app.before_request(check_session_age)

    @app.url_value_preprocessor  # the app's runs before the blueprints' (which load the tenant in the path)
    def _refuse_nul(endpoint, values):
        """No text the platform stores or looks up may hold a NUL character (PostgreSQL refuses it):
        a path, query or form value with one is a bad request, answered 400 before any view runs."""
        texts = [request.path, *request.args.keys(), *request.args.values()]
        if request.method != "GET":
            texts += [*request.form.keys(), *request.form.values()]
        if any("\x00" in text for text in texts):
            abort(400)

    app.before_request(unit.open_connection)
    app.teardown_request(lambda exc: unit.close_connection())

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    from web.access import steps_for

    @app.context_processor
    def _globals():
        return {"current_locale": select_locale(), "languages": app.config["LANGUAGES"],
                "portal": g.get("portal"), "tenant": g.get("tenant"), "steps_for": steps_for}


def _register_errors(app):
    from flask_babel import lazy_gettext as _l
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import SecurityError

    from engine.errors import Forbidden, NotFound

    texts = {
        400: (_l("The request could not be processed"),
              _l("The form has expired or is incomplete. Please go back and try again.")),
        403: (_l("Access denied"), _l("You do not have permission to open this page.")),
        404: (_l("Page not found"), _l("This page does not exist, or you do not have access to it.")),
        429: (_l("Too many attempts"), _l("Please wait a minute and try again.")),
        500: (_l("Something went wrong"), _l("We have been notified. Please try again later.")),
    }

    def page(code):
        def handler(error):
            title, message = texts[code]
            return render_template("errors/page.html", code=code, title=title, message=message), code
        return handler

    for code in texts:
        app.register_error_handler(code, page(code))
    # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page with links either.
    app.register_error_handler(SecurityError, lambda error: ("400 Bad Request: unknown host\n", 400,
                                                             {"Content-Type": "text/plain; charset=utf-8"}))
    app.register_error_handler(NotFound, page(404))
    app.register_error_handler(Forbidden, page(403))
    app.register_error_handler(CSRFError, page(400))
