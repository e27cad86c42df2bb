"""The contract's term on the pages: the employer asks for another budget level and cancels on the
manager contract page, the broker sees and withdraws the level change on the client page, the insurer
sees the state and cancels in the back office; each route checks role, tenant and CSRF."""
import datetime

from engine import clock as platform_clock, cover, enrolments, events
from engine.models import Employee
from tests.conftest import csrf_from, log_in
from tests.journey import running_contract_with_sent_enrolments
from tests.tenant_versions import with_group_settings


def contract_case(make_user, tag):
    case, staff, contract, sent = running_contract_with_sent_enrolments(make_user, "nordhafen", 3, tag=tag)
    for enrolment in sent:
        enrolments.accept(staff, enrolment)
    return case, staff, contract


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def test_employer_and_broker_change_the_level_and_the_employer_cancels(app, make_user):
    with app.app_context():
        case, staff, contract = contract_case(make_user, "wt1")
        other = make_user("broker")
    page_url = f"/m/nordhafen/contracts/{contract.id}"
    employer = client_of(app, case["employer_user"])
    page = employer.get(page_url)
    assert page.status_code == 200
    assert "30.11.2027" in page.text and "31.10.2027" in page.text and "01.12.2027" in page.text  # end, deadline, anniversary
    form = {"group": "belegschaft", "level": "komfort", "effective": "2027-12-01"}
    assert employer.post(f"{page_url}/term/levels", data=form).status_code == 400                    # no CSRF token
    employer.post(f"{page_url}/term/levels", data={**form, "csrf_token": csrf_from(page)})
    page = employer.get(page_url)
    assert "01.12.2027: Nordhafen Budget Komfort" in page.text

    broker = client_of(app, case["broker"])
    client_page = broker.get(f"/advisor/clients/{case['client'].id}")
    assert "01.12.2027: Nordhafen Budget Komfort" in client_page.text
    stranger = client_of(app, other)
    assert stranger.post(f"/advisor/clients/{case['client'].id}/contracts/{contract.id}/term/levels/withdraw",
                         data={"group": "belegschaft", "effective": "2027-12-01",
                               "csrf_token": csrf_from(stranger.get("/advisor/clients"))}).status_code == 404
    broker.post(f"/advisor/clients/{case['client'].id}/contracts/{contract.id}/term/levels/withdraw",
                data={"group": "belegschaft", "effective": "2027-12-01", "csrf_token": csrf_from(client_page)})
    assert "01.12.2027: Nordhafen Budget Komfort" not in employer.get(page_url).text

    assert broker.post(f"{page_url}/term/cancel", data={"reason": "x", "csrf_token": csrf_from(client_page)}
                       ).status_code == 403                                                     # not the employer's
    page = employer.get(page_url)
    employer.post(f"{page_url}/term/cancel", data={"reason": "zu teuer", "end_date": "2027-11-30",
                                              "csrf_token": csrf_from(page)})
    page = employer.get(page_url)
    assert f"{page_url}/term/withdraw-cancellation" in page.text and f'action="{page_url}/term/cancel"' not in page.text
    assert "zu teuer" in page.text


def test_the_insurer_sees_the_state_and_cancels_in_the_back_office(app, make_user):
    with app.app_context():
        case, staff, contract = contract_case(make_user, "wt2")
        other_staff = make_user("insurer", tenant="lumen")
    url = f"/m/nordhafen/office/contracts/{contract.id}"
    office = client_of(app, staff)
    page = office.get(url)
    assert page.status_code == 200 and contract.policy_number in page.text and f'action="{url}/term/cancel"' in page.text
    office.post(f"{url}/term/cancel", data={"reason": "Bestand zu klein", "end_date": "2027-11-30",
                                       "csrf_token": csrf_from(page)})
    page = office.get(url)
    assert "Bestand zu klein" in page.text and f"{url}/term/withdraw-cancellation" in page.text
    employer_page = client_of(app, case["employer_user"]).get(f"/m/nordhafen/contracts/{contract.id}")
    assert "withdraw-cancellation" not in employer_page.text                 # only the insurer withdraws its notice
    # a portal offers only its own steps: the broker cannot give notice, the insurer asks for no levels
    assert office.post(f"{url}/term/levels", data={"csrf_token": csrf_from(page)}).status_code == 404
    lumen = client_of(app, other_staff)
    assert lumen.get(url).status_code == 403                                 # another insurer's back office
    assert lumen.get(f"/m/lumen/office/contracts/{contract.id}").status_code == 404


def test_employer_and_back_office_see_a_groups_shortfall_ahead_and_after(app, make_user, clock, tmp_path):
    """Nordhafen with a minimum of 4 for the group Belegschaft (3 for the contract): one of four leaves."""
    with app.app_context():
        with_group_settings(tmp_path, "nordhafen", "belegschaft", ["min_insured: 4"])
        case, staff, contract, sent = running_contract_with_sent_enrolments(make_user, "nordhafen", 4, tag="wt9")
        for enrolment in sent:
            enrolments.accept(staff, enrolment)
        person = Employee.select().where(Employee.contract == contract.id).order_by(Employee.id).first()
        event, _ = events.file(case["employer_user"], contract, person, "leaving",
                               {"leaving_date": datetime.date(2027, 1, 15)})
        events.accept(staff, event)
    page_url = f"/m/nordhafen/contracts/{contract.id}"
    employer = client_of(app, case["employer_user"])
    assert ("Ab 01.02.2027 wären in der Tarifgruppe Belegschaft nur noch 3 Personen versichert; sie verlangt "
            "mindestens 4.") in employer.get(page_url).text
    clock.move_to(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=platform_clock.ZONE))
    with app.app_context():
        cover.apply_due()
    office = client_of(app, staff)
    assert ("Seit 01.02.2027 sind in der Tarifgruppe Belegschaft nur 3 Personen versichert; sie verlangt "
            "mindestens 4.") in office.get(f"/m/nordhafen/office/contracts/{contract.id}").text
