"""The facts rules read: namespaces, the known fields and their kinds, which point of the journey
gives which facts, the lawful criteria of groups, and value normalisation.

Facts arrive as nested dicts (`{"employee": {...}, "offer": {...}, "today": date}`). Before a
value is compared it is normalised to one of four kinds, the same way for the Python evaluation
and for the durable-rules message, so that both always agree.
"""

import datetime
import math
import re
from decimal import Decimal

from rules import catalogue

NAMESPACES = ("employee", "employer", "offer", "contract", "event", "today")

NUMBER, DATE, STRING, BOOL, OTHER = "number", "date", "string", "bool", "other"

KINDS = {"date": DATE, "decimal": NUMBER, "integer": NUMBER, "checkbox": BOOL}  # a field's type -> its kind


def field_kinds(fields):
    """{name: kind} of a catalogue's fields that rules may read (rules.catalogue)."""
    return {field.name: KINDS.get(field.type, STRING) for field in fields if field.rules}


def read(record, kinds):
    """{name: value} of a stored record's fields that rules read (`kinds`: field_kinds); an empty number is 0,
    an empty text "" (a date stays None: missing)."""
    empty = {NUMBER: 0, STRING: ""}
    return {name: _empty_as(getattr(record, name), empty.get(kind)) for name, kind in kinds.items()}


def _empty_as(value, empty):
    return empty if value in (None, "") and empty is not None else value


def criteria(fields, namespace="employee"):
    """The lawful group criteria among a catalogue's fields, and those lawful only with a justification."""
    lawful = frozenset(f"{namespace}.{field.name}" for field in fields if field.rules in ("criterion", "age"))
    return lawful, frozenset(f"{namespace}.{field.name}" for field in fields if field.rules == "age")


EMPLOYEE_FIELDS = field_kinds(catalogue.load("employee"))
EMPLOYER_FIELDS = field_kinds(catalogue.load("employer"))
_OFFER_FIELDS = {
    "start_date": DATE,
    "insured_count": NUMBER,
    "min_insured": NUMBER,
    "monthly_employer_premium": NUMBER,
    "other_benefits_in_kind": NUMBER,
}
EVENT_FIELDS = {"type": STRING, "effective_date": DATE}  # plus the fields of the event's form

# Fields whose kind the contract fixes; a literal of another kind is refused at compile time.
# Other fields of a namespace (an event's form fields) take the kind of the literal they are
# compared with.
KNOWN_KINDS = {
    "today": DATE,
    **{"employee." + name: kind for name, kind in EMPLOYEE_FIELDS.items()},
    **{"employer." + name: kind for name, kind in EMPLOYER_FIELDS.items()},
    **{"event." + name: kind for name, kind in EVENT_FIELDS.items()},
    **{"offer." + name: kind for name, kind in _OFFER_FIELDS.items()},
    **{"contract." + name: kind for name, kind in _OFFER_FIELDS.items()},
}

# The facts each point of the journey gives its rules, as the engine builds them (tests/engine/
# test_fact_catalogue.py holds the engine to this): namespace -> field names. `today` is given
# everywhere; an event also has the fields of its form. "eligibility" is a tariff group's list.
FACTS_AT = {
    "employee": {"employee": tuple(EMPLOYEE_FIELDS), "contract": ("start_date",)},
    "offer": {"offer": tuple(_OFFER_FIELDS), "employer": tuple(EMPLOYER_FIELDS)},
    "event": {"event": tuple(EVENT_FIELDS),
              "employee": tuple(field.name for field in catalogue.load("employee") if field.event),
              "contract": ("start_date", "insured_count", "min_insured")},
    "contract": {"contract": tuple(_OFFER_FIELDS), "employer": tuple(EMPLOYER_FIELDS)},
}
FACTS_AT["eligibility"] = FACTS_AT["employee"]

# The only facts a tariff group may be drawn by (eligibility and employee rules): objective
# criteria such as function, length of service, working time, residence and (with a justification,
# AGG § 10) age. An allow-list: a fact not named here (sex, names, anything about health) can never
# decide who is insured. The employee's are marked in its catalogue; AGE_FACTS (by age) are lawful only
# with a justification (AGG § 10) that the author writes down.
_EMPLOYEE_CRITERIA, AGE_FACTS = criteria(catalogue.load("employee"))
LAWFUL_CRITERIA = _EMPLOYEE_CRITERIA | {"contract.start_date", "today"}


def facts_at(point, event_fields=()):
    """{fact path: kind, or None when the data decides} of every fact rules at `point` can read;
    `event_fields` are the names of the event form's fields."""
    known = {"today": DATE}
    for namespace, names in FACTS_AT[point].items():
        for name in names:
            path = "%s.%s" % (namespace, name)
            known[path] = KNOWN_KINDS.get(path)
    if "event" in FACTS_AT[point]:
        for name in event_fields:
            known.setdefault("event." + name, None)
    return known


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
