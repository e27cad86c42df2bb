"""Data protection for insured persons: a full export of what is stored about an employee, and
anonymisation after the retention period that keeps the contract's history (numbers, premiums,
dates of cover) but removes who the person was."""
import functools
import html
import io
import json
import operator
import re
import zipfile

from engine import audit, clock, documents, mandates, names, policies, statements
from engine.db import transaction
from engine.errors import DomainError
from engine.models import (AuditEntry, BusinessEvent, Document, Employee, Enrolment, FamilyMember, HeldDecision,
                           ImportBatch, Mandate, Notification, Outbox, Policy, utcnow)

ANONYMOUS = "anonymisiert"  # the first name an anonymised person (and their family, mandate holder) keeps
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
            "family_members": [_row(m, ("id", "role", "first_name", "last_name", "birth_date", "payer", "created_at"))
                               for m in FamilyMember.select().where(FamilyMember.employee == employee)],
            "mandates": [_row(m, ("holder", "iban", "bic", "reference", "signed_on", "revoked_on"))
                         for m in Mandate.select().where(Mandate.employee == employee)],
            "audit": [{"at": _plain(a.at), "action": a.action, "before": a.before, "after": a.after}
                      for a in audit.history("employee", employee.id)]}
    for policy in Policy.select().where((Policy.employee == employee) & Policy.document.is_null()):
        policies.make_pdf(policy.id)  # a version whose job has not made its PDF yet
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
                                        & (Employee.first_name != ANONYMOUS)))


def anonymised(employee):
    """Whether the person was anonymised: their policy PDFs were deleted and are not made again."""
    return employee.first_name == ANONYMOUS


def anonymise(actor, employee):
    """Remove the person everywhere, keep the history: names and address blanked, birth date to
    1 January of its year (ages stay explainable), policy PDFs deleted, the details and free text of
    their events and enrolments removed, their audit entries kept without before/after. Where they
    are one of many (an uploaded staff file, its import report, a mail, an entry about the employer)
    every mention of their names, e-mail or street is replaced; a stored upload that mentions them is
    replaced by a note, since its other rows live on in the employees it made."""
    contract = employee.contract
    with transaction():
        own = _own_entries(employee)
        traces = _traces(employee, own)
        erased = _erase_from_uploads(contract, employee.personnel_number, traces)
        for entry in AuditEntry.select().where(own & (AuditEntry.object_type != "employee")):
            AuditEntry.update(before=_kept(entry.before), after=_kept(entry.after)).where(
                AuditEntry.id == entry.id).execute()
        AuditEntry.update(before=None, after=None).where((AuditEntry.object_type == "employee")
                                                         & (AuditEntry.object_id == str(employee.id))).execute()
        _erase_mentions(contract.employer_id, own, traces)
        anonymous = names.keyed({"first_name": ANONYMOUS, "last_name": f"#{employee.id}"})
        Employee.update(**anonymous, email="", street="",
                        postal_code="", city="", gender="", birth_date=employee.birth_date.replace(month=1, day=1),
                        explanation={}, row_digest="", updated_at=utcnow()).where(Employee.id == employee.id).execute()
        for member in FamilyMember.select().where(FamilyMember.employee == employee):
            FamilyMember.update(first_name=ANONYMOUS, last_name=f"#{member.id}",
                                birth_date=member.birth_date.replace(month=1, day=1)).where(
                FamilyMember.id == member.id).execute()
        for mandate in Mandate.select().where(Mandate.employee == employee):
            Mandate.update(holder=ANONYMOUS, iban=mandates.masked(mandate.iban).replace(" ", ""), bic=None).where(
                Mandate.id == mandate.id).execute()
        statements.anonymise_person(employee)
        BusinessEvent.update(data={}, reason=None).where(BusinessEvent.employee == employee).execute()
        Enrolment.update(reason=None).where(Enrolment.employee == employee).execute()
        docs = [p.document_id for p in Policy.select().where((Policy.employee == employee)
                                                             & Policy.document.is_null(False))]
        Policy.update(document=None).where(Policy.employee == employee).execute()
        for doc in Document.select().where(Document.id.in_(docs)):
            documents.delete(doc)
        audit.record(actor, "employee.anonymised", "employee", employee.id, tenant=contract.tenant_id,
                     after={"uploads_replaced": erased}, employer=contract.employer_id)


def _own_entries(employee):
    """The audit entries about the person, their events and their enrolments (API writes included)."""
    events = [str(e.id) for e in BusinessEvent.select(BusinessEvent.id).where(BusinessEvent.employee == employee)]
    enrolments = [str(e.id) for e in Enrolment.select(Enrolment.id).where(Enrolment.employee == employee)]
    return (((AuditEntry.object_type == "employee") & (AuditEntry.object_id == str(employee.id)))
            | (AuditEntry.object_type.in_(("business_event", "event")) & AuditEntry.object_id.in_(events))
            | ((AuditEntry.object_type == "enrolment") & AuditEntry.object_id.in_(enrolments)))


# --- where a person is one of many: traces of them and their erasure ----------------------------

NAMING = ("last_name", "email", "street")  # each names the person in free text; a first name alone does not
KEPT = frozenset(("state", "type", "employee", "group", "premium", "decided_at",  # of their events and enrolments
                  "api_key", "api_key_name", "operation", "idempotency_key"))
REDACTED = "[anonymisiert]"
ERASED_UPLOAD = ("Die ursprüngliche Datei wurde gelöscht: sie enthielt Daten einer Person, die nach Ablauf der "
                 "Aufbewahrungsfrist anonymisiert wurde. Das Ergebnis des Imports bleibt erhalten.\n"
                 "The original file has been deleted: it held data of a person anonymised after the retention "
                 "period. The result of the import is kept.\n")
MAX_UNPACKED = 128 * 2**20  # an upload that unpacks to more is replaced unread


class Traces:
    """The texts that name a person (every last name, full name, e-mail and street they had), as
    one pattern that finds them as whole words in any case, and as SQL LIKE filters."""

    def __init__(self, texts):
        self.texts = sorted({t.strip() for t in texts if isinstance(t, str) and len(t.strip()) >= 2},
                            key=len, reverse=True)
        words = "|".join(re.escape(t) for t in self.texts)
        self.pattern = re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE) if self.texts else None

    def found_in(self, text):
        return bool(self.pattern and self.pattern.search(text))

    def redact(self, value):
        """`value` (text, or JSON data) with every trace replaced."""
        if self.pattern is None:
            return value
        if isinstance(value, str):
            return self.pattern.sub(REDACTED, value)
        if isinstance(value, list):
            return [self.redact(item) for item in value]
        if isinstance(value, dict):
            return {key: self.redact(item) for key, item in value.items()}
        return value

    def like(self, column, as_json=False):
        """A filter for rows whose `column` may hold a trace (the pattern decides); JSON text has
        its non-ASCII letters escaped, so the traces are looked for as JSON writes them."""
        variants = {v for t in self.texts for v in (t, t.lower(), t.upper())}
        variants = {json.dumps(v)[1:-1] for v in variants} if as_json else variants
        return functools.reduce(operator.or_, (column.contains(v) for v in variants))


def _traces(employee, own):
    """Every name, e-mail and street of the person: now, before each change (their audit entries),
    in their events and in the import reports that list them."""
    texts = [employee.last_name, f"{employee.first_name} {employee.last_name}", employee.email, employee.street]
    first_names, full_names = {employee.first_name}, []

    def collect(value, named=False):
        if isinstance(value, dict):
            first, last = value.get("first_name"), value.get("last_name")
            if isinstance(first, str):
                first_names.add(first)
                if isinstance(last, str):
                    texts.append(f"{first} {last}")
            if isinstance(value.get("name"), str):  # "first last", as import reports list people
                full_names.append(value["name"])
            for key, item in value.items():
                collect(item, named=key in NAMING or key == "name")
        elif isinstance(value, list):
            for item in value:
                collect(item, named)
        elif named and isinstance(value, str):
            texts.append(value)

    for entry in AuditEntry.select(AuditEntry.before, AuditEntry.after).where(own):
        collect(entry.before)
        collect(entry.after)
    for event in BusinessEvent.select(BusinessEvent.data).where(BusinessEvent.employee == employee):
        collect(event.data)
    for batch in ImportBatch.select(ImportBatch.report).where(ImportBatch.contract == employee.contract_id):
        collect(_about(batch.report, employee.personnel_number))
    texts += [name[len(first):].strip() for name in full_names for first in first_names
              if first and name.lower().startswith(first.lower() + " ")]
    return Traces(texts)


def _about(report, personnel_number, keep=True):
    """An import report with its entries about one personnel number only (keep=False: without
    them); entries of no person (errors by row, warnings) stay either way."""
    if isinstance(report, dict):
        return {key: _about(item, personnel_number, keep) for key, item in report.items()}
    if isinstance(report, list):
        return [item for item in report if not (isinstance(item, dict) and "personnel_number" in item)
                or (item["personnel_number"] == personnel_number) == keep]
    return report


def _kept(data):
    """Of an audit entry's before/after about the person's case: the case's facts, not their data."""
    return {key: value for key, value in data.items() if key in KEPT} if isinstance(data, dict) else None


def _erase_from_uploads(contract, personnel_number, traces):
    """Remove the person from the contract's import reports, and replace each kept upload that
    mentions them by a note. Returns how many uploads were replaced."""
    replaced = 0
    for batch in ImportBatch.select().where(ImportBatch.contract == contract):
        report = traces.redact(_about(batch.report, personnel_number, keep=False))
        upload = batch.document
        if _mentions(upload, traces):
            stem = traces.redact(upload.filename).rsplit(".", 1)[0]
            note = documents.store(upload.kind, f"{stem}-geloescht.txt", "text/plain; charset=utf-8",
                                   ERASED_UPLOAD.encode(), employer=upload.employer_id, tenant=upload.tenant_id)
            ImportBatch.update(report=report, document=note).where(ImportBatch.id == batch.id).execute()
            documents.delete(upload)
            replaced += 1
        elif report != batch.report:
            ImportBatch.update(report=report).where(ImportBatch.id == batch.id).execute()
    return replaced


def _mentions(document, traces):
    """Does a stored upload (CSV in any of its encodings, or XLSX) name the person? One that cannot
    be read to the end counts as naming them."""
    try:
        return traces.found_in(_text_of(documents.read(document)))
    except (DomainError, OSError, zipfile.BadZipFile, ValueError):
        return True


def _text_of(data):
    if data.startswith(b"PK\x03\x04"):  # XLSX: the text of its XML parts
        parts, size = [], 0
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for member in book.infolist():
                size += member.file_size
                if size > MAX_UNPACKED:
                    raise ValueError("unpacks to too much")
                parts.append(html.unescape(book.read(member).decode("utf-8", "replace")))
        return "\n".join(parts)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _erase_mentions(employer_id, own, traces):
    """Replace the traces in the mails of the outbox, the in-app notifications and the employer's other
    audit entries."""
    if traces.pattern is None:
        return
    for mail in Outbox.select().where(traces.like(Outbox.subject) | traces.like(Outbox.body)):
        subject, body = traces.redact(mail.subject)[:300], traces.redact(mail.body)
        if (subject, body) != (mail.subject, mail.body):
            Outbox.update(subject=subject, body=body).where(Outbox.id == mail.id).execute()
    for note in Notification.select().where(traces.like(Notification.text.cast("text"), as_json=True)):
        text = traces.redact(note.text)
        if text != note.text:
            Notification.update(text=text).where(Notification.id == note.id).execute()
    for held in HeldDecision.select().where(traces.like(HeldDecision.line.cast("text"), as_json=True)):
        line = traces.redact(held.line)
        if line != held.line:
            HeldDecision.update(line=line).where(HeldDecision.id == held.id).execute()
    mentioning = (traces.like(AuditEntry.before.cast("text"), as_json=True)
                  | traces.like(AuditEntry.after.cast("text"), as_json=True))
    for entry in AuditEntry.select().where((AuditEntry.employer == employer_id) & ~own & mentioning):
        before, after = traces.redact(entry.before), traces.redact(entry.after)
        if (before, after) != (entry.before, entry.after):
            AuditEntry.update(before=before, after=after).where(AuditEntry.id == entry.id).execute()
