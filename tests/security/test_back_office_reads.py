"""The back office opens only the documents of cases its insurer processes (the group policy, the
individual policies), never an employer's raw upload or a broker's consultation record, and every
read of personal data by staff leaves an audit entry."""
from engine import apikeys, consultations, employees, enrolments
from engine.models import AuditEntry, Consultation, Employee, ImportBatch, Offer, Policy
from tests.conftest import log_in
from tests.journey import insured_case_with_event, staffed_case


def entries(app, action):
    with app.app_context():
        return list(AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id))


def test_staff_cannot_open_uploads_or_consultation_records_by_id(app, make_user):
    with app.app_context():
        staff = make_user("insurer", tenant="lumen")
        case = staffed_case("lumen", staff, tag="docs")
        upload = ImportBatch.get(ImportBatch.contract == case["contract"].id).document_id
        live = case["live"]
        consultation = consultations.start(case["broker"], case["client"], live, [live.doc["tariffs"][0]["id"]],
                                           [live.doc["content_modules"][0]["id"]])
        consultations.complete(case["broker"], consultation, "Empfehlung")
        record = Consultation.get_by_id(consultation.id).document_id
        offer_pdf = Offer.get_by_id(case["offer"].id).document_id
        group_policy = case["contract"].document_id
    client = app.test_client()
    log_in(client, staff)
    for document_id in (upload, record, offer_pdf):
        assert document_id is not None
        assert client.get(f"/m/lumen/office/documents/{document_id}").status_code == 404
    assert entries(app, "document.read") == [] and entries(app, "employee.read") == []

    response = client.get(f"/m/lumen/office/documents/{group_policy}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    [read] = entries(app, "document.read")
    assert (read.actor_id, read.object_id, read.employer_id) == (staff.id, str(group_policy), case["client"].id)

    other = app.test_client()
    log_in(other, make_user("insurer", tenant="auxilia"))
    assert other.get(f"/m/auxilia/office/documents/{group_policy}").status_code == 404


def test_every_read_of_an_employees_data_by_staff_is_audited(app, make_user):
    with app.app_context():
        staff = make_user("insurer", tenant="lumen")
        case = insured_case_with_event("lumen", staff, tag="reads")
        person = case["employee"].id
        policy = Policy.get(Policy.employee == person)
        second = employees.save_by_hand(case["employer_user"], case["contract"],
                                        {**employees.values_of(Employee.get_by_id(person)), "personnel_number": "7002"})
        [waiting], _ = enrolments.send(case["employer_user"], case["contract"], [second.id])
    client = app.test_client()
    log_in(client, staff)
    assert client.get(f"/m/lumen/office/documents/{policy.document_id}").status_code == 200
    assert client.get(f"/m/lumen/office/enrolments/{waiting.id}").status_code == 200
    assert client.get(f"/m/lumen/office/events/{case['event'].id}").status_code == 200
    reads = entries(app, "employee.read")
    assert [(r.actor_id, r.object_id) for r in reads] == [(staff.id, str(person)), (staff.id, str(second.id)),
                                                          (staff.id, str(person))]
    assert reads[0].after["object"] == "policy" and reads[0].after["document"] == policy.document_id


def test_the_api_opens_policies_through_the_same_audited_door(app, make_user):
    with app.app_context():
        staff = make_user("insurer", tenant="lumen")
        case = insured_case_with_event("lumen", staff, tag="api")
        policy = Policy.get(Policy.employee == case["employee"].id)
        _, key = apikeys.create("lumen", "Bestand", staff)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    for path in (f"/api/v1/contracts/{case['contract'].id}/pdf", f"/api/v1/policies/{policy.id}/pdf"):
        assert client.get(path, headers=headers).data.startswith(b"%PDF")
    [group_policy] = entries(app, "document.read")
    [person] = entries(app, "employee.read")
    assert group_policy.object_id == str(case["contract"].document_id) and group_policy.after["via"] == "api"
    assert person.object_id == str(case["employee"].id) and person.after["object"] == "policy"
    assert person.after["api_key_name"] == "Bestand" and person.actor_id == staff.id
