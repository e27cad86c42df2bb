"""A form sent twice (double click, reload after POST) is answered once: one client, one offer."""
import re

from engine.models import Employer
from tests.conftest import log_in


def test_the_same_form_sent_twice_creates_one_client(app, make_user):
    broker = app.test_client()
    log_in(broker, make_user("broker"))
    page = broker.get("/advisor/clients/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    submission = re.search(r'name="submission_id" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "submission_id": submission, "company_name": "Doppelklick GmbH",
            "street": "Weg 1", "postal_code": "10115", "city": "Berlin", "industry": "agriculture", "employees_count": "12",
            "contact_name": "Dora", "contact_email": "dora@example.org"}
    first = broker.post("/advisor/clients/new", data=data)
    second = broker.post("/advisor/clients/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert Employer.select().where(Employer.company_name == "Doppelklick GmbH").count() == 1


def test_a_form_with_errors_can_be_corrected_and_sent_again(app, make_user):
    broker = app.test_client()
    log_in(broker, make_user("broker"))
    page = broker.get("/advisor/clients/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    submission = re.search(r'name="submission_id" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "submission_id": submission, "company_name": "Korrektur GmbH",
            "street": "Weg 1", "postal_code": "1011", "city": "Berlin", "industry": "agriculture", "employees_count": "12",
            "contact_name": "Kai", "contact_email": "kai@example.org"}
    assert broker.post("/advisor/clients/new", data=data).status_code == 200  # postal code wrong: shown again
    assert broker.post("/advisor/clients/new", data={**data, "postal_code": "10115"}).status_code == 302
