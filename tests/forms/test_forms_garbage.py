"""Whatever arrives, a definition fails only with FormDefinitionError and a submission never crashes."""

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

import forms

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
    st.dates(), st.datetimes(), st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(["today", "today+5d", "today-3d", "2025-01-31", "[a-z]+", "(", "sepa", "de", "en",
                     "text", "email", "date", "decimal", "integer", "select", "multiselect", "checkbox",
                     "iban", "textarea", "payment", "1.234,56", "DE89370400440532013000"]),
)
garbage = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none()), inner, max_size=4)),
    max_leaves=12)
names = st.sampled_from(["a", "b", "payment", "iban"])
values = st.sampled_from(["a", "b", "sepa", True, False, 0, 3, "2.5", 1.5, "2025-01-31", "today+3d", "x@y.de"])
label = st.just({"de": "Feld", "en": "Field"})
option = st.fixed_dictionaries({"value": st.one_of(st.sampled_from(["a", "b", "sepa"]), garbage), "label": label})
condition = st.one_of(
    st.fixed_dictionaries({"field": names}, optional={"eq": values, "ne": values, "in": st.lists(values, max_size=3)}),
    st.dictionaries(st.sampled_from(["field", "eq", "ne", "in", "x"]), garbage, max_size=3),
)


def often(plausible):
    """Mostly a value an author would write, now and then garbage."""
    return st.integers(0, 9).flatmap(lambda roll: garbage if roll == 0 else plausible)


PLAUSIBLE = {
    "required": st.booleans(),
    "min": st.one_of(st.integers(-5, 5), values), "max": st.one_of(st.integers(-5, 5), values),
    "min_length": st.integers(-1, 6), "max_length": st.integers(-1, 6),
    "pattern": st.sampled_from(["[a-z]+", "(", "a{2,1}", ".*"]), "pattern_message": label,
    "options": st.lists(option, max_size=3), "visible_if": condition,
    "default": st.one_of(values, st.lists(values, max_size=2)), "help": label,
}


def near_field_of(kind):
    own = forms.definition.TYPE_KEYS.get(kind, ()) if isinstance(kind, str) else ()
    allowed = ("required", "visible_if", "default", "help") + own
    return st.fixed_dictionaries(
        {"name": often(names), "type": st.just(kind), "label": often(label)},
        optional={key: often(PLAUSIBLE[key]) for key in allowed},
    )


near_field = often(st.sampled_from(forms.model.FIELD_TYPES)).flatmap(near_field_of)
definitions = often(st.lists(often(near_field), max_size=5))
bases = st.integers(0, 2).flatmap(lambda roll: st.lists(near_field, max_size=3) if roll == 0 else st.none())


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions, bases)
def test_loading_garbage_raises_only_a_definition_error(fields, base):
    try:
        form = forms.load_form(fields, base)
    except forms.FormDefinitionError as error:
        assert isinstance(error.message, str) and error.message
        assert isinstance(error.path, list)
        str(error)
    else:
        assert len(set(form.names)) == len(form)
        forms.json_schema(form)
        forms.render_fields(form)


OPTIONS = [{"value": value, "label": {"de": value, "en": value}} for value in ("a", "b", "sepa")]
EVERY_TYPE = forms.load_form([
    {"name": "text", "type": "text", "label": {"de": "T", "en": "T"}, "pattern": "[a-z ]*", "min_length": 2},
    {"name": "email", "type": "email", "label": {"de": "E", "en": "E"}, "required": True},
    {"name": "date", "type": "date", "label": {"de": "D", "en": "D"}, "min": "today-100d", "max": "2030-01-01"},
    {"name": "decimal", "type": "decimal", "label": {"de": "Z", "en": "N"}, "min": "-10.5", "max": 1000},
    {"name": "integer", "type": "integer", "label": {"de": "G", "en": "I"}, "min": 0},
    {"name": "select", "type": "select", "label": {"de": "A", "en": "C"}, "options": OPTIONS, "required": True},
    {"name": "multiselect", "type": "multiselect", "label": {"de": "M", "en": "M"}, "options": OPTIONS},
    {"name": "checkbox", "type": "checkbox", "label": {"de": "K", "en": "C"}},
    {"name": "iban", "type": "iban", "label": {"de": "I", "en": "I"},
     "visible_if": {"field": "select", "eq": "sepa"}},
    {"name": "textarea", "type": "textarea", "label": {"de": "T", "en": "T"},
     "visible_if": {"field": "multiselect", "in": ["a", "b"]}},
    {"name": "after", "type": "integer", "label": {"de": "N", "en": "N"},
     "visible_if": {"field": "checkbox", "ne": True}},
])
submitted = st.one_of(
    garbage, st.text(), st.floats(), st.integers(), st.decimals(), st.dates(), st.datetimes(),
    st.lists(st.one_of(st.text(max_size=5), st.integers(), st.none())),
    st.sampled_from(["1.234,56", "1,,2", "DE89 3704 0044 0532 0130 00", "DE00", "a@b", "a\x00b", "\r\n", "٣",
                     "𝟙𝟚", "1" * 5000, "31.02.2025", "9999-12-31", "0001-01-01", "sepa", " a ", "on", "\udcff",
                     10 ** 5000, 1e308, 5e-324, Decimal("1E-999999"), Decimal("sNaN"), Decimal("-Infinity")]),
)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(EVERY_TYPE.names + ["other"]), submitted), st.sampled_from(["de", "en", "xx"]))
def test_validating_garbage_never_raises(data, lang):
    result = forms.validate(EVERY_TYPE, data, lang)
    assert set(result.values).isdisjoint(result.errors)
    assert set(result.values) | set(result.errors) == result.visible
    assert all(isinstance(text, str) and text for text in result.errors.values())
    for name, value in result.values.items():
        assert value is None or isinstance(value, {
            "text": str, "email": str, "date": datetime.date, "decimal": Decimal, "integer": int, "select": str,
            "multiselect": list, "checkbox": bool, "iban": str, "textarea": str, "after": int}[name])
    for item in forms.render_fields(EVERY_TYPE, data, result.errors, lang):
        item["value"].encode("utf-8")  # a page can always be sent


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.tuples(st.sampled_from(EVERY_TYPE.names), st.text(max_size=12)), max_size=12))
def test_validating_a_garbage_browser_form_never_raises(pairs):
    data = MultiDict(pairs)
    result = forms.validate(EVERY_TYPE, data, "de")
    forms.render_fields(EVERY_TYPE, data, result.errors, "de")
