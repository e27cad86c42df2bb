"""The group-contract application: broker and employer fill the tenant's application form together
until the broker submits it; each change is attributed in the audit log."""
from forms import validate

from engine import accounts, audit, workflow
from engine.values import stored
from engine.db import transaction
from engine.errors import Conflict, DomainError, NotFound
from engine.models import Application, utcnow

EDITABLE = ("draft", "returned", "info_requested")


def role_for(user, application):
    """'broker' or 'employer' when the user may work on this application, else None."""
    if application.broker_id == user.id:
        return "broker"
    return "employer" if accounts.works_for(user, application.employer_id) else None


def get_for(user, application_id):
    application = Application.get_or_none(Application.id == application_id)
    if application is None or role_for(user, application) is None:
        raise NotFound("Antrag nicht gefunden.", "Application not found.")
    return application


def for_employer_members(user):
    return list(Application.select().where(Application.employer.in_(accounts.employer_ids(user))).order_by(Application.id.desc()))


def save(user, application, raw_values, live, lock_version):
    """Store the form's values (validated leniently: a draft may be incomplete, but what is there
    must be valid). Returns (application, errors)."""
    if application.state not in EDITABLE:
        raise DomainError("Der Antrag ist übermittelt und lässt sich nicht mehr ändern.",
                          "The application has been submitted and can no longer be changed.")
    result = validate(live.compiled.application_form, raw_values, "de")
    errors = {k: v for k, v in result.errors.items() if (raw_values.get(k) not in (None, "", []))}
    if errors:
        return application, errors
    values = {k: stored(v) for k, v in result.values.items() if v not in (None, "", [])}
    with transaction():
        before = application.data
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        removed = {k: None for k in before if k not in values and raw_values.get(k) in ("", None) and k in raw_values}
        if not changed and not removed:  # nothing to store: no new version, no conflict for others
            return Application.get_by_id(application.id), {}
        data = {**before, **values}
        for key in removed:
            data.pop(key, None)
        updated = (Application.update(data=data, lock_version=Application.lock_version + 1)
                   .where((Application.id == application.id) & (Application.lock_version == int(lock_version))
                          & (Application.state.in_(EDITABLE))).execute())
        if updated != 1:
            raise Conflict("Der Antrag wurde inzwischen von jemand anderem geändert. Ihre Eingaben sind unten "
                           "noch zu sehen; bitte laden Sie die Seite neu und übernehmen Sie sie.",
                           "Someone else has changed the application in the meantime. Your entries are still "
                           "shown below; please reload the page and enter them again.")
        audit.record(user, "application.edited", "application", application.id, tenant=application.tenant_id,
                     before={k: before.get(k) for k in {**changed, **removed}}, after={**changed, **removed},
                     employer=application.employer_id)
    return Application.get_by_id(application.id), {}


def missing(application, live):
    """Field errors that keep the application from being submitted."""
    return validate(live.compiled.application_form, application.data, "de").errors


def submit(broker, application, live):
    return workflow.fire(application, "application", "submit", broker, "broker", tenant=application.tenant_id,
                         changes={"submitted_at": utcnow()}, data={"live": live})


@workflow.guard("application_complete")
def _complete(application, ctx):
    errors = missing(application, ctx.data["live"])
    if errors:
        fields = ", ".join(sorted(errors))
        raise DomainError("Der Antrag ist noch unvollständig: " + fields,
                          "The application is not complete yet: " + fields)
