"""The group of a person with a policy, checked again when their data change (hand form, import, an event
updating person data): the rules are run for the date of the change; a group other than the insured one
is kept as a proposal ("Tarifgruppe wechseln: von X nach Y ab <date>", or no group any more), the
employer is told once, and the person page offers to file the tariff group change. Nothing changes by
itself: the group changes only through that event."""
import datetime

from engine import audit, contract_groups, eligibility, employee_record, enrolments, registry, signals, start_window
from engine.models import BusinessEvent, Employee, utcnow

CHECKED_STATES = ("accepted", "insured")  # a policy is issued in the insured group
CHANGE_EVENT = "tariff_group_change"


def rule_facts(employee, requested):
    """The person's stored data as the rules read them, with the group the employer names (the file's or
    form's, else the insured one): a rule that assigns a group wins, else the named group while it
    holds, else the first that does."""
    row = {name: getattr(employee, name) for name in employee_record.stored()}
    row["tariff_group"] = (requested or "").strip() or employee.tariff_group or ""
    return row


def recheck(employee, actor, day=None, requested=None):
    """Run the rules for a person with a policy on `day` (default: the 1st cover changed now could take
    effect) and keep what they say against the insured group; call inside the change's transaction.
    `requested`: the group the employer names in the file or form. Returns the proposal ({from, to,
    date}) or None."""
    employee = Employee.get_by_id(employee.id)
    if employee.state not in CHECKED_STATES:
        return None
    contract = employee.contract
    day = start_window.first_on_or_after(day) if day else enrolments.opens(contract)
    live = registry.version(contract.tenant_version_id)
    [assignment] = eligibility.assign(live, [rule_facts(employee, requested)], day,
                                      groups=[g["id"] for g in contract_groups.groups_on(contract, day)])
    proposal = None
    if assignment.group != employee.tariff_group:
        proposal = {"from": employee.tariff_group, "to": assignment.group, "date": day.isoformat()}
    if proposal == employee.group_proposal:
        return proposal
    Employee.update(group_proposal=proposal, updated_at=utcnow()).where(Employee.id == employee.id).execute()
    audit.record(actor, "employee.group_proposed" if proposal else "employee.group_confirmed", "employee",
                 employee.id, tenant=contract.tenant_id, before={"group_proposal": employee.group_proposal},
                 after={"group_proposal": proposal, "explanation": _reasons(assignment)},
                 employer=contract.employer_id)
    if proposal:
        signals.group_proposed.send(contract, employee=employee, proposal=proposal)
    return proposal


def _reasons(assignment):
    """Why the rules see no group or another one: the failed requirements of the insured group."""
    return {"rejected": assignment.explanation.get("rejected", []),
            "groups": assignment.explanation.get("groups", {})}


def proposal(employee):
    """The proposal the person page shows, or None: none once the person is in the proposed group, for a
    person without a policy, or while a tariff group change to that group is filed or waiting for its day."""
    found = employee.group_proposal
    if not found or employee.state not in CHECKED_STATES or found["to"] == employee.tariff_group:
        return None
    if found["to"] is not None:
        for event in BusinessEvent.select().where(
                (BusinessEvent.employee == employee.id) & (BusinessEvent.type == CHANGE_EVENT)
                & ((BusinessEvent.state == "submitted")
                   | ((BusinessEvent.state == "accepted") & BusinessEvent.applied_at.is_null()))):
            if (event.data or {}).get("new_group") == found["to"]:
                return None
    return dict(found, date=datetime.date.fromisoformat(found["date"]))
