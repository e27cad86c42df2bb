"""The OpenAPI document describes exactly the routes under /api/v1, and real answers match it."""
import base64
import json
import re

import jsonschema
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from engine import direct_debits, reconciliation, statements
from engine.models import Policy
from tests.journey import insured_case_with_event, released_application

UNDOCUMENTED = {"api.unknown"}  # the JSON 404/405 for paths the API does not have
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")  # public: a system may read it before it has a key
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def openapi_path(rule):
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.removeprefix("/api/v1"))


def test_every_api_route_is_documented_and_nothing_else(app, document):
    routes = {(openapi_path(rule.rule), method.lower()) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1") and rule.endpoint not in UNDOCUMENTED
              for method in rule.methods if method.lower() in METHODS}
    documented = {(path, method) for path, item in document["paths"].items() for method in item if method in METHODS}
    assert routes == documented
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": "/api/v1"}]


def test_the_document_is_consistent(document):
    """Without openapi-spec-validator: every schema is valid JSON Schema 2020-12, every $ref
    resolves, every write requires the Idempotency-Key, every route has a success and error answers."""
    resolver = Registry().with_resource("urn:bkv-openapi", DRAFT202012.create_resource(document)).resolver(
        base_uri="urn:bkv-openapi")
    for name, schema in document["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
    refs = re.findall(r'"\$ref": "([^"]+)"', json.dumps(document))
    for ref in set(refs):
        assert resolver.lookup(ref).contents, ref
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert any(code.startswith("2") for code in operation["responses"]), (path, method)
            params = [p.get("$ref") for p in operation.get("parameters", [])]
            if method == "post":
                assert "#/components/parameters/IdempotencyKey" in params, path
                assert {"400", "401", "409", "422"} <= set(operation["responses"]), path
                [(media, body)] = operation["requestBody"]["content"].items()  # JSON, or a file upload
                assert media in ("application/json", "multipart/form-data") and body["schema"]["$ref"]
            if "{" in path:
                assert "404" in operation["responses"], path
            if path != "/openapi.json":
                assert "401" in operation["responses"] and "security" not in operation, path
    assert document["paths"]["/openapi.json"]["get"]["security"] == []


def statements_issued(contract):
    """The contract's first month's statement, issued (the test day is before its start)."""
    return statements.issue(contract, contract.start_date)[0]


def validator(document, schema):
    """A jsonschema validator for a schema of the document, with its $refs resolving inside it."""
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]},
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def check(document, path, method, response):
    operation = document["paths"][path][method]
    spec = operation["responses"][str(response.status_code)]
    if "$ref" in spec:
        spec = document["components"]["responses"][spec["$ref"].rsplit("/", 1)[1]]
    schema = spec["content"]["application/json"]["schema"]
    errors = list(validator(document, schema).iter_errors(response.get_json()))
    assert errors == [], f"{method.upper()} {path} -> {response.status_code}: {errors[0].message}"


def test_real_answers_match_the_documented_schemas(app, api, document):
    insurer = api("lumen")
    with app.app_context():
        case = insured_case_with_event("lumen", insurer.staff)
        open_case = released_application("lumen", tag="open")
        policy = Policy.get(Policy.employee == case["employee"].id)
        statement = statements_issued(case["contract"])
        collection, _ = direct_debits.run("lumen", statement.month)
        reconciled = reconciliation.reconcile(insurer.staff, case["contract"], statement.month, "own.csv",
                                              statements.as_csv(statement), "insurer")
    ids = {"application_id": case["application"].id, "enrolment_id": case["enrolment"].id,
           "event_id": case["event"].id, "policy_id": policy.id, "contract_id": case["contract"].id,
           "statement_id": statement.id, "collection_id": collection.id,
           "reconciliation_id": reconciled.id}
    seen = set()
    for path, item in document["paths"].items():
        if "get" not in item:
            continue
        response = insurer.get(path.format(**ids))
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
        content = item["get"]["responses"]["200"]["content"]
        if "application/pdf" in content:
            assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
        elif "application/xml" in content:
            assert response.mimetype == "application/xml" and b"pain.008.001.08" in response.data
        elif path != "/openapi.json":
            check(document, path, "get", response)
        seen.add(path)
    assert {"/applications", "/applications/{application_id}", "/enrolments", "/enrolments/{enrolment_id}",
            "/events", "/events/{event_id}"} <= seen
    for state in ("accepted",):
        check(document, "/applications", "get", insurer.get(f"/applications?state={state}"))
        check(document, "/enrolments", "get", insurer.get(f"/enrolments?state={state}"))
    check(document, "/applications", "get", insurer.get("/applications?limit=1"))

    # the answers of writes and of errors as well
    pdf = base64.b64encode(b"%PDF-1.4 test").decode()
    accepted = insurer.post(f"/applications/{open_case['application'].id}/accept",
                            {"policy_number": "GV-DOC", "policy_pdf": pdf})
    check(document, "/applications/{application_id}/accept", "post", accepted)
    check(document, "/applications/{application_id}", "get",
          insurer.get(f"/applications/{open_case['application'].id}"))
    check(document, "/events/{event_id}/accept", "post", insurer.post(f"/events/{case['event'].id}/accept"))
    check(document, "/events/{event_id}", "get", insurer.get(f"/events/{case['event'].id}"))
    check(document, "/events/{event_id}/accept", "post", insurer.post(f"/events/{case['event'].id}/accept"))  # 409
    check(document, "/applications/{application_id}/reject", "post",
          insurer.post(f"/applications/{open_case['application'].id}/reject", {}))  # 422
    check(document, "/applications/{application_id}/reject", "post",
          insurer.post(f"/applications/{open_case['application'].id}/reject", {"comment": "x"}, key=None))  # 400
    check(document, "/applications/{application_id}", "get", insurer.get("/applications/999999"))  # 404
    check(document, "/applications", "get", app.test_client().get("/api/v1/applications"))  # 401
