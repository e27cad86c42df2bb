"""The employee file (CSV/XLSX) as employers bring it: parse, check every row, name each problem."""
import csv
import datetime
import hashlib
import io
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from engine.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024
COLUMNS = {  # English name: accepted header spellings (normalised)
    "personnel_number": ("personnelnumber", "personalnummer"), "last_name": ("lastname", "nachname"),
    "first_name": ("firstname", "vorname"), "birth_date": ("birthdate", "geburtsdatum"),
    "gender": ("gender", "geschlecht"), "email": ("email",), "street": ("street", "straße", "strasse"),
    "postal_code": ("postalcode", "plz"), "city": ("city", "ort"),
    "employment_start": ("employmentstart", "eintrittsdatum"),
    "employment_type": ("employmenttype", "beschäftigungsart", "beschaeftigungsart"),
    "weekly_hours": ("weeklyhours", "wochenstunden"), "tariff_group": ("tariffgroup", "tarifgruppe"),
}
REQUIRED = ("personnel_number", "last_name", "first_name", "birth_date", "street", "postal_code", "city",
            "employment_start", "employment_type")
EMPLOYMENT = {"vollzeit": "fulltime", "fulltime": "fulltime", "teilzeit": "parttime", "parttime": "parttime",
              "minijob": "minijob", "azubi": "trainee", "trainee": "trainee", "werkstudent": "working_student",
              "workingstudent": "working_student"}
GENDER = {"m": "m", "w": "w", "f": "w", "d": "d", "x": "x"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class FileUnusable(DomainError):
    """The file as a whole cannot be read (wrong type, empty, no usable header)."""


@dataclass(frozen=True)
class EmployeeRow:
    row: int
    personnel_number: str
    last_name: str
    first_name: str
    birth_date: datetime.date
    street: str
    postal_code: str
    city: str
    employment_start: datetime.date
    employment_type: str
    gender: str = ""
    email: str = ""
    weekly_hours: Decimal | None = None
    tariff_group: str = ""

    def digest(self):
        values = {k: str(v) for k, v in asdict(self).items() if k != "row"}
        return hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ParsedFile:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    total: int = 0


def _norm(name):
    return re.sub(r"[\s\-_]", "", str(name or "")).lower()


def _records(filename, data):
    """(excel row number, list of cells) for every non-empty record, header included."""
    if len(data) > MAX_BYTES:
        raise FileUnusable("Die Datei ist größer als 20 MB.")
    if not data.strip():
        raise FileUnusable("Die Datei ist leer.")
    if data[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        return _xlsx_records(data)
    if b"\x00" in data[:4096]:
        raise FileUnusable("Die Datei ist weder CSV noch XLSX.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    for number, cells in enumerate(reader, start=1):
        if any(c.strip() for c in cells):
            records.append((number, cells))
    return records


def _xlsx_records(data):
    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
        raise FileUnusable("Die Excel-Datei lässt sich nicht lesen.") from exc
    sheet = book.worksheets[0]
    records = []
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        if any(c not in (None, "") for c in cells):
            records.append((number, list(cells)))
    book.close()
    return records


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT)")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _row(number, cells, positions, today):
    raw = {name: (cells[i] if i < len(cells) else None) for name, i in positions.items()}
    values, problems = {}, []
    for name in COLUMNS:
        value = raw.get(name)
        try:
            if name in REQUIRED and _text(value) == "" and not isinstance(value, (datetime.date,)):
                raise ValueError("fehlt")
            if name in ("birth_date", "employment_start"):
                values[name] = _date(value)
            elif name == "postal_code":
                text = _text(value)
                if isinstance(value, (int, float)) and len(text) == 4:
                    text = "0" + text
                if not re.fullmatch(r"[0-9]{5}", text):
                    raise ValueError("muss aus 5 Ziffern bestehen")
                values[name] = text
            elif name == "employment_type":
                kind = EMPLOYMENT.get(_norm(value))
                if kind is None:
                    raise ValueError("unbekannt (erlaubt: Vollzeit, Teilzeit, Minijob, Azubi, Werkstudent)")
                values[name] = kind
            elif name == "gender":
                text = _text(value).lower()
                if text and text not in GENDER:
                    raise ValueError("unbekannt (erlaubt: m, w, d, x)")
                values[name] = GENDER.get(text, "")
            elif name == "email":
                text = _text(value)
                if text and not EMAIL.match(text):
                    raise ValueError("keine gültige E-Mail-Adresse")
                values[name] = text
            elif name == "weekly_hours":
                text = _text(value).replace(",", ".")
                values[name] = Decimal(text) if text else None
            else:
                values[name] = _text(value)
        except (ValueError, InvalidOperation) as exc:
            problems.append((name, str(exc) if str(exc) != "fehlt" else "Pflichtangabe fehlt"))
    if not problems:
        if values["birth_date"] > today:
            problems.append(("birth_date", "liegt in der Zukunft"))
        elif values["employment_start"] < values["birth_date"].replace(year=values["birth_date"].year + 14) \
                if not (values["birth_date"].month == 2 and values["birth_date"].day == 29) else False:
            problems.append(("employment_start", "liegt vor dem 14. Geburtstag"))
    return values, problems


def parse(filename, data, today=None):
    today = today or datetime.date.today()
    records = _records(filename, data)
    if not records:
        raise FileUnusable("Die Datei enthält keine Zeilen.")
    header_row, header = records[0]
    positions, headers, unknown = {}, {}, []
    for index, cell in enumerate(header):
        key = _norm(cell)
        name = next((n for n, names in COLUMNS.items() if key in names), None)
        if name is None:
            if key:
                unknown.append(_text(cell))
            continue
        positions[name], headers[name] = index, _text(cell)
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        raise FileUnusable("Es fehlen Pflichtspalten: " + ", ".join(missing))
    result = ParsedFile(warnings=[f"Unbekannte Spalte „{u}“ wird ignoriert." for u in unknown])
    seen = {}
    for number, cells in records[1:]:
        result.total += 1
        values, problems = _row(number, cells, positions, today)
        for name, message in problems:
            result.errors.append(RowError(number, headers.get(name, name), message))
        if problems:
            continue
        first = seen.get(values["personnel_number"])
        if first is not None:
            result.errors.append(RowError(number, headers["personnel_number"],
                                          f"Personalnummer doppelt (schon in Zeile {first})"))
            continue
        seen[values["personnel_number"]] = number
        result.rows.append(EmployeeRow(row=number, **values))
    return result
