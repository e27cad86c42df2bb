"""A person (browser) or an insurer's system (JSON) submits a form and gets typed values or messages."""

import datetime
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

import forms
from forms.errors import FormDefinitionError
from forms.values import parse_number

LABEL = {"de": "Feld", "en": "Field"}
OPTIONS = [{"value": value, "label": {"de": value.upper(), "en": value}} for value in ("dental", "vision", "checkup")]


def f(name, type="text", **keys):
    return {"name": name, "type": type, "label": LABEL, **keys}


class TestRequired:
    @pytest.mark.parametrize("type, keys, de, en", [
        ("text", {}, "Bitte füllen Sie dieses Feld aus.", "Please fill in this field."),
        ("date", {}, "Bitte füllen Sie dieses Feld aus.", "Please fill in this field."),
        ("select", {"options": OPTIONS}, "Bitte wählen Sie eine Option.", "Please choose an option."),
        ("multiselect", {"options": OPTIONS}, "Bitte wählen Sie eine Option.", "Please choose an option."),
        ("checkbox", {}, "Bitte bestätigen Sie dies durch Ankreuzen.", "Please tick the box to confirm."),
    ])
    def test_a_required_field_left_empty_says_so_in_both_languages(self, one_field, check_one, type, keys, de, en):
        form = one_field(type, required=True, **keys)
        for empty in (..., None, "", "   "):
            assert check_one(form, empty, "de") == (None, de)
            assert check_one(form, empty, "en") == (None, en)

    @pytest.mark.parametrize("type, empty", [
        ("text", None), ("email", None), ("date", None), ("decimal", None), ("integer", None),
        ("select", None), ("iban", None), ("textarea", None), ("multiselect", []), ("checkbox", False),
    ])
    def test_an_optional_field_left_empty_comes_back_empty(self, one_field, check_one, type, empty):
        form = one_field(type, **({"options": OPTIONS} if "select" in type else {}))
        assert check_one(form, "", "de") == (empty, None)
        assert forms.validate(form, {}).values == {"answer": empty}

    def test_an_unknown_language_falls_back_to_german(self, one_field, check_one):
        assert check_one(one_field(required=True), "", "fr") == (None, "Bitte füllen Sie dieses Feld aus.")


class TestText:
    def test_text_is_trimmed_and_composed(self, one_field, check_one):
        assert check_one(one_field(), "  Mu\u0308ller GmbH \n") == ("Müller GmbH", None)

    @pytest.mark.parametrize("raw, de, en", [
        ("Zeile 1\nZeile 2", "Bitte geben Sie den Text ohne Zeilenumbruch ein.",
         "Please enter the text without line breaks."),
        ("a\x00b", "Der Text enthält unzulässige Steuerzeichen.",
         "The text contains control characters that are not allowed."),
        ("a\udcffb", "Der Text enthält unzulässige Steuerzeichen.",
         "The text contains control characters that are not allowed."),
        (12345, "Bitte geben Sie einen Text ein.", "Please enter text."),
        (["a", "b"], "Bitte geben Sie nur einen Wert an.", "Please give a single value."),
    ])
    def test_text_refuses_what_is_not_one_line_of_text(self, one_field, check_one, raw, de, en):
        form = one_field()
        assert check_one(form, raw, "de") == (None, de)
        assert check_one(form, raw, "en") == (None, en)

    def test_a_textarea_keeps_its_lines(self, one_field, check_one):
        assert check_one(one_field("textarea"), "Zeile 1\r\nZeile 2\tEnde") == ("Zeile 1\nZeile 2\tEnde", None)

    def test_lengths(self, one_field, check_one):
        form = one_field(min_length=3, max_length=5)
        assert check_one(form, "ab", "de") == (None, "Bitte geben Sie mindestens 3 Zeichen ein.")
        assert check_one(form, "abcdef", "en") == (None, "Please enter no more than 5 characters.")
        assert check_one(form, "abcde") == ("abcde", None)

    def test_text_without_max_length_still_has_a_ceiling(self, one_field, check_one):
        assert check_one(one_field(), "x" * 1001, "en") == (None, "Please enter no more than 1,000 characters.")
        assert check_one(one_field(), "x" * 1001, "de") == (None, "Bitte geben Sie höchstens 1.000 Zeichen ein.")

    def test_pattern_must_match_the_whole_value(self, one_field, check_one):
        form = one_field(pattern="D-[A-Z0-9]{4}-[A-Z0-9]{5}-[0-9]{2}")
        assert check_one(form, "D-1ABC-2DE3F-45") == ("D-1ABC-2DE3F-45", None)
        assert check_one(form, "xD-1ABC-2DE3F-45", "de") == (None, "Bitte prüfen Sie das Format der Eingabe.")
        assert check_one(form, "D-1ABC-2DE3F-456", "en") == (None, "Please check the format of your entry.")

    def test_a_failed_pattern_says_the_authors_words(self, one_field, check_one):
        form = one_field(pattern="[0-9]{6}", pattern_message={"de": "Bitte sechs Ziffern angeben.",
                                                              "en": "Please enter six digits."})
        assert check_one(form, "12345", "de") == (None, "Bitte sechs Ziffern angeben.")
        assert check_one(form, "12345a", "en") == (None, "Please enter six digits.")
        assert check_one(form, "123456") == ("123456", None)

    def test_a_pattern_message_needs_its_pattern(self, one_field):
        with pytest.raises(FormDefinitionError) as refused:
            one_field(pattern_message={"de": "Sechs Ziffern.", "en": "Six digits."})
        assert refused.value.path[-1] == "pattern_message" and "without a pattern" in str(refused.value)


class TestEmail:
    def test_an_address_is_normalized(self, one_field, check_one):
        assert check_one(one_field("email"), " Eva.Beispiel@Example.COM ") == ("Eva.Beispiel@example.com", None)

    @pytest.mark.parametrize("raw", ["eva", "eva@", "eva@@example.com", "eva@example", 42])
    def test_a_broken_address_is_refused(self, one_field, check_one, raw):
        assert check_one(one_field("email"), raw, "de")[1].startswith("Bitte geben Sie eine gültige E-Mail-Adresse an")
        assert check_one(one_field("email"), raw, "en")[1].startswith("Please enter a valid e-mail address")


class TestDate:
    @pytest.mark.parametrize("raw", ["2025-07-01", "01.07.2025", "1.7.2025", datetime.date(2025, 7, 1),
                                     datetime.datetime(2025, 7, 1, 0, 0)])
    def test_dates_are_read_as_iso_or_german(self, one_field, check_one, raw):
        assert check_one(one_field("date"), raw) == (datetime.date(2025, 7, 1), None)

    @pytest.mark.parametrize("raw", ["2025-02-30", "31.02.2025", "20250701", "2025-W27-1", "morgen", 20250701])
    def test_a_day_that_does_not_exist_is_refused(self, one_field, check_one, raw):
        german = "Bitte geben Sie ein gültiges Datum an, z. B. 31.12.2025."
        assert check_one(one_field("date"), raw, "de") == (None, german)
        assert check_one(one_field("date"), raw, "en") == (None, "Please enter a valid date, such as 2025-12-31.")

    def test_limits_relative_to_today_use_the_day_of_the_check(self, one_field, check_one, today):
        form = one_field("date", min="today", max="today+30d")
        assert today == datetime.date(2025, 6, 15)
        assert check_one(form, "2025-06-14", "de") == (None, "Das Datum darf nicht vor dem 15.06.2025 liegen.")
        assert check_one(form, "2025-07-16", "en") == (None, "The date must be on or before 2025-07-15.")
        assert check_one(form, "2025-07-15") == (datetime.date(2025, 7, 15), None)

    def test_fixed_limits(self, one_field, check_one):
        form = one_field("date", min="2025-01-01")
        assert check_one(form, "31.12.2024", "en") == (None, "The date must be on or after 2025-01-01.")


class TestNumbers:
    @pytest.mark.parametrize("text, lang, expected", [
        ("1.234,56", "de", "1234.56"),
        ("1.234,56", "en", "1234.56"),
        ("1234.56", "de", "1234.56"),
        ("1234,56", "de", "1234.56"),
        ("1,234.56", "en", "1234.56"),
        ("1.234.567,8", "de", "1234567.8"),
        ("1.500", "de", "1500"),
        ("1.500", "en", "1.5"),
        ("1,500", "en", "1500"),
        ("1,500", "de", "1.5"),
        ("12.5", "de", "12.5"),
        ("-3,25", "de", "-3.25"),
        (" 1 234,5 ", "de", "1234.5"),
        (",5", "de", "0.5"),
        ("0", "de", "0"),
    ])
    def test_numbers_are_read_as_people_write_them(self, text, lang, expected):
        assert parse_number(text, lang) == Decimal(expected)

    @pytest.mark.parametrize("text", ["", "abc", "12,", "1.2.3", "1,23,4", "1.234,5,6", "1e5", "NaN", "Infinity",
                                      "--1", "12.345.67", "1" * 41, "€ 12"])
    def test_what_is_not_a_number_is_refused(self, text):
        with pytest.raises(forms.values.Invalid):
            parse_number(text, "de")

    def test_a_decimal_field_gives_a_decimal(self, one_field, check_one):
        form = one_field("decimal", min=0, max="1500.00")
        assert check_one(form, "1.234,56") == (Decimal("1234.56"), None)
        assert check_one(form, 12.5) == (Decimal("12.5"), None)
        assert check_one(form, 0.1) == (Decimal("0.1"), None)
        assert check_one(form, "1.600,5", "de") == (None, "Bitte geben Sie höchstens 1.500,00 an.")
        assert check_one(form, "1600.5", "en") == (None, "Please enter no more than 1,500.00.")
        assert check_one(form, "-1", "de") == (None, "Bitte geben Sie mindestens 0 an.")
        assert check_one(form, "zwölf", "de") == (None, "Bitte geben Sie eine Zahl an, z. B. 1.234,56.")
        assert check_one(form, True, "en") == (None, "Please enter a number, such as 1234.56.")
        assert check_one(form, float("nan"), "en")[1] == "Please enter a number, such as 1234.56."

    def test_an_integer_field_gives_an_int(self, one_field, check_one):
        form = one_field("integer", min=1, max=5000)
        assert check_one(form, "12") == (12, None)
        assert check_one(form, 12) == (12, None)
        assert check_one(form, 12.0) == (12, None)
        assert check_one(form, "1.000", "de") == (1000, None)
        assert check_one(form, "12,5", "de") == (None, "Bitte geben Sie eine ganze Zahl an, z. B. 25.")
        assert check_one(form, True, "en") == (None, "Please enter a whole number, such as 25.")
        assert check_one(form, "0", "en") == (None, "Please enter at least 1.")
        assert check_one(form, 5001, "de") == (None, "Bitte geben Sie höchstens 5.000 an.")


class TestChoices:
    def test_select_takes_one_offered_value(self, one_field, check_one):
        form = one_field("select", options=OPTIONS)
        assert check_one(form, "vision") == ("vision", None)
        assert check_one(form, "glasses", "de") == (None, "Bitte wählen Sie aus den angebotenen Optionen.")
        assert check_one(form, ["vision", "dental"], "en") == (None, "Please give a single value.")

    def test_multiselect_reads_every_value_of_a_browser_form(self, one_field):
        form = one_field("multiselect", options=OPTIONS)
        data = MultiDict([("answer", "vision"), ("answer", "dental"), ("answer", "vision"), ("csrf_token", "x")])
        assert forms.validate(form, data).values == {"answer": ["vision", "dental"]}

    def test_multiselect_reads_a_json_list(self, one_field, check_one):
        form = one_field("multiselect", options=OPTIONS, required=True)
        assert check_one(form, ["checkup"]) == (["checkup"], None)
        assert check_one(form, "checkup") == (["checkup"], None)
        assert check_one(form, [], "de") == (None, "Bitte wählen Sie eine Option.")
        assert check_one(form, ["checkup", "spa"], "en") == (None, "Please choose from the options offered.")
        assert check_one(form, [1], "en") == (None, "Please choose from the options offered.")
        assert check_one(form, {"a": 1}, "en") == (None, "Please choose from the options offered.")

    @pytest.mark.parametrize("raw, expected", [
        ("on", True), ("true", True), ("1", True), ("ja", True), (True, True),
        ("", False), ("false", False), ("0", False), (False, False), (None, False),
    ])
    def test_a_checkbox_is_a_bool(self, one_field, check_one, raw, expected):
        assert check_one(one_field("checkbox"), raw) == (expected, None)

    def test_a_checkbox_refuses_other_words(self, one_field, check_one):
        assert check_one(one_field("checkbox"), "vielleicht", "de") == (
            None, "Dieses Ankreuzfeld kann nur angekreuzt oder leer sein.")
        assert check_one(one_field("checkbox"), 1, "en") == (None, "This box can only be ticked or left empty.")

    def test_a_required_checkbox_must_be_ticked(self, one_field, check_one):
        form = one_field("checkbox", required=True)
        assert check_one(form, "false", "en") == (None, "Please tick the box to confirm.")
        assert check_one(form, "on") == (True, None)


class TestIban:
    def test_a_valid_iban_comes_back_compact(self, one_field, check_one):
        form = one_field("iban")
        assert check_one(form, "DE89370400440532013000") == ("DE89370400440532013000", None)
        assert check_one(form, " de89 3704 0044 0532 0130 00 ") == ("DE89370400440532013000", None)

    @pytest.mark.parametrize("raw, de, en", [
        ("DE89370400440532013001",
         "Die Prüfziffer der IBAN stimmt nicht. Bitte prüfen Sie die Eingabe auf Tippfehler.",
         "The IBAN's check digits do not match. Please check it for typing errors."),
        ("DE8937040044053201300",
         "Die IBAN hat nicht die für DE vorgesehene Länge.",
         "The IBAN does not have the length used in DE."),
        ("XX89370400440532013000",
         "Die IBAN beginnt nicht mit einem bekannten Ländercode (z. B. DE).",
         "The IBAN does not start with a known country code (such as DE)."),
        ("kein Konto",
         "Bitte geben Sie eine gültige IBAN an, z. B. DE89 3704 0044 0532 0130 00.",
         "Please enter a valid IBAN, such as DE89 3704 0044 0532 0130 00."),
    ])
    def test_an_invalid_iban_says_what_is_wrong(self, one_field, check_one, raw, de, en):
        assert check_one(one_field("iban"), raw, "de") == (None, de)
        assert check_one(one_field("iban"), raw, "en") == (None, en)


class TestVisibleIf:
    form = forms.load_form([
        f("payment", "select", required=True,
          options=[{"value": "sepa", "label": LABEL}, {"value": "transfer", "label": LABEL}]),
        f("iban", "iban", required=True, visible_if={"field": "payment", "eq": "sepa"}),
        f("mandate", "checkbox", required=True, visible_if={"field": "iban", "ne": "DE02 1203 0000 0000 2020 51"}),
        f("reference", visible_if={"field": "payment", "in": ["transfer"]}),
    ])

    def test_a_hidden_field_is_neither_checked_nor_returned(self):
        result = forms.validate(self.form, {"payment": "transfer", "iban": "garbage", "reference": "R-1"})
        assert result.ok
        assert result.values == {"payment": "transfer", "reference": "R-1"}
        assert result.visible == {"payment", "reference"}

    def test_a_shown_field_is_checked(self):
        result = forms.validate(self.form, {"payment": "sepa", "iban": "garbage"}, "en")
        assert result.errors == {"iban": "Please enter a valid IBAN, such as DE89 3704 0044 0532 0130 00."}
        assert "mandate" not in result.visible  # its controlling field has an error

    def test_a_condition_compares_with_the_normalized_value(self):
        result = forms.validate(self.form, {"payment": "sepa", "iban": "de02120300000000202051"})
        assert result.ok and result.visible == {"payment", "iban"}

    def test_a_chain_of_conditions(self):
        result = forms.validate(self.form, {"payment": "sepa", "iban": "DE89370400440532013000"}, "en")
        assert result.errors == {"mandate": "Please tick the box to confirm."}
        result = forms.validate(self.form, MultiDict({"payment": "sepa", "iban": "DE89370400440532013000",
                                                      "mandate": "true"}))
        assert result.values == {"payment": "sepa", "iban": "DE89370400440532013000", "mandate": True}

    def test_when_the_controlling_field_is_missing_its_dependents_hide(self):
        result = forms.validate(self.form, {"iban": "garbage"}, "en")
        assert result.errors == {"payment": "Please choose an option."}
        assert result.visible == {"payment"}

    def test_a_multiselect_or_checkbox_controls_by_what_is_chosen(self):
        form = forms.load_form([
            f("modules", "multiselect", options=OPTIONS),
            f("family", "checkbox"),
            f("lenses", visible_if={"field": "modules", "eq": "vision"}),
            f("no_dental", visible_if={"field": "modules", "ne": "dental"}),
            f("members", "integer", visible_if={"field": "family", "eq": True}),
        ])
        shown = forms.validate(form, MultiDict([("modules", "vision"), ("modules", "dental")])).visible
        assert shown == {"modules", "family", "lenses"}
        shown = forms.validate(form, {"family": "on"}).visible
        assert shown == {"modules", "family", "no_dental", "members"}


def test_a_platform_application_as_a_broker_fills_it_in(application, filled_application, today):
    result = forms.validate(application, MultiDict(filled_application), "de", today=today)
    assert result.ok, result.errors
    assert result.values["start_date"] == datetime.date(2025, 7, 1)
    assert result.values["iban"] == "DE89370400440532013000"
    assert result.values["sepa_mandate"] is True
    assert result.values["commercial_register_number"] is None
    assert list(result.values) == [name for name in application.names]


def test_the_same_application_from_an_api_client(application, filled_application, today):
    payload = {**filled_application, "sepa_mandate": True, "payment": "transfer"}
    result = forms.validate(application, payload, "en", today=today)
    assert result.ok
    assert "iban" not in result.values and "sepa_mandate" not in result.values
