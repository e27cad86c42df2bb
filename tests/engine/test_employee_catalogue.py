"""The employee exists once, in its field catalogue (rules/catalogues/employee.yaml): the upload and the hand
form accept and refuse the same values, the model stores what it lists, and a field added to it appears in
the form, the upload, the rules' facts, the API and the export."""
import datetime
from decimal import Decimal
from types import SimpleNamespace

import forms
import pytest
from peewee import CharField, DateField
from rules import catalogue, facts

from engine import contracts, eligibility, employee_file, employee_record, employees, exports
from engine.errors import DomainError
from engine.models import Employee
from tests.journey import submitted_application
from web import api, api_schemas

TODAY = datetime.date(2026, 12, 2)  # tests/conftest.py's day
ANNA = {"personnel_number": "1", "last_name": "Becker", "first_name": "Anna", "birth_date": "12.03.1985",
        "gender": "w", "email": "anna@example.de", "street": "Lindenweg 3", "postal_code": "01067",
        "city": "Dresden", "employment_start": "01.02.2015", "employment_type": "fulltime", "weekly_hours": "40",
        "tariff_group": ""}
ROWS = [  # (changes to Anna, the fields both refuse)
    ({}, set()),
    ({"weekly_hours": "70"}, set()),
    ({"weekly_hours": "80"}, set()),
    ({"weekly_hours": "38,5"}, set()),
    ({"weekly_hours": "37.5"}, set()),                        # a dot before one or two places: the decimal point
    ({"weekly_hours": "1,500"}, set()),                       # a comma: the decimal point (1.5)
    ({"weekly_hours": "1.500"}, {"weekly_hours"}),            # German: one thousand five hundred
    ({"weekly_hours": "1.234,5"}, {"weekly_hours"}),
    ({"weekly_hours": "-1"}, {"weekly_hours"}),
    ({"weekly_hours": "81"}, {"weekly_hours"}),
    ({"weekly_hours": "viel"}, {"weekly_hours"}),
    ({"birth_date": "03.12.2026"}, {"birth_date"}),            # tomorrow
    ({"birth_date": "01.01.1920"}, {"birth_date"}),            # 100 or older
    ({"employment_start": "01.01.1995"}, {"employment_start"}),  # before the 14th birthday
    ({"postal_code": "123"}, {"postal_code"}),
    ({"postal_code": "ABCDE"}, {"postal_code"}),
    ({"employment_type": "freelance"}, {"employment_type"}),
    ({"gender": "q"}, {"gender"}),
    ({"email": "anna@@example"}, {"email"}),
    ({"last_name": ""}, {"last_name"}),
    ({"personnel_number": "X" * 61}, {"personnel_number"}),
    ({"city": "D" * 256}, {"city"}),
    ({"street": "S" * 255, "tariff_group": "fuehrung"}, set()),
]


def uploaded(row, fields=None):
    """The fields the upload refuses in a file of this one row (headers as Excel users write them)."""
    spec = [f for f in (fields or employee_record.CATALOGUE) if f.column]
    text = ";".join(f.column for f in spec) + "\n" + ";".join(row.get(f.name, "") for f in spec) + "\n"
    parsed = employee_file.parse("liste.csv", text.encode(), today=TODAY, fields=fields)
    return parsed, {error.field for error in parsed.errors}


def test_the_upload_and_the_hand_form_accept_and_refuse_the_same_rows(app, make_user):
    with app.app_context():
        case = submitted_application("lumen", tag="cat")
        contracts.release(case["employer_user"], case["application"])
        staff = make_user("insurer", tenant="lumen")
        contracts.accept(staff, contracts.application_for_insurer("lumen", case["application"].id), "GV-14")
        contract = contracts.contracts_for_employer(case["employer_user"], "lumen")[0]
        for number, (changes, refused) in enumerate(ROWS, start=100):
            row = {**ANNA, "personnel_number": str(number), **changes}
            result = forms.validate(employees.form(), row, "de", today=TODAY)
            by_hand = set(result.errors)
            if not by_hand:
                try:
                    employees.save_by_hand(case["employer_user"], contract, result.values)
                except DomainError as exc:
                    by_hand = {exc.field}
            assert (uploaded(row)[1], by_hand) == (refused, refused), changes
            for name, message in result.errors.items():  # one reader: the upload says what the form says
                if not row[name] or employees.form()[name].options:  # the file names its spellings, "missing"
                    continue
                said = [error.message for error in uploaded(row)[0].errors if error.field == name]
                assert said and message.rstrip(".") in said[0], (name, message, said)


def test_the_model_stores_every_field_of_the_catalogue_and_nothing_else_of_the_person():
    columns = Employee._meta.fields
    bookkeeping = {"id", "contract", "tariff_group", "explanation", "eligible_from", "row_digest", "state",
                   "lock_version", "created_at", "updated_at",  # the platform's, not the person's
                   "eligible_reminded_at", "group_proposal",  # engine/eligible_reminders.py, engine/regroup.py
                   "name_key"}  # derived from the names for order and search (engine/names.py)
    assert set(columns) - bookkeeping == {f.column_name for f in employee_record.CATALOGUE}
    form = employee_record.form()
    for field in employee_record.CATALOGUE:
        column, spec = columns[field.column_name], form[field.name]
        assert isinstance(column, DateField if field.type == "date" else CharField), field.name
        if isinstance(column, CharField):
            longest = max([len(option.value) for option in spec.options]
                          or [5 if field.type == "decimal" else len("01067") if spec.pattern else spec.length_limit])
            assert column.max_length >= longest, field.name


def test_a_field_added_to_a_copy_of_the_catalogue_shows_in_every_derived_place():
    data = catalogue.data("employee") + [{
        "name": "department", "type": "text", "label": {"de": "Abteilung", "en": "Department"}, "max_length": 40,
        "upload": {"column": "Abteilung", "aliases": ["Bereich"]}, "rules": "criterion", "api": True, "export": True}]
    fields = catalogue.from_data(data)
    # the hand form
    assert employee_record.form(fields)["department"].label.de == "Abteilung"
    # the upload: its column (also by alias), its limit
    parsed, refused = uploaded({**ANNA, "department": "Vertrieb"}, fields)
    assert refused == set() and parsed.rows[0].department == "Vertrieb"
    assert uploaded({**ANNA, "department": "V" * 41}, fields)[1] == {"department"}
    text = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;Bereich\n" \
           "1;Becker;Anna;12.03.1985;Lindenweg 3;01067;Dresden;01.02.2015;Vollzeit;Lager\n"
    assert employee_file.parse("l.csv", text.encode(), today=TODAY, fields=fields).rows[0].department == "Lager"
    # the rules: a fact of its kind, a lawful criterion, what eligibility gives the rules
    kinds = facts.field_kinds(fields)
    assert kinds["department"] == facts.STRING and "employee.department" in facts.criteria(fields)[0]
    seen = eligibility.employee_facts(parsed.rows[0], datetime.date(2027, 1, 1), TODAY, kinds=kinds)
    assert seen["employee"]["department"] == "Vertrieb"
    # the API: schema and serialiser agree
    schema = api_schemas.record(fields, state=api_schemas.STRING)
    assert schema["properties"]["department"] == api_schemas.STRING and "department" in schema["required"]
    person = SimpleNamespace(id=1, state="new", tariff_group_requested="", **{
        f.name: getattr(parsed.rows[0], f.name) for f in employee_record.CATALOGUE if f.name != "tariff_group"},
        department="Vertrieb")
    shown = api.employee_json(person, fields)
    assert shown["department"] == "Vertrieb" and set(shown) == set(schema["properties"])
    # the export
    assert exports.header(fields)[:4] == ["Personalnummer", "Nachname", "Vorname", "Abteilung"]


def test_the_upload_and_the_hand_form_read_a_number_as_the_same_amount():
    """One reading (forms.values.parse_number, German, by the field's type): 37,5 and 37.5 are 37.5, 1.500 is 1500
    (weekly hours up to 2000 here, so that the amount itself is seen)."""
    data = [{**item, "max": 2000} if item["name"] == "weekly_hours" else item for item in catalogue.data("employee")]
    fields = catalogue.from_data(data)
    for text, amount in (("37,5", "37.5"), ("37.5", "37.5"), ("1,5", "1.5"), ("1.500", "1500"), ("1.234,5", "1234.5"),
                         ("38,50", "38.5")):
        by_hand = forms.validate(employee_record.form(fields), {"weekly_hours": text}, "de").values["weekly_hours"]
        parsed, refused = uploaded({**ANNA, "weekly_hours": text}, fields)
        assert by_hand == parsed.rows[0].weekly_hours == Decimal(amount) and not refused, text


def test_business_events_read_the_employee_fields_the_catalogue_marks():
    marked = {f.name for f in employee_record.CATALOGUE if f.event}
    assert set(facts.FACTS_AT["event"]["employee"]) == marked == {"birth_date", "employment_start",
                                                                  "employment_type", "tariff_group"}


@pytest.mark.parametrize("field", ["weekly_hours", "birth_date", "employment_type"])
def test_the_old_copies_are_gone_and_read_the_catalogue(field):
    """Facts, lawful criteria and the stored fields name what the catalogue says, no more."""
    spec = {f.name: f for f in employee_record.CATALOGUE}[field]
    assert field in eligibility.EMPLOYEE_FACTS and field in employees.FIELDS
    assert ("employee." + field in facts.LAWFUL_CRITERIA) == (spec.rules in ("criterion", "age"))
