"""Which stored documents insurer staff may open: those of the cases their insurer processes (the
group policy of a contract, the individual policies issued under it), never an employer's upload
or a broker's consultation record. Every opening is recorded, filed under the person it is about."""
from engine import accounts, audit, policies
from engine.db import transaction
from engine.errors import NotFound
from engine.models import Document, GroupContract, Policy


def for_employer(user, tenant_slug, document_id):
    """A document of one of the user's employers at this insurer (policies, the kept upload)."""
    document = Document.get_or_none((Document.id == document_id) & (Document.tenant == tenant_slug))
    if document is None or not accounts.works_for(user, document.employer_id):
        raise NotFound("Dokument nicht gefunden.", "Document not found.")
    return document


def policy_for_employer(user, policy):
    """A policy PDF of the user's employee (the caller scoped the policy), made now if its job has not yet;
    the reading is recorded in the person's history, as the insurer's is."""
    document = policies.document(policy)
    contract = policy.contract
    with transaction():
        audit.record(user, "employee.read", "employee", policy.employee_id, tenant=contract.tenant_id,
                     employer=contract.employer_id, after={"object": "policy", "object_id": policy.id,
                                                           "document": document.id})
    return document


def for_insurer(staff, tenant_slug, document_id, via=None):
    """The document, if it is a group policy of the tenant or an individual policy under one; the
    reading is audited (`via` adds to the entry, e.g. the API key). NotFound for anything else."""
    contract = GroupContract.get_or_none((GroupContract.document == document_id)
                                         & (GroupContract.tenant == tenant_slug))
    policy = None
    if contract is None:
        policy = (Policy.select(Policy, GroupContract).join(GroupContract)
                  .where((Policy.document == document_id) & (GroupContract.tenant == tenant_slug)).first())
        if policy is None:
            raise NotFound("Dokument nicht gefunden.", "Document not found.")
        contract = policy.contract
    document = Document.get_by_id(document_id)
    with transaction():
        if policy is not None:  # the person's policy: in their history, like every read of their data
            audit.record(staff, "employee.read", "employee", policy.employee_id, tenant=tenant_slug,
                         employer=contract.employer_id,
                         after={"object": "policy", "object_id": policy.id, "document": document.id, **(via or {})})
        else:
            audit.record(staff, "document.read", "document", document.id, tenant=tenant_slug,
                         employer=contract.employer_id,
                         after={"object": "group_policy", "object_id": contract.id, **(via or {})})
    return document
