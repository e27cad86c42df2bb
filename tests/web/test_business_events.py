"""Every business event each demo tenant supports, filed by the employer in the manager and processed
in the back office: the employee's data changes and an adjusted policy (new version) is issued,
the old one kept. Events a tenant does not support are not offered and refused."""
import datetime
import re

import pytest

from engine import clock, cover, enrolments
from engine.models import Employee, Policy
from tests.conftest import csrf_from, log_in
from tests.formfill import fill
from tests.journey import running_contract_with_sent_enrolments

ALL_TYPES = ["address_change", "name_change", "parental_leave", "leaving", "tariff_group_change", "death"]


def post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_from(client.get(url))})


def insured_staff(app, make_user, slug, count):
    case, staff, contract, sent = running_contract_with_sent_enrolments(make_user, slug, count, tag=f"E-{slug}")
    for enrolment in sent:
        enrolments.accept(staff, enrolment)
    return case, staff, contract, [Employee.get_by_id(e.employee_id) for e in sent]


def event_values(live, event_type, contract):
    start = clock.today()
    dates = {"effective_date": start, "leaving_date": start, "date_of_death": start, "start_date": start,
             "end_date": start + datetime.timedelta(days=365)}
    form = live.compiled.event_forms[event_type]
    values = fill(form)
    for name in values:
        if name in dates:
            values[name] = dates[name].strftime("%d.%m.%Y")
    if event_type == "tariff_group_change":
        values["new_group"] = contract.groups[-1]["id"]
    return values


@pytest.mark.parametrize("slug", ["lumen", "auxilia", "nordhafen"])
def test_every_supported_event_yields_an_adjusted_policy(app, make_user, mailbox, slug):
    with app.app_context():
        case, staff_user, contract, people = insured_staff(app, make_user, slug, len(ALL_TYPES))
    live = case["live"]
    supported = [e["type"] for e in live.doc["business_events"]]
    employer, office = app.test_client(), app.test_client()
    log_in(employer, case["employer_user"])
    log_in(office, staff_user)
    base = f"/m/{slug}/contracts/{contract.id}/employees"
    for event_type, person in zip(ALL_TYPES, people):
        url = f"{base}/{person.id}/events/{event_type}"
        if event_type not in supported:
            assert employer.get(url).status_code == 404
            assert event_type not in employer.get(f"{base}/{person.id}").get_data(as_text=True)
            continue
        filed = post(employer, url, event_values(live, event_type, contract))
        assert filed.status_code == 302, (event_type, re.findall(r'flash-error">([^<]+)', filed.get_data(as_text=True)))
        inbox = office.get(f"/m/{slug}/office/").get_data(as_text=True)
        event_id = re.search(rf"/m/{slug}/office/events/(\d+)", inbox).group(1)
        mailbox.clear()
        assert post(office, f"/m/{slug}/office/events/{event_id}", {"decision": "accept"}).status_code == 302
        assert mailbox.to(case["client"].contact_email), event_type
        with app.app_context():
            versions = list(Policy.select().where(Policy.employee == person.id).order_by(Policy.version))
            now = Employee.get_by_id(person.id)
        assert [p.version for p in versions] == [1, 2] and versions[0].status == "replaced", event_type
        latest = versions[-1]
        if event_type in ("leaving", "death"):
            # cover runs to the end of the month: the person leaves the contract on the 1st after it
            assert latest.status == "ended" and latest.end_date is not None
            assert now.state == "accepted"  # policy issued, cover begins with the contract (not yet insured)
            with app.app_context():
                assert cover.state_on(now, latest.end_date + datetime.timedelta(days=1)) is None
        elif event_type == "parental_leave":
            assert latest.premium in ("0.00", "0")
            with app.app_context():
                assert cover.state_on(now, clock.today()).cover in ("suspended", "premium_free")
        elif event_type == "address_change":
            assert now.street != person.street
        elif event_type == "name_change":
            assert (now.last_name, now.first_name) != (person.last_name, person.first_name)
        elif event_type == "tariff_group_change":
            assert latest.tariff_group == contract.groups[-1]["id"] == now.tariff_group
