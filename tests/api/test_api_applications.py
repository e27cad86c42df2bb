"""An insurer's system fetches released applications and decides them through /api/v1."""
import base64
import threading

import pytest

from engine import audit, documents
from engine.models import Application, AuditEntry, GroupContract, IdempotencyRecord
from tests.api.conftest import Api
from tests.journey import released_application
from tests.journey import submitted_application

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TENANTS = ["lumen", "auxilia", "nordhafen"]


@pytest.mark.parametrize("slug", TENANTS)
def test_a_released_application_is_listed_and_shown_with_company_offer_and_broker(app, api, slug):
    with app.app_context():
        case = released_application(slug)
    insurer = api(slug)
    listing = insurer.get("/applications")
    assert listing.status_code == 200
    [item] = listing.get_json()["items"]
    assert item["id"] == case["application"].id and item["state"] == "released"
    assert item["company_name"] == case["client"].company_name

    detail = insurer.get(f"/applications/{item['id']}").get_json()
    assert detail["company"]["name"] == case["client"].company_name
    assert detail["company"]["postal_code"] == "10115"
    assert detail["broker"]["email"] == case["broker"].email
    assert detail["broker"]["broker_number"] == case["live"].doc["broker_number"]["example"]
    assert detail["start_date"] == case["offer"].start_date.isoformat()
    offered = {g["id"] for g in case["offer"].groups}
    assert {g["id"] for g in detail["offer"]["groups"]} == offered
    group = detail["offer"]["groups"][0]
    figures = {f["group"]: f for f in case["offer"].figures["groups"]}[group["id"]]
    assert group["premium"] == str(figures["premium"]) and group["tariffs"][0]["premium"]
    assert group["name"]["de"] and detail["offer"]["monthly_total"] == str(case["offer"].figures["monthly_total"])
    assert detail["contract"] is None


def test_an_application_the_employer_has_not_released_is_unknown_to_the_insurer(app, api):
    with app.app_context():
        case = submitted_application("lumen")  # lumen needs the employer's release
    insurer = api("lumen")
    assert insurer.get("/applications").get_json()["items"] == []
    assert insurer.get(f"/applications/{case['application'].id}").status_code == 404
    assert insurer.post(f"/applications/{case['application'].id}/accept", {"policy_number": "X"}).status_code == 404


def test_a_key_sees_only_its_own_insurers_applications(app, api):
    with app.app_context():
        theirs = released_application("auxilia", tag="b")
    lumen = api("lumen")
    other_id = theirs["application"].id
    assert lumen.get("/applications").get_json()["items"] == []
    for state in ("released", "accepted", "rejected", "info_requested"):
        assert lumen.get(f"/applications?state={state}").get_json()["items"] == []
    response = lumen.get(f"/applications/{other_id}")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert lumen.post(f"/applications/{other_id}/accept", {"policy_number": "X"}).status_code == 404
    assert lumen.post(f"/applications/{other_id}/reject", {"comment": "nein"}).status_code == 404
    with app.app_context():
        assert Application.get_by_id(other_id).state == "released"
        assert not IdempotencyRecord.select().exists()


def test_accepting_with_a_pdf_stores_it_and_answers_with_the_group_contract(app, api, mailbox):
    with app.app_context():
        case = released_application("lumen")
    insurer = api("lumen")
    app_id = case["application"].id
    response = insurer.post(f"/applications/{app_id}/accept",
                            {"policy_number": "GV-API-1", "policy_pdf": base64.b64encode(PDF).decode()})
    assert response.status_code == 200, response.get_json()
    contract = response.get_json()
    assert contract["policy_number"] == "GV-API-1" and contract["application_id"] == app_id
    assert contract["start_date"] == case["offer"].start_date.isoformat()
    with app.app_context():
        row = GroupContract.get_by_id(contract["id"])
        assert documents.read(row.document) == PDF
        assert Application.get_by_id(app_id).state == "accepted"
        accepted = [e for e in audit.history("application", app_id) if e.action == "application.accept"]
        assert accepted[0].actor_id == insurer.staff.id  # the workflow records who answers for the key
    pdf = insurer.get(contract["pdf_url"].removeprefix("/api/v1"))
    assert pdf.status_code == 200 and pdf.data == PDF and pdf.mimetype == "application/pdf"
    assert mailbox.to(case["client"].contact_email)  # the employer gets the group policy as before
    assert insurer.get("/applications?state=accepted").get_json()["items"][0]["id"] == app_id
    assert insurer.get(f"/applications/{app_id}").get_json()["contract"]["id"] == contract["id"]


def test_without_a_pdf_the_platform_makes_the_group_policy(app, api):
    with app.app_context():
        case = released_application("nordhafen")
    insurer = api("nordhafen")
    contract = insurer.post(f"/applications/{case['application'].id}/accept", {"policy_number": "NH-1"}).get_json()
    assert insurer.get(contract["pdf_url"].removeprefix("/api/v1")).data.startswith(b"%PDF")


def test_bad_requests_are_answered_with_the_field_and_change_nothing(app, api):
    with app.app_context():
        case = released_application("lumen")
    insurer = api("lumen")
    url = f"/applications/{case['application'].id}/accept"

    no_key = insurer.post(url, {"policy_number": "GV-1"}, key=None)
    assert no_key.status_code == 400 and no_key.get_json()["error"]["field"] == "Idempotency-Key"
    not_json = insurer.client.post(f"/api/v1{url}", data="{policy", headers=insurer.headers("k-json"))
    assert not_json.status_code == 400 and not_json.get_json()["error"]["code"] == "bad_request"
    cases = [({}, "policy_number"), ({"policy_number": ""}, "policy_number"), ({"policy_number": 7}, "policy_number"),
             ({"policy_number": "GV-1", "colour": "blue"}, "colour"),
             ({"policy_number": "GV-1", "policy_pdf": "not base64!"}, "policy_pdf"),
             ({"policy_number": "GV-1", "policy_pdf": base64.b64encode(b"<html>").decode()}, "policy_pdf")]
    for body, field in cases:
        response = insurer.post(url, body)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["field"] == field, (body, response.get_json())
    reject = insurer.post(f"/applications/{case['application'].id}/reject", {"comment": "   "})
    assert reject.status_code == 422 and reject.get_json()["error"]["field"] == "comment"
    assert insurer.get("/applications?state=nonsense").status_code == 400
    assert insurer.get("/applications?limit=0").get_json()["error"]["field"] == "limit"
    with app.app_context():
        assert Application.get_by_id(case["application"].id).state == "released"
        assert not GroupContract.select().exists() and not IdempotencyRecord.select().exists()


def test_reject_and_request_info_reach_broker_and_employer(app, api, mailbox):
    with app.app_context():
        asked = released_application("lumen", tag="ask")
        refused = released_application("lumen", tag="no")
    insurer = api("lumen")
    answer = insurer.post(f"/applications/{asked['application'].id}/request-info", {"comment": "Bitte IBAN prüfen."})
    assert answer.status_code == 200 and answer.get_json()["state"] == "info_requested"
    answer = insurer.post(f"/applications/{refused['application'].id}/reject",
                          {"comment": "Branche nicht versicherbar."})
    assert answer.get_json()["state"] == "rejected"
    with app.app_context():
        assert Application.get_by_id(refused["application"].id).comment == "Branche nicht versicherbar."
    assert any("Branche nicht versicherbar." in m["body"] for m in mailbox.to(refused["broker"].email))
    # a decided application cannot be decided again
    again = insurer.post(f"/applications/{refused['application'].id}/reject", {"comment": "nochmal"})
    assert again.status_code == 409
    assert insurer.get(f"/applications/{refused['application'].id}").get_json()["state"] == "rejected"


def test_the_same_write_twice_changes_once_and_answers_the_same(app, api):
    with app.app_context():
        case = released_application("lumen")
    insurer = api("lumen")
    url, body = f"/applications/{case['application'].id}/accept", {"policy_number": "GV-7"}
    first = insurer.post(url, body, key="accept-7")
    second = insurer.post(url, dict(body), key="accept-7")
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert "Idempotent-Replayed" not in first.headers and second.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert GroupContract.select().count() == 1
        actions = [e.action for e in audit.history("application", case["application"].id)]
        assert actions.count("application.accept") == 1 and actions.count("api.write") == 1
        [write] = AuditEntry.select().where(AuditEntry.action == "api.write")
        assert write.after["api_key"] == insurer.api_key.id and write.after["api_key_name"] == "Bestandssystem"

    reused = insurer.post(url, {"policy_number": "GV-8"}, key="accept-7")
    assert reused.status_code == 422 and reused.get_json()["error"]["code"] == "idempotency_key_reused"
    # a new key for the same decision: the application is no longer open for it
    again = insurer.post(url, body, key="accept-7b")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    with app.app_context():
        assert GroupContract.select().count() == 1


def test_idempotency_keys_belong_to_one_api_key(app, api):
    with app.app_context():
        case = released_application("lumen")
    first, second = api("lumen"), api("lumen")
    url = f"/applications/{case['application'].id}/reject"
    assert first.post(url, {"comment": "Nein."}, key="same").status_code == 200
    conflict = second.post(url, {"comment": "Nein."}, key="same")  # not a replay of the other key's answer
    assert conflict.status_code == 409 and "Idempotent-Replayed" not in conflict.headers


def _race(app, plaintext, url, bodies_and_keys):
    """Send the writes at the same moment from separate threads and clients; returns the responses."""
    barrier = threading.Barrier(len(bodies_and_keys))
    results = [None] * len(bodies_and_keys)

    def run(index, body, key):
        client = Api(app.test_client(), plaintext)
        barrier.wait()
        response = client.post(url, body, key=key)
        results[index] = (response.status_code, response.get_json(), response.headers.get("Idempotent-Replayed"))

    threads = [threading.Thread(target=run, args=(i, b, k)) for i, (b, k) in enumerate(bodies_and_keys)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.parametrize("same_key", [True, False], ids=["same-idempotency-key", "different-keys"])
def test_two_identical_writes_at_once_make_one_contract(app, api, same_key):
    with app.app_context():
        case = released_application("lumen")
    insurer = api("lumen")
    url = f"/applications/{case['application'].id}/accept"
    body = {"policy_number": "GV-RACE"}
    results = _race(app, insurer.key, url, [(body, "race" if same_key else "race-1"),
                                            (body, "race" if same_key else "race-2")])
    codes = sorted(code for code, _, _ in results)
    winners = [r for r in results if r[0] == 200 and not r[2]]
    assert len(winners) == 1, results
    if same_key:  # the loser replays the winner's answer, or is told to look again
        assert codes in ([200, 200], [200, 409]), results
        replays = [r for r in results if r[2] == "true"]
        assert all(r[1] == winners[0][1] for r in replays)
    else:  # a second decision on the same application: refused
        assert codes == [200, 409], results
    with app.app_context():
        assert GroupContract.select().count() == 1
        assert [e.action for e in audit.history("application", case["application"].id)].count("application.accept") == 1
