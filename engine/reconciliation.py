"""Reconciliation (Abgleich): an uploaded file of amounts per person (the insurer's statement, the payroll
result, or the platform's own statement or payroll export) compared with the platform's figures for a month:
per person missing, extra or a different amount, with the ledger's reason. Each one is kept with its file;
it never changes a statement (docs/contracts.md, "Reconciliation")."""
import datetime
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from rules import catalogue

from engine import audit, clock, contracts, cover, documents, employee_file, payroll, start_window, statements
from engine.db import transaction
from engine.errors import DomainError, NotFound
from engine.models import Employee, Reconciliation, Statement

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
COLUMNS_FILE = Path(__file__).resolve().parent / "reconciliation_columns.yaml"
STATUSES = ("missing", "extra", "different")
TOTAL_WORDS = frozenset({"summe", "gesamt", "total", "gesamtsumme", "summegesamt"})
MAX_ERRORS = 50  # row problems named in one answer; the count says how many there were
_MONTH = (re.compile(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?(?:[ T].*)?"), re.compile(r"(?:\d{1,2}\.)?(\d{1,2})[./](\d{4})"))


@lru_cache(maxsize=None)
def columns():
    """The file's columns as catalogue fields (engine/reconciliation_columns.yaml), read by employee_file."""
    return catalogue.from_data(yaml.safe_load(COLUMNS_FILE.read_text(encoding="utf-8")))


class RowsInvalid(DomainError):
    """Rows of the file that cannot be read: `errors` names each one's row, column and reason."""

    def __init__(self, errors, count):
        shown = errors[:MAX_ERRORS]
        more_de = f" (und {count - len(shown)} weitere)" if count > len(shown) else ""
        more_en = f" (and {count - len(shown)} more)" if count > len(shown) else ""
        super().__init__("Die Datei hat fehlerhafte Zeilen" + more_de + ": "
                         + "; ".join(f"Zeile {e['row']}, Spalte {e['column']}: {e['message']['de']}" for e in shown),
                         "The file has rows that cannot be read" + more_en + ": "
                         + "; ".join(f"row {e['row']}, column {e['column']}: {e['message']['en']}" for e in shown),
                         field="file")
        self.errors, self.count = shown, count


@dataclass(frozen=True)
class FileRow:
    """One person's amount as the file states it; `row` is its row in the file (as Excel numbers it)."""
    row: int
    personnel_number: str
    name: str
    birth_date: datetime.date | None
    amount: Decimal
    month: datetime.date


@dataclass(frozen=True)
class ReadFile:
    rows: list            # FileRow
    layout: str           # statement | payroll | generic
    basis: str            # total (the premium) | employer (the employer's part)
    stated_total: Decimal | None  # a "Summe" row's amount, when the file has one
    warnings: list


# --- reading the file -----------------------------------------------------------------------------------

def layout_of(headers):
    """Whose file this is by its headers: the platform's statement or payroll export, or a generic one."""
    present = {employee_file.header_key(h) for h in headers if h}
    for name, header in (("statement", statements.CSV_HEADER), ("payroll", payroll.HEADER)):
        if {employee_file.header_key(h) for h in header} <= present:
            return name
    return "generic"


def _month_of(text):
    text = str(text or "").strip()
    for pattern, order in zip(_MONTH, ((0, 1), (1, 0))):
        found = pattern.fullmatch(text)
        if found:
            year, month = int(found.group(order[0] + 1)), int(found.group(order[1] + 1))
            if 1 <= month <= 12:
                return datetime.date(year, month, 1)
    return None


def _problem(row, column, de, en):
    return {"row": row, "column": column, "message": {"de": de, "en": en}}


def read(filename, data, month):
    """The file's rows for `month` (the 1st): ReadFile, or RowsInvalid naming every bad row. A row is bad when a
    cell cannot be read, when it names no person (personnel number, or name and date of birth), has no amount,
    or is for a month after `month`. A "Summe" row is the file's own total, not a person."""
    checking = employee_file.check(filename, data, fields=columns(), unique=False)
    found = checking.columns
    basis = "total" if "amount" in found else "employer" if "employer_amount" in found else None
    if basis is None:
        raise employee_file.FileUnusable(
            "Die Datei hat keine Spalte mit dem Betrag (z. B. „Betrag“ oder „Arbeitgeberanteil“).",
            "The file has no column with the amount (e.g. 'Betrag' or 'Arbeitgeberanteil').", row=checking.header_row)
    if "personnel_number" not in found and not (("name" in found or "last_name" in found) and "birth_date" in found):
        raise employee_file.FileUnusable(
            "Die Datei braucht eine Spalte „Personalnummer“ oder „Name“ und „Geburtsdatum“, um die Personen zu finden.",
            "The file needs a column 'Personalnummer', or 'Name' and 'Geburtsdatum', to find the people.",
            row=checking.header_row)
    amount_field = "amount" if basis == "total" else "employer_amount"
    rows, errors, stated_total = [], [], None
    for checked in checking:
        if checked.errors:
            errors += [_problem(e.row, e.column, e.message, e.message_en) for e in checked.errors]
            continue
        line = checked.employee
        name = line.name or ", ".join(part for part in (line.last_name, line.first_name) if part)
        amount = getattr(line, amount_field)
        if {employee_file.header_key(line.kind), employee_file.header_key(name)} & TOTAL_WORDS and not line.personnel_number:
            stated_total = amount
            continue
        problems = []
        if amount is None:
            problems.append(_problem(line.row, found[amount_field], "Betrag fehlt", "the amount is missing"))
        if not line.personnel_number and not (name and line.birth_date):
            problems.append(_problem(line.row, found.get("personnel_number") or found.get("name")
                                     or found.get("last_name"), "Personalnummer oder Name und Geburtsdatum fehlen",
                                     "personnel number, or name and date of birth, missing"))
        row_month = month
        if line.month:
            row_month = _month_of(line.month)
            if row_month is None:
                problems.append(_problem(line.row, found["month"], f"„{line.month}“ ist kein Monat (JJJJ-MM oder MM.JJJJ)",
                                         f"'{line.month}' is not a month (YYYY-MM or MM.YYYY)"))
            elif row_month > month:
                problems.append(_problem(line.row, found["month"],
                                         f"{row_month:%m.%Y} liegt nach dem abgeglichenen Monat {month:%m.%Y}",
                                         f"{row_month:%Y-%m} is after the month reconciled, {month:%Y-%m}"))
        if problems:
            errors += problems
            continue
        rows.append(FileRow(line.row, line.personnel_number, name, line.birth_date, amount, row_month))
    if errors:
        raise RowsInvalid(errors, len(errors))
    layout = layout_of(employee_file.headers(data, columns()))
    # the platform's own files carry more columns than are compared: no warning about those
    warnings = checking.warnings if layout == "generic" else []
    return ReadFile(rows, layout, basis, stated_total, warnings)


# --- the platform's figures -----------------------------------------------------------------------------

def _person_key(text):
    """A name compared without order, case, punctuation or umlaut spelling: "Anders, Anna" = "anna anders"."""
    return " ".join(sorted(employee_file.header_key(part) for part in re.split(r"[\s,;]+", text or "") if part))


def _platform(contract, month, basis):
    """(source, statement or None, {(employee id, month): amount}) of what the platform bills for `month`: the
    issued statement's lines (corrections of earlier months included), else the ledger's premiums of the month
    (as the statement would bill them, family members under their employee)."""
    statement = Statement.get_or_none((Statement.contract == contract.id) & (Statement.month == month))
    if statement is not None:
        lines = [(line["employee_id"], line["for_month"], line["amount"], line["employer_amount"])
                 for line in statements.view(statement)["lines"] if line["employee_id"]]
    else:
        lines = [(line.employee_id, line.for_month, line.amount, line.employer_amount)
                 for line in statements.compute(contract, month) if line.for_month == month]
    amounts = {}
    for employee_id, for_month, amount, employer_amount in lines:
        key = (employee_id, for_month)
        amounts[key] = amounts.get(key, ZERO) + (amount if basis == "total" else employer_amount)
    return ("statement" if statement else "ledger"), statement, amounts


def _reason(contract, employee, month, ledgers):
    """Why the platform bills what it does for `employee` in `month`: the period in force on its 1st (its reason,
    the event kind that made it, since when), else when cover starts or ended, or that the person is not insured."""
    if employee is None:
        return {"code": "unknown"}
    if month not in ledgers:
        ledgers[month] = cover.overview(contract, month)
    period = (ledgers[month].get(employee.id) or {}).get("period")
    if period is not None:
        return {"code": period.reason, "event_kind": period.event_kind, "cover": period.cover,
                "since": period.valid_from.isoformat()}
    line = [p for p in cover.timeline(employee, max(month, start_window.add_months(clock.today(), 24)))
            if not p.void]
    later = [p for p in line if p.valid_from > month]
    if later:
        return {"code": "starts", "since": later[0].valid_from.isoformat()}
    ended = [p for p in line if p.valid_to is not None and p.valid_to < month]
    if ended:
        return {"code": "ended", "until": ended[-1].valid_to.isoformat()}
    return {"code": "not_insured"}


def compare(contract, month, read_file):
    """The result of comparing a read file with the platform's figures for `month`: {source, statement, layout,
    basis, lines: [{status, personnel_number, person, employee_id, month, platform, file, difference, rows,
    reason}], counts, totals, stated_total, warnings}; amounts as decimal strings, dates ISO."""
    month = statements.first_of(month)
    source, statement, platform = _platform(contract, month, read_file.basis)
    people = list(Employee.select().where(Employee.contract == contract.id))
    by_number = {p.personnel_number: p for p in people}
    by_number_plain = {p.personnel_number.lstrip("0"): p for p in people}
    by_name = {(_person_key(f"{p.last_name} {p.first_name}"), p.birth_date): p for p in people}
    by_id = {p.id: p for p in people}
    in_file, unknown = {}, {}
    for row in read_file.rows:
        person = None
        if row.personnel_number:
            person = by_number.get(row.personnel_number) or by_number_plain.get(row.personnel_number.lstrip("0"))
        elif row.birth_date:
            person = by_name.get((_person_key(row.name), row.birth_date))
        target = in_file if person else unknown
        key = (person.id, row.month) if person else (row.personnel_number or row.name, row.month)
        amount, rows, name = target.get(key, (ZERO, [], row.name))
        target[key] = (amount + row.amount, rows + [row.row], name)
    ledgers, lines, counts = {}, [], {"same": 0, **{s: 0 for s in STATUSES}}
    for key in sorted(set(platform) | set(in_file), key=lambda k: (k[1], _sort_name(by_id.get(k[0])))):
        ours, theirs = platform.get(key), in_file.get(key)
        person = by_id.get(key[0])
        if ours is not None and theirs is not None:
            status = "same" if ours == theirs[0] else "different"
        elif ours is not None:
            status = "missing" if ours else "same"    # nothing billed: nothing to miss
        else:
            status = "extra" if theirs[0] else "same"
        counts[status] += 1
        if status != "same":
            lines.append(_line(status, person, key[1], ours, theirs, _reason(contract, person, key[1], ledgers)))
    for (label, for_month), (amount, rows, name) in sorted(unknown.items(), key=lambda item: (item[0][1], item[0][0])):
        counts["extra"] += 1
        lines.append(_line("extra", None, for_month, None, (amount, rows, name), {"code": "unknown"},
                           number=label if label != name else ""))
    platform_total = sum(platform.values(), ZERO)
    file_total = sum((row.amount for row in read_file.rows), ZERO)
    return {"month": month.isoformat(), "source": source,
            "statement": {"id": statement.id, "number": statement.number} if statement else None,
            "layout": read_file.layout, "basis": read_file.basis, "lines": lines, "counts": counts,
            "totals": {"platform": str(platform_total), "file": str(file_total),
                       "difference": str(file_total - platform_total)},
            "stated_total": None if read_file.stated_total is None else str(read_file.stated_total),
            "warnings": read_file.warnings}


def _sort_name(person):
    return (person.last_name, person.first_name, person.id) if person else ("", "", 0)


def _line(status, person, month, ours, theirs, reason, number=""):
    platform_amount = ours if ours is not None else ZERO
    file_amount = theirs[0] if theirs is not None else ZERO
    return {"status": status, "employee_id": person.id if person else None,
            "personnel_number": person.personnel_number if person else number,
            "person": f"{person.last_name}, {person.first_name}" if person else theirs[2],
            "month": month.isoformat(), "platform": None if ours is None else str(ours),
            "file": None if theirs is None else str(theirs[0]), "difference": str(file_amount - platform_amount),
            "rows": theirs[1] if theirs is not None else [], "reason": reason}


# --- use cases ------------------------------------------------------------------------------------------

def month_of(text):
    """The month a form or the API gives as YYYY-MM (the 1st); DomainError naming the field otherwise."""
    found = re.fullmatch(r"(\d{4})-(\d{2})", str(text or "").strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise DomainError("Bitte den Monat angeben (JJJJ-MM).", "Please give the month (YYYY-MM).", field="month")
    return datetime.date(int(found.group(1)), int(found.group(2)), 1)


def reconcile(user, contract, month, filename, data, side):
    """Read the uploaded file, compare it with the platform's figures for `month` and keep both (the file as a
    document, the result as JSON) with an audit entry. `side`: employer | insurer, who uploaded. Returns the
    stored Reconciliation. FileUnusable / RowsInvalid (nothing kept) when the file cannot be read."""
    month = statements.first_of(month)
    result = compare(contract, month, read(filename, data, month))
    with transaction():
        document = documents.store("reconciliation", filename or "abgleich", _mime(data), data,
                                   employer=contract.employer_id, tenant=contract.tenant_id)
        found = Reconciliation.create(contract=contract.id, month=month, document=document, side=side,
                                      created_by=user, created_at=clock.utcnow(), summary=result)
        audit.record(user, "reconciliation.made", "reconciliation", found.id, tenant=contract.tenant_id,
                     employer=contract.employer_id,
                     after={"contract": contract.id, "month": month, "side": side, "source": result["source"],
                            "counts": result["counts"], "totals": result["totals"], "document": document.id})
    logger.info("reconciliation %s of contract %s for %s: %s", found.id, contract.id, month, result["counts"])
    return found


def _mime(data):
    return ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if data.startswith(b"PK")
            else "text/csv")


def summary(found):
    """A stored reconciliation for pages and the API: id, contract_id, month, side, created_at, created_by (a
    name), document_id and the result of `compare`, its amounts as Decimal and its dates as dates."""
    user, result = found.created_by, found.summary
    return {**result, "id": found.id, "contract_id": found.contract_id, "month": found.month, "side": found.side,
            "created_at": found.created_at, "created_by": (user.name or user.email) if user else "",
            "document_id": found.document_id, "lines": [_typed(line) for line in result["lines"]],
            "totals": {key: Decimal(value) for key, value in result["totals"].items()},
            "stated_total": None if result["stated_total"] is None else Decimal(result["stated_total"])}


def _typed(line):
    reason = {key: datetime.date.fromisoformat(value) if key in ("since", "until") else value
              for key, value in line["reason"].items()}
    return {**line, "month": datetime.date.fromisoformat(line["month"]), "reason": reason,
            **{key: None if line[key] is None else Decimal(line[key]) for key in ("platform", "file", "difference")}}


def for_contract(contract):
    """The contract's reconciliations, newest first."""
    return [summary(r) for r in Reconciliation.select().where(Reconciliation.contract == contract.id)
            .order_by(Reconciliation.created_at.desc(), Reconciliation.id.desc())]


def of_contract(contract, reconciliation_id):
    """One reconciliation of `contract` (scoped by the caller); NotFound for another's."""
    found = Reconciliation.get_or_none((Reconciliation.id == reconciliation_id)
                                       & (Reconciliation.contract == contract.id))
    if found is None:
        raise NotFound("Abgleich nicht gefunden.", "Reconciliation not found.")
    return summary(found)


# Who may reconcile a contract: the one scoping per door (manager, back office, API).

def contract_for_employer(user, tenant_slug, contract_id):
    return contracts.contract_for_employer(user, tenant_slug, contract_id)


def contract_for_insurer(tenant_slug, contract_id):
    return contracts.for_insurer(tenant_slug, contract_id)
