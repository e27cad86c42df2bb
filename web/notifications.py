"""Workflow effects that write mails: registered by name, declared in engine/workflows/*.yaml."""
from flask import url_for

from engine import registry, workflow
from engine.models import GroupContract
from web import links, mails


@workflow.effect("mail_offer_to_employer")
def offer_to_employer(offer, ctx):
    client = offer.employer
    mails.queue("offer_sent", client.contact_email, "de", offer=offer, client=client, broker=offer.broker,
                link=url_for("offer_link.view", token=links.offer_token(offer), _external=True))


@workflow.effect("mail_offer_decision_to_broker")
def offer_decision_to_broker(offer, ctx):
    mails.queue("offer_decided", offer.broker.email, offer.broker.locale, offer=offer, client=offer.employer,
                link=url_for("advisor.offer", offer_id=offer.id, _external=True))


@workflow.effect("mail_application_to_employer")
def application_to_employer(application, ctx):
    client = application.employer
    release = registry.get(application.tenant_id).settings.get("employer_release_required", True)
    mails.queue("application_submitted", client.contact_email, "de", application=application, client=client,
                release=release, link=url_for("manager.application", tenant_slug=application.tenant_id,
                                              application_id=application.id, _external=True))


@workflow.effect("mail_application_returned")
def application_returned(application, ctx):
    mails.queue("application_returned", application.broker.email, application.broker.locale,
                application=application, link=url_for("applications.edit", application_id=application.id,
                                                      _external=True))


@workflow.effect("mail_application_decision")
def application_decision(application, ctx):
    for recipient, locale, link in (
            (application.broker.email, application.broker.locale,
             url_for("applications.edit", application_id=application.id, _external=True)),
            (application.employer.contact_email, "de",
             url_for("manager.application", tenant_slug=application.tenant_id, application_id=application.id,
                     _external=True))):
        mails.queue("application_decision", recipient, locale, application=application, link=link)


@workflow.effect("mail_group_policy")
def group_policy(application, ctx):
    contract = GroupContract.get(GroupContract.application == application)
    link = url_for("manager.contract", tenant_slug=application.tenant_id, contract_id=contract.id, _external=True)
    for recipient, locale in ((application.employer.contact_email, "de"),
                              (application.broker.email, application.broker.locale)):
        mails.queue("group_policy", recipient, locale, application=application, contract=contract, link=link)


@workflow.effect("mail_enrolment_decision")
def enrolment_decision(enrolment, ctx):
    contract = enrolment.contract
    mails.queue("enrolment_decision", contract.employer.contact_email, "de", enrolment=enrolment,
                employee=enrolment.employee, link=url_for("manager.employee", tenant_slug=contract.tenant_id,
                                                          contract_id=contract.id, employee_id=enrolment.employee_id,
                                                          _external=True))


@workflow.effect("mail_event_decision")
def event_decision(event, ctx):
    contract = event.contract
    mails.queue("event_decision", contract.employer.contact_email, "de", event=event, employee=event.employee,
                link=url_for("manager.employee", tenant_slug=contract.tenant_id, contract_id=contract.id,
                             employee_id=event.employee_id, _external=True))


@workflow.effect("mail_application_withdrawn")
def application_withdrawn(application, ctx):
    mails.queue("application_withdrawn", application.broker.email, application.broker.locale, application=application,
                link=url_for("applications.edit", application_id=application.id, _external=True))
