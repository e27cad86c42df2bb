"""The JSON Schema of a tenant document, and its errors said as "found X, expected Y" at a line."""
from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path

import jsonschema
from jsonschema.exceptions import best_match

from tenants.event_kinds import event_kinds
from tenants.module_kinds import module_kinds
from tenants.problems import Problem
from tenants.safe_yaml import YamlDocument

SCHEMA_FILE = Path(__file__).with_name("schema.json")

_TYPE_NAMES = {
    "string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "object": "a mapping (key: value)", "array": "a list", "null": "nothing",
}


@functools.cache
def _schema_text() -> str:
    return SCHEMA_FILE.read_text(encoding="utf-8")


def tenant_schema() -> dict:
    """The published schema (`bkv tenants schema`), a fresh copy the caller may change. The event
    types and module kinds are the platform's (tenants/event_kinds.yaml, tenants/module_kinds.yaml),
    filled in here."""
    schema = json.loads(_schema_text())
    kinds = event_kinds()
    event_type = schema["$defs"]["business_event"]["properties"]["type"]
    event_type["enum"] = list(kinds)
    event_type["description"] = ", ".join(f"{name} ({kind.label['de']})" for name, kind in kinds.items()) + \
        ". Each type at most once."
    module = schema["$defs"]["tariff"]["properties"]["module"]
    module["enum"] = list(module_kinds())
    module["description"] = "The benefit area of a module tariff, one of the platform's module kinds " \
        "(tenants/module_kinds.yaml): " + ", ".join(f"{name} ({label['de']})" for name, label in module_kinds().items()) + "."
    return schema


@functools.cache
def _validator():
    schema = tenant_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_problems(document: YamlDocument, file: str) -> list[Problem]:
    """Every schema violation of the document, sorted by line."""
    problems = {}
    for error in _validator().iter_errors(document.data):
        path, message = explain(error)
        # jsonschema reports each missing required key apart; explain() names them all at once
        problems.setdefault((tuple(path), message), Problem(file, document.line_of(path), path, message))
    return sorted(problems.values(), key=lambda p: (p.line or 0, p.dotted_path, p.message))


def explain(error) -> tuple[list, str]:
    """(document path, message for people) of one jsonschema error."""
    if error.context:
        error = best_match(error.context)
    path = list(error.absolute_path)
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "enum":
        return path, f"found {show(value)}, expected one of {', '.join(map(str, expected))}"
    if kind == "const":
        return path, f"found {show(value)}, expected {show(expected)}"
    if kind == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        names = " or ".join(_TYPE_NAMES.get(t, t) for t in wanted)
        if wanted == ["string"] and isinstance(value, (int, float)) and not isinstance(value, bool):
            names += f' (put it in quotes: "{value}")'
        return path, f"found {show(value)}, expected {names}"
    if kind == "required":
        missing = [key for key in expected if key not in value]
        why = error.schema.get("description") if "then" in error.schema_path else None
        keys = ", ".join(f"'{key}'" for key in missing)
        return path, f"missing required key{'s' if len(missing) > 1 else ''} {keys}" + (f" ({why})" if why else "")
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [key for key in value if key not in allowed]
        key = extra[0] if extra else "?"
        hint = difflib.get_close_matches(key, allowed, n=1)
        if hint:
            return path + [key], f"unknown key '{key}'; did you mean '{hint[0]}'?"
        choices = f"; allowed here: {', '.join(allowed)}" if allowed else ""
        return path + [key], f"unknown key '{key}'{choices}"
    if kind == "not":
        why = error.schema.get("description")
        return path, f"key '{path[-1] if path else '?'}' is not allowed here" + (f": {why}" if why else "")
    if kind == "pattern":
        return path, f"found {show(value)}, expected {_pattern_hint(error)}"
    if kind == "format":
        return path, f"found {show(value)}, expected a valid {expected}: {error.message}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most",
                 "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}
        return path, f"found {show(value)}, expected {words[kind]} {expected}"
    if kind in ("minLength", "maxLength"):
        bound = "at least" if kind == "minLength" else "at most"
        return path, f"found {show(value)}, expected {bound} {expected} characters"
    if kind in ("minItems", "maxItems"):
        bound = "at least" if kind == "minItems" else "at most"
        return path, f"found {len(value)} item(s), expected {bound} {expected}"
    if kind in ("minProperties", "maxProperties"):
        keys = ", ".join(sorted(error.schema.get("properties", {})))
        exact = "exactly one of " + keys if keys and error.schema.get("maxProperties") == 1 else None
        count = f"{'at least' if kind == 'minProperties' else 'at most'} {expected} key(s)"
        return path, f"found {len(value)} key(s), expected {exact or count}"
    if kind == "propertyNames":
        return path, f"found a name that is not allowed: {error.message}"
    return path, error.message


def _pattern_hint(error) -> str:
    examples = error.schema.get("examples")
    hint = f"text matching {error.validator_value}"
    return f"{hint} (e.g. {show(examples[0])})" if examples else hint


def show(value) -> str:
    """A value as an analyst would write it in YAML, kept short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return repr(text)
    return str(value)
