"""Hostile input is a bad request (400), never a server error: a NUL character in a path, a search
box or a form field (PostgreSQL refuses to store or compare one), and JSON nested so deep that
parsing it exhausts the stack."""
import json

from engine import apikeys, contracts
from tests.conftest import csrf_from, log_in
from tests.journey import staffed_case


def test_nul_in_search_box_path_or_form_field_is_a_bad_request(app, make_user):
    with app.app_context():
        staff = make_user("insurer", tenant="lumen")
        case = staffed_case("lumen", staff, tag="nul")
    employer, broker = app.test_client(), app.test_client()
    log_in(employer, case["employer_user"])
    log_in(broker, case["broker"])
    contract = case["contract"].id
    assert employer.get(f"/m/lumen/contracts/{contract}?q=Lea").status_code == 200
    assert employer.get(f"/m/lumen/contracts/{contract}?q=Le%00a").status_code == 400
    assert broker.get("/advisor/clients?q=%00").status_code == 400
    assert broker.get("/m/lu%00men/office/").status_code == 400
    token = csrf_from(broker.get("/advisor/engines"))
    response = broker.post("/advisor/engines", data={"csrf_token": token, "tenant": "lumen\x00", "number": "1"})
    assert response.status_code == 400


def test_deeply_nested_or_nul_json_on_the_api_is_a_bad_request(app, make_user):
    with app.app_context():
        staff = make_user("insurer", tenant="lumen")
        case = staffed_case("lumen", staff, tag="deep")
        _, key = apikeys.create("lumen", "Bestand", staff)
        application = contracts.application_for_insurer("lumen", case["application"].id)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    url = f"/api/v1/applications/{application.id}/request-info"
    bodies = ["[" * 100_000 + "]" * 100_000,  # the parser's stack
              json.dumps({"comment": json.loads("[" * 40 + '"x"' + "]" * 40)}),  # the validator's
              json.dumps({"comment": "Frage\x00"})]
    for n, body in enumerate(bodies):
        response = client.post(url, data=body, headers={**headers, "Idempotency-Key": f"k{n}"})
        assert response.status_code == 400, (n, response.status_code, response.get_data(as_text=True)[:200])
        assert response.get_json()["error"]["code"] == "bad_request"
