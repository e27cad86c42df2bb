"""Turning form definitions (YAML data) into a `Form`, refusing anything unclear with its path."""

from __future__ import annotations

import datetime
import difflib
import math
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .errors import FormDefinitionError
from .messages import message
from .model import DEFAULT_MAX_LENGTH, FIELD_TYPES, LANGUAGES, Condition, Field, Form, Option, RelativeDate, Text
from .values import LARGEST_NUMBER, Invalid, check, is_empty, read

NAME = re.compile(r"[a-z][a-z0-9_]*")
RELATIVE_DATE = re.compile(r"today(?:([+-])([0-9]{1,5})d)?")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

COMMON_KEYS = ("name", "type", "label", "help", "required", "visible_if", "default")
TYPE_KEYS = {
    "text": ("min_length", "max_length", "pattern", "pattern_message"),
    "textarea": ("min_length", "max_length", "pattern", "pattern_message"),
    "email": ("min_length", "max_length", "pattern", "pattern_message"),
    "date": ("min", "max"),
    "decimal": ("min", "max"),
    "integer": ("min", "max"),
    "select": ("options",),
    "multiselect": ("options",),
    "checkbox": (),
    "iban": (),
}
ALL_KEYS = COMMON_KEYS + ("min", "max", "min_length", "max_length", "pattern", "pattern_message", "options")
CONDITION_OPERATORS = ("eq", "ne", "in")


def load_form(fields: list, base: list | Form | None = None) -> Form:
    """The form `fields` define, added to `base` (a platform form, as a list or a loaded Form).

    A field named like a base field replaces it in place; other fields are appended in order.
    Raises FormDefinitionError with the path inside `fields`.
    """
    base_fields = _base(base)
    if not isinstance(fields, list):
        raise FormDefinitionError("expected a list of fields, found {}".format(_found(fields)), [])
    own = [_field(item, [index]) for index, item in enumerate(fields)]
    _check_unique(own)
    merged, origin = _merge(base_fields, own)
    conditions = {
        name: _condition(fields[index].get("visible_if"), merged, name, [index, "visible_if"])
        for name, index in origin.items()
        if "visible_if" in fields[index]
    }
    for field in base_fields:  # a kept platform field whose controlling field the tenant replaced
        if field.visible_if and field.visible_if.field in origin and field.name not in origin:
            conditions[field.name] = _recheck(field, merged, [origin[field.visible_if.field]])
    form = Form(tuple(
        replace(field, visible_if=conditions[field.name]) if field.name in conditions else field
        for field in merged.values()
    ))
    _check_cycles(form, origin)
    return form


def load_form_file(path: str | Path) -> Form:
    """The form defined by a YAML file holding a list of fields."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as error:  # ValueError: e.g. an integer of 5000 digits
        raise FormDefinitionError("{}: not valid YAML: {}".format(path.name, error), []) from None
    try:
        return load_form(data)
    except FormDefinitionError as error:
        raise FormDefinitionError("{}: {}".format(path.name, error.message), error.path) from None


def _base(base: list | Form | None) -> tuple[Field, ...]:
    if base is None:
        return ()
    if isinstance(base, Form):
        return base.fields
    try:
        return load_form(base).fields
    except FormDefinitionError as error:
        raise FormDefinitionError("in the base form: " + error.message, error.path) from None


def _merge(base_fields, own):
    """Fields by name in form order, and the index in the tenant's list of each field it defines."""
    merged = {field.name: field for field in base_fields}
    origin = {}
    for index, field in enumerate(own):
        merged[field.name] = field
        origin[field.name] = index
    return merged, origin


def _check_unique(own: list[Field]) -> None:
    seen = set()
    for index, field in enumerate(own):
        if field.name in seen:
            raise FormDefinitionError(
                "the name '{}' is used by an earlier field; expected each name once".format(field.name),
                [index, "name"],
            )
        seen.add(field.name)


def _field(item: Any, path: list) -> Field:
    if not isinstance(item, dict):
        raise FormDefinitionError(
            "expected a field (a mapping with name, type and label), found {}".format(_found(item)), path)
    for key in item:
        if key not in ALL_KEYS:
            raise FormDefinitionError(_unknown("key", key, ALL_KEYS), path + [key])
    for key in ("name", "type", "label"):
        if key not in item:
            raise FormDefinitionError("missing '{}'; every field needs name, type and label".format(key), path)
    name = item["name"]
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise FormDefinitionError(
            "expected a name of lower-case letters, digits and _ starting with a letter, found {}".format(
                _found(name)), path + ["name"])
    kind = item["type"]
    if kind not in FIELD_TYPES:
        raise FormDefinitionError(_unknown("type", kind, FIELD_TYPES), path + ["type"])
    for key in item:
        if key not in COMMON_KEYS and key not in TYPE_KEYS[kind]:
            users = [other for other, keys in TYPE_KEYS.items() if key in keys]
            raise FormDefinitionError(
                "'{}' does not apply to a field of type {}; it applies to {}".format(key, kind, ", ".join(users)),
                path + [key])
    required = item.get("required", False)
    if not isinstance(required, bool):
        raise FormDefinitionError("expected true or false, found {}".format(_found(required)), path + ["required"])
    field = Field(
        name=name,
        type=kind,
        label=_text(item["label"], path + ["label"]),
        help=_text(item["help"], path + ["help"]) if "help" in item else None,
        required=required,
        options=_options(item, path) if kind in ("select", "multiselect") else (),
        **_lengths(item, kind, path),
        pattern=_pattern(item, path),
        pattern_message=_pattern_message(item, path),
    )
    field = replace(field, **_bounds(field, item, path))
    if "default" in item:
        field = replace(field, default=_default(field, item["default"], path + ["default"]))
    return field


def _text(value: Any, path: list) -> Text:
    if not isinstance(value, dict):
        raise FormDefinitionError(
            "expected a text per language ({}), found {}".format(", ".join(LANGUAGES), _found(value)), path)
    for lang in value:
        if lang not in LANGUAGES:
            raise FormDefinitionError(_unknown("language", lang, LANGUAGES), path + [lang])
    for lang in LANGUAGES:
        if lang not in value:
            raise FormDefinitionError("missing the text in '{}'; expected one per language ({})".format(
                lang, ", ".join(LANGUAGES)), path)
        if not isinstance(value[lang], str) or not value[lang].strip():
            raise FormDefinitionError(
                "expected a non-empty text, found {}".format(_found(value[lang])), path + [lang])
    return Text(**{lang: value[lang].strip() for lang in LANGUAGES})


def _options(item: dict, path: list) -> tuple[Option, ...]:
    if "options" not in item:
        raise FormDefinitionError("missing 'options'; a {} field needs a list of options".format(item["type"]), path)
    options = item["options"]
    if not isinstance(options, list) or not options:
        raise FormDefinitionError(
            "expected a non-empty list of options (value and label), found {}".format(_found(options)),
            path + ["options"])
    result, seen = [], set()
    for index, option in enumerate(options):
        where = path + ["options", index]
        if not isinstance(option, dict):
            raise FormDefinitionError("expected an option (value and label), found {}".format(_found(option)), where)
        for key in option:
            if key not in ("value", "label"):
                raise FormDefinitionError(_unknown("key", key, ("value", "label")), where + [key])
        if "value" not in option or "label" not in option:
            raise FormDefinitionError("an option needs both 'value' and 'label'", where)
        value = option["value"]
        if not isinstance(value, str) or not value.strip() or value != value.strip():
            raise FormDefinitionError(
                "expected the value as a text without surrounding spaces (put numbers and yes/no in quotes), "
                "found {}".format(_found(value)), where + ["value"])
        if value in seen:
            raise FormDefinitionError(
                "the value '{}' is used by an earlier option; expected each value once".format(value),
                where + ["value"])
        seen.add(value)
        result.append(Option(value, _text(option["label"], where + ["label"])))
    return tuple(result)


def _lengths(item: dict, kind: str, path: list) -> dict:
    lengths = {}
    for key in ("min_length", "max_length"):
        if key in item:
            value = item[key]
            least = 1 if key == "max_length" else 0
            if not _is_int(value) or value < least:
                raise FormDefinitionError(
                    "expected a whole number of at least {}, found {}".format(least, _found(value)), path + [key])
            lengths[key] = value
    most = lengths.get("max_length", DEFAULT_MAX_LENGTH.get(kind))
    if most is not None and lengths.get("min_length", 0) > most:
        limit = "max_length {}".format(most) if "max_length" in lengths else "{}, the most a {} field takes".format(
            most, kind)
        raise FormDefinitionError("min_length {} is greater than {}; expected min_length <= max_length".format(
            lengths["min_length"], limit), path + ["min_length"])
    return lengths


def _pattern_message(item: dict, path: list) -> Text | None:
    """The author's words for a value that does not match `pattern` (else the platform's)."""
    if "pattern_message" not in item:
        return None
    if "pattern" not in item:
        raise FormDefinitionError("pattern_message without a pattern; add the pattern it explains or remove it",
                                  path + ["pattern_message"])
    return _text(item["pattern_message"], path + ["pattern_message"])


def _pattern(item: dict, path: list) -> str | None:
    if "pattern" not in item:
        return None
    pattern = item["pattern"]
    if not isinstance(pattern, str) or not pattern:
        raise FormDefinitionError("expected a regular expression, found {}".format(_found(pattern)),
                                  path + ["pattern"])
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        raise FormDefinitionError("expected a regular expression, found {!r}, which does not compile: {}".format(
            pattern, error), path + ["pattern"]) from None
    return pattern


def _bounds(field: Field, item: dict, path: list) -> dict:
    bounds = {key: _bound(field.type, item[key], path + [key]) for key in ("min", "max") if key in item}
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None and _comparable(low, high) and _key(low) > _key(high):
        raise FormDefinitionError(
            "min {} is greater than max {}; expected min <= max".format(low, high), path + ["min"])
    return bounds


def _bound(kind: str, value: Any, path: list):
    if kind == "date":
        return _date(value, path, relative=True)
    return _number(kind, value, path)


def _comparable(low, high) -> bool:
    if isinstance(low, RelativeDate):
        return (low.fixed is None) == (high.fixed is None)
    return True


def _key(bound):
    if isinstance(bound, RelativeDate):
        return bound.fixed or bound.days
    return bound


def _number(kind: str, value: Any, path: list) -> int | Decimal:
    if kind == "integer":
        if not _is_int(value) or abs(value) >= LARGEST_NUMBER:
            raise FormDefinitionError("expected a whole number, found {}".format(_found(value)), path)
        return value
    number = None
    if _is_int(value):
        number = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal) and value.is_finite():
        number = value
    elif isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,30}(\.[0-9]{1,30})?", value):
        number = Decimal(value)
    if number is None or abs(number) >= LARGEST_NUMBER:
        raise FormDefinitionError("expected a number such as 12 or 12.50, found {}".format(_found(value)), path)
    return number


def _date(value: Any, path: list, relative: bool) -> RelativeDate | datetime.date:
    """A date written as 2025-01-31 (or a YAML date); with `relative`, also today, today+30d, today-7d."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return RelativeDate(fixed=value) if relative else value
    if isinstance(value, str):
        if ISO_DATE.fullmatch(value):
            try:
                day = datetime.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                return RelativeDate(fixed=day) if relative else day
        moved = RELATIVE_DATE.fullmatch(value) if relative else None
        if moved:
            sign, days = moved.groups()
            return RelativeDate(days=int(days) * (-1 if sign == "-" else 1) if days else 0)
    expected = "a date such as 2025-01-31" + (", today, today+30d or today-7d" if relative else "")
    raise FormDefinitionError("expected {}, found {}".format(expected, _found(value)), path)


def _definition_value(field: Field, value: Any, path: list, relative_date: bool = False):
    """A value written in a definition (a default or a visible_if value), typed like `field`'s input."""
    kind = field.type
    if kind == "checkbox":
        if not isinstance(value, bool):
            raise FormDefinitionError("expected true or false, found {}".format(_found(value)), path)
        return value
    if kind in ("integer", "decimal"):
        return _number(kind, value, path)
    if kind == "date":
        return _date(value, path, relative=relative_date)
    if not isinstance(value, str):
        raise FormDefinitionError(
            "expected a text (put numbers and yes/no in quotes), found {}".format(_found(value)), path)
    if kind in ("select", "multiselect") and value not in field.option_values:
        raise FormDefinitionError("expected one of the option values ({}), found {}".format(
            ", ".join(field.option_values), _found(value)), path)
    return value


def _default(field: Field, value: Any, path: list):
    """The value an empty form shows, read and checked like a submitted one (relative dates aside)."""
    if field.type == "multiselect":
        if not isinstance(value, list):
            raise FormDefinitionError("expected a list of option values, found {}".format(_found(value)), path)
        for index, item in enumerate(value):
            _definition_value(field, item, path + [index])
    else:
        value = _definition_value(field, value, path, relative_date=True)
        if isinstance(value, RelativeDate):
            if value.fixed is None:
                return value
            value = value.fixed
    try:
        default = read(field, value)
        if not is_empty(default):
            check(field, default, today=None)
    except Invalid as error:
        raise FormDefinitionError("the default " + _misfit(value, error), path) from None
    return default


def _condition_value(controller: Field, value: Any, path: list):
    """A visible_if value, typed and normalized as `validate` gives the controlling field's value."""
    value = _definition_value(controller, value, path)
    if controller.type not in ("text", "textarea", "email", "iban"):
        return value
    try:
        typed = read(controller, value)
    except Invalid as error:
        raise FormDefinitionError(_misfit(value, error), path) from None
    if typed is None:
        raise FormDefinitionError("expected a value to compare with, found {}".format(_found(value)), path)
    return typed


def _misfit(value: Any, error: Invalid) -> str:
    return "{} does not fit the field: {}".format(_found(value), message(error.code, "en", **error.params))


def _condition(data: Any, fields: dict[str, Field], name: str, path: list) -> Condition:
    if not isinstance(data, dict):
        raise FormDefinitionError(
            "expected a condition such as {{field: payment, eq: sepa}}, found {}".format(_found(data)), path)
    for key in data:
        if key != "field" and key not in CONDITION_OPERATORS:
            raise FormDefinitionError(_unknown("key", key, ("field",) + CONDITION_OPERATORS), path + [key])
    operators = [key for key in CONDITION_OPERATORS if key in data]
    if "field" not in data or len(operators) != 1:
        raise FormDefinitionError(
            "expected 'field' and exactly one of eq, ne, in; found {}".format(", ".join(map(str, data)) or "nothing"),
            path)
    controller = data["field"]
    if controller == name:
        raise FormDefinitionError("a field cannot depend on itself; expected another field's name", path + ["field"])
    if not isinstance(controller, str) or controller not in fields:
        raise FormDefinitionError("unknown field {}; expected one of {}".format(
            _found(controller), ", ".join(other for other in fields if other != name)), path + ["field"])
    op = operators[0]
    values = data[op]
    if op == "in":
        if not isinstance(values, list) or not values:
            raise FormDefinitionError("expected a non-empty list of values, found {}".format(_found(values)),
                                      path + ["in"])
        where = [path + ["in", index] for index in range(len(values))]
    else:
        values, where = [values], [path + [op]]
    typed = tuple(_condition_value(fields[controller], value, at) for value, at in zip(values, where))
    return Condition(controller, op, typed)


def _recheck(field: Field, fields: dict[str, Field], path: list) -> Condition:
    """A base field's condition, checked again because the tenant replaced its controlling field."""
    condition = field.visible_if
    data = {"field": condition.field, condition.op: list(condition.values) if condition.op == "in" else
            condition.values[0]}
    try:
        return _condition(data, fields, field.name, [])
    except FormDefinitionError as error:
        raise FormDefinitionError(
            "this field replaces '{}', which the platform field '{}' depends on (visible_if), "
            "and no longer fits it: {}".format(condition.field, field.name, error.message), path) from None


def _check_cycles(form: Form, origin: dict[str, int]) -> None:
    """Refuse visible_if chains that come back to where they started.

    The base form has none, so each loop holds a field of `fields`: the error points at that one.
    """
    for name in origin:
        chain, field = [name], form[name]
        while field.visible_if is not None:
            field = form[field.visible_if.field]
            if field.name in chain:
                loop = chain[chain.index(field.name):]
                culprit = next(member for member in loop if member in origin)
                start = loop.index(culprit)
                shown = loop[start:] + loop[:start] + [culprit]
                raise FormDefinitionError(
                    "visible_if goes round in a circle ({}); expected each field to depend only on fields "
                    "that do not depend on it".format(" -> ".join(shown)), [origin[culprit], "visible_if", "field"])
            chain.append(field.name)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown(what: str, found: Any, expected) -> str:
    close = difflib.get_close_matches(found, expected, n=1) if isinstance(found, str) else []
    hint = " (did you mean '{}'?)".format(close[0]) if close else ""
    return "unknown {} {}{}; expected one of {}".format(what, _found(found), hint, ", ".join(expected))


def _found(value: Any) -> str:
    """A short description of a value found in a definition, for error messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "{} (true/false)".format(str(value).lower())
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return "'{}'".format(shown)
    if isinstance(value, (int, float, Decimal)):
        text = repr(value) if not isinstance(value, Decimal) else str(value)
        return "the number {}".format(text if len(text) <= 40 else text[:37] + "...")
    if isinstance(value, datetime.date):
        return "the date {}".format(value.isoformat())
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return "a value of type {}".format(type(value).__name__)
