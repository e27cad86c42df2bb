"""What a template needs to draw each field of a form; templates/forms/_fields.html draws it.

`render_fields` gives one dict per field, in form order:

    name, id, type        field name, HTML id, field type (text, select, ...)
    control               "input", "textarea", "select", "checkbox" (one box) or "checkboxes" (a group)
    input_type            the <input type> for input and checkbox controls, else None
    label, help           texts in the chosen language (help may be None)
    required              bool; optional_text is the word shown next to optional labels, required_text the
                          one read (not shown) after the asterisk of a required label
    value                 the value as text: what was submitted is kept after an error
    checked               bool, for a checkbox
    options               select / checkboxes: [{value, label, selected, id, attrs}]
    placeholder           the empty choice of a select
    error, error_prefix   the message (or None) and the hidden word read before it ("Fehler:")
    help_id, error_id     ids of the help and error elements (None when absent)
    describedby           "help_id error_id" as given to aria-describedby, or None
    attrs                 every attribute of the control element (id, name, type, value, required,
                          aria-invalid, aria-describedby, min, max, maxlength, pattern, inputmode, ...)
    visible               whether visible_if holds for the values shown
    data                  data-visible-if-field / -op / -values (JSON list) for the page's script
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .messages import message
from .model import Field, Form, RelativeDate, language
from .validate import validate
from .values import LARGEST_NUMBER, Invalid, raw_value, read

CONTROLS = {"textarea": "textarea", "select": "select", "multiselect": "checkboxes", "checkbox": "checkbox"}
# Numbers are typed into text inputs with a numeric keyboard: type=number refuses "1.234,56" and
# drops what was typed when it cannot parse it, so the value could not be shown back with its error.
INPUT_TYPES = {"text": "text", "email": "email", "date": "date", "decimal": "text", "integer": "text",
               "iban": "text", "checkbox": "checkbox"}
TYPE_ATTRIBUTES = {
    "decimal": {"inputmode": "decimal"},
    "integer": {"inputmode": "numeric"},
    "email": {"spellcheck": "false", "autocapitalize": "none"},
    "iban": {"spellcheck": "false", "autocapitalize": "characters", "autocomplete": "off"},
}


def render_fields(form: Form, values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None,
                  lang: str = "de", *, today: datetime.date | None = None, id_prefix: str = "field-") -> list[dict]:
    """One dict per field (see the module docs) for drawing `form` with `values` and `errors`.

    `values` is what was submitted (a MultiDict or dict of strings) or typed values (dates, Decimal);
    None means an empty form, which shows each field's default.
    """
    lang = language(lang)
    today = today or datetime.date.today()
    data = form.defaults(today) if values is None else values
    visible = validate(form, data, lang, today=today).visible
    errors = errors or {}
    return [
        _field(form, field, raw_value(data, field), errors.get(field.name), field.name in visible,
               lang, today, id_prefix)
        for field in form
    ]


def _field(form: Form, field: Field, raw: Any, error: str | None, visible: bool, lang: str,
           today: datetime.date, id_prefix: str) -> dict:
    control = CONTROLS.get(field.type, "input")
    field_id = id_prefix + field.name
    help_id = field_id + "-help" if field.help else None
    error_id = field_id + "-error" if error else None
    describedby = " ".join(part for part in (help_id, error_id) if part) or None
    value = _text(field, raw, lang)
    checked = control == "checkbox" and _ticked(field, raw)

    attrs = {"id": field_id, "name": field.name}
    if control in ("input", "checkbox"):
        attrs["type"] = INPUT_TYPES[field.type]
        attrs["value"] = "true" if control == "checkbox" else value
    if checked:
        attrs["checked"] = ""
    attrs.update(_limits(field, today))
    attrs.update(TYPE_ATTRIBUTES.get(field.type, {}))
    if field.required and control != "checkboxes":
        if field.visible_if:  # the page's script may hide it: announce, but never block a submit
            attrs["aria-required"] = "true"
        else:
            attrs["required"] = ""
    if control != "checkboxes":  # a group carries these on its fieldset and boxes
        if error:
            attrs["aria-invalid"] = "true"
        if describedby:
            attrs["aria-describedby"] = describedby

    return {
        "name": field.name,
        "id": field_id,
        "type": field.type,
        "control": control,
        "input_type": attrs.get("type"),
        "label": field.label.get(lang),
        "help": field.help.get(lang) if field.help else None,
        "required": field.required,
        "optional_text": message("optional", lang),
        "required_text": message("required_mark", lang),
        "value": value,
        "checked": checked,
        "options": _options(field, raw, field_id, error, lang),
        "placeholder": message("choose", lang) if field.type == "select" else None,
        "error": error,
        "error_prefix": message("error_prefix", lang),
        "help_id": help_id,
        "error_id": error_id,
        "describedby": describedby,
        "attrs": attrs,
        "visible": visible,
        "data": _visibility_data(form, field, lang),
    }


def _limits(field: Field, today: datetime.date) -> dict[str, str]:
    limits = {}
    if field.type == "date":
        for key in ("min", "max"):
            bound = getattr(field, key)
            if isinstance(bound, RelativeDate):
                limits[key] = bound.resolve(today).isoformat()
    if field.min_length:
        limits["minlength"] = str(field.min_length)
    if field.length_limit is not None:
        limits["maxlength"] = str(field.length_limit)
    if field.pattern is not None and field.type != "textarea":
        limits["pattern"] = field.pattern
    return limits


def _options(field: Field, raw: Any, field_id: str, error: str | None, lang: str) -> list[dict]:
    chosen = {item for item in (raw if isinstance(raw, (list, tuple)) else [raw]) if isinstance(item, str)}
    chosen = {item.strip() for item in chosen}
    options = []
    for index, option in enumerate(field.options):
        option_id = "{}-{}".format(field_id, index)
        selected = option.value in chosen
        attrs = {"id": option_id, "name": field.name, "type": "checkbox", "value": option.value}
        if selected:
            attrs["checked"] = ""
        if error:
            attrs["aria-invalid"] = "true"
        options.append({
            "value": option.value,
            "label": option.label.get(lang),
            "selected": selected,
            "id": option_id,
            "attrs": attrs if field.type == "multiselect" else {},
        })
    return options


def _visibility_data(form: Form, field: Field, lang: str) -> dict[str, str]:
    condition = field.visible_if
    if condition is None:
        return {}
    controller = form[condition.field]
    return {
        "data-visible-if-field": condition.field,
        "data-visible-if-op": condition.op,
        "data-visible-if-values": json.dumps([_text(controller, value, lang) for value in condition.values]),
    }


def _text(field: Field, raw: Any, lang: str) -> str:
    """A value as the text an input shows: as submitted, or typed values written for `lang`."""
    if raw is None or isinstance(raw, (list, tuple)):
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if field.type == "date":
        try:  # a date input only shows ISO dates
            day = read(field, raw, lang)
        except Invalid:
            day = None
        if day is not None:
            return day.isoformat()
    if isinstance(raw, str):  # as submitted; a lone surrogate (JSON can carry one) would break the page
        return raw.encode("utf-8", "replace").decode("utf-8")
    if isinstance(raw, (int, float, Decimal)):
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        if not number.is_finite() or abs(number) >= LARGEST_NUMBER or number.as_tuple().exponent < -30:
            return ""  # nothing a person could have typed
        text = format(number, "f")
        return text.replace(".", ",") if lang == "de" else text
    return str(raw)


def _ticked(field: Field, raw: Any) -> bool:
    try:
        return read(field, raw) is True
    except Invalid:
        return False
