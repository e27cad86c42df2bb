"""An analyst writes a form definition; what is unclear is refused with where and what was expected."""

import datetime
from decimal import Decimal

import pytest
import yaml

import forms
from forms import FormDefinitionError, RelativeDate

LABEL = {"de": "Feld", "en": "Field"}


def f(name="answer", type="text", **keys):
    return {"name": name, "type": type, "label": LABEL, **keys}


def options(*values):
    return [{"value": value, "label": {"de": value, "en": value}} for value in values]


def refused(fields, base=None):
    with pytest.raises(FormDefinitionError) as caught:
        forms.load_form(fields, base)
    return caught.value


def test_a_valid_definition_becomes_a_form():
    form = forms.load_form([
        f("company", required=True, max_length=200, help={"de": "Wie eingetragen", "en": "As registered"}),
        f("employees", "integer", min=1, max=500),
        f("budget", "decimal", min="0.50", max=1500.5),
        f("start", "date", min="today", max="today+90d", default="today+30d"),
        f("payment", "select", options=options("sepa", "transfer"), default="sepa"),
        f("iban", "iban", visible_if={"field": "payment", "eq": "sepa"}),
    ])
    assert form.names == ["company", "employees", "budget", "start", "payment", "iban"]
    assert form["company"].required and form["company"].max_length == 200
    assert form["company"].help.get("en") == "As registered"
    assert form["budget"].min == Decimal("0.50") and form["budget"].max == Decimal("1500.5")
    assert form["start"].min == RelativeDate(days=0) and str(form["start"].max) == "today+90d"
    assert form["iban"].visible_if.values == ("sepa",)
    assert form.defaults(datetime.date(2025, 1, 1)) == {"start": datetime.date(2025, 1, 31), "payment": "sepa"}


@pytest.mark.parametrize("fields, path, expected", [
    ({"name": "x"}, [], "expected a list of fields, found a mapping"),
    (["name: x"], [0], "expected a field (a mapping with name, type and label), found 'name: x'"),
    ([f(lable=LABEL)], [0, "lable"], "unknown key 'lable'"),
    ([{"name": "x", "type": "text"}], [0], "missing 'label'"),
    ([f("Firma")], [0, "name"], "lower-case letters"),
    ([f("a"), f("a")], [1, "name"], "the name 'a' is used by an earlier field"),
    ([f(type="phone")], [0, "type"], "unknown type 'phone'; expected one of text, email, date"),
    ([f(label={"de": "Feld"})], [0, "label"], "missing the text in 'en'"),
    ([f(label={"de": "Feld", "en": "Field", "fr": "Champ"})], [0, "label", "fr"], "unknown language 'fr'"),
    ([f(label={"de": "", "en": "Field"})], [0, "label", "de"], "expected a non-empty text, found ''"),
    ([f(required="yes")], [0, "required"], "expected true or false, found 'yes'"),
    ([f(options=options("a"))], [0, "options"], "'options' does not apply to a field of type text"),
    ([f(type="integer", pattern="[0-9]+")], [0, "pattern"], "it applies to text, textarea, email"),
    ([f(type="select")], [0], "missing 'options'"),
    ([f(type="select", options=[])], [0, "options"], "expected a non-empty list of options"),
    ([f(type="select", options=[{"value": 300, "label": LABEL}])], [0, "options", 0, "value"],
     "put numbers and yes/no in quotes), found the number 300"),
    ([f(type="select", options=options("a", "a"))], [0, "options", 1, "value"], "the value 'a' is used"),
    ([f(type="select", options=[{"value": "a"}])], [0, "options", 0], "needs both 'value' and 'label'"),
    ([f(pattern="[0-9")], [0, "pattern"], "does not compile"),
    ([f(min_length=-1)], [0, "min_length"], "at least 0, found the number -1"),
    ([f(min_length=5, max_length=3)], [0, "min_length"], "min_length 5 is greater than max_length 3"),
    ([f(min_length=2000)], [0, "min_length"], "greater than 1000, the most a text field takes"),
    ([f(type="integer", min=10, max=5)], [0, "min"], "min 10 is greater than max 5"),
    ([f(type="integer", min=1.5)], [0, "min"], "expected a whole number, found the number 1.5"),
    ([f(type="integer", min=True)], [0, "min"], "expected a whole number, found true (true/false)"),
    ([f(type="decimal", max="viel")], [0, "max"], "expected a number such as 12 or 12.50, found 'viel'"),
    ([f(type="date", min="tomorrow")], [0, "min"], "expected a date such as 2025-01-31, today, today+30d"),
    ([f(type="date", min="2025-02-30")], [0, "min"], "found '2025-02-30'"),
    ([f(type="date", min="2025-12-01", max="2025-01-01")], [0, "min"], "min 2025-12-01 is greater than max"),
    ([f(type="date", min="today+10d", max="today")], [0, "min"], "min today+10d is greater than max today"),
    ([f(type="select", options=options("a"), default="b")], [0, "default"], "expected one of the option values (a)"),
    ([f(max_length=3, default="abcd")], [0, "default"], "Please enter no more than 3 characters."),
    ([f(type="email", default="nobody")], [0, "default"], "Please enter a valid e-mail address"),
    ([f(type="checkbox", default="yes")], [0, "default"], "expected true or false"),
    ([f(type="multiselect", options=options("a"), default="a")], [0, "default"], "expected a list of option values"),
])
def test_definition_errors_name_what_was_found_and_where(fields, path, expected):
    error = refused(fields)
    assert error.path == path
    assert expected in error.message
    assert isinstance(error, ValueError)


def test_an_unknown_key_suggests_the_likely_one():
    assert "(did you mean 'label'?)" in refused([f(lable=LABEL)]).message


def test_the_error_text_carries_its_path():
    assert str(refused([f(), f(type="phone")])).startswith("1.type: unknown type 'phone'")


@pytest.mark.parametrize("condition, path, expected", [
    ("sepa", [1, "visible_if"], "expected a condition such as {field: payment, eq: sepa}"),
    ({"field": "payment"}, [1, "visible_if"], "exactly one of eq, ne, in"),
    ({"field": "payment", "eq": "sepa", "ne": "x"}, [1, "visible_if"], "exactly one of eq, ne, in"),
    ({"field": "payment", "equals": "sepa"}, [1, "visible_if", "equals"], "unknown key 'equals'"),
    ({"field": "zahlung", "eq": "sepa"}, [1, "visible_if", "field"],
     "unknown field 'zahlung'; expected one of payment"),
    ({"field": "iban", "eq": "x"}, [1, "visible_if", "field"], "a field cannot depend on itself"),
    ({"field": "payment", "eq": "bar"}, [1, "visible_if", "eq"], "expected one of the option values (sepa, transfer)"),
    ({"field": "payment", "in": []}, [1, "visible_if", "in"], "expected a non-empty list of values"),
    ({"field": "payment", "in": ["sepa", "cash"]}, [1, "visible_if", "in", 1], "found 'cash'"),
    ({"field": "account", "eq": "DE00"}, [1, "visible_if", "eq"], "'DE00' does not fit the field: Please enter"),
])
def test_visible_if_must_name_an_existing_field_and_a_value_it_can_have(condition, path, expected):
    error = refused([
        f("payment", "select", options=options("sepa", "transfer")),
        f("iban", "iban", visible_if=condition),
        f("account", "iban"),
    ])
    assert error.path == path
    assert expected in error.message


def test_visible_if_values_are_typed_like_the_controlling_field():
    form = forms.load_form([
        f("staff", "integer"), f("budget", "decimal"), f("consent", "checkbox"), f("start", "date"),
        f("a", visible_if={"field": "staff", "in": [10, 20]}),
        f("b", visible_if={"field": "budget", "eq": "300.00"}),
        f("c", visible_if={"field": "consent", "eq": True}),
        f("d", visible_if={"field": "start", "ne": datetime.date(2025, 1, 1)}),
    ])
    assert form["b"].visible_if.values == (Decimal("300.00"),)
    assert form["d"].visible_if.values == (datetime.date(2025, 1, 1),)
    assert "expected true or false, found 'yes'" in refused(
        [f("consent", "checkbox"), f("c", visible_if={"field": "consent", "eq": "yes"})]).message


def test_visible_if_may_not_go_round_in_a_circle():
    error = refused([
        f("a", visible_if={"field": "b", "eq": "x"}),
        f("b", visible_if={"field": "a", "eq": "y"}),
    ])
    assert error.path == [0, "visible_if", "field"]
    assert "a -> b -> a" in error.message


def test_dates_come_as_yaml_dates_iso_texts_or_relative_to_today():
    fields = yaml.safe_load("""
    - name: start
      type: date
      label: {de: Beginn, en: Start}
      min: 2025-01-01
      max: today+365d
    - name: born
      type: date
      label: {de: Geburtsdatum, en: Date of birth}
      max: today-6570d
    """)
    form = forms.load_form(fields)
    assert form["start"].min.resolve(datetime.date(2030, 1, 1)) == datetime.date(2025, 1, 1)
    assert form["born"].max.resolve(datetime.date(2025, 1, 1)) == datetime.date(2007, 1, 6)


class TestTenantFieldsAddedToAPlatformForm:
    base = [
        f("company"),
        f("payment", "select", options=options("sepa", "transfer")),
        f("iban", "iban", required=True, visible_if={"field": "payment", "eq": "sepa"}),
    ]

    def test_same_name_replaces_in_place_and_new_fields_append(self):
        form = forms.load_form([f("employees", "integer"), f("company", max_length=80)], base=self.base)
        assert form.names == ["company", "payment", "iban", "employees"]
        assert form["company"].max_length == 80

    def test_base_may_be_a_loaded_form(self):
        form = forms.load_form([f("iban", "iban")], base=forms.load_form(self.base))
        assert form["iban"].visible_if is None and not form["iban"].required

    def test_tenant_fields_may_depend_on_platform_fields(self):
        form = forms.load_form([f("bic", visible_if={"field": "payment", "eq": "sepa"})], base=self.base)
        assert form["bic"].visible_if.field == "payment"

    def test_replacing_a_field_the_platform_depends_on_must_still_fit(self):
        error = refused([f("extra"), f("payment", "select", options=options("invoice"))], base=self.base)
        assert error.path == [1]
        assert "replaces 'payment', which the platform field 'iban' depends on" in error.message
        assert "expected one of the option values (invoice), found 'sepa'" in error.message

    def test_a_tenant_field_can_close_a_circle_and_is_blamed_for_it(self):
        circle = {"field": "iban", "ne": "DE89370400440532013000"}
        error = refused([f("payment", "select", options=options("sepa"), visible_if=circle)], base=self.base)
        assert error.path == [0, "visible_if", "field"]
        assert "payment -> iban -> payment" in error.message

    def test_tenant_names_must_be_unique_among_themselves(self):
        assert refused([f("company"), f("company")], base=self.base).path == [1, "name"]

    def test_a_broken_base_says_so(self):
        error = refused([f("x")], base=[f("a", type="phone")])
        assert error.message.startswith("in the base form: unknown type 'phone'")
        assert error.path == [0, "type"]


def test_every_platform_form_loads_with_both_languages():
    names = forms.platform_form_names()
    assert {"broker_profile", "events/address_change", "events/name_change",
            "events/parental_leave", "events/leaving", "events/tariff_group_change", "events/death"} <= set(names)
    for name in names:
        form = forms.load_platform_form(name)
        assert len(form) > 0
        for field in form:
            assert field.label.de and field.label.en


def test_an_unknown_platform_form_is_a_lookup_error():
    with pytest.raises(LookupError, match="expected one of broker_profile"):
        forms.load_platform_form("../secrets")


def test_a_form_file_names_itself_in_its_errors(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("- name: a\n  type: text\n  label: {de: A, en: A}\n  colour: red\n", encoding="utf-8")
    with pytest.raises(FormDefinitionError) as caught:
        forms.load_form_file(broken)
    assert caught.value.message.startswith("broken.yaml: unknown key 'colour'")
    assert caught.value.path == [0, "colour"]

    not_yaml = tmp_path / "not_yaml.yaml"
    not_yaml.write_text("- name: [a\n", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="not_yaml.yaml: not valid YAML"):
        forms.load_form_file(not_yaml)
