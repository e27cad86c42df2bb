"""The employee file (CSV/XLSX) as employers bring it: read it, check every row, name each problem.

The format is /work/shared/formats/employee-import.md; the columns, their spellings and limits come from the
employee's field catalogue (rules/catalogues/employee.yaml), the same that makes the hand form. Row numbers are the ones the employer sees
in Excel: a quoted cell with line breaks is one row, empty lines count, an Excel `sep=` line does not.
A code that lost its leading zero (a number cell, or a CSV Excel saved) gets it back, with a warning.
Files are read row by row within limits (rows, columns per row, cells, unpacked size), so a hostile
upload ends with a reason instead of exhausting the server; `check` hands out one checked row at a time.
"""
import codecs
import copy
import csv
import dataclasses
import datetime
import hashlib
import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from decimal import ROUND_HALF_UP, Decimal

from forms import messages as form_messages, values as form_values

from engine import clock, employee_record, xlsx
from engine.errors import DomainError

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000                  # data rows (BKV_IMPORT_MAX_ROWS)
MAX_COLUMNS = 200                  # cells of one row up to its last value (BKV_IMPORT_MAX_COLUMNS)
MAX_CELLS = 2_000_000              # cells read in all, empty ones and empty rows too (BKV_IMPORT_MAX_CELLS)
MAX_UNPACKED = 100 * 1024 * 1024   # an XLSX is a zip: its members' declared sizes (BKV_IMPORT_MAX_UNPACKED_MB)
MAX_ROW_CHARS = 100_000            # the text of one CSV row, read before it is split into cells
HEADER_SEARCH = 10                 # non-empty rows searched for the header (title rows above it)
EXCEL_ERRORS = frozenset({"#N/A", "#NV", "#DIV/0!", "#VALUE!", "#WERT!", "#REF!", "#BEZUG!", "#NAME?",
                          "#NUM!", "#ZAHL!", "#NULL!", "#SPILL!", "#ÜBERLAUF!", "#CALC!", "#GETTING_DATA"})

_SEPARATORS = (";", ",", "\t")
_HEADER_JUNK = re.compile(r"[\s\-_.*]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_DATE_TIME = re.compile(r"(?<=\d)(?:\s+|T)\d{1,2}:\d{2}(?::\d{2})?$")  # "01.02.2015 00:00" as Excel writes it
_SHORT_YEAR = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2}")
_SPACES = re.compile(r"\s+")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_NOT_TABLES = ((b"%PDF", "ein PDF-Dokument", "a PDF document"), (b"\x89PNG", "ein Bild", "an image"),
               (b"\xff\xd8\xff", "ein Bild", "an image"), (b"GIF8", "ein Bild", "an image"),
               (b"{\\rtf", "ein Textdokument (RTF)", "a text document (RTF)"))
_CONTROL = frozenset(range(0, 9)) | {11} | frozenset(range(14, 32)) | {127}


class FileUnusable(DomainError):
    """The file as a whole cannot be read (not CSV/XLSX, empty, no header with the required columns)."""

    def __init__(self, de, en, row=None):
        super().__init__(de, en)
        self.row = row


@dataclass(frozen=True)
class RowError:
    """A problem of one cell: its Excel row, its column (header as written) and why, in plain words."""
    row: int
    column: str
    message: str
    message_en: str = ""
    field: str = ""                # the English column name


@dataclass
class ParsedFile:
    rows: list = field(default_factory=list)       # Layout.row (EmployeeRow), valid rows only
    errors: list = field(default_factory=list)     # RowError, in row order
    warnings: list = field(default_factory=list)   # {de, en} texts
    total: int = 0                                 # non-empty data rows
    columns: dict = field(default_factory=dict)    # English name -> header as written


class Checked(NamedTuple):
    """One data row as checked: the typed row if it has no problem, else its problems."""
    row: int
    employee: object | None     # a Layout.row (EmployeeRow)
    errors: list


def configure(max_rows=None, max_columns=None, max_cells=None, max_unpacked=None):
    """Set the limits of what an upload may hold (the app factory passes the configured ones)."""
    global MAX_ROWS, MAX_COLUMNS, MAX_CELLS, MAX_UNPACKED
    MAX_ROWS = max_rows or MAX_ROWS
    MAX_COLUMNS = max_columns or MAX_COLUMNS
    MAX_CELLS = max_cells or MAX_CELLS
    MAX_UNPACKED = max_unpacked or MAX_UNPACKED


class _Invalid(Exception):
    def __init__(self, de, en):
        super().__init__(de)
        self.de, self.en = de, en


def header_key(text):
    """How a header is compared: case-insensitive, without spaces, '-', '_', '.', '*'; ß = ss, ä = ae."""
    return _HEADER_JUNK.sub("", str(text or "")).casefold().translate(_UMLAUTS)


class Layout:
    """What the upload reads, derived from a field catalogue: `columns` (its fields with an upload column),
    `headers` (every accepted header spelling -> field name), `form` (the loaded form fields, whose limits
    the cells are checked against, as the hand form is), `row` (the typed row: `row`, then the fields)."""

    def __init__(self, fields):
        self.columns = tuple(f for f in fields if f.column)
        self.by_name = {f.name: f for f in self.columns}
        self.form = employee_record.form(fields)
        self.headers = {header_key(spelling): f.name for f in self.columns for spelling in (f.name, f.column, *f.aliases)}
        self.sources = {source.name: (f, source) for f in self.columns for source in f.derived_from}
        self.headers.update({header_key(spelling): name for name, (_, source) in self.sources.items()
                             for spelling in (source.name, source.column, *source.aliases)})
        self.spellings = {f.name: {header_key(spelling): value for value, more in f.spellings for spelling in (value, *more)}
                          for f in self.columns if f.spellings}
        required = [(f.name, object) for f in self.columns if f.required]
        optional = [(f.name, object, dataclasses.field(default=_blank(f))) for f in self.columns if not f.required]
        self.row = dataclasses.make_dataclass("EmployeeRow", [("row", int), *required, *optional], frozen=True,
                                              namespace={"digest": _digest})

    def column_of(self, name):
        """The German header of a field or of a key column another field is derived from."""
        return self.by_name[name].column if name in self.by_name else self.sources[name][1].column

    def with_columns(self, columns):
        """This layout reading a file's own headers too (`columns`: header as written -> field name, "" to
        ignore it; engine/column_mapping.py)."""
        if not columns:
            return self
        mapped = copy.copy(self)
        mapped.headers = {**self.headers, **{header_key(h): (name or None) for h, name in columns.items()}}
        return mapped


def _digest(row):
    """SHA-256 of a row's values (not its number): equal digests mean nothing changed."""
    values = [[f.name, "" if getattr(row, f.name) is None else str(getattr(row, f.name))]
              for f in dataclasses.fields(row) if f.name != "row"]
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()


def _blank(field):
    """The value of an optional column left empty."""
    return None if field.type == "decimal" else ""


@lru_cache(maxsize=None)
def layout():
    """The employee's upload layout."""
    return Layout(employee_record.CATALOGUE)


EmployeeRow = layout().row  # one valid row of the employee's file, typed; `row` is its number in Excel


def column_letter(index):
    """0 -> A, 26 -> AA: the column as Excel names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --------------------------------------------------------------------------- containers

def _records(data, headers):
    """(Excel row number, cells) of every row of the file; raises FileUnusable for what no row can fix.
    `headers`: the header spellings, by which a CSV's separator is told."""
    if not data or not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise FileUnusable("Die Datei ist leer.", "The file is empty.")
    if len(data) > MAX_BYTES:
        raise FileUnusable(f"Die Datei ist größer als {MAX_BYTES // 2**20} MB; bitte in mehrere Dateien aufteilen.",
                           f"The file is larger than {MAX_BYTES // 2**20} MB; please split it.")
    if data.startswith(b"PK\x03\x04"):
        return _bounded(_xlsx_records(data))
    if data.startswith(_OLE):
        if _OLE_ENCRYPTED in data:
            raise FileUnusable("Die Excel-Datei ist mit einem Passwort geschützt. Bitte ohne Passwort speichern.",
                               "The Excel file is password-protected. Please save it without a password.")
        raise FileUnusable("Das alte Excel-Format (.xls) wird nicht gelesen. Bitte als .xlsx oder CSV speichern.",
                           "The old Excel format (.xls) is not supported. Please save as .xlsx or CSV.")
    for magic, what, what_en in _NOT_TABLES:
        if data.startswith(magic):
            raise FileUnusable(f"Die Datei ist {what}, keine Tabelle. Erwartet wird CSV oder XLSX.",
                               f"The file is {what_en}, not a table. Expected CSV or XLSX.")
    return _bounded(_csv_records(data, headers))


def _bounded(records):
    """The rows of a container within the limits: at most MAX_COLUMNS cells up to a row's last value
    (empty cells after it are dropped), at most MAX_CELLS cells read in all, empty rows counted."""
    read = 0
    for number, cells in records:
        read += len(cells) or 1
        if read > MAX_CELLS:
            limit = format(MAX_CELLS, ",")
            raise FileUnusable(f"Die Datei hat mehr als {limit.replace(',', '.')} Zellen (auch leere); bitte in "
                               "mehrere Dateien aufteilen oder leere Zeilen und Spalten löschen.",
                               f"The file has more than {limit} cells (empty ones included); please split it or "
                               "delete empty rows and columns.", row=number)
        width = len(cells)
        while width and _empty(cells[width - 1]):
            width -= 1
        if width > MAX_COLUMNS:
            raise FileUnusable(f"Zeile {number} hat mehr als {MAX_COLUMNS} Spalten; bitte nur die Spalten der "
                               "Mitarbeitenden-Liste behalten.",
                               f"Row {number} has more than {MAX_COLUMNS} columns; please keep only the columns "
                               "of the employee list.", row=number)
        yield number, cells if width == len(cells) else cells[:width]


def _not_a_table(detail="", detail_en=""):
    return FileUnusable(f"Die Datei ist weder CSV noch XLSX{detail}.", f"The file is neither CSV nor XLSX{detail_en}.")


def _xlsx_records(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _not_a_table(" (beschädigtes ZIP-Archiv)", " (damaged zip archive)") from exc
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise FileUnusable("OpenDocument-Tabellen (.ods) werden nicht gelesen. Bitte als .xlsx oder CSV speichern.",
                               "OpenDocument spreadsheets (.ods) are not supported. Please save as .xlsx or CSV.")
        raise _not_a_table(" (ein ZIP-Archiv ohne Excel-Tabelle)", " (a zip archive without a workbook)")
    with archive:
        try:
            book = xlsx.Workbook(archive, MAX_UNPACKED, MAX_CELLS)
            for number, cells in book.rows(MAX_COLUMNS):
                yield number, [_excel_value(value, book.epoch) for value in cells]
        except xlsx.Unreadable as exc:
            raise FileUnusable(exc.de, exc.en, row=exc.row) from exc


class _Serial(float):
    """A number from an Excel cell: in a date column it is the date's serial number."""
    epoch = None


def _excel_value(value, epoch):
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        serial = _Serial(value)
        serial.epoch = epoch
        return serial
    return value


def _csv_records(data, headers):
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileUnusable("Die Datei ist als UTF-16 („Unicode-Text“) gespeichert. Bitte als „CSV UTF-8“ speichern.",
                           "The file is saved as UTF-16 (\"Unicode text\"). Please save it as \"CSV UTF-8\".")
    sample = data[:65536]
    if b"\x00" in sample or sum(byte in _CONTROL for byte in sample) > len(sample) // 100:
        raise _not_a_table(" (keine Textdatei)", " (not a text file)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV (Trennzeichen-getrennt)" in Germany
    first, _, rest = text.partition("\n")
    hint = re.fullmatch(r"\s*sep=(.)\s*", first)
    if hint:  # Excel's separator hint; Excel does not show it as a row
        text = rest
    separator = hint.group(1) if hint else _separator(text, headers)
    return _csv_rows(text, separator)


def _separator(text, headers):
    """The separator of the header: the candidate that splits one of the first lines into the most known
    column names (a title row above the header may hold a comma); else the one found most often."""
    lines = text[:MAX_ROW_CHARS].split("\n", HEADER_SEARCH * 2)[:HEADER_SEARCH * 2]
    best, score = None, 0
    for line in lines:
        for candidate in _SEPARATORS:
            found = len({headers.get(header_key(part.strip().strip('"'))) for part in line.split(candidate)} - {None})
            if found > score:
                best, score = candidate, found
    if best is not None:
        return best
    for line in lines:
        counts = [line.count(candidate) for candidate in _SEPARATORS]
        if max(counts):
            return _SEPARATORS[counts.index(max(counts))]
    return ";"


class _RowTooLong(Exception):
    pass


class _Lines:
    """The lines of a CSV text as csv.reader takes them, refusing a row whose text grows past
    MAX_ROW_CHARS before the reader splits it into cells (one line of millions of separators)."""

    def __init__(self, text):
        self.lines, self.row_chars = io.StringIO(text, newline=""), 0

    def __iter__(self):
        return self

    def __next__(self):
        line = next(self.lines)
        self.row_chars += len(line)
        if self.row_chars > MAX_ROW_CHARS:
            raise _RowTooLong
        return line


def _csv_rows(text, separator):
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=separator)
    number, spans_lines = 0, False
    while True:
        before = reader.line_num
        lines.row_chars = 0
        try:
            cells = next(reader)
        except StopIteration:
            break
        except _RowTooLong:
            row = number + 1
            raise FileUnusable(f"Zeile {row} ist länger als {MAX_ROW_CHARS:,} Zeichen".replace(",", ".")
                               + "; so lange Zeilen enthält keine Mitarbeitenden-Liste.",
                               f"Row {row} is longer than {MAX_ROW_CHARS:,} characters; no employee list has rows "
                               "that long.", row=row) from None
        except csv.Error as exc:
            row = number + 1
            raise FileUnusable(
                f"Zeile {row} lässt sich nicht lesen ({exc}); oft ist ein Anführungszeichen nicht geschlossen.",
                f"Row {row} cannot be read ({exc}); often a quote is not closed.", row=row) from exc
        number += 1
        spans_lines = reader.line_num - before > 1
        yield number, cells
    if spans_lines and _open_quote_at_end(text, separator):
        raise FileUnusable(
            f"In Zeile {number} beginnt ein Feld mit einem Anführungszeichen (\"), das nicht geschlossen wird; "
            "alle folgenden Zeilen wären ein einziges Feld. Bitte das Anführungszeichen schließen oder entfernen.",
            f"In row {number} a field opens a quote (\") that is never closed; every following row would be one "
            "field. Please close or remove the quote.", row=number)


def _open_quote_at_end(text, separator):
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


# --------------------------------------------------------------------------- cells

def _text(value):
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(float(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    return _SPACES.sub(" ", str(value)).strip()


def _choice(value, field, spellings):
    """An option's value, however the file spells it; the message names each option's first spelling."""
    chosen = spellings.get(header_key(value))
    if chosen is None:
        german = ", ".join(more[0] if more else option for option, more in field.spellings)
        raise _Invalid(f"„{_text(value)}“ ist unbekannt (erlaubt: {german})",
                       f"'{_text(value)}' is unknown (allowed: {', '.join(v for v, _ in field.spellings)})")
    return chosen


def _cell(value, field):
    """What only a file holds, made into what the hand form reads: an Excel serial number in a date column is
    its date, in a number column its amount, else its digits; a time after a date is dropped."""
    if isinstance(value, _Serial) and field.type != "date":
        return Decimal(repr(float(value))) if field.type in ("decimal", "integer") else _text(value)
    if isinstance(value, _Serial):
        from openpyxl.utils.datetime import from_excel
        if not 1 <= value < 2958466:
            raise _Invalid("ist kein Datum", "is not a date")
        return from_excel(float(value), value.epoch).date()
    if field.type == "date" and isinstance(value, str):
        text = _DATE_TIME.sub("", _text(value))
        if _SHORT_YEAR.fullmatch(text):
            raise _Invalid(f"„{text}“: bitte das Jahr vierstellig angeben (TT.MM.JJJJ)",
                           f"'{text}': please write the year with four digits (DD.MM.YYYY)")
        return text
    return value if isinstance(value, (datetime.date, Decimal)) else _text(value)


def _read(field, spec, value, layout, today):
    """The typed value of one filled cell, read and checked as the hand form reads and checks it
    (forms.values, German), and whether a lost leading zero was put back. A refusal names the cell's text."""
    text = _text(value)
    if text in EXCEL_ERRORS:
        raise _Invalid(f"enthält den Excel-Fehler {text}", f"contains the Excel error {text}")
    if field.spellings:
        return _choice(value, field, layout.spellings[field.name]), False
    raw = _cell(value, field)
    try:
        return _checked(spec, raw, today), False
    except form_values.Invalid as invalid:
        if invalid.code == "pattern" and field.leading_zero and text.isdigit():
            try:  # Excel drops the leading zero of 01067 (a number cell, or a CSV saved by Excel)
                return _checked(spec, "0" + text, today), True
            except form_values.Invalid:
                pass
        hint = [f" ({getattr(spec.help, lang)})" if invalid.code == "pattern" and spec.help else ""
                for lang in ("de", "en")]
        raise _Invalid(f"„{text}“: {form_messages.message(invalid.code, 'de', **invalid.params)}{hint[0]}",
                       f"'{text}': {form_messages.message(invalid.code, 'en', **invalid.params)}{hint[1]}") from None


def _checked(spec, raw, today):
    value = form_values.read(spec, raw, "de")
    form_values.check(spec, value, today)
    if isinstance(value, Decimal):  # one spelling per amount (38,50 and 38.5 are the same), two places at most
        return Decimal(format(value.quantize(Decimal("0.01"), ROUND_HALF_UP), "f").rstrip("0").rstrip("."))
    return value


def _empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _cells(cells, positions):
    return {name: (cells[index] if index < len(cells) else None) for name, index in positions.items()}


def _check_row(raw, today, layout):
    """(values, problems, padded) of one data row; problems are (field, _Invalid)."""
    values, problems, padded = {}, [], False
    for field in layout.columns:
        value = raw.get(field.name)
        if field.derived_from and field.name not in raw and field.derived_from[0].name in raw:
            try:
                values[field.name] = _derived(field, raw)
            except _KeyProblem as problem:
                problems.append((problem.source, problem.invalid))
            continue
        if _empty(value):
            if field.required:
                problems.append((field.name, _Invalid("Pflichtangabe fehlt", "required value is missing")))
            else:
                values[field.name] = _blank(field)
            continue
        try:
            values[field.name], zero = _read(field, layout.form[field.name], value, layout, today)
            padded = padded or zero
        except _Invalid as invalid:
            problems.append((field.name, invalid))
    if not any(name == "birth_date" for name, _ in problems):
        problems += [(name, _Invalid(de, en)) for name, de, en in employee_record.implausible(values, today)]
    return values, problems, padded


class _KeyProblem(Exception):
    def __init__(self, source, invalid):
        super().__init__(invalid.de)
        self.source, self.invalid = source, invalid


def _derived(field, raw):
    """A field's value from its key columns (catalogue `derived_from`, e.g. the employment type from the
    Personengruppe and the Tätigkeitsschlüssel): each source's key leads to a value or to the next source.
    An empty, malformed or unknown key is a problem of that column, never a default."""
    sources = {source.name: source for source in field.derived_from}
    source, because, because_en = field.derived_from[0], "", ""
    while True:
        key = _text(raw.get(source.name))  # an XLSX number cell 101.0 reads "101"
        if not key:
            raise _KeyProblem(source.name, _Invalid("Pflichtangabe fehlt" + because, "required value is missing" + because_en))
        if source.digits and not (key.isdigit() and len(key) == source.digits):
            raise _KeyProblem(source.name, _Invalid(f"„{key}“ hat nicht {source.digits} Ziffern",
                                                    f"'{key}' does not have {source.digits} digits"))
        code = key[source.position - 1] if source.position else key
        value = source.values.get(code)
        if value is None:
            known = ", ".join(source.values)
            what, what_en = ((f"Stelle {source.position} von „{key}“ ist „{code}“, unbekannt",
                              f"digit {source.position} of '{key}' is '{code}', unknown") if source.position
                             else (f"„{key}“ ist unbekannt", f"'{key}' is unknown"))
            raise _KeyProblem(source.name, _Invalid(f"{what} (erlaubt: {known})", f"{what_en} (allowed: {known})"))
        if value not in sources:
            return value
        because, because_en = f" (bei {source.column} {key})", f" (for {source.column} {key})"
        source = sources[value]


# --------------------------------------------------------------------------- the file

def _header_columns(cells, layout):
    """English name -> index for the recognised headers of one row."""
    found = {}
    for index, cell in enumerate(cells):
        name = layout.headers.get(header_key(_text(cell)))
        if name is not None:
            found.setdefault(name, []).append(index)
    return found


def headers(data, fields=None):
    """The header texts of a file before any mapping: among the first non-empty rows the one with the most
    known headers, else the one with the most filled cells (the mapping step names the rest)."""
    layout_ = layout() if fields is None else Layout(fields)
    best, best_score = None, None
    for seen, (number, cells) in enumerate(row for row in _records(data, layout_.headers)
                                            if not all(_empty(cell) for cell in row[1])):
        score = (len(_header_columns(cells, layout_)), sum(not _empty(c) for c in cells))
        if best_score is None or score > best_score:
            best, best_score = cells, score
        if seen + 1 == HEADER_SEARCH:
            break
    if best is None:
        raise FileUnusable("Die Datei enthält keine Zeilen.", "The file has no rows.")
    return [_text(cell) for cell in best]


def _missing(found, layout):
    """The required fields a header row lacks: neither their column nor the first key column they derive from."""
    return [c for c in layout.columns if c.required and c.name not in found
            and not (c.derived_from and c.derived_from[0].name in found)]


def _find_header(records, layout):
    """The header row among the first non-empty rows: (number, cells, skipped row numbers)."""
    seen = []
    for number, cells in records:
        if all(_empty(cell) for cell in cells):
            continue
        seen.append((number, cells))
        if not _missing(_header_columns(cells, layout), layout):
            return number, cells, [n for n, _ in seen[:-1]]
        if len(seen) == HEADER_SEARCH:
            break
    if not seen:
        raise FileUnusable("Die Datei enthält keine Zeilen.", "The file has no rows.")
    number, cells = max(seen, key=lambda item: len(_header_columns(item[1], layout)))
    missing = _missing(_header_columns(cells, layout), layout)
    raise FileUnusable(
        f"Keine Kopfzeile mit allen Pflichtspalten gefunden; in Zeile {number} fehlen: "
        + ", ".join(c.column for c in missing) + ".",
        f"No header row with every required column; row {number} lacks: " + ", ".join(c.name for c in missing) + ".",
        row=number)


def _positions(cells, header_row, layout):
    columns = _header_columns(cells, layout)
    for name, indices in columns.items():
        if len(indices) > 1:
            letters = " und ".join(column_letter(i) for i in indices)
            raise FileUnusable(
                f"Die Spalte {layout.column_of(name)} kommt mehrfach vor (Spalten {letters}); bitte nur eine behalten.",
                f"The column {name} appears more than once (columns {letters.replace(' und ', ' and ')}); "
                "please keep one.", row=header_row)
    return {name: indices[0] for name, indices in columns.items()}


class FileCheck:
    """An employee file checked row by row: `columns` and the header's `warnings` at once, then each data
    row as a `Checked` while iterating (once); `total`, `valid`, `problems` and the remaining warnings
    are complete when the iteration ends. Only the personnel numbers seen are kept, so memory does not
    grow with the rows' problems. FileUnusable when the file cannot be read or breaks a limit.
    `fields`: the catalogue whose columns are read (None: the employee's); `columns`: the file's own headers
    mapped to fields (Layout.with_columns); `unique`: whether a personnel number may appear once only (an
    employee list), not in a statement with several lines per person (engine/reconciliation.py)."""

    def __init__(self, filename: str, data: bytes, today: datetime.date | None = None, fields=None, columns=None,
                 unique=True):
        self.filename, self.today, self.unique = filename, today or clock.today(), unique
        self.layout = (layout() if fields is None else Layout(fields)).with_columns(columns)
        self._records = iter(_records(data, self.layout.headers))
        self.header_row, self._header, skipped = _find_header(self._records, self.layout)
        self._positions = _positions(self._header, self.header_row, self.layout)
        self.columns = {name: _text(self._header[index]) for name, index in self._positions.items()}
        self.warnings, self.total, self.valid, self.problems = [], 0, 0, 0
        if skipped:
            rows = ", ".join(map(str, skipped))
            self.warnings.append({"de": f"Zeile(n) {rows} über der Kopfzeile (Zeile {self.header_row}) werden "
                                        "ignoriert.",
                                  "en": f"Row(s) {rows} above the header row (row {self.header_row}) are ignored."})
        known = set(self._positions.values())
        for index, cell in enumerate(self._header):
            if index not in known and not _empty(cell):
                self.warnings.append({"de": f"Unbekannte Spalte „{_text(cell)}“ ({column_letter(index)}) wird "
                                            "ignoriert.",
                                      "en": f"Unknown column '{_text(cell)}' ({column_letter(index)}) is ignored."})

    def __iter__(self):
        header, positions = self._header, self._positions
        unnamed, padded, padded_count, first_of = set(), [], 0, {}
        for number, cells in self._records:
            if all(_empty(cell) for cell in cells):
                continue
            self.total += 1
            if self.total > MAX_ROWS:
                limit = format(MAX_ROWS, ",")
                raise FileUnusable(f"Die Datei hat mehr als {limit.replace(',', '.')} Datenzeilen; bitte in mehrere "
                                   "Dateien aufteilen.", f"The file has more than {limit} data rows; please split it.",
                                   row=number)
            for index in range(len(header), len(cells)):
                if not _empty(cells[index]):
                    unnamed.add(index)
            for index in range(min(len(header), len(cells))):
                if _empty(header[index]) and not _empty(cells[index]):
                    unnamed.add(index)
            values, problems, was_padded = _check_row(_cells(cells, positions), self.today, self.layout)
            if was_padded:
                padded_count += 1
                if len(padded) < 20:
                    padded.append(number)
            number_text = values.get("personnel_number")
            if number_text and self.unique:
                first = first_of.setdefault(number_text, number)
                if first != number:
                    problems.append(("personnel_number", _Invalid(
                        f"Personalnummer {number_text} kommt schon in Zeile {first} vor",
                        f"personnel number {number_text} already appears in row {first}")))
            if problems:
                problems.sort(key=lambda problem: positions.get(problem[0], len(header)))  # left to right
                self.problems += len(problems)
                yield Checked(number, None, [RowError(number, self.columns.get(name, name), invalid.de, invalid.en,
                                                      name) for name, invalid in problems])
            else:
                self.valid += 1
                yield Checked(number, self.layout.row(row=number, **values), [])
        if padded:
            shown = ", ".join(map(str, padded)) + (" …" if padded_count > len(padded) else "")
            self.warnings.append({"de": f"Postleitzahlen mit 4 Ziffern wurden um die führende 0 ergänzt "
                                        f"(Excel entfernt sie), Zeile(n) {shown}.",
                                  "en": f"The leading 0 that Excel removes from 4-digit postal codes has been "
                                        f"added back, row(s) {shown}."})
        if not self.total:
            raise FileUnusable("Die Datei enthält nur die Kopfzeile, keine Mitarbeitenden.",
                               "The file holds only the header row, no employees.", row=self.header_row)
        for index in sorted(unnamed):
            self.warnings.append({"de": f"Spalte {column_letter(index)} hat keine Überschrift und wird ignoriert.",
                                  "en": f"Column {column_letter(index)} has no heading and is ignored."})
        logger.info("checked %s: %d rows, %d valid, %d problems", self.filename, self.total, self.valid,
                    self.problems)


def check(filename: str, data: bytes, today: datetime.date | None = None, fields=None, columns=None,
          unique=True) -> FileCheck:
    """Start checking an employee file: the header is read now, the rows while iterating the result."""
    return FileCheck(filename, data, today, fields, columns, unique)


def parse(filename: str, data: bytes, today: datetime.date | None = None, fields=None, columns=None) -> ParsedFile:
    """Read an employee file and check every row, all in memory (the command line and the simulation;
    the manager's import iterates `check` instead). FileUnusable when no row can be read at all."""
    checking = check(filename, data, today, fields, columns)
    result = ParsedFile(columns=checking.columns)
    for checked in checking:
        if checked.employee is not None:
            result.rows.append(checked.employee)
        result.errors.extend(checked.errors)
    result.warnings, result.total = checking.warnings, checking.total
    return result
