"""The group-contract application: broker and employer fill the tenant's application form together
until the broker submits it; each change is attributed in the audit log."""
import datetime

from forms import validate
from rules import catalogue

from engine import accounts, audit, clock, registry, start_window, workflow
from engine.values import stored
from engine.db import transaction
from engine.errors import Conflict, DomainError, NotFound
from engine.models import Application, Employer, Tenant, utcnow

EDITABLE = ("draft", "returned", "info_requested")
CATALOGUE = catalogue.load("application")  # the platform's fields; a tenant's are added (tenants/compiled.py)


def prefilled(client, start_date, fields=CATALOGUE):
    """A new application's data: the fields marked `prefill: employer` from the client, the offer's start."""
    data = {field.name: getattr(client, field.name) for field in fields if field.prefill == "employer"}
    return {**data, "start_date": start_date.isoformat()}


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


class EditConflict(Conflict):
    """Someone else saved the same fields differently since this person's form was drawn.
    `clashes`: field -> the value stored now; `mine`: this person's changes (None = emptied)."""

    def __init__(self, form, clashes, mine):
        names = ", ".join(form[name].label.de for name in clashes)
        names_en = ", ".join(form[name].label.en for name in clashes)
        super().__init__(f"Inzwischen hat jemand anderes dieselben Felder geändert: {names}. Der neue Stand steht "
                         "bei den markierten Feldern; Ihre Eingaben sind erhalten. Bitte prüfen und erneut speichern.",
                         f"Someone else has changed the same fields in the meantime: {names_en}. The new values "
                         "are shown at the marked fields; your entries are kept. Please check and save again.")
        self.clashes, self.mine = clashes, mine


def save(user, application, raw_values, live, lock_version, base=None, lang="de"):
    """Store the form's values (validated leniently: a draft may be incomplete, but what is there
    must be valid). Returns (application, errors); `application.merged` names the fields someone
    else had changed meanwhile and that were kept.

    `base` is the data the person's form was drawn from. When someone else saved in between, the
    person's own changes (what differs from `base`) go onto the stored data, unless both changed a
    field differently: then EditConflict, and nothing is overwritten. A stale form without `base`
    is refused as a whole."""
    if application.state not in EDITABLE:
        raise DomainError("Der Antrag ist übermittelt und lässt sich nicht mehr ändern.",
                          "The application has been submitted and can no longer be changed.")
    form = live.compiled.application_form
    result = validate(form, raw_values, lang, today=clock.today())
    errors = {k: v for k, v in result.errors.items() if (raw_values.get(k) not in (None, "", []))}
    start = result.values.get("start_date")
    if "start_date" not in errors and start and start.isoformat() != application.data.get("start_date"):
        try:
            start_window.window(live).check(start)
        except DomainError as refused:
            errors["start_date"] = refused.text[lang if lang in refused.text else "de"]
    if errors:
        return application, errors
    posted = {k: stored(v) for k, v in result.values.items() if v not in (None, "", [])}
    posted.update({k: None for k in form.names if k in raw_values and raw_values.get(k) in ("", None)})
    current, merged = application.data, []
    stale = int(lock_version) != application.lock_version
    if stale and not isinstance(base, dict):
        raise Conflict("Der Antrag wurde inzwischen von jemand anderem geändert. Ihre Eingaben sind unten "
                       "noch zu sehen; bitte laden Sie die Seite neu und übernehmen Sie sie.",
                       "Someone else has changed the application in the meantime. Your entries are still "
                       "shown below; please reload the page and enter them again.")
    mine = {k: v for k, v in posted.items() if (base if stale else current).get(k) != v}
    if stale:
        theirs = {k for k in set(base) | set(current) if base.get(k) != current.get(k)}
        clashes = {k: current.get(k) for k in mine if k in theirs and mine[k] != current.get(k)}
        if clashes:
            raise EditConflict(form, clashes, mine)
        merged = sorted(theirs)
        mine = {k: v for k, v in mine.items() if current.get(k) != v}
    with transaction():
        if mine:  # nothing to store: no new version, no conflict for others
            data = {k: v for k, v in {**current, **mine}.items() if v is not None}
            updated = (Application.update(data=data, lock_version=Application.lock_version + 1)
                       .where((Application.id == application.id) & (Application.lock_version == application.lock_version)
                              & (Application.state.in_(EDITABLE))).execute())
            if updated != 1:
                raise Conflict("Der Antrag wurde gerade von jemand anderem geändert. Bitte speichern Sie erneut.",
                               "Someone else has just changed the application. Please save again.")
            audit.record(user, "application.edited", "application", application.id, tenant=application.tenant_id,
                         before={k: current.get(k) for k in mine}, after=mine, employer=application.employer_id)
    saved = Application.get_by_id(application.id)
    saved.merged = merged
    return saved, {}


def missing(application, live):
    """Field errors that keep the application from being submitted."""
    return validate(live.compiled.application_form, application.data, "de", today=clock.today()).errors


def start_of(application):
    """The requested start of cover (the offer's until the application names its own)."""
    stored_start = application.data.get("start_date")
    return datetime.date.fromisoformat(stored_start) if stored_start else application.offer.start_date


def start_window_of(application):
    """The start window today, by the settings of the tenant version the application was made with."""
    return start_window.window(registry.version(application.tenant_version_id))


def start_problem(application):
    """{de, en} when the requested start is no longer allowed (time has passed since the offer), else None.
    Broker and employer see it on the application; submit and release ask for a new start."""
    try:
        start_window_of(application).check(start_of(application))
    except DomainError as refused:
        return {"de": refused.text["de"] + " Bitte wählen Sie einen neuen Vertragsbeginn.",
                "en": refused.text["en"] + " Please choose a new start of cover."}
    return None


def change_start(user, application, start):
    """Move the requested start to an allowed month (also while the employer releases)."""
    start_window_of(application).check(start)
    before = application.data.get("start_date")
    with transaction():
        updated = (Application.update(data={**application.data, "start_date": start.isoformat()},
                                      lock_version=Application.lock_version + 1)
                   .where((Application.id == application.id) & (Application.lock_version == application.lock_version))
                   .execute())
        if updated != 1:
            raise Conflict("Der Antrag wurde inzwischen geändert. Bitte laden Sie die Seite neu.",
                           "The application has been changed in the meantime. Please reload the page.")
        audit.record(user, "application.start_changed", "application", application.id, tenant=application.tenant_id,
                     before={"start_date": before}, after={"start_date": start.isoformat()},
                     employer=application.employer_id)
    return Application.get_by_id(application.id)


def submit(broker, application, live):
    return workflow.fire(application, "application", "submit", broker,
                         changes={"submitted_at": utcnow()}, data={"live": live})


@workflow.guard("application_start_in_window")
def _start_in_window(application, ctx):
    problem = start_problem(application)
    if problem:
        raise DomainError(problem["de"], problem["en"], field="start_date")


@workflow.guard("application_complete")
def _complete(application, ctx):
    form = ctx.data["live"].compiled.application_form
    errors = missing(application, ctx.data["live"])
    if errors:
        named = [form[name].label for name in form.names if name in errors]  # in the form's order, by label
        raise DomainError("Der Antrag ist noch unvollständig: " + ", ".join(label.de for label in named) + ".",
                          "The application is not complete yet: " + ", ".join(label.en for label in named) + ".")


def for_broker(broker):
    """The broker's applications with client and insurer, newest first."""
    return list(Application.select(Application, Employer, Tenant).join_from(Application, Employer)
                .join_from(Application, Tenant).where(Application.broker == broker).order_by(Application.id.desc()))


def for_employer_at(user, tenant_slug):
    """The applications of the user's employers at one insurer that the broker has submitted, newest first."""
    return list(Application.select().where((Application.employer.in_(accounts.employer_ids(user)))
                                           & (Application.tenant == tenant_slug) & (Application.state != "draft"))
                .order_by(Application.id.desc()))
