"""An insurer's system reads the published JSON Schema; what it accepts, validate accepts, and back."""

import datetime

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forms

LABEL = {"de": "Feld", "en": "Field"}
TODAY = datetime.date(2025, 6, 15)
CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def f(name, type="text", **keys):
    return {"name": name, "type": type, "label": LABEL, **keys}


def options(*values):
    return [{"value": value, "label": LABEL} for value in values]


def schema_accepts(form, payload):
    validator = jsonschema.Draft202012Validator(forms.json_schema(form), format_checker=CHECKER)
    return validator.is_valid(payload)


def form_accepts(form, payload):
    return forms.validate(form, payload, "en", today=TODAY).ok


SMALL = forms.load_form([
    f("company", required=True, max_length=20),
    f("code", pattern="[A-Z]{2}[0-9]{2}"),
    f("staff", "integer", required=True, min=1, max=500),
    f("budget", "decimal", min="0.5", max="1500"),
    f("start", "date"),
    f("level", "select", options=options("300", "600")),
    f("modules", "multiselect", options=options("dental", "vision", "checkup")),
    f("family", "checkbox"),
    f("members", "integer", required=True, min=1, visible_if={"field": "family", "eq": True}),
    f("payment", "select", required=True, options=options("sepa", "transfer")),
    f("iban", "iban", required=True, visible_if={"field": "payment", "eq": "sepa"}),
    f("mandate", "checkbox", required=True, visible_if={"field": "iban", "ne": "DE02120300000000202051"}),
    f("lenses", "text", required=True, visible_if={"field": "modules", "in": ["vision"]}),
    f("note", "textarea", max_length=50),
])


def test_every_platform_form_has_a_valid_draft_2020_12_schema():
    for name in forms.platform_form_names():
        schema = forms.json_schema(forms.load_platform_form(name))
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_schema_says_what_each_field_takes():
    schema = forms.json_schema(SMALL)
    properties = schema["properties"]
    assert schema["required"] == ["company", "staff", "payment"]
    assert properties["staff"] == {"title": "Field", "type": "integer", "minimum": 1, "maximum": 500}
    assert properties["budget"]["minimum"] == 0.5 and properties["budget"]["type"] == "number"
    assert properties["level"]["enum"] == ["300", "600"]
    assert properties["start"] == {"title": "Field", "type": "string", "format": "date"}
    assert properties["modules"]["items"]["enum"] == ["dental", "vision", "checkup"]
    assert properties["iban"] == {"title": "Field"}  # its rules apply only while it shows
    assert forms.json_schema(SMALL, lang="de")["properties"]["company"]["title"] == "Feld"


VALID = {"company": "Muster GmbH", "staff": 12, "payment": "transfer"}


@pytest.mark.parametrize("change, valid", [
    ({}, True),
    ({"budget": 12.5, "level": "600", "modules": ["dental"], "start": "2025-07-01", "code": "AB12"}, True),
    ({"family": True, "members": 3}, True),
    ({"family": True}, False),
    ({"family": False, "members": "garbage"}, True),
    ({"payment": "sepa", "iban": "DE89370400440532013000", "mandate": True}, True),
    ({"payment": "sepa", "iban": "DE89370400440532013000"}, False),
    ({"payment": "sepa", "iban": "DE02120300000000202051"}, True),
    ({"payment": "sepa"}, False),
    ({"payment": "transfer", "iban": "not an iban"}, True),
    ({"modules": ["vision"]}, False),
    ({"modules": ["vision"], "lenses": "Gleitsicht"}, True),
    ({"staff": 0}, False),
    ({"staff": 501}, False),
    ({"staff": 1.5}, False),
    ({"staff": "12"}, "validate only"),
    ({"budget": 0.25}, False),
    ({"budget": True}, False),
    ({"level": "900"}, False),
    ({"level": 300}, False),
    ({"modules": ["dental", "spa"]}, False),
    ({"family": "yes"}, False),
    ({"start": "2025-02-30"}, False),
    ({"company": "x" * 21}, False),
    ({"company": 42}, False),
    ({"code": "ab12"}, False),
    ({"note": "Zeile 1\nZeile 2"}, True),
    ({"company": "Zeile 1\nZeile 2"}, False),
])
def test_schema_and_validate_agree_on_simple_payloads(change, valid):
    payload = {**VALID, **change}
    if valid == "validate only":  # a person's spelling the canonical schema does not take
        assert form_accepts(SMALL, payload) and not schema_accepts(SMALL, payload)
        return
    assert form_accepts(SMALL, payload) is valid
    assert schema_accepts(SMALL, payload) is valid


def test_missing_required_fields_fail_both():
    assert not form_accepts(SMALL, {}) and not schema_accepts(SMALL, {})


def test_a_filled_platform_application_passes_both(application, filled_application):
    payload = {**filled_application, "iban": "DE89370400440532013000", "sepa_mandate": True}
    assert form_accepts(application, payload)
    assert schema_accepts(application, payload)


plain_text = st.text(alphabet="abcAB12 -", max_size=25).map(str.strip)
canonical_values = {
    "company": plain_text,
    "code": st.sampled_from(["AB12", "ab12", "A1"]),
    "staff": st.integers(-5, 600),
    "budget": st.one_of(st.integers(-5, 2000), st.sampled_from([0.25, 0.5, 12.5, 1500.0, 1500.5])),
    "start": st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 1, 1)).map(datetime.date.isoformat),
    "level": st.sampled_from(["300", "600", "900"]),
    "modules": st.lists(st.sampled_from(["dental", "vision", "checkup", "spa"]), unique=True, max_size=3),
    "family": st.booleans(),
    "members": st.integers(-1, 5),
    "payment": st.sampled_from(["sepa", "transfer", "cash"]),
    "iban": st.sampled_from(["DE89370400440532013000", "DE02120300000000202051", "GB33BUKB20201555555555"]),
    "mandate": st.booleans(),
    "lenses": plain_text,
    "note": st.text(alphabet="ab\n", max_size=60).map(str.strip),
}


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional=canonical_values))
def test_schema_and_validate_agree_on_canonical_payloads(payload):
    payload = {key: value for key, value in payload.items() if value not in ("", [])}
    assert form_accepts(SMALL, payload) == schema_accepts(SMALL, payload), (
        forms.validate(SMALL, payload, "en", today=TODAY).errors)
