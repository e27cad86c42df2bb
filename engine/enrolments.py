"""Enrolments (Anmeldungen): the employer sends eligible employees; the insurer issues a policy each."""
from decimal import Decimal

from peewee import fn, SQL

from engine import (clock, contract_groups, cover, formatting, level_changes, policies, pricing, registry,
                    signals, start_window, webhooks, workflow)
from engine import price_changes
from engine.db import prepared, transaction
from engine.errors import DomainError, NotFound
from engine.models import Employee, Enrolment, utcnow


def opens(contract, today=None):
    """The first day cover sent today can begin: the contract's start, or once it runs the 1st of next month."""
    today = today or clock.today()
    return contract.start_date if today < contract.start_date else start_window.first_of_next_month(today)


def is_ready(state, tariff_group, eligible_from=None, opening=None):
    """Ready for enrolment: not yet enrolled, assigned a tariff group and eligible by the time cover sent
    now would begin (`opening`, see `opens`; None: not checked). The one rule behind the checkboxes, the
    "enrol all" count and `ready_ids` (which says it in SQL)."""
    return (state == "new" and bool(tariff_group)
            and (opening is None or (eligible_from is not None and eligible_from <= opening)))


def ready_ids(contract, after=0, limit=None, waiting=False):
    """Ids of the contract's employees who are ready for enrolment, in id order: what "enrol all" sends
    (a chunk of it: the ids greater than `after`, at most `limit`). waiting=True: instead those with a
    group who are eligible only later (versicherbar ab)."""
    eligible = Employee.eligible_from <= opens(contract)
    query = Employee.select(Employee.id).where(
        (Employee.contract == contract) & (Employee.state == "new") & Employee.tariff_group.is_null(False)
        & (Employee.tariff_group != "") & (~eligible if waiting else eligible)
        & (Employee.id > after)).order_by(Employee.id)
    return [row[0] for row in (query.limit(limit) if limit else query).tuples()]


@prepared
def _ready_count(contract_id, opening):
    return Employee.select(fn.COUNT(SQL("*"))).where(
        (Employee.contract == contract_id) & (Employee.state == "new") & Employee.tariff_group.is_null(False)
        & (Employee.tariff_group != "") & (Employee.eligible_from <= opening)).tuples()


def ready_count(contract):
    """How many of `ready_ids` there are, counted by the database (the contract page's "enrol all")."""
    [(count,)] = _ready_count(contract.id, opens(contract).isoformat())
    return count


def start_for(contract, employee, today=None):
    """Cover starts with the contract, or once it runs on the first of the next month; never before
    the person joins (the 1st on or after the entry date), nor before they are eligible and their group
    counts (a group added at an anniversary, engine/contract_groups.py)."""
    start = max(opens(contract, today), start_window.first_on_or_after(employee.employment_start),
                contract_groups.first_day(contract, employee.tariff_group) or contract.start_date)
    return max(start, employee.eligible_from) if employee.eligible_from else start


def not_yet_eligible(employee):
    """The reason an employee eligible only later is not enrolled now, as {de, en}."""
    day = employee.eligible_from
    return {"de": f"Noch nicht versicherbar: versicherbar ab {formatting.date(day)}.",
            "en": f"Not yet eligible: eligible from {formatting.date(day)}."}


def left_before(employee, start):
    """The reason a person who leaves before cover could begin is not enrolled, as {de, en}."""
    return {"de": f"Nicht angemeldet: Austritt am {formatting.date(employee.leaving_date)}, vor Beginn des "
                  f"Versicherungsschutzes ({formatting.date(start)}).",
            "en": f"Not enrolled: leaves on {formatting.date(employee.leaving_date)}, before cover would begin "
                  f"({formatting.date(start)})."}


def leaves_before_cover(contract, employee):
    """Why a person not yet enrolled will not be: they leave before cover could begin ({de, en}), else None."""
    if employee.state != "new" or employee.leaving_date is None:
        return None
    start = start_for(contract, employee)
    return left_before(employee, start) if employee.leaving_date < start else None


def tariffs_of(contract, group_id, live=None, day=None):
    """The tariffs a person of the group is insured in: the group's budget level (on `day`, when a
    level change at an anniversary is asked for; default: as contracted) and its modules."""
    for group in contract.groups:
        if group["id"] == group_id:
            return pricing.chosen_tariffs(live or registry.version(contract.tenant_version_id),
                                          level_changes.group_on(group, day) if day else group)
    raise DomainError(f"Die Tarifgruppe {group_id} ist im Vertrag nicht vereinbart.",
                      f"The tariff group {group_id} is not part of the group contract.")


def premium_of(live, contract, employee, group_id, start):
    person = pricing.Person(birth_date=employee.birth_date, employment_type=employee.employment_type,
                            insured_count=pricing.insured_count_of(contract.groups))
    return sum((pricing.premium(live, t, group_id, person, start) for t in tariffs_of(contract, group_id, live, start)),
               Decimal("0.00"))


NEVER_ELIGIBLE = {"de": "Nicht versicherbar: die Person erfüllt die Zugangsvoraussetzungen auch künftig nicht.",
                  "en": "Not eligible: the person will not meet the eligibility requirements later either."}
ALREADY_ENROLLED = {"de": "Bereits angemeldet oder nicht mehr im Unternehmen.",
                    "en": "Already enrolled or no longer with the company."}


def send(user, contract, employee_ids):
    """Enrol the chosen employees that have a tariff group and no open enrolment.

    Returns (sent, skipped) where skipped is a list of (employee, reason as {de, en})."""
    live = registry.version(contract.tenant_version_id)
    window = start_window.window(live)
    chosen = list(Employee.select().where((Employee.contract == contract) & (Employee.id.in_(list(employee_ids)))))
    sent, skipped, starts = [], [], {}  # starts: the people to enrol, by id, in the order chosen
    with transaction():
        for employee in chosen:
            if not employee.tariff_group:
                skipped.append((employee, {"de": "Keine Tarifgruppe: die Person erfüllt keine Zugangsvoraussetzung.",
                                           "en": "No tariff group: the person meets none of the eligibility "
                                                 "requirements."}))
                continue
            if employee.state != "new":
                skipped.append((employee, ALREADY_ENROLLED))
                continue
            if employee.eligible_from is None or employee.eligible_from > opens(contract):
                skipped.append((employee, not_yet_eligible(employee) if employee.eligible_from else NEVER_ELIGIBLE))
                continue
            start = start_for(contract, employee)
            if employee.leaving_date is not None and employee.leaving_date < start:
                skipped.append((employee, left_before(employee, start)))
                continue
            try:
                window.check(start)
            except DomainError as too_late:
                skipped.append((employee, too_late.text))
                continue
            starts[employee.id] = (employee, start)
        prices = price_changes.prices(contract)  # the insurer's changes that reached the contract price new people too
        made = {}

        def enrolment_of(employee_id):
            """A moved person's enrolment and its audit entry, written with the step's."""
            employee, start = starts[employee_id]
            premium = premium_of(prices, contract, employee, employee.tariff_group, start)
            made[employee_id] = enrolment = Enrolment.create(
                employee=employee, contract=contract, tariff_group=employee.tariff_group,
                tariffs=tariffs_of(contract, employee.tariff_group, live, start), start_date=start,
                premium=str(premium), created_by=user)
            return [("enrolment.sent", "enrolment", enrolment.id,
                     {"employee": employee_id, "group": employee.tariff_group, "premium": str(premium)})]
        # the state changes only from "new": of several sends at once (two clicks, two tabs) one takes each
        # person. One statement moves them all, one writes the audit entries (each person's step with
        # their enrolment): an "enrol all" sends thousands
        if starts:
            workflow.move(Employee, "employee", "enrol", user, list(starts), scope=contract,
                          changes={"updated_at": utcnow()}, also=enrolment_of)
        skipped += [(employee, ALREADY_ENROLLED) for employee, _ in starts.values() if employee.id not in made]
        sent = [made[employee_id] for employee_id in starts if employee_id in made]
        if sent:
            webhooks.emit(contract.tenant_id, "enrolments.sent", {"ids": [e.id for e in sent]})
            signals.work_arrived.send(contract.tenant_id, kind="enrolments", contract=contract, count=len(sent))
    return sent, skipped


def for_insurer(tenant_slug, enrolment_id):
    enrolment = (Enrolment.select().join_from(Enrolment, Employee)
                 .where((Enrolment.id == enrolment_id)).first())
    if enrolment is None or enrolment.contract.tenant_id != tenant_slug:
        raise NotFound("Anmeldung nicht gefunden.", "Enrolment not found.")
    return enrolment


def accept(staff, enrolment, number=None, pdf=None):
    if pdf is not None and not pdf.startswith(b"%PDF"):
        raise DomainError("Die hochgeladene Police ist keine PDF-Datei.", "The uploaded policy is not a PDF file.",
                          field="policy_pdf")
    return workflow.fire(enrolment, "enrolment", "accept", staff,
                         data={"number": (number or "").strip(), "pdf": pdf}, changes={"decided_at": utcnow()})


def reject(staff, enrolment, comment):
    return workflow.fire(enrolment, "enrolment", "reject", staff,
                         data={"comment": comment}, changes={"decided_at": utcnow(), "reason": (comment or "").strip()})


@workflow.effect("issue_policy_for_enrolment")
def _issue(enrolment, ctx):
    employee, contract = enrolment.employee, enrolment.contract
    number = ctx.data.get("number") or f"{contract.policy_number}-{employee.personnel_number}"
    policies.issue(employee, contract, number=number, start_date=enrolment.start_date,
                   tariff_group=enrolment.tariff_group, tariffs=enrolment.tariffs, premium=enrolment.premium,
                   enrolment=enrolment, pdf=ctx.data.get("pdf"))
    cover.open_first(enrolment, ctx.actor)
    # insured once cover has begun; a later start is "zugesagt ab" until then (insure_started)
    step = "insure" if enrolment.start_date <= clock.today() else "accept"
    workflow.move(Employee, "employee", step, ctx.actor, [employee.id], scope=contract,
                  changes={"updated_at": utcnow()})


def insure_started(today=None):
    """People whose policy was issued for a later start become insured on that day (the daily job).
    Returns how many moved."""
    today = today or clock.today()
    due = (Employee.select(Employee.id, Employee.contract).join(Enrolment, on=(Enrolment.employee == Employee.id))
           .where((Employee.state == "accepted") & (Enrolment.state == "accepted")
                  & (Enrolment.start_date <= today)).distinct())
    by_contract = {}
    for employee in due:
        by_contract.setdefault(employee.contract_id, []).append(employee.id)
    moved = 0
    for contract_id, ids in by_contract.items():
        contract = Employee.get_by_id(ids[0]).contract
        moved += len(workflow.move(Employee, "employee", "insure", None, ids, scope=contract,
                                   changes={"updated_at": utcnow()}))
    return moved


def accepted_start(employee):
    """The day cover begins for a person whose policy is issued for a later start ("zugesagt ab"), or None."""
    if employee.state != "accepted":
        return None
    enrolment = (Enrolment.select(Enrolment.start_date).where((Enrolment.employee == employee.id)
                                                              & (Enrolment.state == "accepted"))
                 .order_by(Enrolment.id.desc()).first())
    return enrolment.start_date if enrolment else None


@workflow.effect("reopen_employee")
def _reopen(enrolment, ctx):
    """A rejected enrolment leaves the employee ready to be corrected and enrolled again."""
    workflow.move(Employee, "employee", "reopen", ctx.actor, [enrolment.employee_id], scope=enrolment.contract,
                  changes={"updated_at": utcnow()})


def of_employee(employee):
    return list(employee.enrolments.order_by(Enrolment.id.desc()))
