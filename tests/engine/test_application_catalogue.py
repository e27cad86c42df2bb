"""The application's platform fields exist once, in their catalogue (rules/catalogues/application.yaml): every
tenant's application form is made of them with the tenant's fields added, a new application is prefilled from
the client by them, and the API describes the application's data by them; a field added to a copy of the
catalogue appears in each of them."""
import datetime
from types import SimpleNamespace

import forms
import jsonschema
from rules import catalogue
from tenants.compiled import application_form

from engine import applications, offers, registry
from engine.models import Application
from tests.journey import first_start, submitted_application, tariff_choice
from web import api_schemas

TODAY = datetime.date(2026, 12, 2)  # tests/conftest.py's day
TENANT_FIELD = {"name": "betriebsrat", "type": "checkbox", "label": {"de": "Betriebsrat", "en": "Works council"}}


def test_every_tenant_form_is_the_catalogue_with_the_tenant_fields_added(app):
    platform = [field.name for field in applications.CATALOGUE]
    with app.app_context():
        for slug in ("lumen", "auxilia", "nordhafen"):
            live = registry.get(slug)
            own = [field["name"] for field in live.doc.get("application_form", []) if field["name"] not in platform]
            assert live.compiled.application_form.names == platform + own, slug


def test_a_new_application_is_prefilled_from_the_client_and_shown_by_the_api_as_described(app):
    with app.app_context():
        case = submitted_application("lumen", tag="appcat", submit=False)  # the first application, filled in
        client, live, offer = case["client"], case["live"], case["offer"]
        values = {"start_date": first_start(), "other_benefits_in_kind": 0}
        for group in offer.groups:
            p = group["id"].replace("-", "_")
            values.update({f"{p}__include": True, **tariff_choice(live, live.groups[group["id"]], p),
                           f"{p}__employer_share": 100, f"{p}__headcount": group["headcount"], f"{p}__average_age": 40})
        offer = offers.send(case["broker"], offers.create(case["broker"], client, live, values), live)
        offers.accept(case["employer_user"], offer)
        stored = Application.get(Application.offer == offer).data  # the second, as made
    assert stored["start_date"] == offer.start_date.isoformat()
    for field in applications.CATALOGUE:
        if field.prefill == "employer":
            assert stored[field.name] == getattr(client, field.name), field.name
    schema = api_schemas.SCHEMAS["Application"]["properties"]["data"]
    jsonschema.validate(stored, schema)
    assert set(schema["properties"]) == {f.api for f in applications.CATALOGUE if f.api}


def test_a_field_added_to_a_copy_of_the_catalogue_shows_in_every_derived_place():
    data = catalogue.data("application") + [{
        "name": "website", "type": "text", "label": {"de": "Website", "en": "Website"}, "max_length": 30,
        "prefill": "employer", "api": True}]
    fields = catalogue.from_data(data)
    # the form: the platform's fields with the new one, then the tenant's; and its validation
    form = application_form([TENANT_FIELD], fields)
    assert form.names[-2:] == ["website", "betriebsrat"] and form["website"].label.de == "Website"
    assert "website" in forms.validate(form, {"website": "w" * 31}, "de", today=TODAY).errors
    # a tenant field of the same name replaces it in place
    assert application_form([{**TENANT_FIELD, "name": "website"}], fields)["website"].type == "checkbox"
    # the prefill from the client
    client = SimpleNamespace(company_name="Muster GmbH", street="Weg 1", postal_code="01067", city="Dresden",
                             contact_name="Clara", contact_email="clara@example.org", website="muster.de")
    prefilled = applications.prefilled(client, datetime.date(2027, 1, 1), fields)
    assert prefilled["website"] == "muster.de" and prefilled["start_date"] == "2027-01-01"
    # the API's description of the data
    assert api_schemas.filled(fields, "")["properties"]["website"] == api_schemas.STRING
