"""The insurer's work queue: applications, enrolments and business events of one tenant, by state,
oldest first. The back office and the JSON API read these same functions, so both see the same
cases, scoped to the tenant in one place."""
from engine.models import Application, BusinessEvent, Employer, Enrolment, GroupContract, Offer

DECIDED = ("accepted", "rejected", "info_requested")


def _window(query, model, after, limit):
    query = query.where(model.id > after).order_by(model.id)
    return list(query.limit(limit) if limit else query)


def applications(tenant_slug, state="released", after=0, limit=None):
    query = (Application.select(Application, Employer, Offer).join(Employer).switch(Application).join(Offer)
             .where((Application.tenant == tenant_slug) & (Application.state == state)))
    return _window(query, Application, after, limit)


def enrolments(tenant_slug, state="sent", after=0, limit=None):
    query = (Enrolment.select(Enrolment, GroupContract, Employer).join(GroupContract).join(Employer)
             .where((GroupContract.tenant == tenant_slug) & (Enrolment.state == state)))
    return _window(query, Enrolment, after, limit)


def events(tenant_slug, state="submitted", after=0, limit=None):
    query = (BusinessEvent.select(BusinessEvent, GroupContract, Employer).join(GroupContract).join(Employer)
             .where((GroupContract.tenant == tenant_slug) & (BusinessEvent.state == state)))
    return _window(query, BusinessEvent, after, limit)


def recent_decisions(tenant_slug, count=10):
    """The tenant's latest decided applications, newest first."""
    return list(Application.select().where((Application.tenant == tenant_slug) & (Application.state.in_(DECIDED)))
                .order_by(Application.id.desc()).limit(count))
