"""Reading one field's submitted value into its type, and checking it against the field's limits.

Input comes from an HTML form (strings) or a JSON API (numbers, booleans, lists, ISO dates); both
are read here, so a value means the same wherever it came from.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

import email_validator
from schwifty import IBAN
from schwifty import exceptions as iban_errors

from .model import Field, RelativeDate, language

TRUE_WORDS = frozenset({"true", "on", "1", "yes", "ja"})
FALSE_WORDS = frozenset({"false", "off", "0", "no", "nein", ""})

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_GERMAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_NUMBER = re.compile(r"([+-]?)([0-9.,]*[0-9][0-9.,]*)")
_SPACES = re.compile(r"\s")  # people put spaces (also no-break ones) between digit groups
_LONGEST_NUMBER = 40  # characters; beyond this a "number" is an attack or an accident
LARGEST_NUMBER = Decimal(10) ** 30  # no premium, budget or headcount comes near it


class Invalid(ValueError):
    """A submitted value that does not fit its field: `code` names the message, `params` fill it."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def raw_value(data, field: Field) -> Any:
    """The field's value in `data`: all values of a multiselect from a MultiDict, else the one value."""
    if field.type == "multiselect" and hasattr(data, "getlist"):
        return data.getlist(field.name)
    return data.get(field.name)


def is_empty(value: Any) -> bool:
    """Whether a read value counts as not filled in (an unticked box counts as empty)."""
    return value is None or value is False or value == []


def read(field: Field, raw: Any, lang: str = "de") -> Any:
    """The typed value of `raw`, or None / [] / False when nothing was entered; raises Invalid."""
    if field.type == "multiselect":
        return _read_choices(field, raw)
    if isinstance(raw, (list, tuple)):
        raise Invalid("single")
    if field.type == "checkbox":
        return _read_checkbox(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return _READERS[field.type](field, raw, lang)


def check(field: Field, value: Any, today: datetime.date | None) -> None:
    """Raise Invalid when a read, non-empty value breaks the field's limits.

    Relative date limits need `today`; without it they are not checked (a definition's default).
    """
    if field.type in ("text", "textarea", "email"):
        if field.min_length is not None and len(value) < field.min_length:
            raise Invalid("min_length", min_length=field.min_length)
        if field.length_limit is not None and len(value) > field.length_limit:
            raise Invalid("max_length", max_length=field.length_limit)
        if field.pattern is not None and not re.fullmatch(field.pattern, value):
            raise Invalid("pattern", wording=field.pattern_message)
    elif field.type in ("decimal", "integer"):
        if field.min is not None and value < field.min:
            raise Invalid("number_min", min=field.min)
        if field.max is not None and value > field.max:
            raise Invalid("number_max", max=field.max)
    elif field.type == "date":
        low = _resolve(field.min, today)
        high = _resolve(field.max, today)
        if low is not None and value < low:
            raise Invalid("date_min", min=low)
        if high is not None and value > high:
            raise Invalid("date_max", max=high)


def parse_number(text: str, lang: str = "de", whole: bool = False) -> Decimal:
    """A number as people type it: 1.234,56 and 1234.56 and 1,234.56 and 1234,5. The hand forms and the
    employee upload (engine/employee_file.py, always German) read numbers with it.

    When both separators appear the last one is the decimal separator. A single separator is
    the decimal separator, except when it is the reader's thousands separator followed by exactly
    three digits: "1.500" is 1500 in German and 1.5 in English; "1,500" the other way round. For a
    `whole` number (an integer field) either separator before exactly three digits groups thousands.
    """
    compact = _SPACES.sub("", text)
    match = _NUMBER.fullmatch(compact) if len(compact) <= _LONGEST_NUMBER else None
    if not match:
        raise Invalid("decimal")
    sign, body = match.groups()
    point, group = _separators(body, lang, whole)
    integral, _, fraction = body.partition(point) if point else (body, "", "")
    if group and group in integral:
        if not re.fullmatch(r"[0-9]{1,3}(?:\%s[0-9]{3})+" % group, integral):
            raise Invalid("decimal")
        integral = integral.replace(group, "")
    if not re.fullmatch(r"[0-9]*", integral) or not re.fullmatch(r"[0-9]+" if point else "", fraction):
        raise Invalid("decimal")
    return Decimal("{}{}{}".format(sign, integral or "0", "." + fraction if fraction else ""))


def _separators(body: str, lang: str, whole: bool = False) -> tuple[str | None, str | None]:
    """(decimal separator, thousands separator) of a number's digits, either may be None."""
    used = [char for char in ".," if char in body]
    if len(used) == 2:
        point = "." if body.rfind(".") > body.rfind(",") else ","
        return point, "," if point == "." else "."
    if not used:
        return None, None
    separator = used[0]
    grouping = "." if language(lang) == "de" else ","
    one_group = re.fullmatch(r"[0-9]{1,3}[.,][0-9]{3}", body)
    if body.count(separator) > 1 or ((whole or separator == grouping) and one_group):
        return None, separator
    return separator, None


def _resolve(bound: RelativeDate | None, today: datetime.date | None) -> datetime.date | None:
    if bound is None or (today is None and bound.fixed is None):
        return None
    return bound.resolve(today)


def _read_text(field: Field, raw: Any, lang: str) -> str:
    if not isinstance(raw, str):
        raise Invalid("text")
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()
    allowed = "\n\t" if field.type == "textarea" else ""
    for char in text:  # control characters, and lone surrogates no database can store
        if unicodedata.category(char) in ("Cc", "Cs") and char not in allowed:
            raise Invalid("one_line" if char == "\n" else "control")
    return text


def _read_email(field: Field, raw: Any, lang: str) -> str:
    if not isinstance(raw, str):
        raise Invalid("email")
    try:
        return email_validator.validate_email(raw.strip(), check_deliverability=False).normalized
    except email_validator.EmailNotValidError:
        raise Invalid("email") from None


def _read_date(field: Field, raw: Any, lang: str) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if not isinstance(raw, str):
        raise Invalid("date")
    text = raw.strip()
    try:
        if _ISO_DATE.fullmatch(text):
            return datetime.date.fromisoformat(text)
        german = _GERMAN_DATE.fullmatch(text)
        if german:
            day, month, year = (int(part) for part in german.groups())
            return datetime.date(year, month, day)
    except ValueError:
        pass
    raise Invalid("date")


def _read_decimal(field: Field, raw: Any, lang: str, whole: bool = False) -> Decimal:
    if isinstance(raw, int) and not isinstance(raw, bool):
        number = Decimal(raw)
    elif isinstance(raw, float) and math.isfinite(raw):
        number = Decimal(repr(raw))
    elif isinstance(raw, Decimal) and raw.is_finite():
        number = raw
    elif isinstance(raw, str):
        number = parse_number(raw, lang, whole)
    else:
        raise Invalid("decimal")
    if abs(number) >= LARGEST_NUMBER:
        raise Invalid("decimal")
    return number


def _read_integer(field: Field, raw: Any, lang: str) -> int:
    try:
        number = _read_decimal(field, raw, lang, whole=True)
    except Invalid:
        raise Invalid("integer") from None
    if number != number.to_integral_value():
        raise Invalid("integer")
    return int(number)


def _read_choice(field: Field, raw: Any, lang: str) -> str:
    if not isinstance(raw, str) or raw.strip() not in field.option_values:
        raise Invalid("choice")
    return raw.strip()


def _read_choices(field: Field, raw: Any) -> list[str]:
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)):
        raise Invalid("choice")
    chosen = []
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        value = _read_choice(field, item, "de")
        if value not in chosen:
            chosen.append(value)
    return chosen


def _read_checkbox(raw: Any) -> bool:
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise Invalid("checkbox")


def _read_iban(field: Field, raw: Any, lang: str) -> str:
    if not isinstance(raw, str):
        raise Invalid("iban")
    try:
        return IBAN(raw.strip()).compact
    except iban_errors.InvalidChecksumDigits:
        raise Invalid("iban_checksum") from None
    except iban_errors.InvalidLength:
        raise Invalid("iban_length", country=raw.strip()[:2].upper()) from None
    except iban_errors.InvalidCountryCode:
        raise Invalid("iban_country") from None
    except ValueError:  # schwifty's other structure errors, all SchwiftyException(ValueError)
        raise Invalid("iban") from None


_READERS = {
    "text": _read_text,
    "textarea": _read_text,
    "email": _read_email,
    "date": _read_date,
    "decimal": _read_decimal,
    "integer": _read_integer,
    "select": _read_choice,
    "iban": _read_iban,
}
