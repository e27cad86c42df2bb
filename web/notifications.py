"""The mails of the platform: receivers of the engine's signals (engine/signals.py), e.g. the offer
mail when an offer is sent. The engine never imports this module; the app factory does."""
from engine import brokers, contracts, registry, signals
from web import links, mails


@signals.on_transition("offer.send")
def offer_to_employer(offer, ctx):
    client = offer.employer
    mails.queue("offer_sent", offer.sent_to, "de", offer=offer, client=client, broker=offer.broker,
                broker_number_confirmed=brokers.is_confirmed(offer.broker, offer.tenant_id),
                link=links.external("offer_link.view", token=links.offer_token(offer)))


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
    link = links.external("manager.contract", tenant_slug=application.tenant_id, contract_id=contract.id)
    for recipient, locale in ((application.employer.contact_email, "de"),
                              (application.broker.email, application.broker.locale)):
        mails.queue("group_policy", recipient, locale, application=application, contract=contract, link=link)


@signals.on_transition("enrolment.accept", "enrolment.reject")
def enrolment_decision(enrolment, ctx):
    contract = enrolment.contract
    mails.queue("enrolment_decision", contract.employer.contact_email, "de", enrolment=enrolment,
                employee=enrolment.employee,
                link=links.external("manager.employee", tenant_slug=contract.tenant_id, contract_id=contract.id,
                                    employee_id=enrolment.employee_id))


@signals.on_transition("business_event.accept", "business_event.reject")
def event_decision(event, ctx):
    contract = event.contract
    mails.queue("event_decision", contract.employer.contact_email, "de", event=event, employee=event.employee,
                link=links.external("manager.employee", tenant_slug=contract.tenant_id, contract_id=contract.id,
                                    employee_id=event.employee_id))


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
