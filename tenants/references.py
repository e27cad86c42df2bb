"""Checks the schema cannot express: unique ids, references between parts, files that must exist."""
from __future__ import annotations

import re

from tenants.event_kinds import event_kinds
from tenants.files import PDF_SIGNATURE, check_logo
from tenants.problems import Problem
from tenants.safe_yaml import YamlDocument
from tenants.sepa import creditor_id_problem, iban_problem


def reference_problems(document: YamlDocument, file: str, folder_name: str,
                       files: dict[str, bytes], folder: str) -> list[Problem]:
    """Problems of a schema-valid tenant document that refer to each other or to files."""
    doc, found = document.data, []

    def problem(path, message):
        found.append(Problem(file, document.line_of(path), list(path), message))

    if doc["id"] != folder_name:
        problem(["id"], f"found '{doc['id']}', expected the folder name '{folder_name}' "
                        "(the tenant folder must be named like its id)")

    for key, label in (("tariffs", "tariff"), ("tariff_groups", "tariff group"),
                       ("content_modules", "content module"), ("rules", "rule")):
        _unique(document, [key], "id", label, problem)
    _unique(document, ["business_events"], "type", "business event type", problem)
    for index, group in enumerate(doc["tariff_groups"]):
        _unique(document, ["tariff_groups", index, "eligibility"], "id", "eligibility rule", problem)
    for index, event in enumerate(doc["business_events"]):
        _unique(document, ["business_events", index, "preconditions"], "id", "precondition", problem)
        kind = event_kinds().get(event["type"])
        if "unpaid_cover" in event and kind is not None and not kind.unpaid:
            problem(["business_events", index, "unpaid_cover"],
                    f"'{event['type']}' is not an unpaid period; unpaid_cover belongs to "
                    + ", ".join(name for name, k in event_kinds().items() if k.unpaid))
        continuation = event.get("continuation")
        if continuation and kind is not None and not kind.leaving:
            problem(["business_events", index, "continuation"],
                    f"'{event['type']}' does not end cover by leaving; continuation belongs to "
                    + ", ".join(name for name, k in event_kinds().items() if k.leaving))
        email_field = (continuation or {}).get("email_field")
        if email_field and email_field not in [f.get("name") for f in event.get("fields", [])]:
            problem(["business_events", index, "continuation", "email_field"],
                    f"unknown field '{email_field}'; expected one of this event's fields")

    for index, tariff in enumerate(doc["tariffs"]):
        share = tariff.get("employer_share")
        if isinstance(share, dict) and share.get("min", 0) > share.get("max", 100):
            problem(["tariffs", index, "employer_share", "min"],
                    f"found min {share['min']} above max {share.get('max', 100)}: the employer's share "
                    "cannot be both; write min <= max, or one number for a fixed share")
        if "family_premium" in tariff and not tariff.get("family_members"):
            problem(["tariffs", index, "family_premium"], "a family premium needs family_members: true on the tariff")
    if not any("family_premium" in tariff for tariff in doc["tariffs"]):
        for index, event in enumerate(doc["business_events"]):
            kind = event_kinds().get(event["type"])
            if kind is not None and kind.family:
                problem(["business_events", index, "type"],
                        f"'{event['type']}' needs a tariff with a family_premium (the premium of a family member)")

    tariff_ids = [tariff["id"] for tariff in doc["tariffs"]]
    group_ids = [group["id"] for group in doc["tariff_groups"]]
    for index, group in enumerate(doc["tariff_groups"]):
        seen = set()
        for position, tariff_id in enumerate(group["tariffs"]):
            path = ["tariff_groups", index, "tariffs", position]
            if tariff_id not in tariff_ids:
                problem(path, f"unknown tariff '{tariff_id}'; expected one of {', '.join(tariff_ids)}")
            elif tariff_id in seen:
                problem(path, f"tariff '{tariff_id}' is listed twice in this group")
            seen.add(tariff_id)

    rule_lists = [(["rules"], doc.get("rules", []))] + [
        (["business_events", index, "preconditions"], event.get("preconditions", []))
        for index, event in enumerate(doc["business_events"])]
    for base, rules in rule_lists:
        for index, rule in enumerate(rules):
            target = rule["then"].get("assign")
            if target is not None and target not in group_ids:
                problem(base + [index, "then", "assign"],
                        f"unknown tariff group '{target}'; expected one of {', '.join(group_ids)}")

    broker = doc["broker_number"]
    try:
        pattern = re.compile(broker["pattern"])
    except re.error as exc:
        problem(["broker_number", "pattern"], f"not a valid regular expression: {exc}")
    else:
        if not pattern.fullmatch(broker["example"]):
            problem(["broker_number", "example"],
                    f"found '{broker['example']}', which does not match the pattern {broker['pattern']}")

    settings = doc["settings"]
    if "creditor_id" in settings and creditor_id_problem(settings["creditor_id"]):
        problem(["settings", "creditor_id"], creditor_id_problem(settings["creditor_id"]))
    if "creditor_id" in settings and "creditor_iban" not in settings:
        problem(["settings", "creditor_id"], "found a creditor_id without creditor_iban, the account the debits are paid into")
    if "creditor_iban" in settings and iban_problem(settings["creditor_iban"]):
        problem(["settings", "creditor_iban"], iban_problem(settings["creditor_iban"]))

    for index, module in enumerate(doc.get("content_modules", [])):
        for key in ("file", "file_en"):
            if key in module and module[key] not in files:
                problem(["content_modules", index, key],
                        f"file '{module[key]}' not found in the tenant folder {folder}")
    for index, tariff in enumerate(doc["tariffs"]):
        for number, product_document in enumerate(tariff.get("documents", [])):
            name = product_document["file"]
            if name not in files:
                problem(["tariffs", index, "documents", number, "file"],
                        f"file '{name}' not found in the tenant folder {folder}")
            elif not files[name].startswith(PDF_SIGNATURE):
                problem(["tariffs", index, "documents", number, "file"],
                        f"file '{name}' is not a PDF (a PDF file starts with %PDF-); export the document as PDF")
    logo = doc["branding"]["logo"]
    if logo not in files:
        problem(["branding", "logo"], f"file '{logo}' not found in the tenant folder {folder}")
    else:
        found.extend(check_logo(files[logo], f"{folder}/{logo}", []))
    return found


def _unique(document, base, key, label, problem):
    """Report each repeated `key` value in the list at `base`, pointing at the repeat."""
    items = document.data
    for part in base:
        items = items.get(part, []) if isinstance(items, dict) else items[part]
    first = {}
    for index, item in enumerate(items):
        value = item[key]
        if value in first:
            problem(base + [index, key], f"duplicate {label} {key} '{value}' "
                                         f"(first on line {document.line_of(base + [first[value], key])})")
        else:
            first[value] = index
