"""The facts rules read: namespaces, the known fields and their kinds, and value normalisation.

Facts arrive as nested dicts (`{"employee": {...}, "offer": {...}, "today": date}`). Before a
value is compared it is normalised to one of four kinds, the same way for the Python evaluation
and for the durable-rules message, so that both always agree.
"""

import datetime
import math
import re
from decimal import Decimal

NAMESPACES = ("employee", "employer", "offer", "contract", "event", "today")

NUMBER, DATE, STRING, BOOL, OTHER = "number", "date", "string", "bool", "other"

_OFFER_FIELDS = {
    "start_date": DATE,
    "insured_count": NUMBER,
    "min_insured": NUMBER,
    "monthly_employer_premium": NUMBER,
    "other_benefits_in_kind": NUMBER,
}

# Fields whose kind the contract fixes; a literal of another kind is refused at compile time.
# Other fields of a namespace (an event's form fields, extra employee columns) are allowed and
# take the kind of the literal they are compared with.
KNOWN_KINDS = {
    "today": DATE,
    "employee.personnel_number": STRING,
    "employee.first_name": STRING,
    "employee.last_name": STRING,
    "employee.birth_date": DATE,
    "employee.employment_type": STRING,
    "employee.employment_start": DATE,
    "employee.weekly_hours": NUMBER,
    "employee.postal_code": STRING,
    "employee.city": STRING,
    "employee.tariff_group": STRING,
    "employer.employees_count": NUMBER,
    "employer.industry": STRING,
    "event.type": STRING,
    "event.effective_date": DATE,
    **{"offer." + name: kind for name, kind in _OFFER_FIELDS.items()},
    **{"contract." + name: kind for name, kind in _OFFER_FIELDS.items()},
}

# Groups must be drawn by objective criteria: a rule may not read sex, religion or health.
REFUSED_WORDS = frozenset({
    "gender", "sex", "geschlecht",
    "religion", "religious", "denomination", "confession", "konfession", "faith",
    "health", "gesundheit", "disability", "disabled", "handicap", "pregnant", "pregnancy",
    "diagnosis", "illness", "sickness", "disease", "medical",
})

_PATH = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,3}$")
MAX_PATH_LENGTH = 100


def path_problem(path):
    """Why `path` is not a fact path a rule may read, or None when it is fine."""
    if not isinstance(path, str):
        return "a fact path is text such as employee.weekly_hours"
    if len(path) > MAX_PATH_LENGTH or not _PATH.match(path):
        return "%r is not a fact path such as employee.weekly_hours" % path[:MAX_PATH_LENGTH]
    parts = path.split(".")
    if parts[0] not in NAMESPACES:
        return "unknown fact namespace %r; known are %s" % (parts[0], ", ".join(NAMESPACES))
    if parts[0] == "today" and len(parts) > 1:
        return "today is a date and has no fields"
    if parts[0] != "today" and len(parts) == 1:
        return "%s is a namespace; name one of its fields, e.g. %s.<field>" % (path, path)
    for part in parts:
        if REFUSED_WORDS.intersection(part.split("_")):
            return ("%s may not be used: groups must be drawn by objective criteria, never by "
                    "sex, religion or health" % path)
    return None


def lookup(facts, path):
    """The raw value at a dotted path, or None when any step is missing."""
    return lookup_parts(facts, path.split("."))


def lookup_parts(facts, parts):
    """lookup() for a path already split at its dots."""
    value = facts
    for part in parts:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
        if value is None:
            return None
    return value


def normalize(value):
    """A raw fact value as (kind, value), or None when it counts as missing.

    Numbers become Decimal (floats through their shortest repr), datetimes their date; NaN and
    text that cannot be written as UTF-8 count as missing/other so no engine sees them.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return BOOL, value
    if isinstance(value, Decimal):
        return None if value.is_nan() else (NUMBER, value)
    if isinstance(value, int):
        return NUMBER, Decimal(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return NUMBER, Decimal(repr(value)) if math.isfinite(value) else Decimal(value)
    if isinstance(value, datetime.datetime):
        return DATE, value.date()
    if isinstance(value, datetime.date):
        return DATE, value
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return OTHER, value
        return STRING, value
    return OTHER, value
