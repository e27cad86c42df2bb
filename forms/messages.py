"""The texts people see next to a field, in German and English, with numbers and dates in their style."""

from __future__ import annotations

import datetime
from decimal import Decimal

from .model import language

MESSAGES = {
    "required": {
        "de": "Bitte füllen Sie dieses Feld aus.",
        "en": "Please fill in this field.",
    },
    "required_choice": {
        "de": "Bitte wählen Sie eine Option.",
        "en": "Please choose an option.",
    },
    "required_checkbox": {
        "de": "Bitte bestätigen Sie dies durch Ankreuzen.",
        "en": "Please tick the box to confirm.",
    },
    "single": {
        "de": "Bitte geben Sie nur einen Wert an.",
        "en": "Please give a single value.",
    },
    "text": {
        "de": "Bitte geben Sie einen Text ein.",
        "en": "Please enter text.",
    },
    "one_line": {
        "de": "Bitte geben Sie den Text ohne Zeilenumbruch ein.",
        "en": "Please enter the text without line breaks.",
    },
    "control": {
        "de": "Der Text enthält unzulässige Steuerzeichen.",
        "en": "The text contains control characters that are not allowed.",
    },
    "min_length": {
        "de": "Bitte geben Sie mindestens {min_length} Zeichen ein.",
        "en": "Please enter at least {min_length} characters.",
    },
    "max_length": {
        "de": "Bitte geben Sie höchstens {max_length} Zeichen ein.",
        "en": "Please enter no more than {max_length} characters.",
    },
    "pattern": {
        "de": "Bitte prüfen Sie das Format der Eingabe.",
        "en": "Please check the format of your entry.",
    },
    "email": {
        "de": "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@firma.de.",
        "en": "Please enter a valid e-mail address, such as name@company.com.",
    },
    "date": {
        "de": "Bitte geben Sie ein gültiges Datum an, z. B. 31.12.2025.",
        "en": "Please enter a valid date, such as 2025-12-31.",
    },
    "date_min": {
        "de": "Das Datum darf nicht vor dem {min} liegen.",
        "en": "The date must be on or after {min}.",
    },
    "date_max": {
        "de": "Das Datum darf nicht nach dem {max} liegen.",
        "en": "The date must be on or before {max}.",
    },
    "decimal": {
        "de": "Bitte geben Sie eine Zahl an, z. B. 1.234,56.",
        "en": "Please enter a number, such as 1234.56.",
    },
    "integer": {
        "de": "Bitte geben Sie eine ganze Zahl an, z. B. 25.",
        "en": "Please enter a whole number, such as 25.",
    },
    "number_min": {
        "de": "Bitte geben Sie mindestens {min} an.",
        "en": "Please enter at least {min}.",
    },
    "number_max": {
        "de": "Bitte geben Sie höchstens {max} an.",
        "en": "Please enter no more than {max}.",
    },
    "choice": {
        "de": "Bitte wählen Sie aus den angebotenen Optionen.",
        "en": "Please choose from the options offered.",
    },
    "checkbox": {
        "de": "Dieses Ankreuzfeld kann nur angekreuzt oder leer sein.",
        "en": "This box can only be ticked or left empty.",
    },
    "iban": {
        "de": "Bitte geben Sie eine gültige IBAN an, z. B. DE89 3704 0044 0532 0130 00.",
        "en": "Please enter a valid IBAN, such as DE89 3704 0044 0532 0130 00.",
    },
    "iban_checksum": {
        "de": "Die Prüfziffer der IBAN stimmt nicht. Bitte prüfen Sie die Eingabe auf Tippfehler.",
        "en": "The IBAN's check digits do not match. Please check it for typing errors.",
    },
    "iban_length": {
        "de": "Die IBAN hat nicht die für {country} vorgesehene Länge.",
        "en": "The IBAN does not have the length used in {country}.",
    },
    "iban_country": {
        "de": "Die IBAN beginnt nicht mit einem bekannten Ländercode (z. B. DE).",
        "en": "The IBAN does not start with a known country code (such as DE).",
    },
    "optional": {"de": "optional", "en": "optional"},
    "required_mark": {"de": "Pflichtfeld", "en": "required"},  # read after the asterisk of a required label
    "error_prefix": {"de": "Fehler:", "en": "Error:"},
    "choose": {"de": "Bitte wählen …", "en": "Please choose …"},
}


def message(code: str, lang: str = "de", wording=None, **params) -> str:
    """The text for `code` in `lang`, with numbers and dates in `params` written as its readers do;
    `wording` (a Text, e.g. a field's pattern_message) is the author's own text instead."""
    lang = language(lang)
    if wording is not None:
        return wording.get(lang)
    shown = {key: format_value(value, lang) for key, value in params.items()}
    return MESSAGES[code][lang].format(**shown)


def format_value(value, lang: str) -> str:
    """A number or date as a reader of `lang` writes it: 1.234,5 and 31.12.2025 in German."""
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y") if language(lang) == "de" else value.isoformat()
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        text = "{:,}".format(value)
        if language(lang) == "de":
            text = text.translate(str.maketrans(",.", ".,"))
        return text
    return str(value)
