"""The employee's field catalogue (rules/catalogues/employee.yaml) as the engine uses it: the hand form
(whose loaded fields also hold the upload's limits), the fields stored under their own names, and the
checks across fields that the upload and the hand form share."""
import datetime
from functools import lru_cache

from forms import load_form
from rules import catalogue, dates

CATALOGUE = catalogue.load("employee")
MIN_WORKING_AGE = 14
MAX_AGE = 100


def form(fields=None):
    """The hand form of `fields` (a catalogue; None: the employee's), loaded and checked by forms."""
    return _form() if fields is None else load_form(catalogue.form_data(fields))


@lru_cache(maxsize=None)
def _form():
    return load_form(catalogue.form_data(CATALOGUE))


def stored(fields=CATALOGUE):
    """Names of the fields kept in a model column of the same name (the employee's own data)."""
    return tuple(field.name for field in fields if not field.stored_as)


def _day(value):
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def implausible(values, today):
    """(field, de, en) for what no single field can tell: an age of MAX_AGE or more, employment before
    the MIN_WORKING_AGE-th birthday. `values` are read values (dates as dates or ISO text)."""
    birth, start = (_day(values.get(name)) for name in ("birth_date", "employment_start"))
    if birth is None or birth > today:
        return []
    if dates.age(birth, today) >= MAX_AGE:
        return [("birth_date", f"die Person wäre {MAX_AGE} Jahre oder älter", f"the person would be {MAX_AGE} or older")]
    if start is not None and dates.age(birth, start) < MIN_WORKING_AGE:
        return [("employment_start", f"liegt vor dem {MIN_WORKING_AGE}. Geburtstag",
                 f"is before the {MIN_WORKING_AGE}th birthday")]
    return []
