"""Business events (Geschäftsvorfälle): filed by the employer for the event types its insurer
supports, checked by the platform's and the tenant's precondition rules, processed by the insurer,
and applied as a new policy version.

The event kinds are data (tenants/event_kinds.yaml): each names its form, the field with its
effective date and its effects, which come from the small vocabulary EFFECTS below. Which kinds an
insurer offers, their extra fields and preconditions come from its tenant YAML.
"""
import datetime
from decimal import Decimal

from rules.evaluate import evaluate
from rules.facts import EMPLOYEE_FIELDS, FACTS_AT, read
from tenants.event_kinds import event_kinds

from engine import (audit, checks, clock, contract_groups, cover, enrolments, family, policies, registry, signals,
                    start_window, webhooks, workflow)
from engine.db import prepared, transaction
from engine.values import stored_all
from engine.errors import DomainError, NotFound, joined
from engine.models import BusinessEvent, Employee, utcnow
from peewee import fn

KINDS = event_kinds()
# the employee's fields preconditions read (its catalogue marks them `event`), as stored: the group assigned
EVENT_EMPLOYEE_FACTS = {name: EMPLOYEE_FIELDS[name] for name in FACTS_AT["event"]["employee"]}


def supported(live):
    return [event["type"] for event in live.doc.get("business_events", [])]


def form_for(live, event_type, employee=None):
    """The event's form; for one employee as the employer fills it in (family.person_form)."""
    if event_type not in supported(live):
        raise NotFound("Dieser Geschäftsvorfall wird von diesem Versicherer nicht unterstützt.",
                       "This insurer does not support this business event.")
    form = live.compiled.event_forms[event_type]
    return form if employee is None else family.person_form(live, form, event_type, employee)


def facts(contract, employee, event_type, values, insured_count):
    effective = values.get(KINDS[event_type].effective_date)
    return {"event": {"type": event_type, "effective_date": effective, **values},
            "employee": read(employee, EVENT_EMPLOYEE_FACTS),
            "contract": {"start_date": contract.start_date, "insured_count": insured_count,
                         "min_insured": registry.version(contract.tenant_version_id).settings.min_insured},
            "today": clock.today()}


INSURED_STATES = ("accepted", "insured")  # a policy is issued (cover from its start)


def findings(live, contract, employee, event_type, values):
    """Rejections and warnings of the platform's and the tenant's precondition rules."""
    insured = Employee.select().where((Employee.contract == contract)
                                      & Employee.state.in_(INSURED_STATES)).count()
    if ends_cover(event_type) and employee.state in INSURED_STATES:
        insured -= 1
    fact_set = facts(contract, employee, event_type, values, insured)
    decisions = evaluate(checks.platform_rules(live), [fact_set])
    decisions += evaluate(live.compiled.preconditions[event_type], [fact_set])
    return checks._findings(decisions) + _missing_required(live.compiled.event_forms[event_type], decisions,
                                                            fact_set["event"])


def _missing_required(form, decisions, event):
    """A `require: <field>` outcome refuses the event while that field is empty."""
    found = []
    for outcome in (o for decision in decisions for o in decision.of_kind("require")):
        if event.get(outcome.value) in (None, "", [], ()):
            label = form[outcome.value].label if outcome.value in form else None
            found.append({"kind": "reject", "rule": outcome.rule_id, "field": outcome.value, "text": {
                "de": f"Bitte füllen Sie „{label.de if label else outcome.value}“ aus.",
                "en": f"Please fill in “{label.en if label else outcome.value}”."}})
    return found


def file(user, contract, employee, event_type, values):
    """Record an event after its preconditions; DomainError names the rule that refused it."""
    live = registry.version(contract.tenant_version_id)
    form_for(live, event_type)
    if employee.state in ("left", "deceased"):
        raise DomainError("Für diese Person ist kein Vertrag mehr aktiv.",
                          "This person no longer has an active policy.")
    _return_needs_unpaid_period(employee, event_type, values)
    for name, spec in KINDS[event_type].effects:
        if name == "change_group":
            contract_groups.check_on(contract, values.get(spec["field"]),
                                     _date(values.get(KINDS[event_type].effective_date)), spec["field"])
    values = family.check_filing(live, contract, employee, event_type, values)
    found = findings(live, contract, employee, event_type, values) + family.filing_warnings(
        live, contract, employee, event_type, values)
    refused = [f for f in found if f["kind"] == "reject"]
    if refused:
        raise DomainError(**joined(f["text"] for f in refused))
    with transaction():
        event = BusinessEvent.create(contract=contract, employee=employee, type=event_type,
                                     data=stored_all(values), created_by=user)
        audit.record(user, "event.filed", "business_event", event.id, tenant=contract.tenant_id,
                     after={"type": event_type, "employee": employee.id, **event.data}, employer=contract.employer_id)
        webhooks.emit(contract.tenant_id, "event.filed", {"id": event.id, "type": event_type})
        signals.work_arrived.send(contract.tenant_id, kind="event", contract=contract, count=1)
    return event, [f for f in found if f["kind"] == "warn"]


def _return_needs_unpaid_period(employee, event_type, values):
    """A return ends an unpaid period early: the person must be in one on the day before the return."""
    if not any(name == "resume_cover" for name, _ in KINDS[event_type].effects):
        return
    day = _date(values.get(KINDS[event_type].effective_date))
    if day is None:
        return
    period = cover.state_on(employee, day - datetime.timedelta(days=1))
    if not cover.is_unpaid(period) or not cover.is_unpaid(cover.state_on(employee, day)):
        raise DomainError(f"Am {day:%d.%m.%Y} ist die Person in keiner Freistellung, die durch eine Rückkehr "
                          "enden könnte.",
                          f"On {day:%Y-%m-%d} the person is on no unpaid leave a return could end.",
                          field=KINDS[event_type].effective_date)


@prepared
def _open_count(contract_id):
    return BusinessEvent.select(fn.COUNT(BusinessEvent.id)).where(
        (BusinessEvent.contract == contract_id) & (BusinessEvent.state == "submitted")).tuples()


def open_count(contract):
    """How many of the contract's business events wait for the insurer."""
    [(count,)] = _open_count(contract.id)
    return count


def for_insurer(tenant_slug, event_id):
    event = BusinessEvent.get_or_none(BusinessEvent.id == event_id)
    if event is None or event.contract.tenant_id != tenant_slug:
        raise NotFound("Geschäftsvorfall nicht gefunden.", "Business event not found.")
    return event


def accept(staff, event):
    return workflow.fire(event, "business_event", "accept", staff,
                         changes={"decided_at": utcnow()})


def reject(staff, event, comment):
    return workflow.fire(event, "business_event", "reject", staff,
                         data={"comment": comment}, changes={"decided_at": utcnow(), "reason": (comment or "").strip()})


def _date(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def end_of_month(day):
    return start_window.first_of_next_month(day) - datetime.timedelta(days=1)


def ends_cover(event_type):
    return any(name == "end_cover" for name, _ in KINDS[event_type].effects)


def effective_date(event):
    return _date(event.data[KINDS[event.type].effective_date])


# The effects an event kind can have. Each takes (event, parameters from the kind, current policy)
# and returns (changes of the person, changes of the policy).

def _update_person(event, fields, current):
    return {name: event.data[name] for name in fields if event.data.get(name)}, {}


def _end_cover(event, spec, current):
    return {}, {"status": "ended", "end_date": end_of_month(effective_date(event)),
                "person_transition": spec["person_transition"]}


def _suspend_cover(event, spec, current):
    # The tenant's treatment (cover.treatment): Ruhendstellung suspends cover and premium,
    # premium_free keeps cover without premium, employer_pays / employee_pays keep both.
    name, _ = cover.treatment(event, event.contract)
    if name in ("employer_pays", "employee_pays"):
        return {}, {}
    return {}, {"status": "active" if name == "premium_free" else "suspended", "premium": Decimal("0.00")}


def _resume_cover(event, spec, current):
    contract, employee, day = event.contract, event.employee, effective_date(event)
    live = registry.version(contract.tenant_version_id)
    group = employee.tariff_group or (current.tariff_group if current else None)
    return {}, {"status": "active", "premium": enrolments.premium_of(live, contract, employee, group, day)}


def _change_group(event, spec, current):
    contract, group, start = event.contract, event.data[spec["field"]], effective_date(event)
    live = registry.version(contract.tenant_version_id)
    return {"tariff_group": group}, {
        "tariff_group": group, "tariffs": enrolments.tariffs_of(contract, group, day=start), "start_date": start,
        "premium": enrolments.premium_of(live, contract, event.employee, group, start)}


def _family_cover(event, spec, current):
    # a family member's cover is their own (engine/family.py): the employee's policy stays as it is
    return {}, {}


EFFECTS = {"update_person": _update_person, "end_cover": _end_cover, "suspend_cover": _suspend_cover,
           "change_group": _change_group, "resume_cover": _resume_cover,
           "add_family_member": _family_cover, "end_family_cover": _family_cover}
_unknown = {name for kind in KINDS.values() for name, _ in kind.effects} - set(EFFECTS)
if _unknown:  # a kind naming an effect the platform does not have fails at start, not when filed
    raise RuntimeError(f"tenants/event_kinds.yaml names unknown effects: {sorted(_unknown)}")


@workflow.effect("apply_event")
def _apply(event, ctx):
    """Issue the adjusted policy (a new version; the old one stays) as the insurer's document; the
    ledger and the person change on the event's day (engine/cover.py), at once when it has come."""
    employee, contract = event.employee, event.contract
    current = policies.current(employee)
    policy = {}
    for name, spec in KINDS[event.type].effects:
        policy.update(EFFECTS[name](event, spec, current)[1])
    policy.pop("person_transition", None)
    family.accepted(event, ctx.actor)
    cover.event_accepted(event, ctx.actor)
    if current is not None:  # after the person's data changed, so the document shows them
        policies.issue(Employee.get_by_id(employee.id), contract, number=current.number, event=event,
                       start_date=policy.get("start_date", current.start_date),
                       end_date=policy.get("end_date", current.end_date),
                       tariff_group=policy.get("tariff_group", current.tariff_group),
                       tariffs=policy.get("tariffs", current.tariffs),
                       premium=policy.get("premium", current.premium), status=policy.get("status", current.status))


@workflow.guard("not_yet_in_force")
def _not_yet_in_force(event, ctx):
    if event.applied_at is not None:
        raise DomainError("Der Geschäftsvorfall ist bereits wirksam und kann nicht mehr storniert werden.",
                          "The business event has already taken effect and can no longer be cancelled.")


def cancel(user, event):
    """The employer cancels an event until it takes effect."""
    return workflow.fire(event, "business_event", "cancel", user, changes={"decided_at": utcnow()})


def of_employee(employee):
    return list(employee.events.order_by(BusinessEvent.id.desc()))
