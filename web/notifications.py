"""The mails and in-app notifications of the platform: receivers of the engine's signals
(engine/signals.py), e.g. the offer mail when an offer is sent. The engine never imports this module;
the app factory does. A decision on an enrolment or event is held for a digest (engine/digests.py)
inside a bulk action or for a person who chose the daily digest, and mailed at once otherwise."""
import datetime

from babel import dates
from flask_babel import force_locale, gettext as _

from engine import brokers, contracts, digests, inbox, product_documents, registry, signals
from web import links, mails
from web.filters import date


def both(text):
    """`text()` (a gettext call) in German and English, as the engine keeps texts: {de, en}."""
    out = {}
    for locale in ("de", "en"):
        with force_locale(locale):
            out[locale] = text()
    return out


def _name(person):
    return f"{person.first_name} {person.last_name}".strip()


@signals.on_transition("offer.send")
def offer_to_employer(offer, ctx):
    if ctx.data.get("together"):  # one of a comparison's offers: comparison_to_employer sends one mail
        return
    client = offer.employer
    mails.queue("offer_sent", offer.sent_to, "de", offer=offer, client=client, broker=offer.broker,
                attachments=product_documents.attachments(offer.tenant_id, offer.product_documents),
                broker_number_confirmed=brokers.is_confirmed(offer.broker, offer.tenant_id),
                link=links.external("offer_link.view", token=links.offer_token(offer)))


@signals.comparison_sent.connect
def comparison_to_employer(comparison, offers):
    """One mail for the offers of several insurers sent together, with one link to all of them."""
    mails.queue("comparison_sent", comparison.sent_to, "de", comparison=comparison, offers=offers,
                client=comparison.employer, broker=comparison.broker,
                attachments=[entry for o in offers
                             for entry in product_documents.attachments(o.tenant_id, o.product_documents)],
                unconfirmed=[o.tenant.name for o in offers if not brokers.is_confirmed(o.broker, o.tenant_id)],
                link=links.external("offer_link.comparison", token=links.comparison_token(comparison)))


@signals.on_transition("offer.accept", "offer.decline")
def offer_decision_to_broker(offer, ctx):
    mails.queue("offer_decided", offer.broker.email, offer.broker.locale, offer=offer, client=offer.employer,
                link=links.external("advisor.offer", offer_id=offer.id))


@signals.on_transition("application.submit")
def application_to_employer(application, ctx):
    client = application.employer
    release = registry.get(application.tenant_id).settings.employer_release_required
    mails.queue("application_submitted", client.contact_email, "de", application=application, client=client,
                release=release, link=links.external("manager.application", tenant_slug=application.tenant_id,
                                                     application_id=application.id))


@signals.on_transition("application.return_to_broker")
def application_returned(application, ctx):
    mails.queue("application_returned", application.broker.email, application.broker.locale,
                application=application, link=links.external("applications.edit", application_id=application.id))


@signals.on_transition("application.reject", "application.request_info")
def application_decision(application, ctx):
    for recipient, locale, link in (
            (application.broker.email, application.broker.locale,
             links.external("applications.edit", application_id=application.id)),
            (application.employer.contact_email, "de",
             links.external("manager.application", tenant_slug=application.tenant_id,
                            application_id=application.id))):
        mails.queue("application_decision", recipient, locale, application=application, link=link)


@signals.on_transition("application.accept")
def group_policy(application, ctx):
    contract = contracts.of_application(application)
    for recipient, locale, link, for_broker in (  # each to the page of their own portal (the broker has no manager)
            (application.employer.contact_email, "de",
             links.external("manager.contract", tenant_slug=application.tenant_id, contract_id=contract.id), False),
            (application.broker.email, application.broker.locale,
             links.external("advisor.client_detail", client_id=application.employer_id), True)):
        mails.queue("group_policy", recipient, locale, application=application, contract=contract, link=link,
                    for_broker=for_broker)


@signals.on_transition("enrolment.accept", "enrolment.reject")
def enrolment_decision(enrolment, ctx):
    contract, name = enrolment.contract, _name(enrolment.employee)
    link = links.external("manager.employee", tenant_slug=contract.tenant_id, contract_id=contract.id,
                          employee_id=enrolment.employee_id)
    line = (both(lambda: _("Policy issued for %(name)s", name=name)) if enrolment.state == "accepted" else
            both(lambda: _("Enrolment of %(name)s rejected: %(reason)s", name=name, reason=enrolment.reason or "")))
    _tell_employer(contract, line, link, "enrolment_decision", enrolment=enrolment, employee=enrolment.employee)


@signals.on_transition("business_event.accept", "business_event.reject")
def event_decision(event, ctx):
    contract, name = event.contract, _name(event.employee)
    link = links.external("manager.employee", tenant_slug=contract.tenant_id, contract_id=contract.id,
                          employee_id=event.employee_id)
    line = (both(lambda: _("Business event processed for %(name)s", name=name)) if event.state == "accepted" else
            both(lambda: _("Business event rejected for %(name)s: %(reason)s", name=name, reason=event.reason or "")))
    _tell_employer(contract, line, link, "event_decision", event=event, employee=event.employee)


def _tell_employer(contract, line, link, template, **context):
    """A decision on one of the employer's people: in its members' notifications, and by mail to its
    contact (held for a digest when a bulk action or the contact's daily digest collects it)."""
    inbox.notify(inbox.employer_members(contract.employer_id), line, link)
    if not digests.hold(contract.employer.contact_email, line, link):
        mails.queue(template, contract.employer.contact_email, "de", link=link, **context)


def _person_link(contract, employee):
    return links.external("manager.employee", tenant_slug=contract.tenant_id, contract_id=contract.id,
                          employee_id=employee.id)


@signals.eligible_reached.connect
def eligible_reached(contract, employee, enrolment):
    """A person's eligible-from date has come: the employer is reminded to enrol them, or told the
    platform sent the enrolment (the tenant's auto_enrol_when_eligible)."""
    name, day = _name(employee), dates.format_date(employee.eligible_from, "dd.MM.yyyy", locale="de_DE")
    line = (both(lambda: _("Enrolment of %(name)s sent automatically: eligible from %(date)s", name=name, date=day))
            if enrolment else
            both(lambda: _("%(name)s is eligible from %(date)s: please send the enrolment", name=name, date=day)))
    _tell_employer(contract, line, _person_link(contract, employee), "people_notice", text=line["de"])


@signals.group_proposed.connect
def group_proposed(contract, employee, proposal):
    """The rules put a person with a policy in another group (or none) after a data change."""
    names = {gr["id"]: gr.get("name") or {} for gr in registry.version(contract.tenant_version_id).doc["tariff_groups"]}
    name, day = _name(employee), dates.format_date(datetime.date.fromisoformat(proposal["date"]), "dd.MM.yyyy",
                                                   locale="de_DE")

    def group(gid, locale):
        return (names.get(gid) or {}).get(locale) or gid
    line = {}
    for locale in ("de", "en"):
        with force_locale(locale):
            line[locale] = (_("%(name)s: change tariff group from %(old)s to %(new)s from %(date)s?", name=name,
                              old=group(proposal["from"], locale), new=group(proposal["to"], locale), date=day)
                            if proposal["to"] else
                            _("%(name)s no longer meets the requirements of any tariff group from %(date)s", name=name,
                              date=day))
    _tell_employer(contract, line, _person_link(contract, employee), "people_notice", text=line["de"])


@signals.leaving_from_import.connect
def leaving_from_import(contract, employee, event, refused):
    name = _name(employee)
    line = {}
    for locale in ("de", "en"):
        with force_locale(locale):
            line[locale] = (_("Leaving of %(name)s reported to the insurer from the imported file", name=name)
                            if event is not None else
                            _("Leaving of %(name)s in the imported file could not be reported: %(reason)s", name=name,
                              reason=refused[locale]))
    _tell_employer(contract, line, _person_link(contract, employee), "people_notice", text=line["de"])


@signals.premium_change_announced.connect
def premium_change_notice(contract, changes, day):
    """The employer's members are told once per contract of the insurer's coming premium change."""
    inbox.notify(inbox.employer_members(contract.employer_id),
                 both(lambda: _("Premium change from %(date)s", date=date(day))),
                 links.external("manager.contract", tenant_slug=contract.tenant_id, contract_id=contract.id))


@signals.digest_ready.connect
def decision_digest(recipient, lines):
    mails.queue("decision_digest", recipient, "de", lines=[{"text": item["line"]["de"], "link": item["link"]}
                                                           for item in lines], count=len(lines))


# --- in-app notifications of the other steps -----------------------------------------------------

@signals.on_transition("offer.accept", "offer.decline")
def offer_decision_notice(offer, ctx):
    company = offer.employer.company_name
    text = (both(lambda: _("%(company)s accepted your offer", company=company)) if offer.state == "accepted" else
            both(lambda: _("%(company)s declined your offer", company=company)))
    inbox.notify([offer.broker], text, links.external("advisor.offer", offer_id=offer.id))


@signals.on_transition("application.release", "application.return_to_broker", "application.withdraw",
                       "application.accept", "application.reject", "application.request_info")
def application_notice(application, ctx):
    company, state = application.employer.company_name, application.state
    texts = {"released": lambda: _("Application of %(company)s released", company=company),
             "returned": lambda: _("Application of %(company)s returned to you", company=company),
             "withdrawn": lambda: _("Application of %(company)s withdrawn", company=company),
             "accepted": lambda: _("Application of %(company)s accepted", company=company),
             "rejected": lambda: _("Application of %(company)s rejected", company=company),
             "info_requested": lambda: _("Question about the application of %(company)s", company=company)}
    text = both(texts[state])
    inbox.notify([application.broker], text, links.external("applications.edit", application_id=application.id))
    if state in ("accepted", "rejected", "info_requested"):
        inbox.notify(inbox.employer_members(application.employer_id), text,
                     links.external("manager.application", tenant_slug=application.tenant_id,
                                    application_id=application.id))
    if state == "released":
        inbox.notify(inbox.tenant_staff(application.tenant_id), text,
                     links.external("office.application", tenant_slug=application.tenant_id,
                                    application_id=application.id))


@signals.work_arrived.connect
def work_notice(tenant_slug, kind, contract, count):
    company = contract.employer.company_name
    text = (both(lambda: _("New enrolments from %(company)s: %(count)s", count=count, company=company))
            if kind == "enrolments" else both(lambda: _("New business event from %(company)s", company=company)))
    inbox.notify(inbox.tenant_staff(tenant_slug), text, links.external("office.index", tenant_slug=tenant_slug))


@signals.on_transition("application.withdraw")
def application_withdrawn(application, ctx):
    mails.queue("application_withdrawn", application.broker.email, application.broker.locale, application=application,
                link=links.external("applications.edit", application_id=application.id))


@signals.contact_changed.connect
def contact_changed(client, actor, before, after, members):
    for member in members:
        mails.queue("contact_changed", member.email, member.locale, client=client, member=member, actor=actor,
                    before=before, after=after, link=links.external("members.index", employer_id=client.id))


@signals.member_invited.connect
def member_invited(invitation):
    mails.queue("invitation", invitation.email, "de", invitation=invitation,
                link=links.external("members.invitation", token=links.invitation_token(invitation)))


@signals.staff_invited.connect
def staff_invited(invitation):
    mails.queue("staff_invitation", invitation.email, "de", invitation=invitation, insurer=invitation.tenant.name,
                link=links.external("members.invitation", token=links.invitation_token(invitation)))


@signals.below_minimum.connect
def below_minimum(contract, day, count, minimum, group=None):
    """A task for the insurer's staff and the client's broker: fewer people insured than the contract (or
    one of its tariff groups, `group`: its minimum or participation quota) needs."""
    company = contract.employer.company_name
    def group_in(locale):
        return group.get(locale) or group.get("de") if group else None

    if group:
        text = {}
        for locale in ("de", "en"):
            with force_locale(locale):
                text[locale] = _("%(company)s: only %(count)s people insured in the tariff group %(group)s since "
                                 "%(date)s (minimum %(minimum)s)", company=company, count=count, group=group_in(locale),
                                 date=day.strftime("%d.%m.%Y"), minimum=minimum)
    else:
        text = both(lambda: _("%(company)s: only %(count)s people insured since %(date)s (minimum %(minimum)s)",
                              company=company, count=count, date=day.strftime("%d.%m.%Y"), minimum=minimum))
    staff_link = links.external("office_contracts.contract", tenant_slug=contract.tenant_id, contract_id=contract.id)
    staff = inbox.tenant_staff(contract.tenant_id)
    inbox.notify(staff, text, staff_link)
    for person in staff:
        mails.queue("below_minimum", person.email, person.locale, contract=contract, day=day, count=count,
                    minimum=minimum, group=group_in(person.locale or "de"), link=staff_link)
    broker = contract.employer.broker
    if broker is not None:
        broker_link = links.external("advisor.client_detail", client_id=contract.employer_id)
        inbox.notify([broker], text, broker_link)
        mails.queue("below_minimum", broker.email, broker.locale, contract=contract, day=day, count=count,
                    minimum=minimum, group=group_in(broker.locale or "de"), link=broker_link)
