"""From submitted application to group contract: release by the employer, decision by the insurer."""

from engine import (accounts, applications, audit, contract_lifecycle, documents, mandates, min_insured, offers,
                    registry, workflow)
from engine.db import prepared, transaction
from engine.errors import DomainError, NotFound
from engine.models import Application, Employer, GroupContract


NOT_RELEASED = ("draft", "submitted", "returned")  # the insurer does not know of these yet


def application_for_employer(user, tenant_slug, application_id):
    app = Application.get_or_none((Application.id == application_id) & (Application.tenant == tenant_slug))
    if app is None or not accounts.works_for(user, app.employer_id):
        raise NotFound("Antrag nicht gefunden.", "Application not found.")
    return app


def application_for_insurer(tenant_slug, application_id):
    """An application as the insurer sees it: only its own, and only once it has been released."""
    app = Application.get_or_none((Application.id == application_id) & (Application.tenant == tenant_slug)
                                  & (Application.state.not_in(NOT_RELEASED)))
    if app is None:
        raise NotFound("Antrag nicht gefunden.", "Application not found.")
    return app


def release(user, application, new_start=None):
    """The employer's release (Freigabe). When the requested start has passed meanwhile, the
    employer names a new one here; change and release are one unit of work."""
    with transaction():
        if new_start is not None and new_start != applications.start_of(application):
            application = applications.change_start(user, application, new_start)
        return workflow.fire(application, "application", "release", user)


def withdraw(user, application):
    """The employer takes the application back before the insurer has decided."""
    return workflow.fire(application, "application", "withdraw", user)


def return_to_broker(user, application, comment):
    return workflow.fire(application, "application", "return_to_broker", user, data={"comment": comment},
                         changes={"comment": (comment or "").strip()[:2000]})


def accept(staff, application, policy_number, policy_pdf=None):
    """The insurer accepts: the group contract with its policy number; the PDF uploaded or made."""
    policy_number = (policy_number or "").strip()
    if not policy_number:
        raise DomainError("Bitte geben Sie die Nummer der Gruppenpolice an.",
                          "Please enter the number of the group policy.",
                          field="policy_number")
    if policy_pdf is not None and not policy_pdf.startswith(b"%PDF"):
        raise DomainError("Die hochgeladene Police ist keine PDF-Datei.", "The uploaded policy is not a PDF file.",
                          field="policy_pdf")
    return workflow.fire(application, "application", "accept", staff,
                         data={"policy_number": policy_number, "policy_pdf": policy_pdf})


def reject(staff, application, comment):
    return workflow.fire(application, "application", "reject", staff,
                         data={"comment": comment}, changes={"comment": (comment or "").strip()[:2000]})


def request_info(staff, application, comment):
    return workflow.fire(application, "application", "request_info", staff, data={"comment": comment},
                         changes={"comment": (comment or "").strip()[:2000]})


def contracts_for_employer(user, tenant_slug):
    return list(GroupContract.select().where((GroupContract.employer.in_(accounts.employer_ids(user)))
                                             & (GroupContract.tenant == tenant_slug)))


@prepared
def _tenant_contract(contract_id, tenant_slug):
    return (GroupContract.select(GroupContract, Employer).join(Employer)
            .where((GroupContract.id == contract_id) & (GroupContract.tenant == tenant_slug)))


def of_application(application):
    """The group contract an accepted application became."""
    return GroupContract.get(GroupContract.application == application.id)


def for_insurer(tenant_slug, contract_id):
    """A group contract of the insurer's; NotFound for anyone else's."""
    contract = GroupContract.get_or_none((GroupContract.id == contract_id) & (GroupContract.tenant == tenant_slug))
    if contract is None:
        raise NotFound("Gruppenvertrag nicht gefunden.", "Group contract not found.")
    return contract


def contract_for_employer(user, tenant_slug, contract_id):
    contract = next(iter(_tenant_contract(contract_id, tenant_slug)), None)
    if contract is None or not accounts.works_for(user, contract.employer_id):
        raise NotFound("Vertrag nicht gefunden.", "Group contract not found.")
    return contract


@workflow.guard("application_group_requirements")
def _group_requirements(application, ctx):
    """Each offered group meets its own minimum and participation quota (engine/min_insured.py)."""
    min_insured.check_application(application)


@workflow.effect("release_when_not_required")
def _release_when_not_required(application, ctx):
    live = registry.get(application.tenant_id)
    if not live.settings.employer_release_required:
        workflow.fire(application, "application", "release", None)


@workflow.effect("create_group_contract")
def _create_contract(application, ctx):
    offer = application.offer
    start = applications.start_of(application)
    contract = GroupContract.create(application=application, employer=application.employer_id,
                                    tenant=application.tenant_id, tenant_version=application.tenant_version_id,
                                    policy_number=ctx.data["policy_number"], start_date=start, groups=offer.groups)
    mandate = mandates.record_from_application(application, contract, ctx.actor)
    pdf = ctx.data.get("policy_pdf")
    if pdf is None:  # the offer's tariffs as the application's tenant version (the offer's) had them
        pdf = documents.render_pdf("group_policy.html", contract=contract, application=application, offer=offer,
                                   employer=contract.employer, mandate=mandate and mandates.view(mandate),
                                   terms=contract_lifecycle.terms(contract, today=start), **offers.products(offer))
    doc = documents.store("group_policy", f"Gruppenpolice-{contract.policy_number}.pdf", "application/pdf", pdf,
                          employer=application.employer_id, tenant=application.tenant_id)
    GroupContract.update(document=doc).where(GroupContract.id == contract.id).execute()
    audit.record(ctx.actor, "contract.created", "contract", contract.id, tenant=application.tenant_id,
                 after={"policy_number": contract.policy_number, "start_date": start.isoformat()},
                 employer=application.employer_id)
    application.contract_id = contract.id


def of_employer_at(tenant_slug, employer_id):
    """The employer's group contract with one insurer, or None."""
    return GroupContract.get_or_none((GroupContract.tenant == tenant_slug) & (GroupContract.employer == employer_id))
