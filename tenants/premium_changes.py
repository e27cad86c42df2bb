"""A tariff's dated premium changes (`premium.changes`): each replaces the formula and/or the tables
from its `valid_from` (a 1st of a month), the ones before it staying as written.

A change keeps what it does not name from the entry before it, so `{valid_from, tables}` reprices the
same formula. Here: the entries with what they inherit, their compiled formulas by date, the checks
(dates, order) and the formula in force on a day. Which day a change reaches a contract in force
(the notice period) is the engine's (engine/price_changes.py).
"""
from __future__ import annotations

import datetime
import hashlib
import json

from rules.formulas import compile_formula

from tenants.problems import Problem


def entries(tariff) -> list[dict]:
    """The tariff's changes as written, each completed from the entry before it:
    [{valid_from (date or None when unreadable), formula, tables}], in the document's order."""
    premium = tariff["premium"]
    formula, tables, found = premium["formula"], premium.get("tables", {}), []
    for change in premium.get("changes", []):
        formula, tables = change.get("formula", formula), change.get("tables", tables)
        found.append({"valid_from": _date(change.get("valid_from")), "formula": formula, "tables": tables})
    return found


def key(tariff_id, entry) -> str:
    """The identity of one change: its tariff, date and figures (a corrected change is a new one)."""
    text = json.dumps([tariff_id, entry["valid_from"].isoformat(), entry["formula"], entry["tables"]],
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def compile_changes(document, file, index, inputs, step, locate) -> tuple[list, list[Problem]]:
    """([(valid_from, Formula)] ascending, problems) of tariff `index`: each change's formula compiled
    like the main one (errors at the change's formula or tables), its date a 1st of a month, the
    dates ascending."""
    tariff = document.data["tariffs"][index]
    compiled, problems, before = [], [], None
    for position, entry in enumerate(entries(tariff)):
        base = ["tariffs", index, "premium", "changes", position]
        day, written = entry["valid_from"], tariff["premium"]["changes"][position].get("valid_from")
        where = base + ["valid_from"]
        if day is None:
            problems.append(Problem(file, document.line_of(where), where,
                                    f"found {written!r}, expected a date such as 2028-01-01"))
            continue
        if day.day != 1:
            problems.append(Problem(file, document.line_of(where), where,
                                    f"{day.isoformat()} is not the 1st of a month; a premium changes on a 1st, "
                                    f"e.g. {day.replace(day=1).isoformat()}"))
        if before is not None and day <= before:
            problems.append(Problem(file, document.line_of(where), where,
                                    f"{day.isoformat()} is not after the change before it ({before.isoformat()}); "
                                    "list the changes in ascending order of valid_from, each date once"))
        before = max(day, before) if before else day
        formula = step.run(base, lambda: compile_formula(entry["formula"], entry["tables"], set(inputs)),
                           locate=lambda path: locate(path, entry["tables"]))
        if formula is not None:
            compiled.append((day, formula))
    return sorted(compiled, key=lambda item: item[0]), problems


def formula_on(compiled, tariff_id, day):
    """The formula of a tariff in force on `day`: the last change with valid_from on or before it,
    else the main formula. `compiled` is a CompiledTenant."""
    formula = compiled.formulas[tariff_id]
    for valid_from, changed in compiled.premium_changes.get(tariff_id, ()):
        if valid_from > day:
            break
        formula = changed
    return formula


def formulas_on(compiled, day) -> dict:
    """{tariff id: formula in force on `day`} (for the sweep and the diff of one date)."""
    return {tariff_id: formula_on(compiled, tariff_id, day) for tariff_id in compiled.formulas}


def _date(value):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None
