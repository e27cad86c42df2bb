"""A tenant compiled once per version: premium formulas, eligibility, rules and forms, ready to run.

Compiling is also a check of a tenant: every error of the rules and forms compilers is turned into
a Problem at the document path (and line) where the faulty part is written. The checks that need
more than compiling (every premium, the facts rules read) are in tenants/sweep.py and
tenants/rule_checks.py; they run when a folder is checked, not when a stored version is compiled.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from forms import load_form, load_platform_form, platform_form_names
from forms.errors import FormDefinitionError
from rules import catalogue
from rules.compile import compile_eligibility, compile_rules
from rules.dates import AGE_INPUTS, AGE_METHODS
from rules.errors import RuleError
from rules.formulas import compile_formula
from rules.platform import platform_settings

from tenants import premium_changes
from tenants.event_kinds import event_kinds
from tenants.problems import Problem, TenantError
from tenants.safe_yaml import YamlDocument

logger = logging.getLogger(__name__)

# what a premium formula may read (docs/tenant-authoring.md, section 6; engine/pricing.premium gives them)
PERSON_INPUTS = AGE_INPUTS | {"role", "employment_type", "insured_count", "tariff", "group", "budget"}
FORMULA_INPUTS = PERSON_INPUTS | {"family_members"}
FAMILY_INPUTS = PERSON_INPUTS  # a family member's: role spouse | child
RULE_POINTS = ("offer", "employee", "event", "contract")
_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


@dataclass
class CompiledTenant:
    """What the engine runs for one tenant version; keys are the ids used in the document."""

    tenant_id: str
    digest: str
    formulas: dict = field(default_factory=dict)        # tariff id -> rules.formulas.Formula
    premium_changes: dict = field(default_factory=dict)  # tariff id -> [(valid_from, Formula)] ascending
    family_formulas: dict = field(default_factory=dict)  # tariff id -> Formula of one family member (family_premium)
    eligibility: dict = field(default_factory=dict)     # group id -> eligibility RuleSet, in document order
    rules: dict = field(default_factory=dict)           # "offer"|"employee"|"event"|"contract" -> RuleSet
    preconditions: dict = field(default_factory=dict)   # event type -> RuleSet
    application_form: object = None                     # Form: platform application form + tenant fields
    event_forms: dict = field(default_factory=dict)     # event type -> Form (platform event form + fields)
    questions: dict = field(default_factory=dict)       # content module id -> Form (modules with questions)


def compile_tenant(tenant) -> CompiledTenant:
    """Compile a loaded Tenant (or one rebuilt from a stored snapshot, folder None); raises
    TenantError, which a tenant that passed load_tenant never does."""
    document = YamlDocument(tenant.doc)
    compiled, problems = compile_document(document, f"{tenant.folder or tenant.id}/tenant.yaml")
    if problems:
        raise TenantError(problems)
    compiled.digest = tenant.digest
    return compiled


def compile_document(document: YamlDocument, file: str) -> tuple[CompiledTenant, list[Problem]]:
    """Compile every part of a schema-valid document, collecting the problems of all parts."""
    doc = document.data
    out = CompiledTenant(tenant_id=doc["id"], digest="")
    step = _Steps(document, file)
    settings = rule_settings(doc["settings"])
    prefix = doc["id"]

    for index, tariff in enumerate(doc["tariffs"]):
        base = ["tariffs", index, "premium"]
        premium = tariff["premium"]
        tables = premium.get("tables", {})
        formula = step.run(base, lambda: compile_formula(premium["formula"], tables, set(FORMULA_INPUTS)),
                           locate=lambda path: _formula_path(path, tables))
        if formula is None:
            continue
        out.formulas[tariff["id"]] = formula
        changes, found = premium_changes.compile_changes(document, file, index, FORMULA_INPUTS, step, _formula_path)
        out.premium_changes[tariff["id"]] = changes
        step.problems.extend(found)
        step.problems.extend(_age_method_problems(document, file, index, formula))
        if "family_premium" in tariff:
            family = tariff["family_premium"]
            out.family_formulas[tariff["id"]] = step.run(
                ["tariffs", index, "family_premium"],
                lambda: compile_formula(family["formula"], family.get("tables", {}), set(FAMILY_INPUTS)),
                locate=lambda path: _formula_path(path, family.get("tables", {})))
            if out.family_formulas[tariff["id"]] is None:
                del out.family_formulas[tariff["id"]]
            else:
                step.problems.extend(_age_method_problems(document, file, index, out.family_formulas[tariff["id"]],
                                                          "family_premium"))

    for index, group in enumerate(doc["tariff_groups"]):
        out.eligibility[group["id"]] = step.run(
            ["tariff_groups", index, "eligibility"],
            lambda: compile_eligibility(_rule_data(group.get("eligibility", [])), settings=settings,
                                        name=f"{prefix}.eligibility.{group['id']}"))

    tenant_rules = doc.get("rules", [])
    for point in RULE_POINTS:
        positions = [i for i, rule in enumerate(tenant_rules) if rule["on"] == point]
        plain = _rule_data(tenant_rules[i] for i in positions)
        out.rules[point] = step.run(["rules"], lambda: compile_rules(plain, settings=settings,
                                                                     name=f"{prefix}.rules.{point}"),
                                    locate=lambda path: _renumber(path, positions))

    out.application_form = step.run(["application_form"], lambda: application_form(doc.get("application_form", [])))
    for index, event in enumerate(doc["business_events"]):
        base = ["business_events", index]
        out.event_forms[event["type"]] = step.run(base + ["fields"], lambda: load_form(
            event.get("fields", []), _platform_form(event_kinds()[event["type"]].form)))
        out.preconditions[event["type"]] = step.run(base + ["preconditions"], lambda: compile_rules(
            event.get("preconditions", []), settings=settings, name=f"{prefix}.event.{event['type']}"))
    for index, module in enumerate(doc.get("content_modules", [])):
        if module.get("questions"):
            out.questions[module["id"]] = step.run(["content_modules", index, "questions"],
                                                   lambda: load_form(module["questions"]))
    return out, step.problems


def rule_settings(tenant_settings: dict) -> dict:
    """What rules may name with {setting: name}: the platform's settings, overridden by the tenant's
    (quoted decimals such as "50.00" become Decimal, as the platform's own)."""
    merged = platform_settings()
    for name, value in tenant_settings.items():
        merged[name] = Decimal(value) if isinstance(value, str) and _DECIMAL.match(value) else value
    return merged


# Keys of a rule that are for the checker and the reader, not for the rules compiler.
_CHECKER_KEYS = ("on", "age_justification")


def _rule_data(items):
    """Rules as the rules compiler takes them: without the keys it does not know."""
    return [{key: value for key, value in item.items() if key not in _CHECKER_KEYS} for item in items]


def application_form(tenant_fields, fields=None):
    """The application form: the platform's fields (`fields`, a catalogue; None: the application's,
    rules/catalogues/application.yaml) with the tenant's added."""
    return load_form(tenant_fields, catalogue.form_data(fields or catalogue.load("application")))


def _platform_form(name):
    """The platform's form the tenant's fields are added to, when the platform defines one."""
    return load_platform_form(name) if name in platform_form_names() else None


class _Steps:
    """Runs one compile step and turns its error into a Problem at the right place."""

    def __init__(self, document, file):
        self.document, self.file, self.problems = document, file, []

    def run(self, base, make, locate=lambda path: path):
        try:
            return make()
        except (RuleError, FormDefinitionError) as error:
            path = base + list(locate(list(getattr(error, "path", None) or [])))
            self.problems.append(Problem(self.file, self.document.line_of(path), path,
                                         getattr(error, "message", None) or str(error)))
        except Exception as error:  # noqa: BLE001 - a checker reports, it never shows a traceback
            logger.exception("compiler failed at %s", base)
            self.problems.append(Problem(self.file, self.document.line_of(base), base,
                                         f"could not be compiled (internal error: {error!r}); please report this"))
        return None


def _formula_path(path, tables):
    """Paths of formula errors: into premium.tables when they name a table, else the formula."""
    if path and path[0] == "tables":
        return path
    if path and path[0] in tables:
        return ["tables"] + path
    return ["formula"] + [part for part in path if part != "formula"]


def _renumber(path, positions):
    """A rule error's index is into the list handed over; point it at the tenant's rules list."""
    if path and isinstance(path[0], int) and 0 <= path[0] < len(positions):
        return [positions[path[0]]] + path[1:]
    return path


def _age_method_problems(document, file, index, formula, part="premium"):
    """A formula must price by the age the tenant declares in settings.age_method."""
    method = document.data["settings"]["age_method"]
    right = AGE_METHODS[method][0]
    wrong = sorted((formula.names & AGE_INPUTS) - {right})
    if not wrong:
        return []
    path = ["tariffs", index, part, "formula"]
    return [Problem(file, document.line_of(path), path,
                    f"the formula uses '{wrong[0]}', but settings.age_method is {method}; "
                    f"use '{right}' (or change settings.age_method)")]
