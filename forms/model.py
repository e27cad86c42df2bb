"""What a loaded form is: immutable fields, options, conditions and relative dates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

FIELD_TYPES = (
    "text", "email", "date", "decimal", "integer",
    "select", "multiselect", "checkbox", "iban", "textarea",
)
LANGUAGES = ("de", "en")

# A field without max_length still has a ceiling, so no request can store a novel in a name.
DEFAULT_MAX_LENGTH = {"text": 1000, "textarea": 20000, "email": 254}


def language(lang: str) -> str:
    """The supported language closest to `lang`; German when unknown."""
    return lang if lang in LANGUAGES else LANGUAGES[0]


class Text(NamedTuple):
    """A text for people in every supported language."""

    de: str
    en: str

    def get(self, lang: str) -> str:
        return getattr(self, language(lang))


@dataclass(frozen=True)
class RelativeDate:
    """A date written in a definition: a fixed day, or today plus (or minus) some days."""

    fixed: datetime.date | None = None
    days: int = 0

    def resolve(self, today: datetime.date) -> datetime.date:
        if self.fixed is not None:
            return self.fixed
        return today + datetime.timedelta(days=self.days)

    def __str__(self) -> str:
        if self.fixed is not None:
            return self.fixed.isoformat()
        return "today" if not self.days else "today{:+d}d".format(self.days)


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class Condition:
    """`visible_if`: the field shows when the controlling field's value passes `op` (eq, ne, in).

    `values` holds one value for eq/ne and the list for in, typed like the controlling field.
    For a multiselect controller a value counts as equal when it is among the selected ones.
    """

    field: str
    op: str
    values: tuple

    def holds(self, value: Any) -> bool:
        chosen = value if isinstance(value, list) else [value]
        hit = any(item in self.values for item in chosen if item is not None)
        return not hit if self.op == "ne" else hit


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: Text
    help: Text | None = None
    required: bool = False
    min: int | Decimal | RelativeDate | None = None
    max: int | Decimal | RelativeDate | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: Text | None = None  # shown instead of the platform's message when pattern fails
    options: tuple[Option, ...] = ()
    visible_if: Condition | None = None
    default: Any = None

    @property
    def length_limit(self) -> int | None:
        """The maximum length enforced: the definition's own or the platform ceiling."""
        return self.max_length if self.max_length is not None else DEFAULT_MAX_LENGTH.get(self.type)

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)


@dataclass(frozen=True)
class Form:
    """An ordered, validated list of fields; build it with `forms.load_form`."""

    fields: tuple[Field, ...]

    def __iter__(self):
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def __getitem__(self, name: str) -> Field:
        return self.by_name[name]

    @property
    def names(self) -> list[str]:
        return [field.name for field in self.fields]

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {field.name: field for field in self.fields}

    def conditions(self, name: str) -> list[Condition]:
        """Every condition that must hold for the field to show: its own, its controller's, ..."""
        chain, field = [], self.by_name[name]
        while field.visible_if is not None:
            chain.append(field.visible_if)
            field = self.by_name[field.visible_if.field]
        return chain

    @cached_property
    def evaluation_order(self) -> tuple[Field, ...]:
        """The fields with every controlling field before the fields it shows or hides."""
        return tuple(sorted(self.fields, key=lambda field: len(self.conditions(field.name))))

    def defaults(self, today: datetime.date | None = None) -> dict[str, Any]:
        """The values an empty form shows: each field's `default`, relative dates resolved."""
        today = today or datetime.date.today()
        return {
            field.name: field.default.resolve(today) if isinstance(field.default, RelativeDate) else field.default
            for field in self.fields
            if field.default is not None
        }
