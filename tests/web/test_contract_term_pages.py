"""The contract's term on the pages: the employer asks for another budget level and cancels on the
manager contract page, the broker sees and withdraws the level change on the client page, the insurer
sees the state and cancels in the back office; each route checks role, tenant and CSRF."""
from engine import enrolments
from tests.conftest import csrf_from, log_in
from tests.journey import running_contract_with_sent_enrolments


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
