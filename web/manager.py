"""The insurer's manager at /m/<tenant>: the employer's portal, in the tenant's branding.

Release of the application, the group policy, employees (upload, by hand, groups), enrolments,
individual policies and business events."""
import base64
import datetime

from flask import Blueprint, Response, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from engine import (accounts, applications, audit, benefit_limit, clock, continuation, contracts, cover, document_access,
                    employees, enrolment_runs, enrolments, events, exports, gdpr, policies, regroup, statements)
from engine import family
from engine import offers, price_changes, product_documents
from engine.errors import DomainError, NotFound
from web import contract_term, downloads, formview
from web.access import add_tenant, current_account, load_tenant, require
from web.pagecache import cached_page
from web.filters import insurer_names, localized, state_label

bp = Blueprint("manager", __name__, url_prefix="/m/<tenant_slug>")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "manager"


def me():
    return current_account()


@bp.route("/logo")
def logo():
    logo = g.tenant.logo
    if not logo:
        return Response(status=404)
    response = Response(base64.b64decode(logo["data"]), mimetype=logo["mime"])
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.route("/theme.css")
def theme():
    """The tenant's colours as CSS variables (a stylesheet, so the CSP needs no inline styles)."""
    branding = g.tenant.branding
    css = (":root{--brand:%s;--brand-2:%s;}\n" % (branding.get("primary_color", "#1f4e79"),
                                                 branding.get("secondary_color", "#e8eef5")))
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/")
@require("employer")
@cached_page
def index():
    pending = applications.for_employer_at(me(), g.tenant.slug)
    return render_template("manager/index.html", employers=accounts.employers_of(me()),
                           applications=pending, contracts=contracts.contracts_for_employer(me(), g.tenant.slug),
                           event_types=events.supported(g.tenant))


# --- step 9: release --------------------------------------------------------------------------

@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@require("employer")
@cached_page
def application(application_id):
    app_row = contracts.application_for_employer(me(), g.tenant.slug, application_id)
    if request.method == "POST":
        try:
            if request.form.get("decision") == "release":
                contracts.release(me(), app_row, new_start=_posted_date("start_date"))
                flash(_("Thank you: the application has been released and sent to %(insurer_accusative)s.",
                        **insurer_names(g.tenant)), "success")
            elif request.form.get("decision") == "withdraw":
                contracts.withdraw(me(), app_row)
                flash(_("The application has been withdrawn; your broker has been informed."), "info")
            else:
                contracts.return_to_broker(me(), app_row, request.form.get("comment", ""))
                flash(_("The application has been returned to your broker with your comment."), "info")
        except DomainError as exc:
            flash(localized(exc.text), "error")
        return redirect(url_for("manager.application", application_id=app_row.id))
    offer = app_row.offer
    return render_template("manager/application.html", application=app_row, form=g.tenant.compiled.application_form,
                           contract=app_row.contracts.first(), start_problem=applications.start_problem(app_row),
                           start_months=applications.start_window_of(app_row).months(), offer=offer,
                           pdf_url=offer.document_id and url_for("manager.document", document_id=offer.document_id),
                           **offers.products(offer))


def _posted_date(name):
    """An ISO date the page offered as a choice, or None (a forged value is refused by the engine's check)."""
    try:
        return datetime.date.fromisoformat(request.form.get(name) or "")
    except ValueError:
        return None


# --- group contract, employees, enrolments -------------------------------------------------------

def _contract(contract_id):
    return contracts.contract_for_employer(me(), g.tenant.slug, contract_id)


@bp.route("/contracts/<int:contract_id>")
@require("employer")
@cached_page
def contract(contract_id):
    contract = _contract(contract_id)
    state, search = request.args.get("state") or None, request.args.get("q", "").strip()
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    summary = exports.summary(contract)
    shown, matching = employees.listing(contract, state=state, search=search, page=page, total=summary["employees"])
    top = max([entry["monthly"] for entry in summary["groups"].values()] or [0]) or 1
    month = _month(request.args.get("month"))
    ledger, lines = cover.staff_page(contract, month, [e.id for e in shown])
    limit_warnings, enrol_warnings = benefit_limit.staff_list(contract, shown, lines)
    return render_template("manager/contract.html", contract=contract, employees=shown, matching=matching,
                           month=month, cover=ledger,
                           page=page, pages=max(1, -(-matching // employees.PAGE_SIZE)), search=search,
                           first_shown=(page - 1) * employees.PAGE_SIZE + 1, all_count=summary["employees"],
                           ready=summary["ready"],
                           state=state, counts=summary["states"], groups={gr["id"]: gr for gr in g.tenant.doc["tariff_groups"]},
                           imports=employees.recent_imports(contract), enrol_run=enrolment_runs.active(contract),
                           summary=summary, top=top, open_events=events.open_count(contract),
                           premium_changes=price_changes.upcoming(contract),
                           limit_warnings=limit_warnings, enrol_warnings=enrol_warnings,
                           timeline=audit.timeline(contract.employer_id, tenant=g.tenant.slug, last=30),
                           product_documents=product_documents.of_contract(contract),
                           **contract_term.page_of(contract))


@bp.route("/contracts/<int:contract_id>/term/<path:step>", methods=["POST"])
@require("employer")
def term_step(contract_id, step):
    """The employer's steps on the contract's term (contract_term.STEPS): notice to a contract year's
    end and its withdrawal, another budget level or a new tariff group from the next anniversary."""
    contract = _contract(contract_id)
    contract_term.take("manager", step, me(), contract)
    return redirect(url_for("manager.contract", contract_id=contract.id))


def _month(text):
    """The month the staff list prices (?month=YYYY-MM), this month when absent or unreadable."""
    try:
        return datetime.date.fromisoformat(f"{text}-01")
    except (TypeError, ValueError):
        return clock.today().replace(day=1)


@bp.route("/contracts/<int:contract_id>/export.<fmt>")
@require("employer")
def export(contract_id, fmt):
    """The employee list with monthly premiums for payroll (CSV or XLSX)."""
    contract = _contract(contract_id)
    staff = employees.each_of_contract(contract)
    names = {gr["id"]: localized(gr["name"]) for gr in g.tenant.doc["tariff_groups"]}
    labels = {"group_name": lambda gid: names.get(gid, gid), "state_name": lambda st: str(state_label(st))}
    if fmt == "csv":
        data, mime = exports.as_csv(contract, staff, **labels), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        data, mime = (exports.as_xlsx(contract, staff, **labels),
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise NotFound("Unbekanntes Format.", "Unknown format.")
    return downloads.send_bytes(f"mitarbeitende-{contract.policy_number}.{fmt}", data, mime)


@bp.route("/contracts/<int:contract_id>/statements")
@require("employer")
def statement_list(contract_id):
    """The contract's monthly premium statements (Beitragsrechnungen)."""
    contract = statements.contract_for_employer(me(), g.tenant.slug, contract_id)
    return render_template("manager/statements.html", contract=contract, statements=statements.for_contract(contract))


@bp.route("/contracts/<int:contract_id>/statements/<int:statement_id>.<fmt>")
@require("employer")
def statement_file(contract_id, statement_id, fmt):
    contract = statements.contract_for_employer(me(), g.tenant.slug, contract_id)
    return downloads.send_bytes(*statements.download(contract, statement_id, fmt))


@bp.route("/contracts/<int:contract_id>/upload", methods=["POST"])
@require("employer")
def upload(contract_id):
    contract = _contract(contract_id)
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Please choose a CSV or XLSX file."), "error")
        return redirect(url_for("manager.contract", contract_id=contract.id))
    batch = employees.upload(me(), contract, file.filename, file.read())
    current_app.extensions["bkv_jobs"].enqueue_check(batch.id)  # the page shows how far the check is
    return redirect(url_for("manager.import_batch", contract_id=contract.id, batch_id=batch.id))


def _page_arg(name):
    value = request.args.get(name, "1")
    return int(value) if value.isdigit() and 0 < int(value) < 10**6 else 1


@bp.route("/contracts/<int:contract_id>/imports/<int:batch_id>", methods=["GET", "POST"])
@require("employer")
def import_batch(contract_id, batch_id):
    contract = _contract(contract_id)
    batch = employees.batch_for(contract, batch_id)
    if request.method == "POST":
        try:
            employees.start(me(), batch)
        except DomainError as exc:
            flash(localized(exc.text), "error")
        else:
            current_app.extensions["bkv_jobs"].enqueue_import(batch.id)
        return redirect(url_for("manager.import_batch", contract_id=contract.id, batch_id=batch.id))
    return render_template("manager/import.html", contract=contract, batch=batch,
                           report=employees.report_page(batch, _page_arg("page"), _page_arg("changes")),
                           fields=employees.mapping_choices())


@bp.route("/contracts/<int:contract_id>/imports/<int:batch_id>/mapping", methods=["POST"])
@require("employer")
def import_mapping(contract_id, batch_id):
    """The employer confirms or corrects which column is which field; the file is checked again."""
    contract = _contract(contract_id)
    batch = employees.batch_for(contract, batch_id)
    headers = ((batch.report or {}).get("mapping") or {}).get("headers", [])
    columns = {header: request.form.get(f"column-{index}", "") for index, header in enumerate(headers)}
    try:
        employees.remap(me(), batch, columns)
    except DomainError as exc:
        flash(localized(exc.text), "error")
    else:
        current_app.extensions["bkv_jobs"].enqueue_check(batch.id)
        flash(_("The column mapping is saved for files like this one; the file is being checked again."), "success")
    return redirect(url_for("manager.import_batch", contract_id=contract.id, batch_id=batch.id))


@bp.route("/contracts/<int:contract_id>/imports/<int:batch_id>/undo", methods=["POST"])
@require("employer")
def import_undo(contract_id, batch_id):
    contract = _contract(contract_id)
    batch = employees.batch_for(contract, batch_id)
    try:
        result = employees.revert(me(), batch)
    except DomainError as exc:
        flash(localized(exc.text), "error")
    else:
        flash(_("The import has been undone: %(removed)s employees removed, %(restored)s restored.",
                removed=result["removed"], restored=result["restored"]), "success")
    return redirect(url_for("manager.import_batch", contract_id=contract.id, batch_id=batch.id))


@bp.route("/contracts/<int:contract_id>/imports/<int:batch_id>/progress")
@require("employer")
def import_progress(contract_id, batch_id):
    batch = employees.batch_for(_contract(contract_id), batch_id)
    return jsonify(status=batch.status, progress=batch.progress, total=batch.valid, valid=batch.valid,
                   running=batch.status in ("checking", "importing"))


@bp.route("/contracts/<int:contract_id>/employees/new", methods=["GET", "POST"])
@require("employer")
def employee_new(contract_id):
    return _employee_form(_contract(contract_id), None)


@bp.route("/contracts/<int:contract_id>/employees/<int:employee_id>/edit", methods=["GET", "POST"])
@require("employer")
def employee_edit(contract_id, employee_id):
    contract = _contract(contract_id)
    return _employee_form(contract, employees.get(contract, employee_id))


def _employee_form(contract, employee):
    form = employees.form()
    values = None
    if employee is not None:
        values = {name: getattr(employee, name) for name in employees.FIELDS}
        values["tariff_group"] = employee.tariff_group_requested
    errors = {}
    if request.method == "POST":
        result = formview.read(form)
        values, errors = request.form, dict(result.errors)
        if result.ok:
            try:
                saved = employees.save_by_hand(me(), contract, result.values, employee)
            except DomainError as exc:
                errors[exc.field or "personnel_number"] = localized(exc.text)
            else:
                flash(_("Employee saved."), "success")
                return redirect(url_for("manager.employee", contract_id=contract.id, employee_id=saved.id))
    return render_template("manager/employee_form.html", contract=contract, employee=employee, form=form,
                           values=values, errors=errors)


@bp.route("/contracts/<int:contract_id>/employees/<int:employee_id>")
@require("employer")
def employee(contract_id, employee_id):
    contract = _contract(contract_id)
    person = employees.get(contract, employee_id)
    return render_template("manager/employee.html", contract=contract, employee=person,
                           policies=policies.history(person), policies_erased=gdpr.anonymised(person),
                           events=events.of_employee(person),
                           enrolments=enrolments.of_employee(person),
                           groups={gr["id"]: gr for gr in g.tenant.doc["tariff_groups"]},
                           event_types=events.supported(g.tenant), cover=cover.timeline(person),
                           family=family.of_employee(person), family_roles=family.ROLES,
                           today=clock.today(), proposal=regroup.proposal(person),
                           continuations=continuation.of_employee(person),
                           accepted_from=enrolments.accepted_start(person),
                           left_before=enrolments.leaves_before_cover(contract, person))


@bp.route("/contracts/<int:contract_id>/enrol", methods=["POST"])
@require("employer")
def enrol(contract_id):
    contract = _contract(contract_id)
    if request.form.get("scope") == "all_ready":  # as a job: tens of thousands would outlast the request
        try:
            run = enrolment_runs.start(me(), contract)
        except DomainError as exc:
            flash(localized(exc.text), "error")
            return redirect(url_for("manager.contract", contract_id=contract.id))
        current_app.extensions["bkv_jobs"].enqueue_enrol_run(run.id)
        return redirect(url_for("manager.enrolment_run", contract_id=contract.id, run_id=run.id))
    ids = [int(i) for i in request.form.getlist("employee") if i.isdigit()]
    if not ids:
        flash(_("Please select the employees to enrol."), "error")
        return redirect(url_for("manager.contract", contract_id=contract.id))
    if len(ids) > enrolment_runs.CHUNK:
        flash(_("Please select at most %(num)s employees, or send the enrolments for all ready employees.",
                num=enrolment_runs.CHUNK), "error")
        return redirect(url_for("manager.contract", contract_id=contract.id))
    over = benefit_limit.before_enrolment(contract, ids)  # read before they leave the state "new"
    sent, skipped = enrolments.send(me(), contract, ids)
    for person, total in over:
        flash(f"{person.first_name} {person.last_name}: {localized(total.text)}", "info")
    if sent:
        flash(ngettext("%(num)s enrolment sent to %(insurer_accusative)s.",
                       "%(num)s enrolments sent to %(insurer_accusative)s.", len(sent), **insurer_names(g.tenant)),
              "success")
    for person, reason in skipped:
        flash(f"{person.first_name} {person.last_name}: {localized(reason)}", "error")
    return redirect(url_for("manager.contract", contract_id=contract.id))


@bp.route("/contracts/<int:contract_id>/enrolment-runs/<int:run_id>", methods=["GET", "POST"])
@require("employer")
def enrolment_run(contract_id, run_id):
    """Progress and outcome of "enrol all"; an interrupted run is continued from here."""
    contract = _contract(contract_id)
    run = enrolment_runs.for_contract(contract, run_id)
    if request.method == "POST":
        try:
            enrolment_runs.retry(me(), run)
        except DomainError as exc:
            flash(localized(exc.text), "error")
        else:
            current_app.extensions["bkv_jobs"].enqueue_enrol_run(run.id)
        return redirect(url_for("manager.enrolment_run", contract_id=contract.id, run_id=run.id))
    return render_template("manager/enrolment_run.html", contract=contract, run=run,
                           skipped=enrolment_runs.skipped_page(run) if run.status != "running" else [])


@bp.route("/contracts/<int:contract_id>/enrolment-runs/<int:run_id>/progress")
@require("employer")
def enrolment_run_progress(contract_id, run_id):
    run = enrolment_runs.for_contract(_contract(contract_id), run_id)
    return jsonify(status=run.status, progress=run.progress, total=max(run.total, run.progress),
                   running=run.status == "running")


@bp.route("/contracts/<int:contract_id>/employees/<int:employee_id>/export.zip")
@require("employer")
def employee_export(contract_id, employee_id):
    """Everything stored about this employee (GDPR Art. 15): data as JSON and the policy PDFs."""
    contract = _contract(contract_id)
    person = employees.get(contract, employee_id)
    return downloads.send_bytes(f"datenauskunft-{person.personnel_number}.zip", gdpr.export(me(), person),
                                "application/zip")


# --- step 13: business events -------------------------------------------------------------------

@bp.route("/contracts/<int:contract_id>/employees/<int:employee_id>/events/<event_type>", methods=["GET", "POST"])
@require("employer")
def event_new(contract_id, employee_id, event_type):
    contract = _contract(contract_id)
    person = employees.get(contract, employee_id)
    form = events.form_for(g.tenant, event_type, person)
    values, errors = None, {}
    if request.method == "GET" and request.args:  # prefilled from a proposal (the group's re-check)
        values = {name: value for name, value in request.args.items() if name in form}
    if request.method == "POST":
        result = formview.read(form)
        values, errors = request.form, dict(result.errors)
        if result.ok:
            try:
                warnings = events.file(me(), contract, person, event_type, result.values)[1]
            except DomainError as exc:
                flash(localized(exc.text), "error")
            else:
                for warning in warnings:
                    flash(localized(warning["text"]), "info")
                flash(_("The business event has been sent to %(insurer_accusative)s.", **insurer_names(g.tenant)),
                      "success")
                return redirect(url_for("manager.employee", contract_id=contract.id, employee_id=person.id))
    return render_template("manager/event_form.html", contract=contract, employee=person, event_type=event_type,
                           form=form, values=values, errors=errors)


# --- documents -------------------------------------------------------------------------------

@bp.route("/contracts/<int:contract_id>/employees/<int:employee_id>/policies/<int:policy_id>.pdf")
@require("employer")
def policy_pdf(contract_id, employee_id, policy_id):
    """A policy version's PDF whose job has not made it yet: it is made now."""
    person = employees.get(_contract(contract_id), employee_id)
    return downloads.send_document(document_access.policy_for_employer(me(), policies.of_employee(person, policy_id)))


@bp.route("/documents/<int:document_id>")
@require("employer")
def document(document_id):
    """A document of one of the user's employers at this insurer (policy PDFs, the kept upload)."""
    return downloads.send_document(document_access.for_employer(me(), g.tenant.slug, document_id))
