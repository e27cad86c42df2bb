"""Checking a submitted form: typed values for the fields that show, a message for each that fails."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .messages import message
from .model import Form, language
from .values import Invalid, check, is_empty, raw_value, read

REQUIRED_CODE = {"checkbox": "required_checkbox", "select": "required_choice", "multiselect": "required_choice"}


@dataclass(frozen=True)
class Result:
    """`values`: typed values of the visible fields that passed, in form order (None, [] or False
    when left empty). `errors`: field name -> message. `visible`: names of the fields that showed."""

    values: dict[str, Any]
    errors: dict[str, str]
    visible: frozenset[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(form: Form, data: Mapping[str, Any], lang: str = "de", *,
             today: datetime.date | None = None) -> Result:
    """Read `data` (a werkzeug MultiDict or a JSON object) against `form`.

    Fields whose visible_if does not hold are neither checked nor returned; a field also stays hidden
    while its controlling field is hidden or has an error. `today` anchors relative date limits.
    """
    lang = language(lang)
    today = today or datetime.date.today()
    values, errors, visible = {}, {}, set()
    for field in form.evaluation_order:
        condition = field.visible_if
        if condition is not None and not (condition.field in values and condition.holds(values[condition.field])):
            continue
        visible.add(field.name)
        try:
            value = read(field, raw_value(data, field), lang)
            if is_empty(value):
                if field.required:
                    raise Invalid(REQUIRED_CODE.get(field.type, "required"))
            else:
                check(field, value, today)
        except Invalid as error:
            errors[field.name] = message(error.code, lang, **error.params)
        else:
            values[field.name] = value
    return Result(
        values={name: values[name] for name in form.names if name in values},
        errors={name: errors[name] for name in form.names if name in errors},
        visible=frozenset(visible),
    )
