"""The insurer's work queue: applications, enrolments and business events of one tenant, by state,
oldest first, optionally narrowed to one employer and a search (name, personnel number, company);
and accepting or rejecting many at once. The back office and the JSON API read these same functions, so both see
the same cases, scoped to the tenant in one place."""
from peewee import fn

from engine import digests, enrolments as enrolment_steps, events as event_steps, names, workflow
from engine.db import transaction
from engine.errors import DomainError
from engine.models import (Application, BusinessEvent, ContinuationCase, Employee, Employer, Enrolment, GroupContract,
                           Offer)

DECIDED = ("accepted", "rejected", "info_requested")
KINDS = ("applications", "enrolments", "events", "continuations")


def _window(query, model, after, limit):
    query = query.where(model.id > after).order_by(model.id)
    return list(query.limit(limit) if limit else query)


def _contains(term, *columns):
    """Any of the columns contains `term`, ignoring case."""
    pattern = f"%{term.strip().lower()}%"
    condition = None
    for column in columns:
        part = fn.LOWER(column) ** pattern
        condition = part if condition is None else condition | part
    return condition


def _narrowed(query, employer, search, *columns):
    if employer:
        query = query.where(Employer.id == employer)
    if search and search.strip():
        condition = _contains(search, Employer.company_name, *columns)
        if any(column is Employee.last_name for column in columns):  # "schroder" finds Schröder (engine/names.py)
            condition |= names.spelled_sql(Employee.name_key) ** f"%{names.searched(search)}%"
        query = query.where(condition)
    return query


def applications(tenant_slug, state="released", after=0, limit=None, employer=None, search=None):
    query = (Application.select(Application, Employer, Offer).join(Employer).switch(Application).join(Offer)
             .where((Application.tenant == tenant_slug) & (Application.state == state)))
    return _window(_narrowed(query, employer, search), Application, after, limit)


def enrolments(tenant_slug, state="sent", after=0, limit=None, employer=None, search=None):
    query = (Enrolment.select(Enrolment, GroupContract, Employer, Employee).join(GroupContract).join(Employer)
             .switch(Enrolment).join(Employee)
             .where((GroupContract.tenant == tenant_slug) & (Enrolment.state == state)))
    query = _narrowed(query, employer, search, Employee.first_name, Employee.last_name, Employee.personnel_number)
    return _window(query, Enrolment, after, limit)


def events(tenant_slug, state="submitted", after=0, limit=None, employer=None, search=None):
    query = (BusinessEvent.select(BusinessEvent, GroupContract, Employer, Employee).join(GroupContract).join(Employer)
             .switch(BusinessEvent).join(Employee)
             .where((GroupContract.tenant == tenant_slug) & (BusinessEvent.state == state)))
    query = _narrowed(query, employer, search, Employee.first_name, Employee.last_name, Employee.personnel_number)
    return _window(query, BusinessEvent, after, limit)


def continuations(tenant_slug, state="open", after=0, limit=None, employer=None, search=None):
    """Leavers' continuation cases (engine/continuation.py), oldest first: the open ones are due by their date."""
    query = (ContinuationCase.select(ContinuationCase, GroupContract, Employer, Employee).join(GroupContract)
             .join(Employer).switch(ContinuationCase).join(Employee)
             .where((GroupContract.tenant == tenant_slug) & (ContinuationCase.state == state)))
    query = _narrowed(query, employer, search, Employee.first_name, Employee.last_name, Employee.personnel_number)
    return _window(query, ContinuationCase, after, limit)


def employers(tenant_slug):
    """The tenant's policyholders, for the queue's employer filter: [(id, company name)]."""
    query = (Employer.select(Employer.id, Employer.company_name).join(GroupContract)
             .where(GroupContract.tenant == tenant_slug).distinct())
    return sorted(query.tuples(), key=lambda row: (names.fold(row[1]), row[0]))  # German order (engine/names.py)


def recent_decisions(tenant_slug, count=10):
    """The tenant's latest decided applications, newest first."""
    return list(Application.select().where((Application.tenant == tenant_slug) & (Application.state.in_(DECIDED)))
                .order_by(Application.id.desc()).limit(count))


def _person(item):
    employee = item.employee
    return f"{employee.first_name} {employee.last_name}".strip()


_DECISIONS = {"enrolments": (enrolment_steps.for_insurer, {"accept": enrolment_steps.accept,
                                                              "reject": enrolment_steps.reject}),
              "events": (event_steps.for_insurer, {"accept": event_steps.accept, "reject": event_steps.reject})}
DECISIONS = ("accept", "reject")


def decide_all(staff, tenant_slug, kind, ids, decision="accept", comment=None):
    """Accept, or reject with one reason, each of the tenant's enrolments or events in `ids` as one by
    one (the same lookup, the same workflow step and checks), each in its own savepoint: one refused
    (already decided, changed meanwhile, of another insurer) is reported and the others go on. The
    employer gets one digest mail for the batch (engine/digests.py), written in the same transaction
    as the decisions. A rejection without a reason is refused before any is touched.
    Returns [{id, name, done, message ({de, en} or None)}] in the order given."""
    find, steps = _DECISIONS[kind]
    if decision == "reject":
        workflow.require_comment(comment)
    decide = steps[decision] if decision == "accept" else lambda staff, item: steps["reject"](staff, item, comment)
    results = []
    with transaction(), digests.batch():
        for item_id in dict.fromkeys(ids):
            name = ""
            try:
                with transaction():
                    item = find(tenant_slug, item_id)
                    name = _person(item)
                    decide(staff, item)
            except DomainError as exc:
                results.append({"id": item_id, "name": name, "done": False, "message": exc.text})
            else:
                results.append({"id": item_id, "name": name, "done": True, "message": None})
    return results
