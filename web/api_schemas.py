"""JSON Schemas (draft 2020-12) of the API's bodies and parameters, and the OpenAPI document made of them.

The views validate requests with these very schemas and `openapi()` publishes them, so the
document cannot drift from what the code accepts and answers.
"""
import re

from engine import applications, clients, employee_record, idempotency, workflow

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties, required=None, **extra):
    """A closed object: every listed property is required unless `required` says otherwise."""
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required, "additionalProperties": False, **extra}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
ID = {"type": "integer", "minimum": 1}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
MONEY = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "Amount in EUR as a decimal string."}
TEXT = {"type": "object", "properties": {"de": STRING, "en": STRING}, "required": ["de"],
        "additionalProperties": STRING, "description": "A text in German and, where given, English."}
PDF_BASE64 = {"type": "string", "contentEncoding": "base64", "contentMediaType": "application/pdf",
              "maxLength": 10 * 1024 * 1024,
              "description": "The PDF file, base64-encoded. A request may have 10 MB, so the PDF about 7.5 MB."}
URL = {"type": "string", "description": "Path of the PDF under this API (GET it with the same key)."}


FIELD_TYPES = {"integer": INTEGER, "checkbox": BOOLEAN, "multiselect": {"type": "array", "items": STRING}}


def field_schema(field):
    """The schema of one catalogue field's value in the API: dates as dates (null when a field that is not
    required is empty), whole numbers as integers, a checkbox as a boolean, the rest as text."""
    if field.type == "date":
        return DATE if field.required else nullable(DATE)
    return FIELD_TYPES.get(field.type, STRING)


def record(fields, **after):
    """The schema of a record with the catalogue fields the API shows (under their API names), then `after`."""
    return obj({"id": ID, **{f.api: field_schema(f) for f in fields if f.api}, **after})


def filled(fields, description):
    """The schema of a form's data as filled in: the catalogue fields the API shows, when filled; more may come."""
    return {"type": "object", "properties": {f.api: field_schema(f) for f in fields if f.api},
            "description": description}


ERROR_CODES = ["bad_request", "unauthorized", "forbidden", "not_found", "method_not_allowed", "conflict",
               "invalid", "idempotency_key_reused", "too_large", "internal_error"]

# Components: response bodies first, then request bodies (REQUESTS names those).
SCHEMAS = {
    "Error": obj({"error": obj({"code": {"type": "string", "enum": ERROR_CODES}, "message": STRING,
                                "field": {"type": "string", "description": "The request field it concerns."}},
                               required=["code", "message"])}),
    "Company": record(clients.CATALOGUE),
    "Broker": obj({"name": STRING, "email": STRING, "broker_number": nullable(STRING)}),
    "TariffPremium": obj({"id": STRING, "name": TEXT, "premium": MONEY}),
    "OfferGroup": obj({"id": STRING, "name": TEXT, "tariffs": {"type": "array", "items": ref("TariffPremium")},
                       "employer_share": {**MONEY, "description": "Employer's share of the premium in percent."},
                       "headcount": INTEGER, "average_age": INTEGER,
                       "premium": {**MONEY, "description": "Premium per person and month."},
                       "employer": {**MONEY, "description": "Employer's part per person and month."},
                       "employee": {**MONEY, "description": "Employee's part per person and month."},
                       "monthly_total": MONEY}),
    "Offer": obj({"id": ID, "revision": INTEGER, "start_date": DATE, "insured": INTEGER,
                  "groups": {"type": "array", "items": ref("OfferGroup")}, "monthly_total": MONEY,
                  "yearly_total": MONEY, "employer_monthly_total": MONEY, "employer_yearly_total": MONEY}),
    "Contract": obj({"id": ID, "application_id": ID, "policy_number": STRING, "start_date": DATE,
                     "pdf_url": nullable(URL)}),
    "ApplicationSummary": obj({"id": ID, "state": STRING, "company_name": STRING, "start_date": DATE,
                               "submitted_at": nullable(DATETIME)}),
    "Application": obj({"id": ID, "state": STRING, "start_date": DATE, "submitted_at": nullable(DATETIME),
                        "company": ref("Company"), "broker": ref("Broker"), "offer": ref("Offer"),
                        "data": filled(applications.CATALOGUE, "The application form as filled in: the "
                                       "platform's fields below and the insurer's own (which may replace one)."),
                        "comment": nullable(STRING), "contract": nullable(ref("Contract"))}),
    "ApplicationList": obj({"items": {"type": "array", "items": ref("ApplicationSummary")},
                            "next_after": nullable(ID)}),
    "Employee": record(employee_record.CATALOGUE, state=STRING),
    "Tariff": obj({"id": STRING, "name": TEXT}),
    "ContractRef": obj({"id": ID, "policy_number": STRING, "company_name": STRING}),
    "Policy": obj({"id": ID, "number": STRING, "version": INTEGER, "status": STRING, "start_date": DATE,
                   "end_date": nullable(DATE), "tariff_group": STRING,
                   "tariffs": {"type": "array", "items": STRING}, "premium": MONEY, "employee_id": ID,
                   "contract_id": ID, "enrolment_id": nullable(ID), "event_id": nullable(ID),
                   "pdf_url": {**URL, "description": "Its PDF, made on the first download if not yet; after the "
                                                    "person was anonymised the download is 404."}}),
    "EnrolmentSummary": obj({"id": ID, "state": STRING, "start_date": DATE, "created_at": DATETIME,
                             "contract": ref("ContractRef")}),
    "Enrolment": obj({"id": ID, "state": STRING, "start_date": DATE, "created_at": DATETIME,
                      "decided_at": nullable(DATETIME), "reason": nullable(STRING), "tariff_group": ref("Tariff"),
                      "tariffs": {"type": "array", "items": ref("Tariff")}, "premium": MONEY,
                      "employee": ref("Employee"), "contract": ref("ContractRef"), "policy": nullable(ref("Policy"))}),
    "EnrolmentList": obj({"items": {"type": "array", "items": ref("EnrolmentSummary")}, "next_after": nullable(ID)}),
    "EventSummary": obj({"id": ID, "type": STRING, "state": STRING, "created_at": DATETIME,
                         "contract": ref("ContractRef")}),
    "Event": obj({"id": ID, "type": STRING, "state": STRING,
                  "data": {"type": "object", "description": "The event's fields (see the event type's form)."},
                  "created_at": DATETIME, "decided_at": nullable(DATETIME), "reason": nullable(STRING),
                  "employee": ref("Employee"), "contract": ref("ContractRef"),
                  "policy": nullable({**ref("Policy"), "description": "The employee's current policy; after an "
                                      "accepted event the new version."})}),
    "EventDecision": obj({"event": ref("EventSummary"),
                          "policy": nullable({**ref("Policy"), "description": "The policy version the accepted "
                                              "event produced; null after a rejection."})}),
    "AcceptResult": obj({"id": ID, "name": {"type": "string", "description": "The employee's name; empty when "
                                                                           "the id was not found."},
                         "accepted": {"type": "boolean"}, "message": nullable(STRING)}),
    "AcceptResults": obj({"results": {"type": "array", "items": ref("AcceptResult")}}),
    "RejectResult": obj({"id": ID, "name": {"type": "string", "description": "The employee's name; empty when "
                                                                           "the id was not found."},
                         "rejected": {"type": "boolean"}, "message": nullable(STRING)}),
    "RejectResults": obj({"results": {"type": "array", "items": ref("RejectResult")}}),
    "EventList": obj({"items": {"type": "array", "items": ref("EventSummary")}, "next_after": nullable(ID)}),
    # request bodies
    "StatementSummary": obj({"id": ID, "number": STRING, "contract": ref("ContractRef"), "month": DATE,
                             "issued_at": DATETIME, "total": MONEY, "employer_total": MONEY,
                             "employee_total": MONEY, "pdf_url": nullable(URL)}),
    "StatementLine": obj({"position": INTEGER, "kind": {"type": "string",
                                                         "enum": ["regular", "addition", "removal", "correction"]},
                          "employee_id": nullable(ID),
                          "family_member_id": {**nullable(ID), "description": "Set on a family member's line; "
                                               "employee_id is then the employee who insures them."},
                          "role": {"type": "string", "enum": ["", "spouse", "child"],
                                   "description": "A family member's role; empty on the employee's own line."},
                          "person": STRING, "personnel_number": STRING, "for_month": DATE, "period_from": nullable(DATE), "period_to": nullable(DATE),
                          "cover": STRING, "tariff_group": STRING, "tariffs": {"type": "array", "items": STRING},
                          "payer": STRING, "amount": MONEY, "employer_amount": MONEY, "employee_amount": MONEY}),
    "Statement": obj({"id": ID, "number": STRING, "contract": ref("ContractRef"), "month": DATE,
                      "issued_at": DATETIME, "total": MONEY, "employer_total": MONEY, "employee_total": MONEY,
                      "pdf_url": nullable(URL), "lines": {"type": "array", "items": ref("StatementLine")}}),
    "StatementList": obj({"items": {"type": "array", "items": ref("StatementSummary")}, "next_after": nullable(ID)}),
    "CollectionSummary": obj({"id": ID, "collection_date": DATE, "message_id": STRING, "transactions": INTEGER,
                              "total": MONEY, "created_at": DATETIME,
                              "xml_url": {**nullable(STRING), "description": "Path of the pain.008 file under this "
                                          "API; null when the run debited nothing."}}),
    "CollectionItem": obj({"statement_id": ID, "statement_number": STRING, "contract_id": ID, "policy_number": STRING,
                           "debtor": {"type": "string", "description": "employer, or employee:<id> for an employee's "
                                      "own part from the employee's mandate"},
                           "debtor_name": {"type": "string", "description": "The employer's company or the "
                                           "employee's name."},
                           "holder": STRING, "iban": {"type": "string", "description": "Masked."},
                           "mandate_reference": STRING, "amount": MONEY,
                           "sequence": {"type": "string", "enum": ["FRST", "RCUR", ""],
                                        "description": "Empty when not debited (no mandate, or a credit)."},
                           "end_to_end_id": STRING,
                           "not_debited": {"type": "string", "enum": ["", "no_mandate", "nothing_due"],
                                           "description": "Why it was not debited: no_mandate (paid by transfer), "
                                                          "nothing_due (nil or a credit); empty when debited."}}),
    "Collection": obj({"id": ID, "collection_date": DATE, "message_id": STRING, "transactions": INTEGER,
                       "total": MONEY, "created_at": DATETIME, "xml_url": nullable(STRING),
                       "items": {"type": "array", "items": ref("CollectionItem")}}),
    "CollectionList": obj({"items": {"type": "array", "items": ref("CollectionSummary")}, "next_after": nullable(ID)}),
    "ReconciliationLine": obj({
        "status": {"type": "string", "enum": ["missing", "extra", "different"],
                   "description": "missing: billed by the platform, not in the file; extra: in the file, not billed "
                                  "(or nobody of the contract); different: both, amounts differ."},
        "employee_id": nullable(ID), "personnel_number": STRING,
        "person": STRING, "month": {**DATE, "description": "The month billed (earlier than the reconciled month for a "
                                             "statement's correction)."},
        "platform": nullable(MONEY), "file": nullable(MONEY),
        "difference": {**MONEY, "description": "file minus platform"},
        "rows": {"type": "array", "items": INTEGER, "description": "The file's rows of this person."},
        "reason": {"type": "object", "additionalProperties": False, "required": ["code"],
                   "description": "The ledger's reason for the platform's figure: the period in force (code "
                                  "enrolment, event with event_kind, age_step, resumption, ..., since, cover), or "
                                  "starts (since), ended (until), not_insured, unknown (no person of the contract).",
                   "properties": {"code": STRING, "event_kind": STRING, "cover": STRING, "since": DATE,
                                  "until": DATE}}}),
    "ReconciliationSummary": obj({
        "id": ID, "contract_id": ID, "month": DATE, "side": {"type": "string", "enum": ["employer", "insurer"]},
        "created_at": DATETIME,
        "source": {"type": "string", "enum": ["statement", "ledger"],
                   "description": "statement: compared with the issued statement; ledger: none was issued."},
        "statement": nullable(obj({"id": ID, "number": STRING})),
        "layout": {"type": "string", "enum": ["statement", "payroll", "generic"]},
        "basis": {"type": "string", "enum": ["total", "employer"],
                  "description": "total: the premium; employer: the file has only the employer's part."},
        "counts": obj({"same": INTEGER, "missing": INTEGER, "extra": INTEGER, "different": INTEGER}),
        "totals": obj({"platform": MONEY, "file": MONEY, "difference": MONEY}),
        "stated_total": {**nullable(MONEY), "description": "The total a Summe row of the file states."},
        "warnings": {"type": "array", "items": TEXT}}),
    "ReconciliationList": obj({"items": {"type": "array", "items": ref("ReconciliationSummary")}}),
    "AcceptApplication": obj({"policy_number": {"type": "string", "minLength": 1, "maxLength": 60},
                              "policy_pdf": PDF_BASE64}, required=["policy_number"]),
    "AcceptEnrolment": obj({"policy_number": {"type": "string", "maxLength": 60,
                                              "description": "Empty: derived from the group policy number."},
                            "policy_pdf": PDF_BASE64}, required=[]),
    "AcceptEvent": obj({}, required=[]),
    "AcceptMany": obj({"ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 500,
                               "description": "The ids to accept, each as its single accept would."}}),
    "Comment": obj({"comment": {"type": "string", "minLength": 1, "maxLength": 2000}}),
    "RejectMany": obj({"ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 500,
                               "description": "The ids to reject, each as its single reject would."},
                       "comment": {"type": "string", "minLength": 1, "maxLength": 2000,
                                   "description": "The one reason for all, as the employer reads it."}}),
    "ReconciliationUpload": obj({"month": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$",
                                           "description": "The month reconciled, YYYY-MM."},
                                 "file": {"type": "string", "contentMediaType": "application/octet-stream",
                                          "description": "The statement or payroll result, CSV or XLSX: "
                                                         "Personalnummer (or Name and Geburtsdatum), Betrag (or "
                                                         "Arbeitgeberanteil), optionally Monat; docs/contracts.md."}}),
}
SCHEMAS["Reconciliation"] = {**SCHEMAS["ReconciliationSummary"],
                             "properties": {**SCHEMAS["ReconciliationSummary"]["properties"],
                                            "lines": {"type": "array", "items": ref("ReconciliationLine")}},
                             "required": [*SCHEMAS["ReconciliationSummary"]["required"], "lines"]}


def states(workflow_name, hidden=()):
    return [s for s in workflow.get(workflow_name).states if s not in hidden]


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.KEY_MAX},
    "description": "Unique per intended change (e.g. a UUID). A repeat with the same key and request gets the first "
                   "answer again (header Idempotent-Replayed: true); the same key with a different request is "
                   "refused (422). Only successful answers are kept: after an error, retrying with the same key "
                   "runs the request again."}

LIMIT = {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}
AFTER = {"type": "integer", "minimum": 0, "default": 0,
         "description": "Only items with a greater id (pass the previous page's next_after)."}


QUEUE_FILTERS = {"employer": {"type": "integer", "minimum": 1, "description": "Only this employer's cases."},
                 "q": {"type": "string", "maxLength": 100,
                       "description": "Search in the employee's name, personnel number and the company name."}}


def list_query(workflow_name, default, hidden=()):
    """Query parameters of a list: state filter, employer and search (the back office's queue
    filters), page size, cursor."""
    return {"state": {"type": "string", "enum": states(workflow_name, hidden), "default": default},
            **QUEUE_FILTERS, "limit": LIMIT, "after": AFTER}


def openapi(operations, server_url="/api/v1"):
    """The OpenAPI 3.1 document of `operations` (see web.api.Operation)."""
    paths = {}
    for op in operations:
        path, parameters = _path(op.rule)
        parameters += [{"name": name, "in": "query", "required": False, "schema": schema}
                       for name, schema in op.query.items()]
        if op.write:
            parameters.append({"$ref": "#/components/parameters/IdempotencyKey"})
        operation = {"operationId": op.endpoint, "summary": op.summary, "tags": [op.tag],
                     "responses": {str(op.status): _success(op)}}
        if op.description:
            operation["description"] = op.description
        if parameters:
            operation["parameters"] = parameters
        if op.request:
            operation["requestBody"] = {"required": bool(SCHEMAS[op.request]["required"]),
                                        "content": {op.consumes: {"schema": ref(op.request)}}}
        if op.public:
            operation["security"] = []
        for code in op.errors:
            operation["responses"][str(code)] = {"$ref": f"#/components/responses/E{code}"}
        paths.setdefault(path, {})[op.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": DIALECT,
        "info": {"title": "bKV platform API for insurers", "version": "1.0.0",
                 "description": "Applications, enrolments and business events for an insurer's system. "
                                "Every write needs an Idempotency-Key header; see docs/api.md."},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "bkv_<prefix>_<secret>",
                                           "description": "An API key made in the back office (Integration)."}},
            "parameters": {"IdempotencyKey": IDEMPOTENCY_KEY},
            "responses": {f"E{code}": {"description": text, "content": {"application/json": {"schema": ref("Error")}}}
                          for code, text in ERROR_RESPONSES.items()},
        },
    }


ERROR_RESPONSES = {
    400: "Malformed request: not JSON, a bad query parameter or no Idempotency-Key header.",
    401: "No API key, an unknown or a revoked one.",
    403: "The key may not do this.",
    404: "No such object for this key's insurer.",
    409: "The object changed meanwhile (another decision came first).",
    422: "The body is invalid (see error.field), or the Idempotency-Key was used for another request.",
}


def _path(rule):
    """A Flask rule under /api/v1 as an OpenAPI path and its path parameters."""
    path = rule.removeprefix("/api/v1")
    parameters = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", path):
        parameters.append({"name": name, "in": "path", "required": True,
                           "schema": ID if converter == "int" else STRING})
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path), parameters


def _success(op):
    if op.produces != "application/json":  # a file: application/pdf, application/xml
        return {"description": op.summary,
                "content": {op.produces: {"schema": {"type": "string", "contentMediaType": op.produces}}}}
    content = {"application/json": {"schema": ref(op.response) if op.response else {"type": "object"}}}
    answer = {"description": op.summary, "content": content}
    if op.write:
        answer["headers"] = {"Idempotent-Replayed": {
            "description": "Present (true) when this is the stored answer to an earlier identical request.",
            "schema": {"type": "string", "enum": ["true"]}}}
    return answer
