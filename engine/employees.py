"""Employees of a group contract: file import with preview, hand edits, tariff-group assignment.

An upload is first a preview: every row checked, the original file kept, what is new or changed
shown. Importing stores the valid rows (matched by personnel number, so a repeated file changes
nothing) and assigns each employee a tariff group by the tenant's rules. Long imports run as a job
and report progress; an interrupted import can simply be run again.
"""
import collections
import dataclasses
import json
import logging
from decimal import Decimal

from engine import audit, clock, documents, eligibility, employee_file, enrolments, registry
from engine.db import insert_rows, prepared, transaction
from engine.errors import DomainError, NotFound
from peewee import fn

from engine.models import Document, Employee, ImportBatch, json_default, utcnow

logger = logging.getLogger(__name__)

FIELDS = ("personnel_number", "last_name", "first_name", "birth_date", "gender", "email", "street", "postal_code",
          "city", "employment_start", "employment_type", "weekly_hours")
CHUNK = 500
PAGE_SIZE = 50


_parsed = {}  # the last file checked in this process: {(sha256, filename, day): ParsedFile}


def _parse(document, data):
    """Check an uploaded file. The preview's result is kept for the import that follows in the
    same process (the CLI, or jobs run in-process), so a file is parsed once there; a separate
    worker process parses the stored file again. Rows are frozen, so sharing them is safe."""
    key = (document.sha256, document.filename, clock.today())
    parsed = _parsed.get(key)
    if parsed is None:
        parsed = employee_file.parse(document.filename, data)
        _parsed.clear()
        _parsed[key] = parsed
    return parsed


def _jsonable(value):
    return json.loads(json.dumps(value, default=json_default))


def _stored(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    return value


def values_of(row):
    """The employee columns of a parsed row (or a form result) as they are stored."""
    get = eligibility.reader(row)
    return {name: _stored(get(name)) for name in FIELDS}


def _current(employee):
    return {name: _stored(getattr(employee, name)) for name in FIELDS}


def _diff(before, after):
    return {k: [_jsonable(before[k]), _jsonable(after[k])] for k in FIELDS if str(before[k]) != str(after[k])}


def preview(user, contract, filename, data):
    """Check an uploaded file and keep it; nothing about employees changes yet."""
    with transaction():
        doc = documents.store("employee_upload", filename, "application/octet-stream", data,
                              employer=contract.employer_id, tenant=contract.tenant_id)
        batch = ImportBatch.create(contract=contract, uploaded_by=user, document=doc)
        try:
            parsed = _parse(doc, data)
        except employee_file.FileUnusable as exc:
            ImportBatch.update(status="unusable", report={"unusable": exc.text}).where(
                ImportBatch.id == batch.id).execute()
            audit.record(user, "import.unusable", "import", batch.id, tenant=contract.tenant_id,
                         after={"file": filename, "reason": exc.message}, employer=contract.employer_id)
            return ImportBatch.get_by_id(batch.id)
        existing = {e.personnel_number: e for e in Employee.select().where(Employee.contract == contract)}
        new, changed, unchanged = [], [], 0
        for row in parsed.rows:
            employee = existing.get(row.personnel_number)
            if employee is None:
                new.append({"row": row.row, "personnel_number": row.personnel_number,
                            "name": f"{row.first_name} {row.last_name}"})
            else:
                diff = _diff(_current(employee), values_of(row))
                if diff:
                    changed.append({"row": row.row, "personnel_number": row.personnel_number, "fields": diff})
                else:
                    unchanged += 1
        report = {"errors": [_jsonable(dataclasses.asdict(e)) for e in parsed.errors], "warnings": parsed.warnings,
                  "new": new, "changed": changed, "unchanged": unchanged}
        ImportBatch.update(total=parsed.total, valid=len(parsed.rows), report=report).where(
            ImportBatch.id == batch.id).execute()
        audit.record(user, "import.previewed", "import", batch.id, tenant=contract.tenant_id,
                     after={"file": filename, "rows": parsed.total, "valid": len(parsed.rows)},
                     employer=contract.employer_id)
    return ImportBatch.get_by_id(batch.id)


def start(user, batch):
    """Mark the batch as importing; the caller enqueues `run_import` (a job)."""
    if batch.status not in ("previewed", "importing"):
        raise DomainError("Diese Datei wurde bereits übernommen oder ist unbrauchbar.",
                          "This file has already been imported or is unusable.")
    with transaction():
        ImportBatch.update(status="importing", progress=0).where(ImportBatch.id == batch.id).execute()
        audit.record(user, "import.started", "import", batch.id, tenant=batch.contract.tenant_id,
                     employer=batch.contract.employer_id)


def run_import(batch_id):
    """Store the valid rows of a batch in chunks (each chunk one transaction) and assign groups.

    Idempotent: rows are matched by personnel number, so running it again after a crash
    continues where it stopped and changes nothing twice."""
    batch = ImportBatch.get_by_id(batch_id)
    contract = batch.contract
    live = registry.version(contract.tenant_version_id)
    parsed = _parse(batch.document, documents.read(batch.document))
    offered = [g["id"] for g in contract.groups]
    rows = parsed.rows
    for start_at in range(0, len(rows), CHUNK):
        chunk = rows[start_at:start_at + CHUNK]
        assignments = eligibility.assign(live, chunk, contract.start_date, groups=offered)
        with transaction():
            existing = {e.personnel_number: e for e in Employee.select().where(
                (Employee.contract == contract) & (Employee.personnel_number.in_([r.personnel_number for r in chunk])))}
            new = [(row, assignment) for row, assignment in zip(chunk, assignments)
                   if row.personnel_number not in existing]
            _create_many(contract, new, batch.uploaded_by)
            for row, assignment in zip(chunk, assignments):
                if row.personnel_number in existing:
                    _upsert(contract, existing[row.personnel_number], values_of(row), row.tariff_group or "",
                            assignment, batch.uploaded_by)
            ImportBatch.update(progress=start_at + len(chunk)).where(ImportBatch.id == batch.id).execute()
    with transaction():
        ImportBatch.update(status="imported", progress=len(rows), imported_at=utcnow()).where(
            ImportBatch.id == batch.id).execute()
        audit.record(batch.uploaded_by, "import.finished", "import", batch.id, tenant=contract.tenant_id,
                     after={"imported": len(rows)}, employer=contract.employer_id)
    return len(rows)


def _explanation(assignment):
    """What the rules said; JSONText stores its dates as ISO text."""
    return {"group": assignment.group, "reason": assignment.reason, "explanation": assignment.explanation}


def _create_many(contract, rows, user):
    """Insert new employees of an import chunk in one statement, with one audit entry each."""
    if not rows:
        return
    insert_rows(Employee, [dict(values_of(row), contract=contract.id, tariff_group_requested=row.tariff_group or "",
                                tariff_group=assignment.group, explanation=_explanation(assignment))
                           for row, assignment in rows])
    created = dict(Employee.select(Employee.personnel_number, Employee.id).where(
        (Employee.contract == contract) & Employee.personnel_number.in_([row.personnel_number for row, _ in rows]))
        .tuples())
    audit.record_many(user, "employee.created", "employee",
                      [(created[row.personnel_number], {"personnel_number": row.personnel_number,
                                                        "group": assignment.group}) for row, assignment in rows],
                      tenant=contract.tenant_id, employer=contract.employer_id)


def _upsert(contract, employee, values, requested, assignment, user):
    group = assignment.group
    if employee is None:
        employee = Employee.create(contract=contract, tariff_group_requested=requested, tariff_group=group,
                                   explanation=_explanation(assignment), **values)
        audit.record(user, "employee.created", "employee", employee.id, tenant=contract.tenant_id,
                     after={"personnel_number": employee.personnel_number, "group": group},
                     employer=contract.employer_id)
        return employee
    diff = _diff(_current(employee), values)
    group = group if employee.state == "new" else employee.tariff_group  # an enrolled person's group is the policy's
    for name, old, new in (("tariff_group_requested", employee.tariff_group_requested or "", requested or ""),
                           ("tariff_group", employee.tariff_group, group)):
        if old != new:
            diff[name] = [old, new]
    if not diff:
        return employee
    Employee.update(**values, tariff_group_requested=requested, tariff_group=group,
                    explanation=_explanation(assignment), updated_at=utcnow()).where(Employee.id == employee.id).execute()
    audit.record(user, "employee.updated", "employee", employee.id, tenant=contract.tenant_id,
                 before={k: v[0] for k, v in diff.items()}, after={k: v[1] for k, v in diff.items()},
                 employer=contract.employer_id)
    return employee


def save_by_hand(user, contract, values, employee=None):
    """Add or edit one employee from the employee form; the group is assigned by the rules."""
    live = registry.version(contract.tenant_version_id)
    # the group the employer names; a caller that does not carry it (an older form) keeps the stored one
    requested = values.get("tariff_group") if "tariff_group" in values else \
        (employee.tariff_group_requested if employee is not None else "")
    values = {k: values.get(k) for k in FIELDS}
    values["weekly_hours"] = _stored(values.get("weekly_hours"))
    values = {k: ("" if v is None else v) for k, v in values.items()}
    requested = (requested or "").strip()
    duplicate = Employee.select().where((Employee.contract == contract)
                                        & (Employee.personnel_number == values["personnel_number"]))
    if employee is not None:
        duplicate = duplicate.where(Employee.id != employee.id)
    if duplicate.exists():
        raise DomainError("Diese Personalnummer ist bereits vergeben.", "This personnel number is already in use.",
                          field="personnel_number")
    row = dict(values, tariff_group=requested)
    [assignment] = eligibility.assign(live, [row], contract.start_date, groups=[g["id"] for g in contract.groups])
    with transaction():
        return _upsert(contract, employee, values, requested, assignment, user)


class StaffRow(collections.namedtuple("StaffRow", "id first_name last_name personnel_number tariff_group state")):
    __slots__ = ()

    @property
    def ready(self):
        return enrolments.is_ready(self.state, self.tariff_group)


def _matching(contract_id, state, pattern):
    """Staff of a contract in a state, matching a pattern (any case); a filter left None matches all, so
    every filter has one SQL shape (rendered and prepared once, see engine.db.prepared). COALESCE,
    not `IS NULL`, so that PostgreSQL can tell the parameter's type from the column."""
    pattern = fn.COALESCE(pattern, "%")  # ** is ILIKE (LIKE on SQLite: no case either)
    return ((Employee.contract == contract_id) & (Employee.state == fn.COALESCE(state, Employee.state))
            & ((Employee.last_name ** pattern) | (Employee.first_name ** pattern)
               | (Employee.personnel_number ** pattern)))


@prepared
def _staff_page(contract_id, state, pattern, limit, offset):
    return (Employee.select(Employee.id, Employee.first_name, Employee.last_name, Employee.personnel_number,
                            Employee.tariff_group, Employee.state)
            .where(_matching(contract_id, state, pattern))
            .order_by(Employee.last_name, Employee.first_name, Employee.id).limit(limit).offset(offset).tuples())


@prepared
def _staff_count(contract_id, state, pattern):
    return Employee.select(fn.COUNT(Employee.id)).where(_matching(contract_id, state, pattern)).tuples()


def listing(contract, state=None, search="", page=1, size=PAGE_SIZE, total=None):
    """One page of a contract's staff, only the listed columns, and how many match in all.
    `search` matches a part of the first or last name or the personnel number; `total` is the
    unfiltered headcount when the caller already knows it (then it is not counted again)."""
    term = (search or "").strip().lower()
    state, pattern, page = state or None, f"%{term}%" if term else None, max(1, page)
    rows = [StaffRow._make(row) for row in _staff_page(contract.id, state, pattern, size, (page - 1) * size)]
    if page == 1 and len(rows) < size:  # a first page not full holds all
        return rows, len(rows)
    if total is None or state or pattern:
        [(total,)] = _staff_count(contract.id, state, pattern)
    return rows, total


def for_contract(contract):
    return list(Employee.select().where(Employee.contract == contract).order_by(Employee.last_name, Employee.first_name))


def get(contract, employee_id):
    employee = Employee.get_or_none((Employee.id == employee_id) & (Employee.contract == contract))
    if employee is None:
        raise NotFound("Mitarbeitende(r) nicht gefunden.", "Employee not found.")
    return employee


@prepared
def _recent_imports(contract_id, count):
    return (ImportBatch.select(ImportBatch.id, ImportBatch.status, ImportBatch.created_at, Document.filename)
            .join(Document).where(ImportBatch.contract == contract_id).order_by(ImportBatch.id.desc()).limit(count))


def recent_imports(contract, count=5):
    """The contract's latest uploads with their file names, newest first."""
    return list(_recent_imports(contract.id, count))


def batch_for(contract, batch_id):
    batch = ImportBatch.get_or_none((ImportBatch.id == batch_id) & (ImportBatch.contract == contract))
    if batch is None:
        raise NotFound("Import nicht gefunden.", "Import not found.")
    return batch
