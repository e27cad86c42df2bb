"""An insurer's system that knows only the OpenAPI document and its key processes an application
end to end: list the new applications, read one, accept it with a policy number and a PDF."""
import base64
import uuid

from tests.journey import released_application


def operation(document, operation_id):
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            if op.get("operationId") == operation_id:
                return method.upper(), document["servers"][0]["url"].rstrip("/") + path if document.get("servers") \
                    else "/api/v1" + path, op
    raise AssertionError(f"{operation_id} is not documented")


def resolve(document, ref_or_schema):
    ref = ref_or_schema.get("$ref")
    if not ref:
        return ref_or_schema
    node = document
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def test_an_application_processed_with_nothing_but_the_document_and_a_key(app, api_key):
    with app.app_context():
        case = released_application("auxilia", tag="doc")
    plaintext, _, _ = api_key("auxilia")
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    scheme = next(iter(document["components"]["securitySchemes"].values()))
    assert scheme["scheme"] == "bearer"
    auth = {"Authorization": f"Bearer {plaintext}"}

    method, url, _ = operation(document, "api.applications")
    listing = client.open(url, method=method, headers=auth).get_json()
    [item] = [i for i in listing["items"] if i["id"] == case["application"].id]

    method, url, _ = operation(document, "api.application")
    detail = client.open(url.replace("{application_id}", str(item["id"])), method=method, headers=auth)
    assert detail.status_code == 200

    method, url, op = operation(document, "api.accept_application")
    idempotency = resolve(document, next(p for p in op["parameters"] if "$ref" in p))
    body_schema = resolve(document, op["requestBody"]["content"]["application/json"]["schema"])
    body = {"policy_number": "GV-DOC-1"}
    assert set(body_schema["required"]) <= set(body)
    if "policy_pdf" in body_schema["properties"]:
        body["policy_pdf"] = base64.b64encode(b"%PDF-1.4\n% test policy\n%%EOF\n").decode()
    answer = client.open(url.replace("{application_id}", str(item["id"])), method=method, json=body,
                         headers={**auth, idempotency["name"]: uuid.uuid4().hex})
    assert answer.status_code == 200, answer.get_json()
    contract = answer.get_json()
    assert contract["policy_number"] == "GV-DOC-1"
    pdf_url = contract["pdf_url"]
    assert client.get(pdf_url, headers=auth).data.startswith(b"%PDF")
