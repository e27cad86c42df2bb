"""Which column of an employee file is which field: the catalogue's names and aliases first, then a known
payroll export's own headers, then headers matched by similarity (rapidfuzz) for the employer to confirm.
A confirmed mapping is kept per employer and file layout (the set of headers), so the next file of that
layout maps itself."""
import hashlib
import logging
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process, utils

from engine import audit, employee_file
from engine.db import transaction
from engine.errors import DomainError
from engine.models import ColumnMapping, utcnow

logger = logging.getLogger(__name__)

EXPORTS = Path(__file__).resolve().parent / "payroll_exports.yaml"
THRESHOLD = 80  # WRatio: "Familien-Name" -> Familienname 96; "Str. u. Hausnr." -> 69 is left to the employer


@lru_cache(maxsize=None)
def exports():
    """The known payroll exports: [{name, signature: [header keys], columns: {header key: field}}]."""
    data = yaml.safe_load(EXPORTS.read_text(encoding="utf-8"))
    key = employee_file.header_key
    return tuple({"name": item["name"], "signature": [key(h) for h in item["signature"]],
                  "columns": {key(h): name for h, name in (item.get("columns") or {}).items()}} for item in data)


def layout_key(headers):
    """The file layout: its header keys, sorted, hashed (order and spelling of spaces or case do not count)."""
    keys = sorted({employee_file.header_key(h) for h in headers if h})
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()


def recognise(headers):
    """The payroll system whose export these headers are (the first whose signature they hold), or None."""
    present = {employee_file.header_key(h) for h in headers}
    return next((item for item in exports() if set(item["signature"]) <= present), None)


def suggest(headers, layout=None):
    """{header: (field, score)} for each header no spelling names, matched by similarity to the catalogue's
    names, German columns and aliases; a field a header already names is not offered again."""
    layout = layout or employee_file.layout()
    taken = {layout.headers[employee_file.header_key(h)] for h in headers if employee_file.header_key(h) in layout.headers}
    choices = {spelling: f.name for f in layout.columns if f.name not in taken
               for spelling in (f.name, f.column, *f.aliases)}
    found = {}
    for header in headers:
        if not header or employee_file.header_key(header) in layout.headers or not choices:
            continue
        match = process.extractOne(header, list(choices), scorer=fuzz.WRatio, processor=utils.default_process)
        if match and match[1] >= THRESHOLD:
            found[header] = (choices[match[0]], round(match[1]))
    return found


def for_file(employer_id, headers):
    """The mapping of a file's headers: {key, headers, columns: {header: field or ""}, system, suggested:
    {header: {field, score}}, confirmed}. A mapping the employer confirmed for this layout is used as it
    is; else a known export's columns and the suggestions, confirmed only when nothing was guessed."""
    headers = [h for h in headers if h]
    key = layout_key(headers)
    system = recognise(headers)
    saved = ColumnMapping.get_or_none((ColumnMapping.employer == employer_id) & (ColumnMapping.layout_key == key))
    result = {"key": key, "headers": headers, "system": system["name"] if system else None, "suggested": {}}
    if saved is not None:
        return dict(result, columns=dict(saved.columns), confirmed=True, remembered=True)
    columns = {}
    if system:
        columns = {h: system["columns"][employee_file.header_key(h)] for h in headers
                   if employee_file.header_key(h) in system["columns"]}
    layout = employee_file.layout().with_columns(columns)
    suggested = suggest(headers, layout)
    columns.update({header: name for header, (name, _) in suggested.items()})
    return dict(result, columns=columns, suggested={h: {"field": n, "score": s} for h, (n, s) in suggested.items()},
                confirmed=not suggested, remembered=False)


def remember(user, employer_id, headers, columns, tenant=None):
    """Keep the employer's mapping of this layout (header -> field name, "" to ignore); refused for a name that
    is no field or a field given twice."""
    layout = employee_file.layout()
    names = {f.name for f in layout.columns} | set(layout.sources)
    chosen = {h: (name or "") for h, name in columns.items() if h in headers}
    unknown = sorted(n for n in chosen.values() if n and n not in names)
    if unknown:
        raise DomainError(f"Unbekanntes Feld: {', '.join(unknown)}", f"Unknown field: {', '.join(unknown)}")
    twice = sorted({n for n in chosen.values() if n and list(chosen.values()).count(n) > 1})
    if twice:
        raise DomainError("Diese Felder sind mehreren Spalten zugeordnet: " + ", ".join(layout.column_of(n) for n in twice),
                          "These fields are given to more than one column: " + ", ".join(twice))
    key = layout_key(headers)
    with transaction():
        saved = ColumnMapping.get_or_none((ColumnMapping.employer == employer_id) & (ColumnMapping.layout_key == key))
        before = dict(saved.columns) if saved else None
        if saved is None:
            saved = ColumnMapping.create(employer=employer_id, layout_key=key, columns=chosen, confirmed_by=user)
        else:
            ColumnMapping.update(columns=chosen, confirmed_by=user, confirmed_at=utcnow()).where(
                ColumnMapping.id == saved.id).execute()
        audit.record(user, "import.mapping_confirmed", "column_mapping", saved.id, tenant=tenant, before=before,
                     after=chosen, employer=employer_id)
    return chosen
