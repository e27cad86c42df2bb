"""The JSON Schema (draft 2020-12) of a form's API payload.

The schema describes the canonical payload: numbers as JSON numbers, dates as ISO strings, choices as
their option values, booleans for checkboxes, an optional field left out rather than sent empty.
`forms.validate` accepts that and, being made for people too, a little more ("1.234,56", "31.12.2025",
"on"). Left to `validate`: IBAN check digits, the finer rules of e-mail addresses, date limits (JSON
Schema cannot compare dates), and the ceiling of 10^30 on any number.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from .model import Condition, Field, Form

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# What values.read refuses as control characters: all of them (and lone surrogates) in one line,
# all but tab and line breaks in a textarea.
ONE_LINE = "^[^\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff]*$"
MULTI_LINE = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\ud800-\\udfff]*$"
IBAN = "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"


def json_schema(form: Form, lang: str = "en") -> dict:
    """The schema an API client's payload for `form` must match; titles in `lang`.

    A field with visible_if is checked, and required, only when its condition (and its controlling
    fields' conditions) hold, as in `validate`.
    """
    properties, required, conditional = {}, [], []
    for field in form:
        about = {"title": field.label.get(lang)}
        if field.help:
            about["description"] = field.help.get(lang)
        if field.visible_if is None:
            properties[field.name] = {**about, **_value_schema(field)}
            if field.required:
                required.append(field.name)
            continue
        properties[field.name] = about
        then = {"properties": {field.name: _value_schema(field)}}
        if field.required:
            then["required"] = [field.name]
        conditional.append({"if": _visible_schema(form, field), "then": then})
    schema = {"$schema": DIALECT, "type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if conditional:
        schema["allOf"] = conditional
    return schema


def _value_schema(field: Field) -> dict:
    kind = field.type
    if kind in ("text", "textarea", "email"):
        schema = {"type": "string"}
        if kind == "email":
            schema["format"] = "email"
        least = max(field.min_length or 0, 1 if field.required else 0)
        if least:
            schema["minLength"] = least
        schema["maxLength"] = field.length_limit
        patterns = [MULTI_LINE if kind == "textarea" else ONE_LINE]
        if field.pattern is not None:
            patterns.append("^(?:{})$".format(field.pattern))
        schema["allOf"] = [{"pattern": pattern} for pattern in patterns]
        return schema
    if kind == "date":
        return {"type": "string", "format": "date"}
    if kind in ("decimal", "integer"):
        schema = {"type": "number" if kind == "decimal" else "integer"}
        if field.min is not None:
            schema["minimum"] = _json(field.min)
        if field.max is not None:
            schema["maximum"] = _json(field.max)
        return schema
    if kind == "select":
        return {"type": "string", "enum": list(field.option_values)}
    if kind == "multiselect":
        schema = {"type": "array", "items": {"type": "string", "enum": list(field.option_values)},
                  "uniqueItems": True}
        if field.required:
            schema["minItems"] = 1
        return schema
    if kind == "checkbox":
        return {"const": True} if field.required else {"type": "boolean"}
    if kind == "iban":
        return {"type": "string", "pattern": IBAN}
    raise ValueError("no schema for field type {!r}".format(kind))


def _visible_schema(form: Form, field: Field) -> dict:
    """Matches a payload in which `field` shows: every condition up its visible_if chain holds."""
    properties, present = {}, []
    for condition in form.conditions(field.name):
        schema, needs_value = _condition_schema(form[condition.field], condition)
        properties[condition.field] = schema
        if needs_value:
            present.append(condition.field)
    visible = {"properties": properties}
    if present:
        visible["required"] = present
    return visible


def _condition_schema(controller: Field, condition: Condition) -> tuple[dict, bool]:
    """(schema of the controlling value, whether the condition needs a value to be sent).

    A left-out value counts as empty, as in `validate`: False for a checkbox, nothing otherwise.
    """
    if controller.type == "checkbox":
        holds = {flag for flag in (True, False) if condition.holds(flag)}
        if holds == {True, False}:
            return {}, False
        if holds == {False}:
            return {"not": {"const": True}}, False
        return ({"const": True}, True) if holds else ({"not": {}}, True)
    values = [_json(value) for value in condition.values]
    match = {"const": values[0]} if len(values) == 1 else {"enum": values}
    if controller.type == "multiselect":
        match = {"contains": match}
    if condition.op == "ne":
        return {"not": match}, False
    return match, True


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
