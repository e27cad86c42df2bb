"""Employees of a group contract: file import with preview, hand edits, tariff-group assignment.

An upload is first a preview: the original file kept, every row checked (a job, row by row), what
is new or changed shown. Importing stores the valid rows (matched by personnel number, so a repeated
file changes nothing) and assigns each employee a tariff group by the tenant's rules. Both jobs report
progress and a heartbeat; one whose worker died is started again by the worker's periodic task
(`stalled`), and an interrupted import can simply be run again.
"""
import collections
import dataclasses
import datetime
import json
import logging
from decimal import Decimal

from engine import (audit, clock, column_mapping, contract_groups, documents, eligibility, employee_file,
                    employee_record, enrolments, events, names, regroup, registry, signals, workflow)
from engine.db import insert_rows, prepared, transaction
from engine.errors import DomainError, NotFound
from peewee import fn, SQL

from engine.models import (AuditEntry, BusinessEvent, Document, Employee, Enrolment, ImportBatch, json_default,
                           utcnow)

logger = logging.getLogger(__name__)

FIELDS = employee_record.stored()  # the employee's own data, stored as the catalogue names it
DATES = frozenset(f.name for f in employee_record.CATALOGUE if f.type == "date" and f.name in FIELDS)
CHUNK = 500
PAGE_SIZE = 50
REPORT_PROBLEMS = 1000  # problems of a file kept in full in its report; all are counted (BKV_IMPORT_REPORT_PROBLEMS)
REPORT_ROWS = 1000      # new and changed employees listed in the report; all are counted
MAX_ATTEMPTS = 3        # times a stalled job is started again before the import is shown as interrupted


def configure(report_problems=None):
    global REPORT_PROBLEMS
    REPORT_PROBLEMS = report_problems or REPORT_PROBLEMS


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
    return {name: (get(name) or None) if name in DATES else _stored(get(name)) for name in FIELDS}


def _current(employee):
    """The stored columns of an employee (a model row, or a dict of its FIELDS)."""
    get = employee.get if isinstance(employee, dict) else lambda name: getattr(employee, name)
    return {name: get(name) if name in DATES else _stored(get(name)) for name in FIELDS}


def _diff(before, after):
    return {k: [_jsonable(before[k]), _jsonable(after[k])] for k in FIELDS if str(before[k]) != str(after[k])}


def upload(user, contract, filename, data):
    """Keep an uploaded file with its batch, to be checked by `check` (a job)."""
    with transaction():
        doc = documents.store("employee_upload", filename, "application/octet-stream", data,
                              employer=contract.employer_id, tenant=contract.tenant_id)
        batch = ImportBatch.create(contract=contract, uploaded_by=user, document=doc, status=workflow.born("import", "checking"),
                                   heartbeat_at=utcnow())
        audit.record(user, "import.uploaded", "import", batch.id, tenant=contract.tenant_id,
                     after={"file": doc.filename, "bytes": len(data)}, employer=contract.employer_id)
    return batch


def preview(user, contract, filename, data):
    """Keep an uploaded file and check it at once (the command line, tests); nothing about employees changes."""
    return check(upload(user, contract, filename, data).id)


def _chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _beat(batch_id, **changes):
    """Progress and the heartbeat of a batch's job (its own small transaction)."""
    ImportBatch.update(heartbeat_at=utcnow(), **changes).where(ImportBatch.id == batch_id).execute()


def check(batch_id):
    """Check a kept upload row by row (the job after `upload`). The report keeps the first
    REPORT_PROBLEMS problems in full and counts all, and lists the first REPORT_ROWS new and changed
    employees (compared a chunk at a time): its size and the memory used do not grow with the file.
    Report keys: errors, problems, problem_rows, warnings, new, new_count, changed, changed_count,
    unchanged; or unusable ({de, en}) for a file that cannot be used at all."""
    batch = ImportBatch.get_by_id(batch_id)
    if batch.status != "checking":
        return batch
    contract, document = batch.contract, batch.document
    report = {"errors": [], "problems": 0, "problem_rows": 0, "warnings": [], "new": [], "new_count": 0,
              "changed": [], "changed_count": 0, "unchanged": 0}
    mapping = None
    try:
        data = documents.read(document)
        mapping = column_mapping.for_file(contract.employer_id, employee_file.headers(data))
        report["mapping"] = mapping
        checking = employee_file.check(document.filename, data, columns=mapping["columns"])
        screen = _Screen(contract)
        valid_rows = (row for row in _counted(checking, report, batch.id) if row is not None)
        for chunk in _chunks(valid_rows, CHUNK):
            _compare(contract, screen.rows(chunk, report, checking.columns), report)
    except employee_file.FileUnusable as exc:
        workflow.move(ImportBatch, "import", "unusable", None, [batch.id], scope=contract,
                      changes={"report": {"unusable": exc.text, "mapping": mapping}, "heartbeat_at": utcnow()},
                      after={"file": document.filename, "reason": exc.message})
        return ImportBatch.get_by_id(batch.id)
    report["problems"] = checking.problems + screen.excluded
    report["warnings"] = checking.warnings
    valid = checking.valid - screen.excluded
    workflow.move(ImportBatch, "import", "previewed", None, [batch.id], scope=contract,
                  changes={"total": checking.total, "valid": valid, "progress": 0, "report": report,
                           "heartbeat_at": utcnow()},
                  after={"file": document.filename, "rows": checking.total, "valid": valid,
                         "system": mapping["system"]})
    return ImportBatch.get_by_id(batch.id)


def _counted(checking, report, batch_id):
    """The valid rows of a file being checked (None for a row with problems), its problems entered in
    the report as they come, progress (rows read) written every CHUNK rows."""
    for checked in checking:
        if checked.errors:
            report["problem_rows"] += 1
            room = REPORT_PROBLEMS - len(report["errors"])
            report["errors"].extend(_jsonable(dataclasses.asdict(error)) for error in checked.errors[:max(room, 0)])
        if checking.total % CHUNK == 0:
            _beat(batch_id, progress=checking.total)
        yield checked.employee


class _Screen:
    """What only the contract can tell of a valid row: a tariff group the contract does not offer, and a
    person who left before cover sent now could begin (kept when already enrolled: their cover ends by a
    leaving event). Such rows are excluded, each with a row problem."""

    def __init__(self, contract):
        live = registry.version(contract.tenant_version_id)
        offered = [g["id"] for g in contract.groups]
        self.groups = {spelling: gid for spelling, gid in eligibility.group_names(live).items() if gid in offered}
        self.allowed = [(live.groups[gid].get("name") or {}).get("de") or gid for gid in offered if gid in live.groups]
        self.allowed_en = [(live.groups[gid].get("name") or {}).get("en") or gid for gid in offered
                           if gid in live.groups]
        self.contract, self.opening, self.excluded = contract, enrolments.opens(contract), 0

    def problems(self, row, enrolled):
        """(field, de, en) of one row."""
        found = []
        written = (row.tariff_group or "").strip()
        if written and written.casefold() not in self.groups:
            found.append(("tariff_group", f"„{written}“ ist keine Tarifgruppe dieses Vertrags (erlaubt: "
                                          f"{', '.join(self.allowed)}; leer = nach Regeln)",
                          f"'{written}' is no tariff group of this contract (allowed: {', '.join(self.allowed_en)}; "
                          "empty = by the rules)"))
        left = getattr(row, "leaving_date", None)
        if left and left < self.opening and not enrolled:
            found.append(("leaving_date", f"ausgetreten am {left:%d.%m.%Y}, vor Beginn des Versicherungsschutzes "
                                          f"({self.opening:%d.%m.%Y}): wird nicht übernommen",
                          f"left on {left.isoformat()}, before cover would begin ({self.opening.isoformat()}): "
                          "not imported"))
        return found

    def rows(self, chunk, report=None, columns=None):
        """The rows of a chunk that pass; the others' problems entered in the report."""
        enrolled = set(Employee.select(Employee.personnel_number).where(
            (Employee.contract == self.contract) & (Employee.state != "new")
            & Employee.personnel_number.in_([row.personnel_number for row in chunk])).tuples())
        enrolled = {number for (number,) in enrolled}
        kept = []
        for row in chunk:
            problems = self.problems(row, row.personnel_number in enrolled)
            if not problems:
                kept.append(row)
                continue
            self.excluded += 1
            if report is not None:
                report["problem_rows"] += 1
                if len(report["errors"]) < REPORT_PROBLEMS:
                    report["errors"].extend(
                        _jsonable(dataclasses.asdict(employee_file.RowError(
                            row.row, (columns or {}).get(name, name), de, en, name))) for name, de, en in problems)
        return kept


def _compare(contract, rows, report):
    """Enter a chunk of valid rows in the report as new, changed or unchanged."""
    numbers = [row.personnel_number for row in rows]
    existing = {values["personnel_number"]: values for values in Employee.select(
        *[getattr(Employee, name) for name in FIELDS]).where(
        (Employee.contract == contract) & Employee.personnel_number.in_(numbers)).dicts()}
    for row in rows:
        employee = existing.get(row.personnel_number)
        if employee is None:
            report["new_count"] += 1
            if len(report["new"]) < REPORT_ROWS:
                report["new"].append({"row": row.row, "personnel_number": row.personnel_number,
                                      "name": f"{row.first_name} {row.last_name}"})
            continue
        diff = _diff(_current(employee), values_of(row))
        if not diff:
            report["unchanged"] += 1
            continue
        report["changed_count"] += 1
        if len(report["changed"]) < REPORT_ROWS:
            report["changed"].append({"row": row.row, "personnel_number": row.personnel_number, "fields": diff})


def report_page(batch, page=1, changes_page=1, size=PAGE_SIZE):
    """What the import page shows of a batch's report: all counts, the warnings, one page of the
    problems kept and one of the changes kept, the new employees kept (reports written before the
    counts were kept are counted from their lists)."""
    report = batch.report or {}
    errors, changed, new = report.get("errors", []), report.get("changed", []), report.get("new", [])

    def paged(items, number):
        pages = max(1, -(-len(items) // size))
        number = min(max(1, number), pages)
        return {"items": items[(number - 1) * size:number * size], "page": number, "pages": pages,
                "first": (number - 1) * size + 1, "listed": len(items)}
    return {"unusable": report.get("unusable"), "warnings": report.get("warnings", []),
            "problems": report.get("problems", len(errors)),
            "problem_rows": report.get("problem_rows", len({error["row"] for error in errors})),
            "errors": paged(errors, page), "changes": paged(changed, changes_page),
            "changed_count": report.get("changed_count", len(changed)),
            "new": new, "new_count": report.get("new_count", len(new)), "unchanged": report.get("unchanged", 0),
            "mapping": report.get("mapping"), "mapped": _mapped(report.get("mapping")),
            "undo_refused": revert_refusal(batch)}


def _mapped(mapping):
    """header -> the field it is read as now (the confirmed or guessed mapping, else the catalogue's
    names and aliases); "" for a column that is ignored."""
    if not mapping:
        return {}
    names = employee_file.layout().headers
    return {header: mapping["columns"].get(header) or names.get(employee_file.header_key(header), "")
            for header in mapping["headers"]}


def mapping_choices():
    """(field name, label) of every employee field a column can be mapped to, in the upload's order, and
    of the key columns a field is derived from (the Personengruppe and the Tätigkeitsschlüssel)."""
    sources = [(name, source.label) for name, (_, source) in employee_file.layout().sources.items()]
    return [(field.name, field.label) for field in form().fields] + sources


def start(user, batch):
    """Mark the batch as importing; the caller enqueues `run_import` (a job). Refused while the employer has
    not confirmed a column mapping that was guessed."""
    mapping = (batch.report or {}).get("mapping") or {}
    if batch.status == "previewed" and mapping and not mapping.get("confirmed"):
        raise DomainError("Bitte zuerst die Zuordnung der Spalten bestätigen.",
                          "Please confirm the column mapping first.")
    if not workflow.move(ImportBatch, "import", "started", user, [batch.id], scope=batch.contract,
                         changes={"progress": 0, "heartbeat_at": utcnow(), "attempts": 0}):
        raise DomainError("Diese Datei wurde bereits übernommen, wird noch geprüft oder ist unbrauchbar.",
                          "This file has already been imported, is still being checked or is unusable.")


def run_import(batch_id):
    """Store the valid rows of a batch in chunks (each chunk one transaction) and assign groups.

    Idempotent: rows are matched by personnel number, so running it again after a crash
    continues where it stopped and changes nothing twice. The file is read again row by row, so
    memory does not grow with it."""
    batch = ImportBatch.get_by_id(batch_id)
    if batch.status != "importing":
        return batch.progress
    contract = batch.contract
    live = registry.version(contract.tenant_version_id)
    mapping = (batch.report or {}).get("mapping") or {}
    checking = employee_file.check(batch.document.filename, documents.read(batch.document),
                                   columns=mapping.get("columns"))
    screen = _Screen(contract)
    done = 0
    for chunk in _chunks((checked.employee for checked in checking if checked.employee is not None), CHUNK):
        chunk = screen.rows(chunk)
        if not chunk:
            continue
        assignments = contract_groups.assign_from(live, contract, chunk)
        with transaction():
            existing = {e.personnel_number: e for e in Employee.select().where(
                (Employee.contract == contract) & (Employee.personnel_number.in_([r.personnel_number for r in chunk])))}
            new = [(row, assignment) for row, assignment in zip(chunk, assignments)
                   if row.personnel_number not in existing]
            _create_many(contract, new, batch.uploaded_by, batch.id)
            for row, assignment in zip(chunk, assignments):
                if row.personnel_number in existing:
                    person = existing[row.personnel_number]
                    left_before = person.leaving_date
                    _upsert(contract, person, values_of(row), row.tariff_group or "",
                            assignment, batch.uploaded_by, batch.id)
                    if row.leaving_date and row.leaving_date != left_before:
                        _file_leaving(contract, person, row.leaving_date, batch.uploaded_by, batch.id)
            done += len(chunk)
            _beat(batch.id, progress=done)
    workflow.move(ImportBatch, "import", "finished", None, [batch.id], scope=contract,
                  changes={"progress": done, "imported_at": utcnow(), "heartbeat_at": utcnow()},
                  after={"imported": done})
    return done


def remap(user, batch, columns):
    """The employer confirms or corrects the column mapping of a checked file (`columns`: header -> field
    name, "" to ignore): kept for the employer's files of this layout, and the file is checked again (the
    caller enqueues `check`)."""
    mapping = (batch.report or {}).get("mapping")
    if not mapping:
        raise DomainError("Diese Datei hat keine Spaltenzuordnung.", "This file has no column mapping.")
    contract = batch.contract
    column_mapping.remember(user, contract.employer_id, mapping["headers"], columns, tenant=contract.tenant_id)
    if not workflow.move(ImportBatch, "import", "remapped", user, [batch.id], scope=contract,
                         changes={"progress": 0, "heartbeat_at": utcnow(), "attempts": 0}):
        raise DomainError("Diese Datei wurde bereits übernommen oder wird gerade geprüft.",
                          "This file has already been imported or is being checked.")


def _import_entries(batch):
    """The audit entries of the employees an import created or changed (newest first)."""
    entries = AuditEntry.select().where(
        (AuditEntry.employer == batch.contract.employer_id) & (AuditEntry.object_type == "employee")
        & AuditEntry.action.in_(("employee.created", "employee.updated")) & (AuditEntry.at >= batch.created_at))
    return [entry for entry in entries.order_by(AuditEntry.id.desc())
            if isinstance(entry.after, dict) and entry.after.get("import") == batch.id]


def revert_refusal(batch):
    """Why an import cannot be undone ({de, en}), or None: only an imported file, and only until an
    enrolment was sent for one of the employees it created or changed."""
    if batch.status != "imported":
        return {"de": "Nur eine übernommene Datei kann rückgängig gemacht werden.",
                "en": "Only an imported file can be undone."}
    touched = {int(entry.object_id) for entry in _import_entries(batch)}
    if touched and Enrolment.select().where(Enrolment.employee.in_(touched)
                                            & (Enrolment.created_at >= batch.imported_at)).exists():
        return {"de": "Aus diesem Import wurden schon Anmeldungen gesendet; er kann nicht mehr rückgängig gemacht "
                      "werden.",
                "en": "Enrolments have been sent from this import; it can no longer be undone."}
    return None


def revert(user, batch):
    """Undo an import as a whole: the employees it created are removed, the ones it changed get their
    values from before it back (the audit's before-values). One transaction, audited."""
    refusal = revert_refusal(batch)
    if refusal:
        raise DomainError(refusal["de"], refusal["en"])
    contract = batch.contract
    with transaction():
        entries = _import_entries(batch)
        created = [int(e.object_id) for e in entries if e.action == "employee.created"]
        removed = list(Employee.select(Employee.id, Employee.personnel_number).where(
            Employee.id.in_(created) & (Employee.contract == contract)).tuples())
        Employee.delete().where(Employee.id.in_([i for i, _ in removed])).execute()
        restored = 0
        for entry in entries:  # newest first, so the oldest before-value wins
            if entry.action != "employee.updated" or int(entry.object_id) in created:
                continue
            before = {k: (datetime.date.fromisoformat(v) if k in DATES | {"eligible_from"} and v else v)
                      for k, v in (entry.before or {}).items()}
            person = Employee.get_or_none((Employee.id == int(entry.object_id)) & (Employee.contract == contract))
            Employee.update(**names.keyed(before, person), updated_at=utcnow()).where(
                (Employee.id == int(entry.object_id)) & (Employee.contract == contract)).execute()
            restored += 1
        if not workflow.move(ImportBatch, "import", "reverted", user, [batch.id], scope=contract,
                             after={"removed": [number for _, number in removed], "restored": restored}):
            raise DomainError("Dieser Import wurde schon rückgängig gemacht.", "This import has already been undone.")
        audit.record_many(user, "employee.removed", "employee",
                          [(i, {"personnel_number": number, "import": batch.id}) for i, number in removed],
                          tenant=contract.tenant_id, employer=contract.employer_id)
    return {"removed": len(removed), "restored": restored}


def stalled(cutoff, max_attempts=MAX_ATTEMPTS):
    """Batches whose check or import shows no sign of life since `cutoff` (a naive UTC time): their
    worker died. Each is claimed (heartbeat renewed, one attempt counted; a conditional update, so
    two workers never both take it) and returned as (id, status) to be run again. After
    `max_attempts` an import is shown as interrupted (the employer can retry it) and a file whose
    check keeps dying is unusable."""
    again = []
    for batch in ImportBatch.select(ImportBatch.id, ImportBatch.status, ImportBatch.heartbeat_at,
                                    ImportBatch.attempts, ImportBatch.contract).where(
            ImportBatch.status.in_(("checking", "importing"))
            & (ImportBatch.heartbeat_at.is_null() | (ImportBatch.heartbeat_at < cutoff))):
        same = ((ImportBatch.id == batch.id) & (ImportBatch.status == batch.status)
                & (ImportBatch.heartbeat_at == batch.heartbeat_at if batch.heartbeat_at
                   else ImportBatch.heartbeat_at.is_null()))
        if batch.attempts < max_attempts:
            if ImportBatch.update(heartbeat_at=utcnow(), attempts=ImportBatch.attempts + 1).where(same).execute():
                logger.warning("import %s: no sign of life since %s, %s again", batch.id, batch.heartbeat_at,
                               batch.status)
                again.append((batch.id, batch.status))
            continue
        if batch.status == "importing":
            workflow.move(ImportBatch, "import", "interrupted", None, [batch.id], scope=batch.contract, where=same,
                          after={"attempts": batch.attempts})
        else:
            workflow.move(ImportBatch, "import", "unusable", None, [batch.id], scope=batch.contract, where=same,
                          changes={"report": {"unusable": {
                              "de": "Die Prüfung der Datei wurde mehrmals abgebrochen. Bitte die Datei erneut "
                                    "hochladen oder in kleinere Dateien aufteilen.",
                              "en": "Checking the file was cut off several times. Please upload it again or split "
                                    "it into smaller files."}}},
                          after={"attempts": batch.attempts})
    return again


LEAVING_STATES = ("enrolled", "accepted", "insured")  # enrolment sent or policy issued: cover ends by an event


def _file_leaving(contract, employee, day, user, batch_id):
    """A leaving date in the file for a person enrolled or insured: a leaving event is filed for it as the
    employer would file it (the insurer still decides; cover ends at the end of that month by the
    ledger). Refused (no such event at this insurer, a precondition, one filed already) the employer is
    told why. Returns the event or None."""
    if employee.state not in LEAVING_STATES:
        return None
    live = registry.version(contract.tenant_version_id)
    kind = next((name for name in events.supported(live) if events.KINDS[name].leaving), None)
    refused = None
    if kind is None:
        refused = {"de": "Dieser Versicherer nimmt keine Austrittsmeldung über die Plattform an.",
                   "en": "This insurer takes no leaving notices through the platform."}
    elif BusinessEvent.select().where((BusinessEvent.employee == employee.id)
                                      & BusinessEvent.type.in_([name for name in events.KINDS if events.ends_cover(name)])
                                      & BusinessEvent.state.in_(("submitted", "accepted"))).exists():
        return None  # the employer has reported it already
    event = None
    if refused is None:
        try:
            with transaction():
                event = events.file(user, contract, employee, kind, {events.KINDS[kind].effective_date: day})[0]
                audit.record(user, "event.from_import", "business_event", event.id, tenant=contract.tenant_id,
                             after={"import": batch_id, "employee": employee.id}, employer=contract.employer_id)
        except DomainError as exc:
            refused = exc.text
    signals.leaving_from_import.send(contract, employee=employee, event=event, refused=refused)
    return event


def _explanation(assignment):
    """What the rules said; JSONText stores its dates as ISO text."""
    return {"group": assignment.group, "reason": assignment.reason, "explanation": assignment.explanation}


def _create_many(contract, rows, user, batch_id=None):
    """Insert new employees of an import chunk in one statement, with one audit entry each."""
    if not rows:
        return
    insert_rows(Employee, [dict(names.keyed(values_of(row)), contract=contract.id, tariff_group_requested=row.tariff_group or "",
                                tariff_group=assignment.group, eligible_from=assignment.eligible_from,
                                explanation=_explanation(assignment))
                           for row, assignment in rows])
    created = dict(Employee.select(Employee.personnel_number, Employee.id).where(
        (Employee.contract == contract) & Employee.personnel_number.in_([row.personnel_number for row, _ in rows]))
        .tuples())
    audit.record_many(user, "employee.created", "employee",
                      [(created[row.personnel_number], {"personnel_number": row.personnel_number,
                                                        "group": assignment.group, "import": batch_id})
                       for row, assignment in rows],
                      tenant=contract.tenant_id, employer=contract.employer_id)


def _upsert(contract, employee, values, requested, assignment, user, batch_id=None):
    group = assignment.group
    if employee is None:
        employee = Employee.create(contract=contract, tariff_group_requested=requested, tariff_group=group,
                                   eligible_from=assignment.eligible_from, explanation=_explanation(assignment),
                                   **names.keyed(values))
        audit.record(user, "employee.created", "employee", employee.id, tenant=contract.tenant_id,
                     after={"personnel_number": employee.personnel_number, "group": group,
                            "eligible_from": _jsonable(assignment.eligible_from)},
                     employer=contract.employer_id)
        return employee
    diff = _diff(_current(employee), values)
    new_person = employee.state == "new"  # an enrolled person's group and date are the policy's
    group = group if new_person else employee.tariff_group
    eligible_from = assignment.eligible_from if new_person else employee.eligible_from
    for name, old, new in (("tariff_group_requested", employee.tariff_group_requested or "", requested or ""),
                           ("tariff_group", employee.tariff_group, group),
                           ("eligible_from", _jsonable(employee.eligible_from), _jsonable(eligible_from))):
        if old != new:
            diff[name] = [old, new]
    if not diff:
        return employee
    # a new eligible-from date is reminded of again when it comes (engine/eligible_reminders.py)
    again = {"eligible_reminded_at": None} if "eligible_from" in diff else {}
    Employee.update(**names.keyed(values, employee), tariff_group_requested=requested, tariff_group=group, eligible_from=eligible_from,
                    explanation=_explanation(assignment), updated_at=utcnow(), **again).where(
        Employee.id == employee.id).execute()
    after, before = {k: v[1] for k, v in diff.items()}, {k: v[0] for k, v in diff.items()}
    if batch_id is not None:  # what undoing the import needs to restore the person exactly
        after["import"], before["explanation"] = batch_id, _jsonable(employee.explanation)
    audit.record(user, "employee.updated", "employee", employee.id, tenant=contract.tenant_id,
                 before=before, after=after, employer=contract.employer_id)
    if not new_person:  # the insured group stays until a tariff group change: the rules' view is a proposal
        regroup.recheck(employee, user, requested=requested)
    return employee


def reassign_new(contract, user=None):
    """Run the rules again for the contract's people not yet enrolled (a group added to the contract
    counts from today): each keeps the group the employer named; returns how many got another group."""
    live = registry.version(contract.tenant_version_id)
    people = list(Employee.select().where((Employee.contract == contract) & (Employee.state == "new"))
                  .order_by(Employee.id))
    rows = [dict(_current(p), tariff_group=p.tariff_group_requested or "") for p in people]
    changed = 0
    with transaction():
        for person, row, assignment in zip(people, rows, contract_groups.assign_from(live, contract, rows)):
            changed += assignment.group != person.tariff_group
            _upsert(contract, person, _current(person), person.tariff_group_requested or "", assignment, user)
    return changed


def form():
    """The hand form of an employee (derived from its catalogue, as the upload's columns are)."""
    return employee_record.form()


def save_by_hand(user, contract, values, employee=None):
    """Add or edit one employee from the employee form (its values as read); refused, with the field, for
    what the upload refuses across fields too. The group is assigned by the rules."""
    for name, de, en in employee_record.implausible(values, clock.today()):
        raise DomainError(de, en, field=name)
    live = registry.version(contract.tenant_version_id)
    # the group the employer names; a caller that does not carry it (an older form) keeps the stored one
    requested = values.get("tariff_group") if "tariff_group" in values else \
        (employee.tariff_group_requested if employee is not None else "")
    values = {k: values.get(k) for k in FIELDS}
    values["weekly_hours"] = _stored(values.get("weekly_hours"))
    values = {k: (v or None) if k in DATES else ("" if v is None else v) for k, v in values.items()}
    requested = (requested or "").strip()
    duplicate = Employee.select().where((Employee.contract == contract)
                                        & (Employee.personnel_number == values["personnel_number"]))
    if employee is not None:
        duplicate = duplicate.where(Employee.id != employee.id)
    if duplicate.exists():
        raise DomainError("Diese Personalnummer ist bereits vergeben.", "This personnel number is already in use.",
                          field="personnel_number")
    row = dict(values, tariff_group=requested)
    [assignment] = contract_groups.assign_from(live, contract, [row])
    with transaction():
        return _upsert(contract, employee, values, requested, assignment, user)


class StaffRow(collections.namedtuple("StaffRow",
                                      "id first_name last_name personnel_number tariff_group state eligible_from "
                                      "birth_date employment_start employment_type opening")):
    """A line of the staff list; `opening`: the first day cover sent now could begin (enrolments.opens).
    Birth date, entry and employment type are there for the premium from the start (benefit_limit.staff_list)."""
    __slots__ = ()

    @property
    def ready(self):
        return enrolments.is_ready(self.state, self.tariff_group, self.eligible_from, self.opening)

    @property
    def waiting(self):
        """Eligible only later (versicherbar ab eligible_from)."""
        return (self.state == "new" and bool(self.tariff_group) and self.eligible_from is not None
                and self.eligible_from > self.opening)


def _matching(contract_id, state, pattern, number):
    """Staff of a contract in a state, matching a pattern (any case); a filter left None matches all, so
    every filter has one SQL shape (rendered and prepared once, see engine.db.prepared). COALESCE,
    not `IS NULL`, so that PostgreSQL can tell the parameter's type from the column."""
    pattern, number = fn.COALESCE(pattern, "%"), fn.COALESCE(number, "%")  # ** is ILIKE (LIKE on SQLite too)
    return ((Employee.contract == contract_id) & (Employee.state == fn.COALESCE(state, Employee.state))
            & ((names.spelled_sql(Employee.name_key) ** pattern) | (Employee.personnel_number ** number)))


_STAFF_COLUMNS = (Employee.id, Employee.first_name, Employee.last_name, Employee.personnel_number,
                  Employee.tariff_group, Employee.state, Employee.eligible_from, Employee.birth_date,
                  Employee.employment_start, Employee.employment_type)


@prepared
def _staff_page(contract_id, state, pattern, number, limit, offset):
    return (Employee.select(*_STAFF_COLUMNS).where(_matching(contract_id, state, pattern, number))
            .order_by(Employee.name_key, Employee.id).limit(limit).offset(offset).tuples())


@prepared
def _whole_staff_page(contract_id, limit, offset):
    """A page of everyone, walked in the index (contract, name_key, id): no row outside it is read."""
    return (Employee.select(*_STAFF_COLUMNS).where(Employee.contract == contract_id)
            .order_by(Employee.name_key, Employee.id).limit(limit).offset(offset).tuples())


@prepared
def _staff_count(contract_id, state, pattern, number):
    return Employee.select(fn.COUNT(SQL("*"))).where(_matching(contract_id, state, pattern, number)).tuples()


def listing(contract, state=None, search="", page=1, size=PAGE_SIZE, total=None):
    """One page of a contract's staff, only the listed columns, and how many match in all.
    `search` matches a part of the name (as engine.names folds it: "Schroder" finds Schröder and Schroeder)
    or the personnel number; `total` is the
    unfiltered headcount when the caller already knows it (then it is not counted again)."""
    term = (search or "").strip().lower()
    state, page = state or None, max(1, page)
    pattern, number = (f"%{names.searched(term)}%", f"%{term}%") if term else (None, None)
    opening = enrolments.opens(contract)
    found = (_whole_staff_page(contract.id, size, (page - 1) * size) if state is None and pattern is None
             else _staff_page(contract.id, state, pattern, number, size, (page - 1) * size))
    rows = [StaffRow._make((*row, opening)) for row in found]
    if page == 1 and len(rows) < size:  # a first page not full holds all
        return rows, len(rows)
    if total is None or state or pattern:
        [(total,)] = _staff_count(contract.id, state, pattern, number)
    return rows, total


def for_contract(contract):
    return list(Employee.select().where(Employee.contract == contract).order_by(Employee.name_key, Employee.id))


def each_of_contract(contract):
    """The contract's staff in list order, one at a time (an export of 50,000 people keeps none of them)."""
    return Employee.select().where(Employee.contract == contract).order_by(Employee.name_key, Employee.id).iterator()


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
