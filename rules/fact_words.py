"""The facts a rule read, in words (issue #18): an explanation names "Tarifgruppe: nicht angegeben" or
"Monate von Eintrittsdatum bis Vertragsbeginn: 1", never the fact path `employee.tariff_group = None`."""
import re

from rules import catalogue
from rules.texts import format_value

_FIXED = {
    "contract.start_date": {"de": "Vertragsbeginn", "en": "start of the contract"},
    "offer.start_date": {"de": "Versicherungsbeginn", "en": "start of cover"},
    "offer.insured_count": {"de": "Zahl der Versicherten", "en": "number of insured people"},
    "offer.min_insured": {"de": "Mindestzahl der Versicherten", "en": "minimum number of insured people"},
    "offer.monthly_employer_premium": {"de": "Monatsbeitrag des Arbeitgebers", "en": "employer's monthly premium"},
    "offer.other_benefits_in_kind": {"de": "andere Sachbezüge", "en": "other benefits in kind"},
    "event.effective_date": {"de": "Datum des Ereignisses", "en": "date of the event"},
    "event.type": {"de": "Art des Ereignisses", "en": "kind of event"},
    "today": {"de": "heute", "en": "today"},
}
_FUNCTIONS = {  # a derived value: its words, with {0}, {1} the facts it reads
    "age": {"de": "Alter ({0})", "en": "age ({0})"},
    "insurance_age": {"de": "Versicherungsalter ({0})", "en": "insurance age ({0})"},
    "months_between": {"de": "Monate von {0} bis {1}", "en": "months from {0} to {1}"},
    "day_of_month": {"de": "Tag im Monat ({0})", "en": "day of the month ({0})"},
    "sum": {"de": "Summe aus {all}", "en": "sum of {all}"},
}
_NOT_GIVEN = {"de": "nicht angegeben", "en": "not given"}
_PATH = re.compile(r"\b(?:employee|employer|contract|offer|event)\.[a-z][a-z0-9_]*\b|\btoday\b")
_CALL = re.compile(r"^([a-z_]+)\((.*)\)$")
_catalogues = {}


def _fields(namespace):
    if namespace not in _catalogues:
        _catalogues[namespace] = {f.name: f for f in catalogue.load(namespace)} \
            if namespace in ("employee", "employer") else {}
    return _catalogues[namespace]


def _name(path, language):
    """A fact path's label: the catalogue's for a person's or employer's field."""
    if path in _FIXED:
        return _FIXED[path][language]
    namespace, _, name = path.partition(".")
    field = _fields(namespace).get(name)
    label = field.form.get("label") if field is not None else None
    if isinstance(label, dict):  # without the form's hint in brackets ("Tarifgruppe (leer = nach Regeln)")
        return re.sub(r"\s*\(.*\)$", "", label.get(language) or label.get("de"))
    return name.replace("_", " ")


def _value(path, value, language):
    if value is None or value == "":
        return _NOT_GIVEN[language]
    namespace, _, name = path.partition(".")
    field = _fields(namespace).get(name)
    for option in (field.form.get("options") or []) if field is not None else []:
        if str(option.get("value")) == str(value):
            label = option.get("label")
            return label.get(language, label.get("de")) if isinstance(label, dict) else str(label)
    return format_value(value, language)


def _words(label, language):
    """A fact path or a derived value's label (months_between(a, b)) in words."""
    call = _CALL.match(label)
    if call and call.group(1) in _FUNCTIONS:
        args = [_words(arg.strip(), language) for arg in call.group(2).split(",") if arg.strip()]
        return _FUNCTIONS[call.group(1)][language].format(*args, all=", ".join(args))
    return _PATH.sub(lambda match: _name(match.group(0), language), label)


def described(seen, language="de"):
    """["Label: value", ...] of the facts a rule read ({path or derived label: value})."""
    language = language if language in ("de", "en") else "de"
    return [f"{_words(label, language)}: {_value(label, value, language)}" for label, value in (seen or {}).items()]
