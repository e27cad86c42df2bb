"""Arrange cases for the API tests through the engine (the web flows are tested in tests/web), and a
small client that speaks to /api/v1 as an insurer's system does: a bearer key, JSON, Idempotency-Key."""
import uuid

import pytest

from engine import apikeys, clock, contracts, employees, enrolments, events
from engine.models import Application
from tests.journey import submitted_application

CSV = ("Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart\n"
       "7001;Lang;Lea;01.01.1980;Weg 1;10115;Berlin;01.01.2010;Vollzeit\n")


class Api:
    """Requests to /api/v1 with a key; writes get a fresh Idempotency-Key unless one is given."""

    def __init__(self, client, key):
        self.client, self.key = client, key

    def headers(self, idempotency_key=None):
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def get(self, path, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self.headers(), **kwargs)

    def post(self, path, body=None, key="new", **kwargs):
        key = uuid.uuid4().hex if key == "new" else key
        return self.client.post(f"/api/v1{path}", json=body if body is not None else {}, headers=self.headers(key),
                                **kwargs)


@pytest.fixture
def api_key(app, make_user):
    """api_key("lumen") -> (plaintext, ApiKey, staff user who made it)."""
    def make(slug, name="Bestandssystem"):
        staff = make_user("insurer", tenant=slug)
        with app.app_context():
            key, plaintext = apikeys.create(slug, name, staff)
        return plaintext, key, staff
    return make


@pytest.fixture
def api(app, api_key):
    """api("lumen") -> an Api client with a fresh key of that tenant."""
    def make(slug):
        plaintext, key, staff = api_key(slug)
        client = Api(app.test_client(), plaintext)
        client.api_key, client.staff = key, staff
        return client
    return make


def released_application(slug, tag="x"):
    """A submitted application the insurer can see: released by the employer where the tenant needs it."""
    case = submitted_application(slug, tag=tag)
    if case["live"].settings.get("employer_release_required", True):
        contracts.release(case["employer_user"], case["application"])
    case["application"] = Application.get_by_id(case["application"].id)
    assert case["application"].state == "released"
    return case


def enrolled_case(slug, staff, tag="x"):
    """A group contract with one imported employee whose enrolment is sent (state "sent")."""
    case = released_application(slug, tag=tag)
    contracts.accept(staff, contracts.application_for_insurer(slug, case["application"].id), f"GV-{tag}")
    contract = contracts.contracts_for_employer(case["employer_user"], slug)[0]
    batch = employees.preview(case["employer_user"], contract, "staff.csv", CSV.encode())
    employees.start(case["employer_user"], batch)
    employees.run_import(batch.id)
    person = employees.for_contract(contract)[0]
    assert person.tariff_group, person.explanation
    [enrolment], _ = enrolments.send(case["employer_user"], contract, [person.id])
    return {**case, "contract": contract, "employee": person, "enrolment": enrolment}


def insured_case_with_event(slug, staff, tag="x"):
    """As enrolled_case, the policy issued, and an address change filed (state "submitted")."""
    case = enrolled_case(slug, staff, tag=tag)
    enrolments.accept(staff, case["enrolment"])
    event, _ = events.file(case["employer_user"], case["contract"], case["employee"], "address_change",
                           {"street": "Neue Str. 5", "postal_code": "01069", "city": "Dresden",
                            "effective_date": max(clock.today(), case["contract"].start_date)})
    return {**case, "event": event}
