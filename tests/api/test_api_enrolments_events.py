"""Enrolments and business events through /api/v1: personal data shown (and each read audited),
individual policies issued, events applied as new policy versions."""
import base64
import datetime

from engine import clock as platform_clock
from engine import cover
from engine.models import AuditEntry, BusinessEvent, Employee, Enrolment, Policy
from tests.journey import enrolled_case, insured_case_with_event

PDF = b"%PDF-1.7\n% individual policy\n%%EOF\n"


def reads_of(app, employee_id):
    with app.app_context():
        return list(AuditEntry.select().where((AuditEntry.action == "employee.read")
                                              & (AuditEntry.object_id == str(employee_id))))


def test_an_enrolment_shows_the_employees_data_and_each_read_is_audited(app, api):
    insurer = api("lumen")
    with app.app_context():
        case = enrolled_case("lumen", insurer.staff)
    listing = insurer.get("/enrolments").get_json()
    [item] = listing["items"]
    assert item["id"] == case["enrolment"].id and item["contract"]["policy_number"] == "GV-x"
    assert "employee" not in item  # lists carry no personal data; only the audited detail does
    assert reads_of(app, case["employee"].id) == []

    detail = insurer.get(f"/enrolments/{item['id']}").get_json()
    person = detail["employee"]
    assert (person["first_name"], person["last_name"], person["birth_date"]) == ("Lea", "Lang", "1980-01-01")
    assert (person["street"], person["postal_code"], person["city"]) == ("Weg 1", "10115", "Berlin")
    assert detail["tariff_group"]["id"] == case["employee"].tariff_group and detail["tariff_group"]["name"]["de"]
    assert [t["id"] for t in detail["tariffs"]] == case["enrolment"].tariffs
    assert detail["premium"] == case["enrolment"].premium
    assert detail["start_date"] == case["enrolment"].start_date.isoformat()
    assert detail["policy"] is None

    insurer.get(f"/enrolments/{item['id']}")
    reads = reads_of(app, case["employee"].id)
    assert len(reads) == 2
    assert reads[0].after["api_key"] == insurer.api_key.id and reads[0].after["object"] == "enrolment"
    assert reads[0].actor_id == insurer.staff.id and reads[0].tenant_id == "lumen"


def test_accepting_an_enrolment_issues_the_individual_policy_with_the_uploaded_pdf(app, api):
    insurer = api("auxilia")
    with app.app_context():
        case = enrolled_case("auxilia", insurer.staff)
    response = insurer.post(f"/enrolments/{case['enrolment'].id}/accept",
                            {"policy_number": "EP-1", "policy_pdf": base64.b64encode(PDF).decode()})
    assert response.status_code == 200, response.get_json()
    policy = response.get_json()
    assert policy["number"] == "EP-1" and policy["version"] == 1 and policy["status"] == "active"
    assert policy["enrolment_id"] == case["enrolment"].id and policy["premium"] == case["enrolment"].premium
    with app.app_context():
        assert Enrolment.get_by_id(case["enrolment"].id).state == "accepted"
        assert Employee.get_by_id(case["employee"].id).state == "accepted"  # insured once cover begins (01.01.)
    pdf = insurer.get(policy["pdf_url"].removeprefix("/api/v1"))
    assert pdf.data == PDF
    assert [r.after["object"] for r in reads_of(app, case["employee"].id)] == ["policy"]
    assert insurer.get("/enrolments").get_json()["items"] == []
    assert insurer.get("/enrolments?state=accepted").get_json()["items"][0]["id"] == case["enrolment"].id


def test_without_a_number_the_policy_number_comes_from_the_group_policy(app, api):
    insurer = api("nordhafen")
    with app.app_context():
        case = enrolled_case("nordhafen", insurer.staff)
    policy = insurer.post(f"/enrolments/{case['enrolment'].id}/accept", {}).get_json()
    assert policy["number"] == "GV-x-7001"
    assert insurer.get(policy["pdf_url"].removeprefix("/api/v1")).data.startswith(b"%PDF")


def test_rejecting_an_enrolment_needs_a_reason_and_reopens_the_employee(app, api):
    insurer = api("lumen")
    with app.app_context():
        case = enrolled_case("lumen", insurer.staff)
    url = f"/enrolments/{case['enrolment'].id}/reject"
    assert insurer.post(url, {}).get_json()["error"]["field"] == "comment"
    answer = insurer.post(url, {"comment": "Gesundheitsfragen fehlen."})
    assert answer.status_code == 200 and answer.get_json()["state"] == "rejected"
    with app.app_context():
        assert Employee.get_by_id(case["employee"].id).state == "new"
        assert Enrolment.get_by_id(case["enrolment"].id).reason == "Gesundheitsfragen fehlen."


def test_an_accepted_event_yields_a_new_policy_version(app, api, clock):
    insurer = api("lumen")
    with app.app_context():
        case = insured_case_with_event("lumen", insurer.staff)
    [item] = insurer.get("/events").get_json()["items"]
    assert item["id"] == case["event"].id and item["type"] == "address_change"
    detail = insurer.get(f"/events/{item['id']}").get_json()
    assert detail["data"]["street"] == "Neue Str. 5" and detail["employee"]["street"] == "Weg 1"
    assert detail["policy"]["version"] == 1
    assert [r.after["object"] for r in reads_of(app, case["employee"].id)] == ["business_event"]

    answer = insurer.post(f"/events/{item['id']}/accept")
    assert answer.status_code == 200, answer.get_json()
    decided = answer.get_json()
    assert decided["event"]["state"] == "accepted"
    assert decided["policy"]["version"] == 2 and decided["policy"]["event_id"] == item["id"]
    with app.app_context():
        versions = list(Policy.select().where(Policy.employee == case["employee"].id).order_by(Policy.version))
        assert [(p.version, p.status) for p in versions] == [(1, "replaced"), (2, "active")]
        # the move takes effect on its date (the contract's start here), not when the insurer decides
        effective = case["event"].data["effective_date"]
        assert Employee.get_by_id(case["employee"].id).street == ("Neue Str. 5" if effective <= str(
            platform_clock.today()) else "Weg 1")
        clock.move_to(datetime.datetime.fromisoformat(effective).replace(hour=9, tzinfo=platform_clock.ZONE))
        cover.apply_due()
        assert Employee.get_by_id(case["employee"].id).street == "Neue Str. 5"
    assert insurer.post(f"/events/{item['id']}/accept").status_code == 409  # decided already


def test_a_rejected_event_changes_no_policy(app, api):
    insurer = api("auxilia")
    with app.app_context():
        case = insured_case_with_event("auxilia", insurer.staff)
    answer = insurer.post(f"/events/{case['event'].id}/reject", {"comment": "Datum liegt vor Vertragsbeginn."})
    assert answer.get_json() == {"event": {**answer.get_json()["event"], "state": "rejected"}, "policy": None}
    with app.app_context():
        assert BusinessEvent.get_by_id(case["event"].id).reason == "Datum liegt vor Vertragsbeginn."
        assert Policy.select().where(Policy.employee == case["employee"].id).count() == 1


def test_another_insurers_enrolments_events_and_policies_are_unknown(app, api):
    owner = api("lumen")
    with app.app_context():
        case = insured_case_with_event("lumen", owner.staff)
        policy = Policy.get(Policy.employee == case["employee"].id)
    stranger = api("auxilia")
    assert stranger.get("/enrolments?state=accepted").get_json()["items"] == []
    assert stranger.get("/events").get_json()["items"] == []
    for path in (f"/enrolments/{case['enrolment'].id}", f"/events/{case['event'].id}", f"/policies/{policy.id}/pdf",
                 f"/contracts/{case['contract'].id}/pdf"):
        assert stranger.get(path).status_code == 404, path
    assert stranger.post(f"/events/{case['event'].id}/accept").status_code == 404
    assert stranger.post(f"/enrolments/{case['enrolment'].id}/reject", {"comment": "x"}).status_code == 404
    assert reads_of(app, case["employee"].id) == []
    with app.app_context():
        assert BusinessEvent.get_by_id(case["event"].id).state == "submitted"


def test_a_policy_has_its_pdf_url_before_the_job_made_the_pdf_and_the_download_makes_it(app, api, monkeypatch):
    from engine import documents
    monkeypatch.setattr(documents, "_later", None)  # the worker has not taken the job yet
    insurer = api("lumen")
    with app.app_context():
        case = enrolled_case("lumen", insurer.staff, tag="early")
    policy = insurer.post(f"/enrolments/{case['enrolment'].id}/accept", {}).get_json()
    with app.app_context():
        assert Policy.get_by_id(policy["id"]).document_id is None
    pdf = insurer.get(policy["pdf_url"].removeprefix("/api/v1"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert insurer.get(policy["pdf_url"].removeprefix("/api/v1")).data == pdf.data
    assert [r.after["object"] for r in reads_of(app, case["employee"].id)] == ["policy", "policy"]
