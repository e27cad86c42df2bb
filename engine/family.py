"""Family members (Familienangehörige) as insured persons of their own: added through an employee by
the event family_member_added, priced by their own age with the tariffs' family_premium, paid as the
tenant's settings.family_payer says (the employee by SEPA mandate, engine/mandates.py), and removed by
family_member_removed or with the end of the employee's cover. Their periods are in the one cover
ledger (engine/cover.py), which asks this module how a family member is priced and which events
change their cover."""
import dataclasses
import datetime
from decimal import Decimal

from forms import Form, Option, Text
from tenants.event_kinds import event_kinds

from engine import audit, clock, cover, enrolments, mandates, pricing, registry
from engine.errors import DomainError
from engine.models import BusinessEvent, Employee, FamilyMember, GroupContract

KINDS = event_kinds()
ROLES = {"spouse": {"de": "Ehe- oder Lebenspartner(in)", "en": "Spouse or partner"},
         "child": {"de": "Kind", "en": "Child"}}
MANDATE_FIELDS = ("account_holder", "iban", "mandate_date")


def _spec(event_type, effect):
    """The parameters of `effect` in an event kind, or None when the kind does not have it."""
    return next((spec for name, spec in KINDS[event_type].effects if name == effect), None)


def adds(event_type):
    return _spec(event_type, "add_family_member") is not None


def member_field(event_type):
    """The form field naming the family member an event removes, or None."""
    spec = _spec(event_type, "end_family_cover")
    return spec["member_field"] if spec is not None else None


def _date(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


# --- pricing ---------------------------------------------------------------------------------------

def tariffs_of(live, contract, group_id):
    """The tariffs a family member of a person in the group is insured in: those of the group's
    tariffs that have a family_premium."""
    return [t for t in enrolments.tariffs_of(contract, group_id, live) if t in live.compiled.family_formulas]


def premium_of(live, contract, member, group_id, day):
    """A family member's monthly premium on `day`: the family premiums by their own age and role."""
    person = pricing.Person(birth_date=member.birth_date, role=member.role,
                            employment_type=member.employee.employment_type,
                            insured_count=pricing.insured_count_of(contract.groups))
    return sum((pricing.premium(live, t, group_id, person, day) for t in tariffs_of(live, contract, group_id)),
               Decimal("0.00"))


def first_period(member, contract, event):
    """The period the event family_member_added opens: from its start date in the employee's group."""
    live = registry.version(contract.tenant_version_id)
    day, group = cover.effective_date(event), member.employee.tariff_group
    return cover.Period(day, None, "insured", group, tuple(tariffs_of(live, contract, group)),
                        premium_of(live, contract, member, group, day), member.payer, "event",
                        contract.tenant_version_id, event_id=event.id, event_kind=event.type)


# --- which events change a family member's cover ----------------------------------------------------

def concerns(event, member):
    """Does `event` of the member's employee change the member's cover: the event that added them,
    one that removes them, the end of the employee's own cover, their group change, unpaid period or
    return."""
    field = member_field(event.type)
    if field is not None:
        return str(event.data.get(field)) == str(member.id)
    if adds(event.type):
        return event.id == member.event_id
    return any(name in FOLLOWED for name, _ in KINDS[event.type].effects)


# the effects of the employee's events a family member's cover follows (engine/cover.py, FOLLOWS)
FOLLOWED = ("end_cover", "change_group", "suspend_cover", "resume_cover")


def members(employee_id):
    """An employee's family members whose adding event was accepted (not cancelled), oldest first."""
    return list(FamilyMember.select().join(BusinessEvent).where(
        (FamilyMember.employee == employee_id) & (BusinessEvent.state == "accepted")).order_by(FamilyMember.id))


def concerned(event):
    """The family members whose cover `event` changes."""
    return [m for m in members(event.employee_id) if concerns(event, m)]


# --- filing, acceptance, taking effect -------------------------------------------------------------

def person_form(live, form, event_type, employee):
    """The event's form as the employer fills it in for `employee`: the family member to remove as a
    choice of the employee's family members; the mandate fields only when the employee pays."""
    field = member_field(event_type)
    if field is not None and field in form:
        options = tuple(Option(str(m.id), Text(*(f"{m.first_name} {m.last_name} ({ROLES[m.role][lang]})"
                                                 for lang in ("de", "en"))))
                        for m in members(employee.id))
        return Form(tuple(dataclasses.replace(f, type="select", options=options, min=None) if f.name == field else f
                          for f in form))
    if adds(event_type) and live.settings.family_payer != "employee":
        return Form(tuple(f for f in form if f.name not in MANDATE_FIELDS))
    return form


def check_filing(live, contract, employee, event_type, values):
    """Refuse an event adding or removing a family member that cannot take effect (DomainError with
    the field); the values to store (the member's id as a number)."""
    if adds(event_type):
        _check_added(live, contract, employee, values)
    field = member_field(event_type)
    if field is not None:
        values = {**values, field: _check_removed(employee, field, values.get(field),
                                                  KINDS[event_type].effective_date, values)}
    return values


def filing_warnings(live, contract, employee, event_type, values):
    """Warnings for an event of the employee that moves their family members: a group change to a group
    without family tariffs ends the members' cover the day before it (as events.findings' warnings)."""
    spec = _spec(event_type, "change_group")
    group = values.get(spec["field"]) if spec is not None else None
    if not group or not members(employee.id) or tariffs_of(live, contract, group):
        return []
    return [{"kind": "warn", "rule": "family_follows_group", "field": spec["field"], "text": {
        "de": "In der neuen Tarifgruppe gibt es keine Familientarife: der Versicherungsschutz der "
              "mitversicherten Familienangehörigen endet mit dem Wechsel.",
        "en": "The new tariff group has no family tariffs: the cover of the insured family members ends "
              "with the change."}}]


def _check_added(live, contract, employee, values):
    start = _date(values.get("start_date"))
    if not employee.tariff_group or not tariffs_of(live, contract, employee.tariff_group):
        raise DomainError("In der Tarifgruppe dieser Person können keine Familienangehörigen mitversichert werden.",
                          "Family members cannot be insured in this person's tariff group.")
    if start is not None and start.day != 1:
        raise DomainError("Familienangehörige werden ab dem 1. eines Monats versichert.",
                          "Family members are insured from the 1st of a month.", field="start_date")
    birth = _date(values.get("birth_date"))
    if start is not None and birth is not None and birth > start:
        raise DomainError("Das Geburtsdatum liegt nach dem Versicherungsbeginn.",
                          "The date of birth is after the start of cover.", field="birth_date")
    if start is not None and cover.state_on(employee, start) is None:
        raise DomainError(f"Am {start:%d.%m.%Y} ist die Person selbst nicht versichert.",
                          f"On {start:%Y-%m-%d} the employee is not insured.", field="start_date")
    if live.settings.family_payer == "employee":
        for name, de, en in (("account_holder", "den Kontoinhaber", "the account holder"),
                             ("iban", "die IBAN", "the IBAN"), ("mandate_date", "das Datum des Mandats",
                                                                "the mandate's date")):
            if not values.get(name):
                raise DomainError(f"Die Beiträge der Familienangehörigen zahlt die versicherte Person per "
                                  f"Lastschrift: bitte geben Sie {de} an.",
                                  f"The employee pays the family members' premiums by direct debit: please "
                                  f"enter {en}.", field=name)
        mandates.checked_iban(values["iban"])


def _check_removed(employee, field, raw, end_field, values):
    try:
        member_id = int(raw)
    except (TypeError, ValueError):
        member_id = None
    member = next((m for m in members(employee.id) if m.id == member_id), None)
    if member is None:
        raise DomainError("Diese(n) Familienangehörige(n) gibt es bei dieser Person nicht.",
                          "This person has no such family member.", field=field)
    end = _date(values.get(end_field))
    if end is not None and cover.state_on(member, end) is None:
        raise DomainError(f"Am {end:%d.%m.%Y} ist {member.first_name} {member.last_name} nicht versichert.",
                          f"On {end:%Y-%m-%d} {member.first_name} {member.last_name} is not insured.",
                          field=end_field)
    return member.id


def accepted(event, actor):
    """The insurer accepted an event adding a family member: the member exists from now on (their
    cover begins on the event's date, projected until then)."""
    if not adds(event.type) or FamilyMember.get_or_none(FamilyMember.event == event.id) is not None:
        return None
    contract = GroupContract.get_by_id(event.contract_id)
    live = registry.version(contract.tenant_version_id)
    data = event.data
    member = FamilyMember.create(employee=event.employee_id, event=event.id, role=data["role"],
                                 first_name=data["first_name"], last_name=data["last_name"],
                                 birth_date=_date(data["birth_date"]), payer=live.settings.family_payer,
                                 created_at=clock.utcnow())
    audit.record(actor, "family_member.added", "family_member", member.id, tenant=contract.tenant_id,
                 after={"employee": event.employee_id, "role": member.role, "event": event.id,
                        "payer": member.payer}, employer=contract.employer_id)
    return member


def in_force(event, actor):
    """An event adding a family member paid by the employee took effect: the employee's SEPA mandate
    from the event's fields is recorded (replacing an earlier one)."""
    if not adds(event.type) or not event.data.get("iban"):
        return
    member = FamilyMember.get_or_none(FamilyMember.event == event.id)
    if member is None or member.payer != "employee":
        return
    data = event.data
    mandates.record_for_employee(Employee.get_by_id(event.employee_id), data["account_holder"], data["iban"],
                                 _date(data["mandate_date"]), actor)


# --- reads -----------------------------------------------------------------------------------------

def of_employee(employee, month=None):
    """The employee's family members for the person page: [{id, role, first_name, last_name,
    birth_date, payer, premium (due for `month`, default this one), cover: written and projected
    periods}]."""
    month = (month or clock.today()).replace(day=1)
    found = []
    for member in members(employee.id):
        line = [p for p in cover.timeline(member) if not p.void]
        period = next((p for p in line if p.covers(month)), None)
        found.append({"id": member.id, "role": member.role, "first_name": member.first_name,
                      "last_name": member.last_name, "birth_date": member.birth_date, "payer": member.payer,
                      "premium": period.due_premium if period else Decimal("0.00"), "cover": line})
    return found
