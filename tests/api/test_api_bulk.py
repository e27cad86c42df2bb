"""An insurer's system accepts many enrolments in one call: each as its single accept, each result
reported, the employer mailed once; the lists take the back office's queue filters."""
from engine import enrolments
from tests.web.test_bulk_work import sent_enrolments


def test_the_api_accepts_many_and_reports_each(app, api, make_user, mailbox):
    with app.app_context():
        case, staff, contract, sent = sent_enrolments(make_user, "lumen", 4)
        enrolments.accept(staff, sent[0])
    client = api("lumen")
    mailbox.clear()
    answer = client.post("/enrolments/accept", {"ids": [e.id for e in sent] + [999999]})
    assert answer.status_code == 200, answer.get_json()
    results = {r["id"]: r for r in answer.get_json()["results"]}
    assert not results[sent[0].id]["accepted"] and results[sent[0].id]["name"] == "Vor1 Nach1"
    assert all(results[e.id]["accepted"] for e in sent[1:])
    assert not results[999999]["accepted"] and results[999999]["name"] == ""
    assert len(mailbox.to(case["client"].contact_email)) == 1
    listed = client.get(f"/enrolments?state=accepted&employer={contract.employer_id}&q=nach3").get_json()
    assert [i["id"] for i in listed["items"]] == [sent[2].id]
    assert "/enrolments/accept" in client.get("/openapi.json").get_json()["paths"]


def test_the_api_rejects_many_with_one_reason(app, api, make_user, mailbox):
    from engine.models import Enrolment
    with app.app_context():
        case, staff, contract, sent = sent_enrolments(make_user, "lumen", 3)
        enrolments.reject(staff, sent[0], "schon entschieden")
    client = api("lumen")
    assert client.post("/enrolments/reject", {"ids": [sent[1].id]}).status_code == 422  # the reason is required
    mailbox.clear()
    answer = client.post("/enrolments/reject", {"ids": [e.id for e in sent], "comment": "Adresse unvollständig"})
    assert answer.status_code == 200, answer.get_json()
    results = {r["id"]: r for r in answer.get_json()["results"]}
    assert not results[sent[0].id]["rejected"] and results[sent[0].id]["message"]
    assert results[sent[1].id]["rejected"] and results[sent[2].id]["rejected"]
    assert {Enrolment.get_by_id(e.id).reason for e in sent[1:]} == {"Adresse unvollständig"}
    assert len(mailbox.to(case["client"].contact_email)) == 1
    paths = client.get("/openapi.json").get_json()["paths"]
    assert "/enrolments/reject" in paths and "/events/reject" in paths
