"""A person sees the form: labels, help, their own input kept next to its error, for screen readers too."""

import datetime
import html.parser
from decimal import Decimal

import jinja2
import pytest
from werkzeug.datastructures import MultiDict

import forms

LABEL = {"de": "Feld", "en": "Field"}


def f(name, type="text", **keys):
    return {"name": name, "type": type, "label": LABEL, **keys}


@pytest.fixture(scope="module")
def draw():
    """Render dicts to HTML with the package's macros, autoescaping as Flask does."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(forms.TEMPLATE_FOLDER)),
                             autoescape=jinja2.select_autoescape())
    template = env.from_string('{% from "forms/_fields.html" import fields %}{{ fields(items) }}')
    return lambda items: template.render(items=items)


class Elements(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text inside each label, by `for`."""

    def __init__(self, markup):
        super().__init__()
        self.tags, self.labels, self._label = [], {}, None
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "label":
            self._label = dict(attrs).get("for")
            self.labels[self._label] = ""

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None

    def handle_data(self, data):
        if self._label:
            self.labels[self._label] += data

    def find(self, tag, **attrs):
        return [found for name, found in self.tags if name == tag and all(found.get(k) == v for k, v in attrs.items())]


def by_name(items):
    return {item["name"]: item for item in items}


def test_a_value_that_failed_is_shown_again_with_its_error(application, today):
    submitted = MultiDict({"company_name": "Muster GmbH", "employees": "x", "iban": "DE89 3704 0044 0532 0130 01",
                           "payment": "sepa", "start_date": "31.02.2025"})
    result = forms.validate(application, submitted, "de", today=today)
    items = by_name(forms.render_fields(application, submitted, result.errors, "de", today=today))
    iban = items["iban"]
    assert iban["value"] == "DE89 3704 0044 0532 0130 01"
    assert iban["error"] == "Die Prüfziffer der IBAN stimmt nicht. Bitte prüfen Sie die Eingabe auf Tippfehler."
    assert iban["attrs"]["aria-invalid"] == "true"
    assert iban["describedby"] == "field-iban-help field-iban-error"
    assert iban["attrs"]["aria-describedby"] == iban["describedby"]
    assert items["start_date"]["value"] == "31.02.2025"
    assert items["company_name"]["error"] is None and "aria-invalid" not in items["company_name"]["attrs"]


def test_the_html_ties_labels_help_and_errors_to_their_controls(application, today, draw):
    submitted = {"company_name": "<b>Muster</b> & Söhne", "payment": "sepa", "iban": "kaputt"}
    result = forms.validate(application, submitted, "en", today=today)
    markup = draw(forms.render_fields(application, submitted, result.errors, "en", today=today))
    page = Elements(markup)

    company = page.find("input", id="field-company_name")[0]
    assert company["value"] == "<b>Muster</b> & Söhne"  # escaped in the markup, intact for the browser
    assert "<b>Muster" not in markup
    # a required field is marked with an asterisk, which a screen reader reads as the word (issue #18)
    assert " ".join(page.labels["field-company_name"].split()) == "Company name * (required)"
    assert '<span class="field__required" aria-hidden="true">*</span><span class="visually-hidden"> (required)</span>' \
        in markup.split('for="field-company_name"')[1].split("</label>")[0]
    assert "*" not in page.labels["field-commercial_register_number"]
    assert "(optional)" in page.labels["field-commercial_register_number"]

    iban = page.find("input", id="field-iban")[0]
    assert iban["aria-invalid"] == "true"
    assert iban["aria-describedby"] == "field-iban-help field-iban-error"
    error = page.find("p", id="field-iban-error")[0]
    assert error["class"] == "field__error"
    assert "Please enter a valid IBAN" in markup.split('id="field-iban-error"')[1].split("</p>")[0]
    assert page.find("p", id="field-iban-help")

    for tag, attrs in page.tags:
        assert "style" not in attrs and not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert "<script" not in markup
    for control in page.find("input") + page.find("select") + page.find("textarea"):
        assert control["id"] in page.labels, control


def test_a_multiselect_is_a_group_of_boxes_in_a_fieldset(draw):
    form = forms.load_form([f("modules", "multiselect", required=True, help={"de": "Mehrere möglich", "en": "Any"},
                              options=[{"value": "dental", "label": {"de": "Zahn", "en": "Dental"}},
                                       {"value": "vision", "label": {"de": "Sehhilfe", "en": "Vision"}}])])
    data = MultiDict([("modules", "vision")])
    items = forms.render_fields(form, data, {"modules": "Bitte wählen Sie eine Option."})
    assert [option["selected"] for option in items[0]["options"]] == [False, True]
    markup = draw(items)
    page = Elements(markup)
    assert page.find("fieldset", **{"aria-describedby": "field-modules-help field-modules-error"})
    assert "<legend" in markup and "Feld" in markup.split("<legend")[1].split("</legend>")[0]
    boxes = page.find("input", type="checkbox", name="modules")
    assert [box["value"] for box in boxes] == ["dental", "vision"]
    assert [box.get("checked") for box in boxes] == [None, ""]
    assert all(box["aria-invalid"] == "true" for box in boxes)
    assert page.labels == {"field-modules-0": "Zahn", "field-modules-1": "Sehhilfe"}


def test_an_empty_form_shows_its_defaults(application, today):
    items = by_name(forms.render_fields(application, lang="en", today=today))
    assert [(o["value"], o["selected"]) for o in items["payment"]["options"]] == [("sepa", True), ("transfer", False)]
    assert items["payment"]["placeholder"] == "Please choose …"
    assert items["iban"]["visible"] is True
    assert items["start_date"]["input_type"] == "date"


def test_relative_date_limits_become_the_browser_limits(today):
    form = forms.load_form([f("start", "date", min="today", max="today+365d")])
    attrs = by_name(forms.render_fields(form, lang="en", today=today))["start"]["attrs"]
    assert (attrs["min"], attrs["max"]) == ("2025-06-15", "2026-06-15")


def test_typed_values_are_written_for_the_reader():
    form = forms.load_form([f("budget", "decimal"), f("staff", "integer"), f("start", "date"), f("ok", "checkbox")])
    values = {"budget": Decimal("1234.50"), "staff": 12, "start": datetime.date(2025, 7, 1), "ok": True}
    german = by_name(forms.render_fields(form, values, lang="de"))
    assert german["budget"]["value"] == "1234,50"
    assert german["budget"]["attrs"]["inputmode"] == "decimal" and german["budget"]["input_type"] == "text"
    assert german["staff"]["value"] == "12" and german["staff"]["attrs"]["inputmode"] == "numeric"
    assert german["start"]["value"] == "2025-07-01"
    assert german["ok"]["checked"] is True and german["ok"]["attrs"]["checked"] == ""
    assert by_name(forms.render_fields(form, values, lang="en"))["budget"]["value"] == "1234.50"
    assert by_name(forms.render_fields(form, {"start": "01.07.2025"}))["start"]["value"] == "2025-07-01"


def test_visible_if_travels_as_data_attributes_and_hides_without_blocking(application, today, draw):
    items = by_name(forms.render_fields(application, {"payment": "transfer"}, today=today))
    iban = items["iban"]
    assert iban["visible"] is False
    assert iban["data"] == {"data-visible-if-field": "payment", "data-visible-if-op": "eq",
                            "data-visible-if-values": '["sepa"]'}
    assert "required" not in iban["attrs"] and iban["attrs"]["aria-required"] == "true"
    assert items["company_name"]["attrs"]["required"] == ""
    markup = draw([iban])
    wrapper = Elements(markup).find("div", id="field-iban-field")[0]
    assert "field--hidden" in wrapper["class"].split()
    assert wrapper["data-visible-if-values"] == '["sepa"]'


def test_every_field_type_draws(draw):
    options = [{"value": "a", "label": LABEL}]
    form = forms.load_form([f(name, name, **({"options": options} if "select" in name else {}))
                            for name in ("text", "email", "date", "decimal", "integer", "select", "multiselect",
                                         "checkbox", "iban", "textarea")])
    page = Elements(draw(forms.render_fields(form, lang="en", id_prefix="x-")))
    assert page.find("input", id="x-email", type="email")
    assert page.find("select", id="x-select")
    assert page.find("textarea", id="x-textarea")
    assert page.find("input", id="x-checkbox", type="checkbox", value="true")
    assert page.find("fieldset")
