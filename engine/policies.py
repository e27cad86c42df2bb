"""Individual policies: issued on an accepted enrolment, re-issued as a new version after an event."""
from engine import documents, workflow
from engine.db import transaction
from engine.errors import NotFound
from engine.models import Employee, GroupContract, Policy, TenantVersion



def current(employee):
    return (Policy.select().where((Policy.employee == employee) & (Policy.status != "replaced"))
            .order_by(Policy.version.desc()).first())


def current_for(contract):
    """{employee id: current policy (number, premium, status)} of a contract's staff in one query."""
    query = (Policy.select(Policy.employee, Policy.number, Policy.premium, Policy.status)
             .where((Policy.contract == contract) & (Policy.status != "replaced")).order_by(Policy.version))
    return {policy.employee_id: policy for policy in query.objects()}


def first_of_enrolment(enrolment):
    """The policy issued on an accepted enrolment (its first version), or None."""
    return Policy.select().where(Policy.enrolment == enrolment).order_by(Policy.version).first()


def latest_of_event(event):
    """The policy version an accepted business event issued, or None."""
    return Policy.select().where(Policy.event == event).order_by(Policy.version.desc()).first()


def for_insurer(tenant_slug, policy_id):
    """A policy of one of the insurer's contracts; NotFound for anyone else's."""
    policy = (Policy.select().join(GroupContract)
              .where((Policy.id == policy_id) & (GroupContract.tenant == tenant_slug)).first())
    if policy is None:
        raise NotFound("Police nicht gefunden.", "Policy not found.")
    return policy


def history(employee):
    return list(Policy.select().where(Policy.employee == employee).order_by(Policy.version.desc()))


def issue(employee, contract, *, number, start_date, tariff_group, tariffs, premium, status="active",
          end_date=None, enrolment=None, event=None, pdf=None):
    """Store a new policy version (the previous one is kept as 'replaced'). An uploaded `pdf` is stored
    with it; otherwise its PDF is made by a job once the transaction commits (make_pdf), or when first
    downloaded (documents.make_later)."""
    previous = current(employee)
    version = (previous.version + 1) if previous else 1
    if previous is not None:
        workflow.move(Policy, "policy", "replace", None, [previous.id], scope=contract)
    policy = Policy.create(employee=employee, contract=contract, enrolment=enrolment, event=event, version=version,
                           number=number, start_date=start_date, end_date=end_date, tariff_group=tariff_group,
                           tariffs=tariffs, premium=str(premium), status=workflow.born("policy", status))
    if pdf is not None:
        doc = documents.store("policy", _filename(policy), "application/pdf", pdf, employer=contract.employer_id,
                              tenant=contract.tenant_id)
        Policy.update(document=doc).where(Policy.id == policy.id).execute()
    else:
        documents.make_later("policy", policy.id)
    return Policy.get_by_id(policy.id)


def _filename(policy):
    return f"Police-{policy.number}-v{policy.version}.pdf"


def of_employee(employee, policy_id):
    """One of the person's policy versions (the caller scoped the person); NotFound for another's."""
    policy = Policy.get_or_none((Policy.id == policy_id) & (Policy.employee == employee))
    if policy is None:
        raise NotFound("Police nicht gefunden.", "Policy not found.")
    return policy


def make_pdf(policy_id):
    """Make and store a policy's PDF unless it has one or its person was anonymised (the job; idempotent).
    Returns the policy, with its document when there is one."""
    from engine import gdpr  # it imports this module
    policy = Policy.get_by_id(policy_id)
    if policy.document_id is None and not gdpr.anonymised(Employee.get_by_id(policy.employee_id)):
        _store_pdf(policy)
        policy = Policy.get_by_id(policy_id)
    return policy


def _store_pdf(policy):
    """Render the policy's PDF as its contract's tenant version has the tariffs and make it the policy's
    document (a PDF made at the same moment by another worker is kept instead of this one)."""
    contract, employee = policy.contract, Employee.get_by_id(policy.employee_id)
    snapshot = TenantVersion.get_by_id(contract.tenant_version_id).snapshot["doc"]
    pdf = documents.render_pdf("policy.html", policy=policy, employee=employee, contract=contract,
                               employer=contract.employer, tenant=snapshot,
                               tariffs={t["id"]: t for t in snapshot["tariffs"]},
                               groups={g["id"]: g for g in snapshot["tariff_groups"]})
    with transaction():
        doc = documents.store("policy", _filename(policy), "application/pdf", pdf, employer=contract.employer_id,
                              tenant=contract.tenant_id)
        if not Policy.update(document=doc).where((Policy.id == policy.id) & Policy.document.is_null()).execute():
            documents.delete(doc)


def document(policy):
    """The policy's PDF document, made now if the job has not yet; NotFound once the person was anonymised."""
    policy = make_pdf(policy.id)
    if policy.document_id is None:
        raise NotFound("Police nicht gefunden.", "Policy not found.")
    return policy.document
