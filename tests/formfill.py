"""Valid answers for any form definition, as a user would type them (tests fill tenant forms
generically, so a new tenant's fields are exercised without writing their values by hand)."""
import random
import re

import rstr

from engine import clock

VALID_IBAN = "DE89370400440532013000"


def _date(field, today):
    low = field.min.resolve(today) if hasattr(field.min, "resolve") else field.min
    value = low or today
    return value.strftime("%d.%m.%Y")


def value_for(field, today=None):
    today = today or clock.today()
    if field.options:
        return [field.options[0].value] if field.type == "multiselect" else field.options[0].value
    if field.type == "checkbox":
        return "on"
    if field.type == "iban":
        return VALID_IBAN
    if field.type == "email":
        return "kontakt@example.org"
    if field.type == "date":
        return _date(field, today)
    if field.type in ("integer", "decimal"):
        low = field.min if field.min is not None else 1
        return str(max(int(low), 1) if (field.max is None or field.max >= 1) else low)
    if field.pattern:
        return _matching(field.pattern)
    return "Beispiel"[: field.max_length or 100]


def _matching(pattern):
    """A deterministic string for `pattern` that survives the form's whitespace trimming."""
    for seed in range(200):
        candidate = rstr.Rstr(random.Random(seed)).xeger(pattern)
        if candidate == " ".join(candidate.split()) and re.fullmatch(pattern, candidate):
            return candidate
    raise AssertionError(f"no clean sample for {pattern}")


def fill(form, overrides=None, today=None):
    """Form data (strings, lists for multiselect) that passes validation, with `overrides` applied."""
    data = {}
    for field in form.fields:
        data[field.name] = value_for(field, today)
    data.update(overrides or {})
    return data


def pdf_text(data):
    """The text of a PDF (tests read what a user would read in the document)."""
    import io

    from pypdf import PdfReader
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def shown_values(page, containing):
    """The values a browser would submit for the form of `page` that has a field `containing`, as it
    is shown (inputs, checked boxes, selected options, textareas), to post back with a change."""
    import html.parser

    class Reader(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.forms, self.select, self.textarea = [{}], None, None

        def handle_starttag(self, tag, attrs):
            a, values = dict(attrs), self.forms[-1]
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
                if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                    values[a["name"]] = a.get("value") or ""
            elif tag == "select":
                self.select = a.get("name")
            elif tag == "option" and self.select and ("selected" in a or self.select not in values):
                values[self.select] = a.get("value", "")
            elif tag == "textarea":
                self.textarea = a.get("name")
                values[self.textarea] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None
            elif tag == "form":
                self.forms.append({})

        def handle_data(self, data):
            if self.textarea:
                self.forms[-1][self.textarea] += data

    reader = Reader()
    reader.feed(page)
    return next(values for values in reader.forms if containing in values)
