"""The employer client exists once, in its field catalogue (rules/catalogues/employer.yaml): the broker's
client form and its validation, the stored fields, the `employer.*` facts rules read and the API's Company come
from it, and a field added to a copy of it appears in each of them."""
import datetime
from decimal import Decimal
from types import SimpleNamespace

import forms
from peewee import CharField, IntegerField
from rules import catalogue, facts

from engine import applications, checks, clients
from engine.models import Employer
from web import api, api_schemas

TODAY = datetime.date(2026, 12, 2)  # tests/conftest.py's day
KUNDE = {"company_name": "Muster GmbH", "street": "Hauptstr. 1", "postal_code": "01067", "city": "Dresden",
         "industry": "agriculture", "employees_count": "30", "contact_name": "Clara Chefin",
         "contact_email": "clara@example.org"}


def client_like(fields, **more):
    """A stored client as the engine reads it (an Employer row has the same attributes)."""
    values = forms.validate(clients.form(fields), {**KUNDE, **more}, "de", today=TODAY)
    assert values.ok, values.errors
    return SimpleNamespace(id=7, **values.values)


def test_the_model_stores_every_field_of_the_catalogue_and_nothing_else_of_the_company():
    columns = Employer._meta.fields
    assert set(columns) - {"id", "broker", "created_at"} == set(clients.FIELDS) == {f.name for f in clients.CATALOGUE}
    form = clients.form()
    for field in clients.CATALOGUE:
        column, spec = columns[field.name], form[field.name]
        assert isinstance(column, IntegerField if field.type == "integer" else CharField), field.name
        if isinstance(column, CharField):
            longest = max([len(option.value) for option in spec.options] or [5 if spec.pattern else spec.length_limit])
            assert column.max_length >= longest, field.name


def test_the_old_copies_are_gone_and_read_the_catalogue():
    """The facts offer rules read are the fields the catalogue marks `rules`; the API's Company is unchanged."""
    assert facts.EMPLOYER_FIELDS == {"industry": facts.STRING, "employees_count": facts.NUMBER}
    assert set(facts.FACTS_AT["offer"]["employer"]) == {f.name for f in clients.CATALOGUE if f.rules}
    assert list(api_schemas.SCHEMAS["Company"]["properties"]) == [
        "id", "name", "street", "postal_code", "city", "industry", "employees_count", "contact_name", "contact_email"]
    empty = SimpleNamespace(employees_count=None, industry=None)
    assert checks.employer_facts(empty) == {"industry": "", "employees_count": 0}  # as the tenant guide says


def test_a_field_added_to_a_copy_of_the_catalogue_shows_in_every_derived_place():
    data = catalogue.data("employer") + [{
        "name": "vat_id", "type": "text", "label": {"de": "USt-IdNr.", "en": "VAT ID"}, "max_length": 14,
        "pattern": "DE[0-9]{9}", "rules": "fact", "api": "vat_number"}]
    fields = catalogue.from_data(data)
    # the broker's form and its validation
    form = clients.form(fields)
    assert form["vat_id"].label.de == "USt-IdNr." and form.names[-1] == "vat_id"
    assert set(forms.validate(form, {**KUNDE, "vat_id": "DE12"}, "de", today=TODAY).errors) == {"vat_id"}
    client = client_like(fields, vat_id="DE123456789")
    # the rules: a fact of its kind, given to offer rules
    kinds = facts.field_kinds(fields)
    assert kinds == {"industry": facts.STRING, "employees_count": facts.NUMBER, "vat_id": facts.STRING}
    assert checks.employer_facts(client, kinds) == {"industry": "agriculture", "employees_count": 30,
                                                     "vat_id": "DE123456789"}
    # the API: schema and serialiser agree, under the API's name
    schema = api_schemas.record(fields)
    shown = api.record_json(client, fields)
    assert schema["properties"]["vat_number"] == api_schemas.STRING and set(shown) == set(schema["properties"])
    assert shown["vat_number"] == "DE123456789" and shown["name"] == "Muster GmbH"
    # an application prefilled from the client, when the application's catalogue asks for the field
    application = catalogue.from_data(catalogue.data("application") + [{
        "name": "vat_id", "type": "text", "label": {"de": "USt-IdNr.", "en": "VAT ID"}, "prefill": "employer"}])
    assert applications.prefilled(client, datetime.date(2027, 1, 1), application)["vat_id"] == "DE123456789"


def test_offer_rules_read_the_client_as_stored(app, make_user):
    with app.app_context():
        broker = make_user("broker")
        client = clients.create(broker, forms.validate(clients.form(), {**KUNDE, "employees_count": "1.500"}, "de",
                                                       today=TODAY).values)
        stored = Employer.get_by_id(client.id)
        assert stored.employees_count == 1500  # a whole number: 1.500 groups thousands
        figures = {"insured": 12, "groups": [{"employer": Decimal("22.90")}]}
        seen = checks.offer_facts(SimpleNamespace(settings=SimpleNamespace(min_insured=5)), stored,
                                  figures["groups"][0], figures, datetime.date(2027, 1, 1), Decimal(0), TODAY)
        assert seen["employer"] == {"industry": "agriculture", "employees_count": 1500}
