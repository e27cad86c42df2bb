"""The employer's payroll export (Lohnexport) and other benefits in kind at
/m/<tenant>/contracts/<id>/payroll and .../benefits (engine/payroll.py, engine/benefit_limit.py):
settings, the month's rows with the list over the 50 EUR limit, and the CSV, XLSX and LODAS downloads."""
import datetime

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import benefit_limit, clock, contracts, employees, payroll, payroll_settings
from engine.errors import DomainError, NotFound
from web import downloads
from web.access import add_tenant, current_account, load_tenant, require
from web.filters import localized

bp = Blueprint("manager_payroll", __name__, url_prefix="/m/<tenant_slug>/contracts")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "manager"


def _contract(contract_id):
    return contracts.contract_for_employer(current_account(), g.tenant.slug, contract_id)


def _month(text):
    """A month given as YYYY-MM, this month when absent; NotFound when unreadable (a forged URL)."""
    if not text:
        return clock.today().replace(day=1)
    try:
        return datetime.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise NotFound("Unbekannter Monat.", "Unknown month.") from None


@bp.route("/<int:contract_id>/payroll", methods=["GET", "POST"])
@require("employer")
def payroll_page(contract_id):
    contract = _contract(contract_id)
    month = _month(request.values.get("month"))
    errors = {}
    if request.method == "POST":
        try:
            payroll_settings.save(current_account(), contract, request.form)
        except DomainError as exc:
            errors[exc.field or "treatment"] = localized(exc.text)
        else:
            flash(_("The payroll export settings are saved."), "success")
            return redirect(url_for("manager_payroll.payroll_page", contract_id=contract.id, month=f"{month:%Y-%m}"))
    found = payroll.rows(contract, month)
    return render_template("manager/payroll.html", contract=contract, month=month, rows=found,
                           over=payroll.over_limit(found), settings=payroll_settings.of(contract),
                           treatments=payroll_settings.TREATMENT_TEXT, values=request.form if errors else None,
                           errors=errors)


@bp.route("/<int:contract_id>/payroll/<month>.<fmt>")
@require("employer")
def payroll_file(contract_id, month, fmt):
    contract = _contract(contract_id)
    try:
        return downloads.send_bytes(*payroll.download(contract, _month(month), fmt))
    except NotFound:
        raise
    except DomainError as exc:  # the LODAS file needs settings first
        flash(localized(exc.text), "error")
        return redirect(url_for("manager_payroll.payroll_page", contract_id=contract.id, month=month))


@bp.route("/<int:contract_id>/benefits", methods=["GET", "POST"])
@require("employer")
def benefits(contract_id):
    """Other benefits in kind (job ticket, vouchers, meals) that share the monthly limit."""
    contract = _contract(contract_id)
    errors = {}
    if request.method == "POST":
        try:
            benefit_limit.record(current_account(), contract, request.form)
        except DomainError as exc:
            errors[exc.field or "label"] = localized(exc.text)
        else:
            flash(_("The benefit in kind is recorded."), "success")
            return redirect(url_for("manager_payroll.benefits", contract_id=contract.id))
    # a page of the staff to choose from, found by name or personnel number, and the limit warnings of those
    # listed only: a contract of 50,000 people is neither listed in one selection nor projected whole
    search, page = request.args.get("q", "").strip(), request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    shown, matching = employees.listing(contract, search=search, page=page)
    last_shown = (page - 1) * employees.PAGE_SIZE + len(shown)
    chosen = request.form.get("employee", "") if errors else ""
    if chosen.isdigit() and int(chosen) not in {e.id for e in shown}:  # chosen on another page: still chosen
        shown = [*_posted_person(contract, int(chosen)), *shown]
    return render_template("manager/benefits.html", contract=contract, benefits=benefit_limit.benefits(contract),
                           staff=shown, people={e.id: e for e in shown}, values=request.form if errors else {},
                           search=search, page=page, pages=max(1, -(-matching // employees.PAGE_SIZE)),
                           matching=matching, first_shown=(page - 1) * employees.PAGE_SIZE + 1, last_shown=last_shown,
                           errors=errors, this_month=clock.today().replace(day=1),
                           warnings=benefit_limit.ahead_of(contract, [e.id for e in shown]))


def _posted_person(contract, employee_id):
    try:
        return [employees.get(contract, employee_id)]
    except NotFound:  # not of this contract: the engine refused it, the error says so
        return []


@bp.route("/<int:contract_id>/benefits/<int:benefit_id>/end", methods=["POST"])
@require("employer")
def benefit_end(contract_id, benefit_id):
    contract = _contract(contract_id)
    try:
        benefit_limit.end(current_account(), contract, benefit_id, request.form.get("to_month"))
    except NotFound:
        raise
    except DomainError as exc:
        flash(localized(exc.text), "error")
    else:
        flash(_("The benefit in kind ends with the month chosen."), "success")
    return redirect(url_for("manager_payroll.benefits", contract_id=contract.id))
