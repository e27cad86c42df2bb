"""Data protection for insured persons: a full export of what is stored about an employee, and
anonymisation after the retention period that keeps the contract's history (numbers, premiums,
dates of cover) but removes who the person was."""
import io
import json
import re
import zipfile

from engine import audit, clock, documents, policies
from engine.db import transaction
from engine.models import AuditEntry, BusinessEvent, Document, Employee, Enrolment, Policy, utcnow

PERSONAL = ("first_name", "last_name", "email", "street", "postal_code", "city", "gender")
RETENTION_YEARS = 10  # § 147 AO / § 257 HGB: ten years for records relevant to accounts


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _row(model_row, fields):
    return {name: _plain(getattr(model_row, name)) for name in fields}


def _entry_name(folder, filename, taken):
    """`folder/filename` as a ZIP entry that unpacks where it should: the file name (which holds a
    policy number someone typed) reduced to one plain name without folders or leading dots, unique
    in the archive (`taken` collects the names used)."""
    name = re.sub(r"[^\w.\- ]", "_", filename).lstrip(". ") or "dokument"
    stem, dot, suffix = name.rpartition(".")
    unique, n = name, 1
    while unique.casefold() in taken:
        n += 1
        unique = f"{stem}-{n}.{suffix}" if dot else f"{name}-{n}"
    taken.add(unique.casefold())
    return f"{folder}/{unique}"


def export(actor, employee):
    """A ZIP with data.json (employee, enrolments, policies, events, audit trail) and the PDFs."""
    fields = [f for f in Employee._meta.sorted_field_names if f not in ("contract",)]
    data = {"employee": _row(employee, fields), "contract": {"policy_number": employee.contract.policy_number,
                                                             "insurer": employee.contract.tenant_id},
            "enrolments": [_row(e, ("id", "state", "tariff_group", "tariffs", "start_date", "premium", "reason",
                                    "created_at", "decided_at")) for e in employee.enrolments],
            "policies": [_row(p, ("id", "version", "number", "status", "start_date", "end_date", "tariff_group",
                                  "tariffs", "premium", "created_at")) for p in policies.history(employee)],
            "events": [_row(e, ("id", "type", "state", "data", "reason", "created_at", "decided_at"))
                       for e in employee.events],
            "audit": [{"at": _plain(a.at), "action": a.action, "before": a.before, "after": a.after}
                      for a in audit.history("employee", employee.id)]}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        names = set()
        for policy in Policy.select().where((Policy.employee == employee) & Policy.document.is_null(False)):
            archive.writestr(_entry_name("policen", policy.document.filename, names), documents.read(policy.document))
    with transaction():
        audit.record(actor, "employee.exported", "employee", employee.id, tenant=employee.contract.tenant_id,
                     employer=employee.contract.employer_id)
    return buffer.getvalue()


def due_for_anonymisation(today=None, years=RETENTION_YEARS):
    """Employees whose cover ended more than `years` ago (left or deceased)."""
    today = today or clock.today()
    limit = today.replace(year=today.year - years)
    ended = (Policy.select(Policy.employee).where((Policy.status == "ended") & (Policy.end_date < limit)))
    return list(Employee.select().where((Employee.state.in_(("left", "deceased"))) & (Employee.id.in_(ended))
                                        & (Employee.first_name != "anonymisiert")))


def anonymise(actor, employee):
    """Remove the person, keep the history: names and address blanked, birth date to 1 January of
    its year (ages stay explainable), documents with personal data deleted, events' free text removed."""
    with transaction():
        Employee.update(first_name="anonymisiert", last_name=f"#{employee.id}", email="", street="",
                        postal_code="", city="", gender="", birth_date=employee.birth_date.replace(month=1, day=1),
                        explanation={}, updated_at=utcnow()).where(Employee.id == employee.id).execute()
        BusinessEvent.update(data={}).where(BusinessEvent.employee == employee).execute()
        docs = [p.document_id for p in Policy.select().where((Policy.employee == employee)
                                                             & Policy.document.is_null(False))]
        Policy.update(document=None).where(Policy.employee == employee).execute()
        for doc in Document.select().where(Document.id.in_(docs)):
            documents.delete(doc)
        AuditEntry.update(before=None, after=None).where((AuditEntry.object_type == "employee")
                                                         & (AuditEntry.object_id == str(employee.id))).execute()
        Enrolment.update(reason=None).where(Enrolment.employee == employee).execute()
        audit.record(actor, "employee.anonymised", "employee", employee.id, tenant=employee.contract.tenant_id,
                     employer=employee.contract.employer_id)
