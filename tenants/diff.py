"""`bkv tenants diff OLD NEW`: what a new version of a tenant changes, before it goes live.

Every premium that differs (by tariff, group, family count and age, from the full sweep of
tenants/sweep.py) and every changed part of the document: rules, eligibility, texts, settings,
forms, Markdown. Lists of items with an id (or a type, or a name) are compared by that key, so a
moved or inserted item is one change, not a cascade.
"""
from __future__ import annotations

import difflib
import json
import sys
from dataclasses import dataclass, field

from tenants import loader, premium_changes as dated, sweep
from tenants.check import format_problems
from tenants.problems import TenantError

KEYS = ("id", "type", "name")
VARIANTS = ("employment_type", "insured_count")  # premium keys beyond tariff, group, family count and age


@dataclass(frozen=True)
class Version:
    """One side of a diff: a label (folder or 'live'), the document and its compiled formulas."""

    label: str
    doc: dict
    formulas: dict
    premium_changes: dict = field(default_factory=dict)  # tariff id -> [(valid_from, Formula)]
    eligibility: dict = field(default_factory=dict)      # group id -> RuleSet (the employment types it admits)
    family_formulas: dict = field(default_factory=dict)  # tariff id -> Formula of one family member


def of_folder(folder) -> Version:
    """The tenant in `folder`; TenantError when it does not load."""
    tenant = loader.load_tenant(folder)
    compiled = loader.compile_tenant(tenant)
    return Version(str(folder), tenant.doc, compiled.formulas, compiled.premium_changes, compiled.eligibility,
                   compiled.family_formulas)


def premium_changes(old: Version, new: Version, formulas=None) -> list[dict]:
    """[{tariff, group, family_members, [employment_type,] [insured_count,] age, old, new}] for every
    premium that differs (None: not offered or not calculable on that side), ordered by tariff, group,
    family count, employment type, insured count, age; employment_type and insured_count are there when
    a side's formula reads them (both sides are then swept by them). `formulas`: (old, new) formulas
    to compare instead of the main ones (those in force on a date)."""
    old_formulas, new_formulas = formulas or (old.formulas, new.formulas)
    reads = _reads(old_formulas, new_formulas)
    before = sweep.premiums(old.doc, old_formulas, reads, old.eligibility)
    after = sweep.premiums(new.doc, new_formulas, reads, new.eligibility)
    return _changed(before, after, "family_members")


def family_premium_changes(old: Version, new: Version) -> list[dict]:
    """[{tariff, group, role, [employment_type,] [insured_count,] age, old, new}] for every family
    premium (family_premium: spouse and child at ages 0-99) that differs, as premium_changes."""
    reads = _reads(old.family_formulas, new.family_formulas)
    before = sweep.family_premiums(old.doc, old.family_formulas, reads, old.eligibility)
    after = sweep.family_premiums(new.doc, new.family_formulas, reads, new.eligibility)
    return _changed(before, after, "role")


def _reads(*sides):
    """{tariff id: the inputs either side's formula reads}, so both sides are swept alike."""
    reads = {}
    for side in sides:
        for tariff, formula in side.items():
            if formula is not None:
                reads[tariff] = reads.get(tariff, frozenset()) | formula.names
    return reads


def _changed(before, after, third):
    """The entries of two sweeps' grids that differ; `third`: what the key's third part is."""
    changes = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[0], k[1], k[2], k[4], k[5], k[3])):
        if before.get(key) != after.get(key):
            tariff, group, members, age, kind, count = key
            change = {"tariff": tariff, "group": group, third: members}
            if kind:
                change["employment_type"] = kind
            if count:
                change["insured_count"] = count
            changes.append({**change, "age": age, "old": _money(before.get(key)), "new": _money(after.get(key))})
    return changes


def dated_premium_changes(old: Version, new: Version) -> list[dict]:
    """[{valid_from, premiums}] for each date of a dated change (premium.changes) on either side: the
    premiums that differ between the entries in force that day, old against new."""
    days = sorted({day for side in (old, new) for items in side.premium_changes.values() for day, _ in items})
    found = []
    for day in days:
        changes = premium_changes(old, new, (dated.formulas_on(old, day), dated.formulas_on(new, day)))
        if changes:
            found.append({"valid_from": day.isoformat(), "premiums": changes})
    return found


def document_changes(old: Version, new: Version) -> list[dict]:
    """[{path, change: added | removed | changed, old, new}] of the documents, in document order."""
    changes = []
    _compare(old.doc, new.doc, "", changes)
    return changes


def diff(old: Version, new: Version) -> dict:
    return {"old": old.label, "new": new.label, "premiums": premium_changes(old, new),
            "dated_premiums": dated_premium_changes(old, new), "family_premiums": family_premium_changes(old, new),
            "changes": document_changes(old, new)}


def _compare(old, new, path, out):
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            where = f"{path}.{key}" if path else str(key)
            if key not in new:
                out.append({"path": where, "change": "removed", "old": old[key], "new": None})
            elif key not in old:
                out.append({"path": where, "change": "added", "old": None, "new": new[key]})
            else:
                _compare(old[key], new[key], where, out)
        return
    if isinstance(old, list) and isinstance(new, list):
        key = _list_key(old, new)
        if key is None:
            if len(old) == len(new):
                for index, (a, b) in enumerate(zip(old, new)):
                    _compare(a, b, f"{path}[{index}]", out)
                return
            out.append({"path": path, "change": "changed", "old": old, "new": new})
            return
        before, after = {item[key]: item for item in old}, {item[key]: item for item in new}
        for name in list(before) + [n for n in after if n not in before]:
            where = f"{path}[{name}]"
            if name not in after:
                out.append({"path": where, "change": "removed", "old": before[name], "new": None})
            elif name not in before:
                out.append({"path": where, "change": "added", "old": None, "new": after[name]})
            else:
                _compare(before[name], after[name], where, out)
        if [n for n in before if n in after] != [n for n in after if n in before]:
            out.append({"path": path, "change": "reordered", "old": list(before), "new": list(after)})
        return
    out.append({"path": path, "change": "changed", "old": old, "new": new})


def _list_key(old, new):
    """The key that names the items of both lists (id, type or name), or None."""
    items = old + new
    for key in KEYS:
        if items and all(isinstance(item, dict) and isinstance(item.get(key), str) for item in items) and \
                len({item[key] for item in old}) == len(old) and len({item[key] for item in new}) == len(new):
            return key
    return None


def _money(value):
    return None if value is None else str(value)


def format_diff(result: dict) -> str:
    """The diff for people: premium changes with ages as ranges, then the document's changes."""
    lines = [f"--- {result['old']}", f"+++ {result['new']}"]
    premiums = result["premiums"]
    lines.append(f"premiums: {len(premiums)} change(s)")
    lines.extend(_premium_lines(premiums))
    for dated_change in result.get("dated_premiums", []):
        lines.append(f"premiums from {dated_change['valid_from']}: {len(dated_change['premiums'])} change(s)")
        lines.extend(_premium_lines(dated_change["premiums"]))
    family = result.get("family_premiums", [])
    if family:
        lines.append(f"family premiums: {len(family)} change(s)")
        lines.extend(_premium_lines(family))
    changes = result["changes"]
    lines.append(f"document: {len(changes)} change(s)")
    for change in changes:
        lines.extend(_describe(change))
    return "\n".join(lines)


def premium_runs(premiums):
    """The premium changes with consecutive ages of the same change as one: [{tariff, group,
    family_members (a family premium's: role), [employment_type,] [insured_count,] ages ("45-59" or
    "45"), old, new}]."""
    found = []
    for run in _runs(premiums):
        first, last = run[0], run[-1]
        ages = str(first["age"]) if first is last else f"{first['age']}-{last['age']}"
        found.append({"tariff": first["tariff"], "group": first["group"],
                      **{key: first[key] for key in ("family_members", "role") + VARIANTS if key in first},
                      "ages": ages, "old": first["old"], "new": first["new"]})
    return found


def _premium_lines(premiums):
    lines = []
    for run in premium_runs(premiums):
        group = f"group {run['group']}" if run["group"] else "no group"
        variant = "".join(f", {key} {run[key]}" for key in ("family_members", "role") + VARIANTS if key in run)
        lines.append(f"  {run['tariff']}, {group}{variant}, "
                     f"age {run['ages']}: {run['old'] or '-'} -> {run['new'] or '-'}")
    return lines


def _runs(premiums):
    """Consecutive ages with the same old and new premium of one tariff, group, family count (and
    employment type and insured count)."""
    runs = []
    same = ("tariff", "group", "family_members", "role", "old", "new") + VARIANTS
    for item in premiums:
        last = runs[-1][-1] if runs else None
        if last and all(last.get(key) == item.get(key) for key in same) and item["age"] == last["age"] + 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _describe(change):
    path, kind, old, new = change["path"], change["change"], change["old"], change["new"]
    if kind == "changed" and isinstance(old, str) and isinstance(new, str) and ("\n" in old or "\n" in new):
        body = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
        return [f"  changed {path}:"] + [f"    {line}" for line in list(body)[2:]]
    if kind == "added":
        return [f"  added {path}: {short(new)}"]
    if kind == "removed":
        return [f"  removed {path}: {short(old)}"]
    return [f"  {kind} {path}: {short(old)} -> {short(new)}"]


def short(value, limit=160):
    """A value of the document as one line of JSON, cut at `limit` characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def main(old, new, as_json: bool = False, out=None) -> int:
    """Print the diff of two versions (Version, or a tenant folder); 0 when it could be made, 1 when a
    side does not load (its problems are printed)."""
    out = out or sys.stdout
    try:
        old, new = (side if isinstance(side, Version) else of_folder(side) for side in (old, new))
    except TenantError as error:
        out.write(format_problems(error.problems) + "\n")
        return 1
    result = diff(old, new)
    if as_json:
        out.write(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        out.write(format_diff(result) + "\n")
    return 0
