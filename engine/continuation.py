"""A leaver's continuation right (Fortführung ohne Gesundheitsprüfung): when a leaving takes effect and the
tenant sets `business_events[].continuation` for its kind, a case is opened with its due date (the leaving
date plus the tenant's deadline_months) and the private e-mail the event collected. The insurer marks it
offered or declined (back office and API, through engine/work_queue.py); the daily job lets an open case
lapse once its due date has passed."""
import calendar
import datetime

from tenants.event_kinds import event_kinds

from engine import audit, clock, registry, webhooks, workflow
from engine.errors import NotFound
from engine.models import ContinuationCase, utcnow

KINDS = event_kinds()


def setting(contract, event_type):
    """The tenant's continuation setting for an event kind ({deadline_months, email_field}) or None."""
    entry = next((e for e in registry.version(contract.tenant_version_id).doc.get("business_events", [])
                  if e["type"] == event_type), {})
    return entry.get("continuation")


def plus_months(day, months):
    """The same day `months` later (the month's last day when that month is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def open_for(event, actor):
    """Open the case of a leaving that took effect (inside its transaction); None when the tenant sets
    no continuation for the kind or the case exists."""
    contract = event.contract
    spec = setting(contract, event.type)
    if not spec or not KINDS[event.type].leaving:
        return None
    if ContinuationCase.select().where(ContinuationCase.event == event.id).exists():
        return None
    left = datetime.date.fromisoformat(str(event.data[KINDS[event.type].effective_date]))
    email = str(event.data.get(spec.get("email_field") or "", "") or "").strip()
    case = ContinuationCase.create(employee=event.employee_id, contract=contract.id, event=event.id,
                                   due_date=plus_months(left, spec["deadline_months"]), email=email,
                                   state=workflow.born("continuation", "open"))
    audit.record(actor, "continuation.opened", "continuation", case.id, tenant=contract.tenant_id,
                 after={"employee": event.employee_id, "event": event.id, "due_date": case.due_date,
                        "email": bool(email)}, employer=contract.employer_id)
    webhooks.emit(contract.tenant_id, "continuation.opened", {"id": case.id, "due_date": case.due_date.isoformat()})
    return case


def for_insurer(tenant_slug, case_id):
    case = ContinuationCase.get_or_none(ContinuationCase.id == case_id)
    if case is None or case.contract.tenant_id != tenant_slug:
        raise NotFound("Fortführung nicht gefunden.", "Continuation case not found.")
    return case


def offer(staff, case):
    """The insurer has sent the person the offer to continue privately."""
    return workflow.fire(case, "continuation", "offer", staff, changes={"decided_at": utcnow()})


def decline(staff, case):
    """The person declined (or did not want) to continue."""
    return workflow.fire(case, "continuation", "decline", staff, changes={"decided_at": utcnow()})


def lapse_due(today=None):
    """Open cases whose due date has passed lapse (the daily job); returns how many."""
    today = today or clock.today()
    lapsed = 0
    for case in ContinuationCase.select().where((ContinuationCase.state == "open")
                                                & (ContinuationCase.due_date < today)):
        lapsed += len(workflow.move(ContinuationCase, "continuation", "lapse", None, [case.id], scope=case.contract,
                                    changes={"decided_at": utcnow()}))
    return lapsed


def of_employee(employee):
    """The person's continuation cases, newest first."""
    return list(ContinuationCase.select().where(ContinuationCase.employee == employee.id)
                .order_by(ContinuationCase.id.desc()))

