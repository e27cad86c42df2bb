"""The insurer's back office at /m/<tenant>/office: staff of that tenant only.

Queues of released applications, sent enrolments and filed business events; each decision goes
through the same engine functions the API uses. Reading an employee's data is audited."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import audit, continuation, contracts, document_access, enrolments, events, policies, work_queue
from engine.errors import DomainError
from web import downloads
from web.access import add_tenant, current_account, load_tenant, require
from web.filters import localized

bp = Blueprint("office", __name__, url_prefix="/m/<tenant_slug>/office")
bp.url_value_preprocessor(load_tenant)
bp.url_defaults(add_tenant)


@bp.before_request
def _portal():
    g.portal = "office"


def me():
    return current_account()


def _upload():
    file = request.files.get("policy_pdf")
    return file.read() if file and file.filename else None


def _decide(actions, default="reject"):
    """Run the posted decision: `actions` maps it to (function, message, flash category)."""
    run, message, category = actions.get(request.form.get("decision"), actions[default])
    try:
        run()
    except DomainError as exc:
        flash(localized(exc.text), "error")
    else:
        flash(message, category)


def _catalogue():
    """The tenant's tariffs and groups by id, as the templates look them up."""
    return {"tariffs": {t["id"]: t for t in g.tenant.doc["tariffs"]},
            "groups": {gr["id"]: gr for gr in g.tenant.doc["tariff_groups"]}}


def _queue_filters():
    """The queue's filters from the query string: kind (one list or all), employer, state, search."""
    args = request.args
    kind = args.get("kind") if args.get("kind") in work_queue.KINDS else None
    employer = args.get("employer", type=int)
    state = args.get("state") if args.get("state") in ("open", "decided") else "open"
    return {"kind": kind, "employer": employer, "state": state, "search": (args.get("q") or "").strip()[:100]}


def _decide_selected(slug):
    """The queue's multi-select: accept, or reject with the one reason given, every selected entry."""
    kind, decision = request.form.get("kind"), request.form.get("decision", "accept")
    ids = [int(i) for i in request.form.getlist("selected") if i.isdigit()]
    if kind not in ("enrolments", "events") or decision not in work_queue.DECISIONS or not ids:
        flash(_("Please select at least one entry."), "error")
        return
    try:
        results = work_queue.decide_all(me(), slug, kind, ids, decision, request.form.get("comment"))
    except DomainError as exc:
        flash(localized(exc.text), "error")
        return
    done = [r for r in results if r["done"]]
    if done:
        flash(_("%(count)s accepted.", count=len(done)) if decision == "accept"
              else _("%(count)s rejected.", count=len(done)), "success")
    for r in results:
        if not r["done"]:
            name = r["name"] or f"#{r['id']}"
            flash(_("Not accepted: %(name)s – %(reason)s", name=name, reason=localized(r["message"]))
                  if decision == "accept" else
                  _("Not rejected: %(name)s – %(reason)s", name=name, reason=localized(r["message"])), "error")


@bp.route("/", methods=["GET", "POST"])
@require("insurer")
def index():
    slug = g.tenant.slug
    if request.method == "POST":  # accept or reject all selected: each as one by one, one digest mail per employer
        _decide_selected(slug)
        return redirect(url_for("office.index", **request.args))
    f = _queue_filters()
    states = {"open": ("released", "sent", "submitted", "open"),
              "decided": ("accepted", "accepted", "accepted", "offered")}[f["state"]]
    narrowed = {"employer": f["employer"], "search": f["search"]}
    shown = lambda kind: f["kind"] in (None, kind)  # noqa: E731
    return render_template(
        "office/index.html", filters=f, employers=work_queue.employers(slug),
        applications=work_queue.applications(slug, states[0], **narrowed) if shown("applications") else [],
        enrolments=work_queue.enrolments(slug, states[1], **narrowed) if shown("enrolments") else [],
        events=work_queue.events(slug, states[2], **narrowed) if shown("events") else [],
        continuations=work_queue.continuations(slug, states[3], **narrowed) if shown("continuations") else [],
        recent=work_queue.recent_decisions(slug))


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@require("insurer")
def application(application_id):
    app_row = contracts.application_for_insurer(g.tenant.slug, application_id)
    if request.method == "POST":
        comment = request.form.get("comment")
        _decide({"accept": (lambda: contracts.accept(me(), app_row, request.form.get("policy_number"), _upload()),
                            _("Application accepted; the group policy has been sent to the employer."), "success"),
                 "reject": (lambda: contracts.reject(me(), app_row, comment),
                            _("Application rejected; the broker and the employer have been informed."), "info"),
                 "request_info": (lambda: contracts.request_info(me(), app_row, comment),
                                  _("Question sent to the broker and the employer."), "info")}, default="request_info")
        return redirect(url_for("office.application", application_id=app_row.id))
    return render_template("office/application.html", application=app_row, form=g.tenant.compiled.application_form,
                           contract=app_row.contracts.first(), history=audit.history("application", app_row.id),
                           **_catalogue())


@bp.route("/enrolments/<int:enrolment_id>", methods=["GET", "POST"])
@require("insurer")
def enrolment(enrolment_id):
    item = enrolments.for_insurer(g.tenant.slug, enrolment_id)
    if request.method == "POST":
        _decide({"accept": (lambda: enrolments.accept(me(), item, request.form.get("policy_number"), _upload()),
                            _("Enrolment accepted; the individual policy has been issued."), "success"),
                 "reject": (lambda: enrolments.reject(me(), item, request.form.get("comment")),
                            _("Enrolment rejected; the employer has been informed."), "info")})
        return redirect(url_for("office.index"))
    audit.record(me(), "employee.read", "employee", item.employee_id, tenant=g.tenant.slug,
                 employer=item.contract.employer_id)
    return render_template("office/enrolment.html", enrolment=item, employee=item.employee,
                           policies=policies.history(item.employee), **_catalogue())


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@require("insurer")
def event(event_id):
    item = events.for_insurer(g.tenant.slug, event_id)
    if request.method == "POST":
        _decide({"accept": (lambda: events.accept(me(), item),
                            _("Business event processed; the adjusted policy has been issued."), "success"),
                 "reject": (lambda: events.reject(me(), item, request.form.get("comment")),
                            _("Business event rejected; the employer has been informed."), "info")})
        return redirect(url_for("office.index"))
    audit.record(me(), "employee.read", "employee", item.employee_id, tenant=g.tenant.slug,
                 employer=item.contract.employer_id)
    return render_template("office/event.html", event=item, employee=item.employee,
                           form=g.tenant.compiled.event_forms.get(item.type), policies=policies.history(item.employee))


@bp.route("/continuations/<int:case_id>", methods=["POST"])
@require("insurer")
def continuation_case(case_id):
    """Mark a leaver's continuation offered or declined."""
    item = continuation.for_insurer(g.tenant.slug, case_id)
    _decide({"offer": (lambda: continuation.offer(me(), item), _("Continuation marked as offered."), "success"),
             "decline": (lambda: continuation.decline(me(), item), _("Continuation marked as declined."), "info")},
            default="offer")
    return redirect(url_for("office.index", kind="continuations"))


@bp.route("/documents/<int:document_id>")
@require("insurer")
def document(document_id):
    """A group policy or individual policy of this insurer's cases; the download is audited."""
    return downloads.send_document(document_access.for_insurer(me(), g.tenant.slug, document_id))
