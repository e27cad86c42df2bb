"""Template filters: German dates (TT.MM.JJJJ) and money by default, via Babel; English readers
get dates as "26 Nov 2026", which no one reads as 11 June or 26 November the other way round."""
import functools
from decimal import Decimal

from babel import dates as babel_dates, numbers as babel_numbers
from flask_babel import format_decimal, get_locale, get_timezone, gettext, lazy_gettext as _l
from markupsafe import Markup

from engine import registry, richtext
from rules import fact_words
from tenants import module_kinds, names
from tenants.event_kinds import event_kinds


def money(value):
    if value is None or value == "":
        return ""
    return _money(Decimal(value), get_locale())


# A page shows the same few amounts and days many times (a staff list of 50 people with three
# premiums among them); Babel builds each text anew, so the texts are kept per value and language.
@functools.lru_cache(maxsize=4096)
def _money(value, locale):
    return f"{babel_numbers.format_decimal(value, format='#,##0.00', locale=locale)} EUR"


@functools.lru_cache(maxsize=4096)
def _date(value, pattern, locale):
    return babel_dates.format_date(value, pattern, locale=locale)


@functools.lru_cache(maxsize=4096)
def _datetime(value, pattern, locale, zone):  # a timeline shows the same 30 moments on every view
    return babel_dates.format_datetime(value, pattern, tzinfo=zone, locale=locale)


DATE_FORMATS = {"de": ("dd.MM.yyyy", "dd.MM.yyyy HH:mm"), "en": ("d MMM yyyy", "d MMM yyyy, HH:mm")}


def _formats():
    locale = get_locale()  # the page's language, or the recipient's while a mail is rendered
    return DATE_FORMATS.get(locale.language if locale else "de", DATE_FORMATS["de"])


def date(value):
    """The day of a date, or of a moment as stored (Babel's format_date takes a datetime's date)."""
    return _date(value, _formats()[0], get_locale()) if value else ""


def datetime(value):
    """A moment (naive: UTC) in the reader's time zone, as Flask-Babel's format_datetime gives it."""
    return _datetime(value, _formats()[1], get_locale(), get_timezone()) if value else ""


def localized(value):
    """Pick the current language from a {de, en} mapping of the tenant YAML (or a forms Text)."""
    from web.extensions import select_locale
    lang = select_locale()
    if isinstance(value, dict):
        return value.get(lang) or value.get("de") or next(iter(value.values()), "")
    if hasattr(value, "de") and hasattr(value, "en"):
        return getattr(value, lang, None) or value.de
    return value or ""


STATES = {
    "draft": _l("draft"), "sent": _l("sent"), "accepted": _l("accepted"), "declined": _l("declined"),
    "superseded": _l("superseded"), "expired": _l("expired"), "open": _l("open"), "completed": _l("completed"),
    "submitted": _l("submitted"), "released": _l("released"), "returned": _l("returned to broker"),
    "rejected": _l("rejected"), "info_requested": _l("information requested"), "withdrawn": _l("withdrawn"),
    "new": _l("not yet enrolled"), "enrolled": _l("enrolment sent"), "insured": _l("insured"),
    "left": _l("left the company"), "deceased": _l("deceased"), "active": _l("active"),
    "suspended": _l("suspended"), "ended": _l("ended"), "replaced": _l("replaced"), "previewed": _l("checked"),
    "importing": _l("importing"), "imported": _l("imported"), "unusable": _l("unusable"),
    "checking": _l("being checked"), "reverted": _l("undone"), "interrupted": _l("interrupted"), "cancelled": _l("cancelled"), "in_force": _l("in force"),
    "offered": _l("offered"), "lapsed": _l("lapsed"), "not_chosen": _l("not chosen (another offer accepted)"),
}

ACTIONS = {
    "client.created": _l("Client created"), "client.updated": _l("Client data changed"),
    "consultation.started": _l("Consultation started"), "consultation.answered": _l("Answers recorded"),
    "consultation.complete": _l("Consultation completed"), "offer.created": _l("Offer calculated"),
    "offer.updated": _l("Offer changed"), "offer.revised": _l("New offer version"), "offer.send": _l("Offer sent"),
    "offer.accept": _l("Offer accepted"), "offer.decline": _l("Offer declined"),
    "offer.supersede": _l("Offer superseded"),
    "offer.set_aside": _l("Offer closed: another insurer's offer was accepted"),
    "comparison.recorded": _l("Insurers compared"), "comparison.offers_made": _l("Offers made from a comparison"),
    "comparison.sent": _l("Offers of several insurers sent together"), "application.created": _l("Application created"),
    "application.edited": _l("Application edited"),
    "application.start_changed": _l("Start of cover changed"),
    "employee.enrol": _l("Enrolment sent"), "employee.insure": _l("Insured"),
    "employee.reopen": _l("Ready for enrolment again"), "employee.leave": _l("Left the company"),
    "employee.decease": _l("Deceased"), "employee.accept": _l("Policy issued for a later start"),
    "employee.group_proposed": _l("Another tariff group proposed"),
    "employee.group_confirmed": _l("Tariff group confirmed by the rules"),
    "employee.eligible_reached": _l("Eligible: employer reminded or enrolled"),
    "event.from_import": _l("Leaving reported from an imported file"),
    "continuation.opened": _l("Continuation right opened"), "continuation.offer": _l("Continuation offered"),
    "continuation.decline": _l("Continuation declined"), "continuation.lapse": _l("Continuation lapsed"), "policy.replace": _l("Policy replaced by a new version"), "application.submit": _l("Application submitted"),
    "employer.member_joined": _l("Employer user joined"), "employer.member_invited": _l("Colleague invited"),
    "client.contact_changed": _l("Contact address changed; the company's users were told"), "application.release": _l("Application released"),
    "application.return_to_broker": _l("Application returned to the broker"),
    "application.accept": _l("Application accepted by the insurer"),
    "application.reject": _l("Application rejected by the insurer"),
    "application.request_info": _l("Insurer asked for information"), "application.withdraw": _l("Application withdrawn"), "contract.created": _l("Group contract concluded"),
    "import.previewed": _l("Employee file checked"), "import.started": _l("Employee import started"),
    "import.finished": _l("Employee import finished"), "import.unusable": _l("Unusable employee file"),
    "import.uploaded": _l("Employee file uploaded"), "import.remapped": _l("Columns of an employee file mapped"),
    "import.reverted": _l("Employee import undone"), "import.mapping_confirmed": _l("Column mapping confirmed"),
    "employee.removed": _l("Employee removed (import undone)"), "import.interrupted": _l("Employee import interrupted"),
    "enrolment_run.started": _l("Enrolment of all ready employees started"),
    "enrolment_run.finished": _l("Enrolment of all ready employees finished"),
    "enrolment_run.resumed": _l("Enrolment of all ready employees continued"),
    "enrolment_run.interrupted": _l("Enrolment of all ready employees interrupted"),
    "employee.created": _l("Employee added"), "employee.updated": _l("Employee data changed"),
    "enrolment.sent": _l("Enrolment sent"), "enrolment.accept": _l("Policy issued"),
    "enrolment.reject": _l("Enrolment rejected"), "event.filed": _l("Business event reported"),
    "business_event.accept": _l("Business event processed"), "business_event.reject": _l("Business event rejected"),
    "business_event.cancel": _l("Business event cancelled"), "event.in_force": _l("Business event took effect"),
    "cover.opened": _l("Period of cover begins"), "cover.closed": _l("Period of cover ends"),
    "employee.read": _l("Employee data viewed by the insurer"), "employee.exported": _l("Employee data exported"),
    "document.read": _l("Document downloaded by the insurer"),
    "reconciliation.made": _l("Statement or payroll result reconciled"),
    "contract.cancel": _l("Group contract cancelled"),
    "contract.withdraw_cancellation": _l("Cancellation of the group contract withdrawn"),
    "contract.end": _l("Group contract ended"), "contract.level_requested": _l("Budget level change requested"),
    "contract.level_withdrawn": _l("Budget level change withdrawn"),
    "contract.group_requested": _l("New tariff group requested"),
    "contract.group_withdrawn": _l("New tariff group withdrawn"),
    "contract.below_minimum": _l("Fewer people insured than the minimum"),
    "contract.minimum_reached": _l("Minimum number of insured people reached again"),
    "apikey.created": _l("API key created"),
    "apikey.revoked": _l("API key revoked"),
    "broker.number_confirmed": _l("Broker number confirmed"),
    "broker.number_saved": _l("Broker number saved"),
    "broker.profile_saved": _l("Broker profile saved"),
    "collection.created": _l("Direct debit collection created"),
    "contract.premium_change_announced": _l("Premium change announced"),
    "employee.anonymised": _l("Personal data anonymised"),
    "family_member.added": _l("Family member added"),
    "mandate.recorded": _l("SEPA mandate recorded"),
    "mandate.revoked": _l("SEPA mandate revoked"),
    "notifications.read": _l("Notifications read"),
    "other_benefit.ended": _l("Other benefit in kind ended"),
    "other_benefit.recorded": _l("Other benefit in kind recorded"),
    "payroll_settings.saved": _l("Payroll settings saved"),
    "role.granted": _l("Role granted"),
    "statement.issued": _l("Premium statement issued"),
    "tenant.staff_invited": _l("Insurer staff invited"),
    "tenant.staff_joined": _l("Insurer staff joined"),
    "tenant.staff_removed": _l("Insurer staff removed"),
    "tenant.version_loaded": _l("Insurer configuration loaded"),
    "tenant.version_activated": _l("Insurer configuration released"),
    "tenant.release_withdrawn": _l("Release of an insurer configuration withdrawn"),
    "user.digest_chosen": _l("Mail summary setting chosen"),
    "user.logged_out": _l("Logged out"),
    "user.password_changed": _l("Password changed"),
    "user.registered": _l("Registered"),
    "user.verified": _l("E-mail address confirmed"),
    "webhook.created": _l("Webhook created"),
    "webhook.deactivated": _l("Webhook deactivated"),
}


def shown(field, value):
    """A stored form value as people read it: option labels, Ja/Nein, dates TT.MM.JJJJ, grouped IBAN."""
    if value in (None, ""):
        return ""
    if field.options:
        labels = {option.value: localized(option.label) for option in field.options}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, v) for v in values)
    if field.type == "checkbox":
        return gettext("yes") if value in (True, "True", "true", "on") else gettext("no")
    if field.type == "date":
        import datetime as _dt
        return date(_dt.date.fromisoformat(str(value)[:10]))
    if field.type == "iban":
        compact = str(value).replace(" ", "")
        return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    if field.type == "decimal":
        return format_decimal(Decimal(str(value)))
    return value


def state_label(state):
    return STATES.get(state, state)


COVER = {"insured": _l("insured"), "suspended": _l("suspended"), "premium_free": _l("premium-free")}
COVER_REASONS = {"enrolment": _l("Enrolment"), "event": _l("Business event"), "resumption": _l("Return after"),
                 "age_step": _l("Age step"), "price_change": _l("Price change"),
                 "level_change": _l("Budget level change")}


def cover_label(cover):
    """A period's cover (engine/cover.py) as people read it: versichert, ruhend, beitragsfrei."""
    return COVER.get(cover, cover)


def cover_reason(reason):
    return COVER_REASONS.get(reason, reason)


def action_label(action):
    return ACTIONS.get(action, action)


def event_label(event_type):
    """The event kind's label from tenants/event_kinds.yaml, in the reader's language."""
    kind = event_kinds().get(event_type)
    return localized(kind.label) if kind else event_type


def module_label(tariff):
    """The label {de, en} of a module tariff's kind (tenants/module_kinds.yaml), or None for a budget tariff."""
    return module_kinds.module_label(tariff)


def collapsed(entries, collapse=True):
    """Audit entries as (entry, count): a run of the same action by the same actor is one entry (the
    newest of the run), so an import of 200 employees is one line of a timeline, not 200."""
    runs = []
    for entry in entries:
        count = getattr(entry, "count", 1)  # audit.timeline's entries are runs already
        if collapse and runs and (runs[-1][0].action, runs[-1][0].actor_id) == (entry.action, entry.actor_id):
            runs[-1] = (entry, runs[-1][1] + count)
        else:
            runs.append((entry, count))
    return runs


def facts_in_words(seen):
    """The facts a rule read as the reader's words (rules/fact_words.py): "Wochenstunden: 12"."""
    return fact_words.described(seen, str(get_locale() or "de")[:2])


def insurer_names(tenant):
    """The insurer's name for sentences in the page's (or mail's) language, with its German article in
    each case (tenants/names.py): `_("Manager of %(insurer_genitive)s", **insurer_names(tenant))`.
    `tenant`: a live tenant, a tenant document (as an offer's version had it), or anything with its
    `slug` (a Tenant row: the live version names it)."""
    doc = tenant if isinstance(tenant, dict) else getattr(tenant, "doc", None) or registry.get(tenant.slug).doc
    return names.sentence_names(doc, str(get_locale() or "de")[:2])


def required_mark():
    """What follows the label of a required field on every form (forms/templates/forms/_fields.html draws the
    same): an asterisk, and the word for screen readers."""
    return Markup(' <span class="field__required" aria-hidden="true">*</span><span class="visually-hidden"> ({})</span>'
                  ).format(gettext("required"))


def init_app(app):
    app.jinja_env.filters.update(money=money, date=date, datetime=datetime, t=localized, collapsed=collapsed,
                                 markdown=richtext.html, facts_in_words=facts_in_words)
    app.jinja_env.globals.update(state_label=state_label, action_label=action_label, event_label=event_label,
                                 shown=shown, cover_label=cover_label, cover_reason=cover_reason,
                                 required_mark=required_mark, insurer_names=insurer_names,
                                 module_label=module_label)
