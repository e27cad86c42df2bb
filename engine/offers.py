"""Offers: tariff groups priced by the tenant's formulas, checked by the rules, versioned, sent.

The offer form is generated from the tenant's tariff groups, so it is rendered and validated by
the same generic form runtime as every other form.
"""
import datetime
from decimal import Decimal

from forms import load_form

from engine import (applications, audit, brokers, checks, clock, documents, offer_benefits, pricing,
                    product_documents, start_window, workflow)
from engine.db import prepared, transaction
from engine.errors import Conflict, DomainError, NotFound, joined
from engine.models import Application, Employer, Offer, utcnow

OPEN_STATES = ("draft", "sent")
DEFAULT_MAILS_PER_DAY = 30
_limits = {"mails_per_day": DEFAULT_MAILS_PER_DAY}


def configure(mails_per_day=DEFAULT_MAILS_PER_DAY):
    """The operator's limit of offer mails one broker may send per calendar day (BKV_OFFER_MAILS_PER_DAY)."""
    _limits["mails_per_day"] = int(mails_per_day)


def mails_per_day():
    return _limits["mails_per_day"]


def field_prefix(group_id):
    return group_id.replace("-", "_").lower()


def offer_form(live, today=None):
    """The offer form for this tenant: start date, other benefits in kind, and per tariff group
    whether it is offered, with which budget level (one of its budget tariffs) and modules, employer share,
    headcount and average age."""
    window, limit = start_window.window(live, today), format(live.settings.benefit_in_kind_limit.normalize(), "f")
    fields = [
        {"name": "start_date", "type": "date", "required": True,
         "label": {"de": "Versicherungsbeginn", "en": "Start of cover"},
         "help": {"de": f"Immer der Erste eines Monats, {window.text['de']}.",
                  "en": f"Always the first day of a month, {window.text['en']}."}},
        {"name": "other_benefits_in_kind", "type": "decimal", "min": 0, "max": limit, "default": "0",
         "label": {"de": "Sonstige Sachbezüge je Mitarbeitendem und Monat (EUR)",
                   "en": "Other benefits in kind per employee per month (EUR)"},
         "help": {"de": f"Gutscheine, Tankkarten o. Ä. – sie teilen sich die {limit}-EUR-Freigrenze mit der bKV.",
                  "en": f"Vouchers, fuel cards, etc. count towards the same {limit} EUR limit as the bKV."}},
    ]
    tariffs = live.tariffs
    for group in live.groups.values():
        p = field_prefix(group["id"])
        shown = {"field": f"{p}__include", "eq": True}
        name = group["name"]
        fields += [
            {"name": f"{p}__include", "type": "checkbox",
             "label": {"de": f"Tarifgruppe „{name['de']}“ anbieten", "en": f"Offer tariff group “{name['en']}”"}},
        ]
        levels, modules = pricing.levels_of(live, group["tariffs"]), pricing.modules_of(live, group["tariffs"])
        if levels:  # budget levels are alternatives: one per group
            fields.append(
                {"name": f"{p}__level", "type": "select", "required": True, "visible_if": shown,
                 "label": {"de": f"Budgetstufe für „{name['de']}“", "en": f"Budget level for “{name['en']}”"},
                 "help": {"de": "Eine Stufe je Tarifgruppe; sie gilt für alle Versicherten der Gruppe.",
                          "en": "One level per tariff group; it applies to everyone insured in the group."},
                 "options": [{"value": t, "label": tariffs[t]["name"]} for t in levels]})
        if modules:  # modules can be combined, with or without a budget level
            fields.append(
                {"name": f"{p}__tariffs", "type": "multiselect", "required": not levels, "visible_if": shown,
                 "label": ({"de": f"Zusätzliche Bausteine für „{name['de']}“",
                            "en": f"Additional modules for “{name['en']}”"} if levels else
                           {"de": f"Tarife für „{name['de']}“", "en": f"Tariffs for “{name['en']}”"}),
                 "options": [{"value": t, "label": tariffs[t]["name"]} for t in modules]})
        bounds = [(tariffs[t]["name"], pricing.bound_in_words(tariffs[t])) for t in group["tariffs"]
                  if tariffs[t].get("employer_share") is not None]
        fields += [
            {"name": f"{p}__employer_share", "type": "decimal", "required": True, "min": 0, "max": 100,
             "default": "100", "visible_if": shown,
             "label": {"de": "Arbeitgeberanteil am Beitrag (%)", "en": "Employer's share of the premium (%)"},
             **({"help": {lang: ("Der Arbeitgeber trägt " if lang == "de" else "The employer pays ")
                          + "; ".join(f"{words[lang]} bei „{name[lang]}“" if lang == "de" else
                                      f"{words[lang]} with “{name[lang]}”" for name, words in bounds) + "."
                          for lang in ("de", "en")}} if bounds else {})},
            {"name": f"{p}__headcount", "type": "integer", "required": True, "min": 1, "visible_if": shown,
             "label": {"de": "Erwartete Anzahl versicherter Personen", "en": "Expected number of insured persons"}},
            {"name": f"{p}__average_age", "type": "integer", "required": True, "min": 16, "max": 70,
             "default": 40, "visible_if": shown,
             "label": {"de": "Durchschnittsalter (für die Beitragsschätzung)",
                       "en": "Average age (for the premium estimate)"}},
        ]
    return load_form(fields)


def groups_from(live, values):
    """The offered groups from validated form values; DomainError when none is chosen."""
    groups = []
    for group in live.groups.values():
        p = field_prefix(group["id"])
        if values.get(f"{p}__include"):
            level = values.get(f"{p}__level") or None
            modules = list(values.get(f"{p}__tariffs") or [])
            if level is not None and level not in pricing.levels_of(live, group["tariffs"]):
                raise DomainError(f"{level} ist keine Budgetstufe dieser Tarifgruppe.",
                                  f"{level} is not a budget level of this tariff group.", field=f"{p}__level")
            if pricing.levels_of(live, modules) or (level is None and pricing.levels_of(live, group["tariffs"])):
                raise DomainError("Bitte wählen Sie genau eine Budgetstufe je Tarifgruppe.",
                                  "Please choose exactly one budget level per tariff group.", field=f"{p}__level")
            if level is None and not modules:
                raise DomainError("Bitte wählen Sie mindestens einen Tarif je Tarifgruppe.",
                                  "Please choose at least one tariff per tariff group.", field=f"{p}__tariffs")
            pricing.check_employer_share(live, ([level] if level else []) + modules,
                                         Decimal(str(values[f"{p}__employer_share"])), field=f"{p}__employer_share")
            groups.append({"id": group["id"], "level": level, "tariffs": ([level] if level else []) + modules,
                           "employer_share": str(values[f"{p}__employer_share"]),
                           "headcount": values[f"{p}__headcount"], "average_age": values[f"{p}__average_age"]})
    if not groups:
        raise DomainError("Bitte bieten Sie mindestens eine Tarifgruppe an.", "Please offer at least one tariff group.",
                          field="groups")
    return groups


def form_values(offer, live=None):
    """An offer's inputs as form values (to edit a draft or start a revision). With the tenant `live`,
    an offer stored before levels were chosen shows its first budget tariff as the level."""
    values = {"start_date": offer.start_date.isoformat(), "other_benefits_in_kind": offer.figures.get("other_benefits_in_kind", "0")}
    for group in offer.groups:
        p = field_prefix(group["id"])
        chosen = pricing.chosen_tariffs(live, group) if live is not None else list(group["tariffs"])
        level = group.get("level") or (chosen[0] if live is not None and pricing.levels_of(live, chosen) else None)
        values.update({f"{p}__include": True, f"{p}__level": level,
                       f"{p}__tariffs": [t for t in chosen if t != level],
                       f"{p}__employer_share": group["employer_share"], f"{p}__headcount": group["headcount"],
                       f"{p}__average_age": group["average_age"]})
    return values


def calculate(live, client, values):
    """(groups, figures, findings) of offer form values: what an offer with them would say. Comparisons
    (engine/comparisons.py) price each insurer through this, so a compared price is its offer's price."""
    groups = groups_from(live, values)
    start = values["start_date"]
    start_window.window(live).check(start)
    figures = pricing.price_offer(live, groups, start)
    other = Decimal(str(values.get("other_benefits_in_kind") or 0))
    figures["other_benefits_in_kind"] = other
    findings = checks.offer_findings(live, client, groups, figures, start, other,
                                     staff=offer_benefits.known_staff(client, live, groups, start))
    return groups, figures, findings


def create(broker, client, live, values, consultation=None, comparison=None):
    """A new draft offer (revision 1), priced and checked; `comparison` when it is one of several insurers'
    offers sent together (engine/comparisons.py)."""
    groups, figures, findings = calculate(live, client, values)
    with transaction():
        offer = Offer.create(broker=broker, employer=client, tenant=live.slug, tenant_version=live.version_id,
                             consultation=consultation, comparison=comparison, start_date=values["start_date"],
                             valid_until=valid_until(live), product_documents=_documents(live, groups),
                             groups=groups, figures=figures, warnings=findings)
        audit.record(broker, "offer.created", "offer", offer.id, tenant=live.slug,
                     after={"revision": 1, "groups": groups}, employer=client.id)
    return Offer.get_by_id(offer.id)


def update_draft(broker, offer, live, values):
    """Change a draft in place (it has not left the broker yet)."""
    if offer.state != "draft":
        raise DomainError("Nur Entwürfe lassen sich ändern; für ein versendetes Angebot erstellen Sie eine neue Version.",
                          "Only drafts can be changed; for an offer that has been sent, create a new version.")
    groups, figures, findings = calculate(live, offer.employer, values)
    with transaction():
        updated = (Offer.update(groups=groups, figures=figures, warnings=findings, start_date=values["start_date"],
                                tenant_version=live.version_id, product_documents=_documents(live, groups),
                                lock_version=offer.lock_version + 1)
                   .where((Offer.id == offer.id) & (Offer.lock_version == offer.lock_version)).execute())
        if updated != 1:
            raise Conflict("Das Angebot wurde inzwischen geändert. Bitte laden Sie die Seite neu.",
                           "The offer has been changed in the meantime. Please reload the page.")
        audit.record(broker, "offer.updated", "offer", offer.id, tenant=live.slug,
                     before={"groups": offer.groups}, after={"groups": groups}, employer=offer.employer_id)
    return Offer.get_by_id(offer.id)


def revise(broker, offer, live, values):
    """A new revision of a sent offer; sending it supersedes the old one."""
    if offer.state not in OPEN_STATES:
        raise DomainError("Dieses Angebot ist abgeschlossen und lässt sich nicht mehr überarbeiten.",
                          "This offer is closed and can no longer be revised.")
    groups, figures, findings = calculate(live, offer.employer, values)
    with transaction():
        revision = Offer.create(broker=broker, employer=offer.employer, tenant=live.slug,
                                tenant_version=live.version_id, consultation=offer.consultation_id,
                                comparison=offer.comparison_id, supersedes=offer, revision=offer.revision + 1, start_date=values["start_date"],
                                valid_until=offer.valid_until, groups=groups, figures=figures, warnings=findings,
                                product_documents=_documents(live, groups))
        audit.record(broker, "offer.revised", "offer", revision.id, tenant=live.slug,
                     after={"revision": revision.revision, "supersedes": offer.id}, employer=offer.employer_id)
    return Offer.get_by_id(revision.id)


def _documents(live, groups):
    """The product documents of the tariffs the offer's groups chose, recorded with it as they are now."""
    return product_documents.of_tariffs(live.doc, {tariff for group in groups for tariff in group["tariffs"]})


def valid_until(live, today=None):
    """The last day an offer sent today may be accepted (the tenant's offer_validity_days)."""
    return (today or clock.today()) + datetime.timedelta(days=live.settings.offer_validity_days)


def send(broker, offer, live, together=False):
    """Mail the offer to the client's contact address of this moment, kept on the offer as its addressee:
    only that address may later join the employer through the offer (engine/memberships). `together`: it
    is sent with the other offers of its comparison, in one mail (engine/comparisons.send)."""
    addressee = Employer.get_by_id(offer.employer_id).contact_email
    return workflow.fire(offer, "offer", "send", broker,
                         changes={"sent_at": utcnow(), "valid_until": valid_until(live), "sent_to": addressee},
                         data={"live": live, "together": together})


def sent_today(broker):
    """How many offers the broker has mailed today (the platform's calendar day)."""
    midnight = datetime.datetime.combine(clock.today(), datetime.time(), clock.ZONE)
    since = midnight.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return Offer.select().where((Offer.broker == broker) & (Offer.sent_at >= since)).count()


def accept(user, offer):
    return workflow.fire(offer, "offer", "accept", user,
                         changes={"decided_at": utcnow()})


def decline(user, offer, reason):
    if not (reason or "").strip():
        raise DomainError("Bitte nennen Sie einen Grund für die Ablehnung.", "Please give a reason for declining.",
                          field="reason")
    return workflow.fire(offer, "offer", "decline", user,
                         changes={"decided_at": utcnow(), "decline_reason": reason.strip()[:2000]})


@prepared
def _broker_offer(offer_id, broker_id):
    return (Offer.select(Offer, Employer).join(Employer)
            .where((Offer.id == offer_id) & (Offer.broker == broker_id)))


def get_for_broker(broker, offer_id):
    offer = next(iter(_broker_offer(offer_id, broker.id)), None)
    if offer is None:
        raise NotFound("Angebot nicht gefunden.", "Offer not found.")
    return offer


@prepared
def _application(offer_id):
    return Application.select().where(Application.offer == offer_id)


def application_of(offer):
    """The application made from the offer once it was accepted, or None."""
    return next(iter(_application(offer.id)), None)


def is_expired(offer, today=None):
    return offer.state == "sent" and offer.valid_until is not None and offer.valid_until < (today or clock.today())


def blocking(offer):
    return [f for f in offer.warnings if f["kind"] == "reject"]


@workflow.guard("broker_number_stored")
def _broker_number_stored(offer, ctx):
    if brokers.number_for(offer.broker, offer.tenant_id) is None:
        raise DomainError("Hinterlegen Sie zuerst Ihre Vermittlernummer für diesen Versicherer (Rechenkerne).",
                          "Please first enter your broker number for this insurer (under Calculation engines).")


@workflow.guard("offer_mails_within_daily_limit")
def _within_daily_limit(offer, ctx):
    """Offers carry the insurer's name to any address the broker enters: a self-registered broker may
    mail only so many a day."""
    limit = mails_per_day()
    if sent_today(offer.broker_id) >= limit:
        raise DomainError(f"Sie haben heute bereits {limit} Angebote versendet, die Höchstzahl je Tag. "
                          "Morgen können Sie wieder Angebote versenden; brauchen Sie mehr, wenden Sie sich an den "
                          "Plattformbetreiber.",
                          f"You have already sent {limit} offers today, the most allowed per day. You can send "
                          "offers again tomorrow; if you need more, please contact the platform operator.")


@workflow.guard("offer_not_rejected_by_rules")
def _not_rejected(offer, ctx):
    if blocking(offer):
        broken = joined(f["text"] for f in blocking(offer))
        raise DomainError("Das Angebot verletzt Regeln des Versicherers: " + broken["de"],
                          "The offer breaks the insurer's rules: " + broken["en"])


@workflow.guard("offer_start_in_window")
def _start_in_window(offer, ctx):
    """A draft made weeks ago may start too early by now: it is sent only with a start still allowed."""
    start_window.window(ctx.data["live"]).check(offer.start_date)


@workflow.guard("offer_still_valid")
def _still_valid(offer, ctx):
    if is_expired(offer):
        raise DomainError("Das Angebot ist abgelaufen und kann nicht mehr angenommen werden.",
                          "The offer has expired and can no longer be accepted.")


@workflow.effect("supersede_previous_offer")
def _supersede_previous(offer, ctx):
    if offer.supersedes_id is None:
        return
    previous = Offer.get_by_id(offer.supersedes_id)
    if previous.state in OPEN_STATES:
        workflow.fire(previous, "offer", "supersede", ctx.actor)


@workflow.effect("set_aside_compared_offers")
def _set_aside_compared(offer, ctx):
    """Accepting one offer of a comparison (engine/comparisons.py) closes the others still open, each
    through its own step (audited)."""
    if offer.comparison_id is None:
        return
    for other in Offer.select().where((Offer.comparison == offer.comparison_id) & (Offer.id != offer.id)
                                      & Offer.state.in_(OPEN_STATES)):
        workflow.fire(other, "offer", "set_aside", ctx.actor)


@workflow.effect("create_application")
def _create_application(offer, ctx):
    client = offer.employer
    application = Application.create(offer=offer, broker=offer.broker, employer=client, tenant=offer.tenant_id,
                                     tenant_version=offer.tenant_version_id,
                                     data=applications.prefilled(client, offer.start_date))
    audit.record(ctx.actor, "application.created", "application", application.id, tenant=offer.tenant_id,
                 after={"offer": offer.id}, employer=client.id)


def pdf(offer):
    """(filename, bytes) of the offer PDF: the stored one once sent, else rendered from the draft."""
    if offer.document_id:
        return offer.document.filename, documents.read(offer.document)
    return _filename(offer), _render_pdf(offer)


def _filename(offer):
    return f"Angebot-{offer.id}-v{offer.revision}.pdf"


def products(offer):
    """What the offer is about, as its tenant version had it: {tenant (the document), tariffs and groups
    (id -> entry, with names and benefits), used_tariffs (the ids the offer's groups chose)}."""
    from engine.models import TenantVersion
    snapshot = TenantVersion.get_by_id(offer.tenant_version_id).snapshot["doc"]
    return {"tenant": snapshot, "tariffs": {t["id"]: t for t in snapshot["tariffs"]},
            "groups": {g["id"]: g for g in snapshot["tariff_groups"]},
            "used_tariffs": {t for g in offer.groups for t in g["tariffs"]}}


def pdf_context(offer):
    """What the offer PDF's template (pdf/offer.html) is rendered with."""
    return dict(offer=offer, client=offer.employer, broker=offer.broker, profile=brokers.profile(offer.broker),
                broker_number=brokers.number_for(offer.broker, offer.tenant_id),
                broker_number_confirmed=brokers.is_confirmed(offer.broker, offer.tenant_id), **products(offer))


def _render_pdf(offer):
    return documents.render_pdf("offer.html", **pdf_context(offer))


@workflow.effect("store_offer_pdf")
def _store_pdf(offer, ctx):
    doc = documents.store("offer", _filename(offer), "application/pdf", _render_pdf(offer),
                          employer=offer.employer_id, tenant=offer.tenant_id)
    Offer.update(document=doc).where(Offer.id == offer.id).execute()


def by_id(offer_id):
    """The offer a signed link names, or None (the link's signature was checked by the caller)."""
    return Offer.get_or_none(Offer.id == offer_id)


def open_for_broker(broker):
    """The broker's drafts and sent offers, with their clients."""
    return list(Offer.select(Offer, Employer).join(Employer)
                .where((Offer.broker == broker) & (Offer.state.in_(OPEN_STATES))))
