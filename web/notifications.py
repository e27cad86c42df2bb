"""Workflow effects that write mails: registered by name, declared in engine/workflows/*.yaml."""
from flask import url_for

from engine import workflow
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
    mails.queue("application_submitted", client.contact_email, "de", application=application, client=client,
                link=url_for("manager.application", tenant_slug=application.tenant_id,
                             application_id=application.id, _external=True))
