"""Two people firing the same transition at once: exactly one wins, the others get a clear answer,
nothing is half-written. Real parallel requests against a running server, 50 at a time."""
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

from engine.models import Application, AuditEntry, Enrolment, Policy
from tests.conftest import csrf_from, log_in
from tests.journey import staffed_case, submitted_application

PARALLEL = 50


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def session_of(app, user, page):
    """A logged-in session cookie and a CSRF token for it, to replay from many threads."""
    client = app.test_client()
    log_in(client, user)
    token = csrf_from(client.get(page))
    return client.get_cookie("session", domain="bkv.test").value, token


def post_at_once(live_server, posts):
    """Send every (url, session cookie, form data) at the same moment from its own thread; the answers' codes."""
    start, codes = threading.Barrier(len(posts)), []

    def post(url, cookie, data):
        request = urllib.request.Request(live_server + url, data=urllib.parse.urlencode(data, doseq=True).encode(),
                                         method="POST", headers={"Cookie": f"session={cookie}", "Host": "bkv.test"})
        start.wait()
        try:
            codes.append(urllib.request.build_opener(NoRedirect).open(request, timeout=30).status)
        except urllib.error.HTTPError as error:
            codes.append(error.code)

    threads = [threading.Thread(target=post, args=one) for one in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def test_fifty_simultaneous_releases_change_the_state_once(app, live_server):
    with app.app_context():
        case = submitted_application("auxilia", tag="race")
    url = f"/m/auxilia/applications/{case['application'].id}"
    cookie, token = session_of(app, case["employer_user"], url)
    codes = post_at_once(live_server, [(url, cookie, {"decision": "release", "csrf_token": token})] * PARALLEL)
    assert codes == [302] * PARALLEL
    with app.app_context():
        assert Application.get_by_id(case["application"].id).state == "released"
        releases = AuditEntry.select().where((AuditEntry.action == "application.release")
                                             & (AuditEntry.object_id == str(case["application"].id))).count()
    assert releases == 1


def test_twenty_simultaneous_enrolments_of_one_employee_make_one(app, live_server, make_user):
    """The review's race: 20 parallel "enrol" clicks gave two enrolments and two policies."""
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        case = staffed_case("lumen", staff, tag="enrol-race")
    contract, person = case["contract"], case["employee"]
    page = f"/m/lumen/contracts/{contract.id}"
    cookie, token = session_of(app, case["employer_user"], page)
    codes = post_at_once(live_server, [(f"{page}/enrol", cookie, {"employee": person.id, "csrf_token": token})] * 20)
    assert codes == [302] * 20
    with app.app_context():
        assert Enrolment.select().where(Enrolment.employee == person.id).count() == 1
        assert Policy.select().where(Policy.employee == person.id).count() == 0
        assert AuditEntry.select().where(AuditEntry.action == "enrolment.sent").count() == 1


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_editing_the_application_at_once_keeps_one_version_and_tells_the_other(app):
    with app.app_context():
        case = submitted_application("lumen", tag="edit")
        Application.update(state="draft").where(Application.id == case["application"].id).execute()
    broker, employer = app.test_client(), app.test_client()
    log_in(broker, case["broker"])
    log_in(employer, case["employer_user"])
    url = f"/applications/{case['application'].id}"
    pages = [c.get(url).get_data(as_text=True) for c in (broker, employer)]
    lock = re.search(r'name="lock_version" value="(\d+)"', pages[0]).group(1)
    first = broker.post(url, data={"contact_phone": "030 1111", "lock_version": lock,
                                   "csrf_token": csrf_from(broker.get(url))})
    assert first.status_code == 302
    second = employer.post(url, data={"contact_phone": "040 2222", "lock_version": lock,
                                      "csrf_token": csrf_from(employer.get(url))})
    assert "inzwischen von jemand anderem geändert" in second.get_data(as_text=True)
    assert 'value="040 2222"' in second.get_data(as_text=True)  # the loser's input is still there
    with app.app_context():
        assert Application.get_by_id(case["application"].id).data["contact_phone"] == "030 1111"


def test_saving_the_application_unchanged_stores_nothing_and_spoils_no_one_elses_edit(app):
    from engine import applications, audit, registry
    with app.app_context():
        case = submitted_application("lumen", tag="same")
        application = Application.get_by_id(case["application"].id)
        Application.update(state="draft").where(Application.id == application.id).execute()
        application = Application.get_by_id(application.id)
        entries = len(audit.history("application", application.id))
        raw = {key: str(value) for key, value in application.data.items() if isinstance(value, (str, int))}
        saved, errors = applications.save(case["broker"], application, raw, registry.get("lumen"),
                                           application.lock_version)
        assert not errors and saved.lock_version == application.lock_version  # the employer's open form stays valid
        assert len(audit.history("application", application.id)) == entries


def test_the_insurer_accepting_while_the_employer_withdraws_ends_one_way(app, live_server, make_user):
    from engine import contracts
    from engine.models import GroupContract
    with app.app_context():
        case = submitted_application("auxilia", tag="tug")
        contracts.release(case["employer_user"], case["application"])
    staff = make_user("insurer", tenant="auxilia")
    app_id = case["application"].id
    employer_url, office_url = f"/m/auxilia/applications/{app_id}", f"/m/auxilia/office/applications/{app_id}"
    employer_cookie, employer_token = session_of(app, case["employer_user"], employer_url)
    office_cookie, office_token = session_of(app, staff, office_url)
    jobs = [(employer_url, employer_cookie, {"decision": "withdraw", "csrf_token": employer_token})] * (PARALLEL // 2)
    jobs += [(office_url, office_cookie, {"decision": "accept", "policy_number": "GV-TUG",
                                          "csrf_token": office_token})] * (PARALLEL - PARALLEL // 2)
    codes = post_at_once(live_server, jobs)
    assert codes == [302] * PARALLEL  # every click answered with the page and a message, never a 500
    with app.app_context():
        state = Application.get_by_id(app_id).state
        contract_count = GroupContract.select().where(GroupContract.application == app_id).count()
        decided = AuditEntry.select().where((AuditEntry.object_id == str(app_id)) & (
            AuditEntry.action.in_(("application.accept", "application.withdraw")))).count()
    assert (state, contract_count) in (("accepted", 1), ("withdrawn", 0))
    assert decided == 1


def open_both(app, tag):
    """Broker and employer each with the draft application open in a browser."""
    from tests.formfill import shown_values
    with app.app_context():
        case = submitted_application("lumen", tag=tag)
        Application.update(state="draft").where(Application.id == case["application"].id).execute()
    broker, employer = app.test_client(), app.test_client()
    log_in(broker, case["broker"])
    log_in(employer, case["employer_user"])
    url = f"/applications/{case['application'].id}"
    forms = [shown_values(c.get(url).get_data(as_text=True), containing="lock_version") for c in (broker, employer)]
    return case, url, (broker, forms[0]), (employer, forms[1])


def test_a_stale_form_merges_fields_the_other_did_not_touch(app):
    """The review's data loss: after "someone else was faster", a plain second save overwrote the
    other party's newer phone number. Now the second save keeps it and says so."""
    case, url, (broker, broker_form), (employer, employer_form) = open_both(app, "merge")
    assert employer.post(url, data={**employer_form, "contact_phone": "040 2222"}).status_code == 302
    saved = broker.post(url, data={**broker_form, "contact_name": "Clara Chefin-Neu"}, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "Inzwischen von anderer Seite geändert und übernommen" in page and "Telefon" in page
    with app.app_context():
        data = Application.get_by_id(case["application"].id).data
    assert (data["contact_phone"], data["contact_name"]) == ("040 2222", "Clara Chefin-Neu")


def test_both_changing_one_field_overwrite_nothing_and_show_the_other_value(app):
    from tests.formfill import shown_values
    case, url, (broker, broker_form), (employer, employer_form) = open_both(app, "clash")
    assert employer.post(url, data={**employer_form, "contact_phone": "040 2222"}).status_code == 302
    answer = broker.post(url, data={**broker_form, "contact_phone": "030 1111", "contact_name": "Neu"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "dieselben Felder geändert" in page
    assert "Inzwischen geändert zu: 040 2222" in page and 'value="030 1111"' in page  # theirs named, mine kept
    with app.app_context():
        assert Application.get_by_id(case["application"].id).data["contact_phone"] == "040 2222"
    # saving the page as shown is now a decision with both values in view; it takes the broker's entries
    assert broker.post(url, data=shown_values(page, containing="lock_version")).status_code == 302
    with app.app_context():
        data = Application.get_by_id(case["application"].id).data
    assert (data["contact_phone"], data["contact_name"]) == ("030 1111", "Neu")
