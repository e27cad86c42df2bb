import datetime
import pathlib
import sys

import pytest

# `.venv/bin/pytest` puts tests/ on sys.path, where this folder would import as an empty namespace
# package `forms`; a regular package anywhere on sys.path wins over it, so the project root is enough.
ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

import forms  # noqa: E402
from rules import catalogue  # noqa: E402

TODAY = datetime.date(2025, 6, 15)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def one_field():
    """A form of one field, built from the keys given (name defaults to 'answer')."""
    def build(type="text", **keys):
        label = {"de": "Antwort", "en": "Answer"}
        return forms.load_form([{"name": "answer", "type": type, "label": label, **keys}])
    return build


@pytest.fixture
def check_one():
    """Validate a single value against a one-field form: (value or None, error or None)."""
    def run(form, raw, lang="de"):
        result = forms.validate(form, {} if raw is ... else {form.names[0]: raw}, lang, today=TODAY)
        name = form.names[0]
        return result.values.get(name), result.errors.get(name)
    return run


@pytest.fixture
def application():
    return forms.load_form(catalogue.form_data(catalogue.load("application")))  # the platform's application form


@pytest.fixture
def filled_application():
    """What a broker types into the platform application form, as the browser sends it."""
    return {
        "company_name": "Muster Maschinenbau GmbH",
        "legal_form": "gmbh",
        "street": "Hauptstraße 1",
        "postal_code": "01067",
        "city": "Dresden",
        "contact_name": "Eva Beispiel",
        "contact_email": "eva.beispiel@example.com",
        "contact_phone": "+49 351 1234567",
        "start_date": "2025-07-01",
        "payment": "sepa",
        "iban": "DE89 3704 0044 0532 0130 00",
        "account_holder": "Muster Maschinenbau GmbH",
        "sepa_mandate": "true",
    }
