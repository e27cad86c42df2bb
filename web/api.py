"""The JSON API for insurers' systems at /api/v1: applications, enrolments and business events.

Authenticated by `Authorization: Bearer <key>`; a key sees only its insurer's objects (anything
else is a 404). Every write needs an Idempotency-Key header. Each route is declared with
`operation(...)`, which also describes it for the OpenAPI document (web/api_schemas.py), so a
route cannot exist undocumented. Decisions go through the same engine functions as the back office.
"""
import base64
import binascii
import datetime
import functools
import hashlib
import json
import logging
from dataclasses import dataclass, field
from types import SimpleNamespace

import jsonschema
from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from engine import (apikeys, audit, brokers, clients, contracts, document_access, documents, enrolments, events,
                    idempotency, policies, registry, work_queue)
from engine import direct_debits, reconciliation, statements
from engine.applications import start_of
from engine.employee_record import CATALOGUE as EMPLOYEE_FIELDS
from engine.errors import Conflict, DomainError, Forbidden, NotFound
from web import api_schemas as schemas, downloads

logger = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
OPERATIONS = []  # every documented route, in declaration order
PUBLIC = {"api.openapi", "api.unknown"}


class ApiError(Exception):
    """An answer of the API layer itself (authentication, malformed request)."""

    def __init__(self, status, code, message, field=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.headers = status, code, message, field, headers or {}


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    tag: str
    response: str | None = None
    request: str | None = None
    query: dict = field(default_factory=dict)
    status: int = 200
    errors: tuple = ()
    write: bool = False
    public: bool = False
    produces: str = "application/json"
    description: str = ""
    consumes: str = "application/json"  # the request body's media type: JSON, or multipart/form-data (a file)


def operation(method, rule, summary, *, tag, response=None, request_body=None, query=None, public=False,
              produces="application/json", description="", consumes="application/json"):
    """Declare a route and its documentation at once.

    A GET view gets the validated query values as keyword arguments and returns a dict (or a
    Response). A write view gets the validated body and returns the answer's dict; it runs inside
    the idempotent transaction, together with its "api.write" audit entry."""
    def register(view):
        write = method != "GET"
        errors = () if public else (401, 403)
        errors += (400,) if (query or write) else ()
        errors += (404,) if "<" in rule else ()
        errors += (409, 422) if write else ()
        op = Operation(method=method, rule=rule, endpoint=f"{bp.name}.{view.__name__}", summary=summary, tag=tag,
                       response=response, request=request_body, query=query or {}, errors=tuple(sorted(errors)),
                       write=write, public=public, produces=produces, description=description, consumes=consumes)
        OPERATIONS.append(op)

        @functools.wraps(view)
        def handler(**kwargs):
            if write:
                return _write(op, view, kwargs)
            answer = view(**kwargs, **_query(op))
            return answer if isinstance(answer, Response) else jsonify(answer)
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=handler, methods=[method])
        return view
    return register


# --- authentication and errors ------------------------------------------------------------------

@bp.before_request
def _authenticate():
    g.portal = "api"
    if request.endpoint in PUBLIC:
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    key = apikeys.authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if key is None:
        raise ApiError(401, "unauthorized", "Kein gültiger API-Schlüssel (Authorization: Bearer <Schlüssel>).",
                       headers={"WWW-Authenticate": 'Bearer realm="bkv"'})
    if not apikeys.tenant_active(key):
        raise ApiError(403, "forbidden", "Dieser Versicherer ist auf der Plattform nicht aktiv.")
    g.api_key = key


def _error(status, code, message, field=None, headers=None):
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    response = jsonify({"error": body})
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.errorhandler(ApiError)
def _api_error(exc):
    return _error(exc.status, exc.code, exc.message, exc.field, exc.headers)


@bp.errorhandler(DomainError)
def _domain_error(exc):
    for kind, status, code in ((NotFound, 404, "not_found"), (Forbidden, 403, "forbidden"),
                               (Conflict, 409, "conflict"), (idempotency.KeyReused, 422, "idempotency_key_reused")):
        if isinstance(exc, kind):
            return _error(status, code, exc.message, exc.field)
    return _error(422, "invalid", exc.message, exc.field)


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              409: "conflict", 413: "too_large", 415: "bad_request", 422: "invalid", 429: "bad_request",
              500: "internal_error"}


def _http_error(exc):
    return _error(exc.code, HTTP_CODES.get(exc.code, "bad_request"), exc.description)


for _code in HTTP_CODES:  # code-specific, so the app's HTML error pages never answer under /api/v1
    bp.register_error_handler(_code, _http_error)


@bp.errorhandler(Exception)
def _unexpected(exc):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    logger.exception("API request %s %s failed", request.method, request.path)
    return _error(500, "internal_error", "Interner Fehler. Bitte später erneut versuchen.")


# --- request parsing ----------------------------------------------------------------------------

@functools.cache
def _validator(schema_name):
    # The components travel along so that "$ref": "#/components/schemas/..." resolves as in the document.
    return jsonschema.Draft202012Validator({**schemas.ref(schema_name), "components": {"schemas": schemas.SCHEMAS}})


def _field_of(error):
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = [p for p in error.validator_value if p not in error.instance]
        path += missing[:1]
    elif error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        path += [k for k in error.instance if k not in known][:1]
    return ".".join(path) or None


def _message_of(error):
    if error.validator == "required":
        return "Pflichtangabe fehlt."
    if error.validator == "additionalProperties":
        return "Unbekanntes Feld."
    if error.validator == "type":
        return f"Falscher Typ (erwartet: {error.validator_value})."
    if error.validator == "minLength":
        return "Darf nicht leer sein." if error.validator_value == 1 else f"Mindestens {error.validator_value} Zeichen."
    if error.validator == "maxLength":
        return f"Zu lang (höchstens {error.validator_value} Zeichen)."
    return f"Ungültiger Wert: {error.message}"


MAX_JSON_DEPTH = 32  # our bodies nest three deep; far deeper is an attack on the parser, not data


def _check_plain(payload):
    """400 for a body nested deeper than MAX_JSON_DEPTH or holding a NUL character (which no
    database stores), looked at without recursion."""
    stack = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ApiError(400, "bad_request", f"Der Rumpf ist tiefer als {MAX_JSON_DEPTH} Ebenen verschachtelt.")
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and "\x00" in value:
            raise ApiError(400, "bad_request", "Der Rumpf enthält ein NUL-Zeichen (\\u0000).")


def _body(op):
    if op.consumes == "multipart/form-data":
        return _multipart(op)
    raw = request.get_data(cache=True)
    if not raw.strip():
        payload = {}
    else:
        try:
            payload = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "bad_request", "Der Rumpf ist kein gültiges JSON.") from None
        except RecursionError:
            raise ApiError(400, "bad_request", f"Der Rumpf ist tiefer als {MAX_JSON_DEPTH} Ebenen verschachtelt.") \
                from None
        _check_plain(payload)
    if op.request:
        error = next(iter(sorted(_validator(op.request).iter_errors(payload), key=lambda e: list(e.absolute_path))),
                     None)
        if error is not None:
            raise ApiError(422, "invalid", _message_of(error), _field_of(error))
    return payload


def _multipart(op):
    """A multipart body: its fields, and each file as (filename, bytes); checked against the operation's schema,
    in which a file is its name (a string)."""
    if not request.mimetype == "multipart/form-data":
        raise ApiError(400, "bad_request", "Der Rumpf muss multipart/form-data sein (Datei und Felder).")
    files = {name: (upload.filename or "", upload.read()) for name, upload in request.files.items()}
    payload = {**request.form.to_dict(), **files}
    named = {name: value[0] if isinstance(value, tuple) else value for name, value in payload.items()}
    error = next(iter(sorted(_validator(op.request).iter_errors(named), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        raise ApiError(422, "invalid", _message_of(error), _field_of(error))
    return payload


def _fingerprinted(payload):
    """The payload as the idempotency fingerprint reads it: a file as its name and SHA-256."""
    return {name: {"filename": value[0], "sha256": hashlib.sha256(value[1]).hexdigest()}
            if isinstance(value, tuple) else value for name, value in payload.items()}


def _query(op):
    values = {}
    for name, schema in op.query.items():
        raw = request.args.get(name)
        if raw is None:
            values[name] = schema.get("default")
            continue
        value = raw
        if schema.get("type") == "integer":
            try:
                value = int(raw)
            except ValueError:
                raise ApiError(400, "bad_request", "Eine ganze Zahl wird erwartet.", field=name) from None
        if next(jsonschema.Draft202012Validator(schema).iter_errors(value), None) is not None:
            allowed = schema.get("enum")
            raise ApiError(400, "bad_request", "Ungültiger Wert" + (f"; erlaubt: {', '.join(allowed)}." if allowed
                                                                     else "."), field=name)
        values[name] = value
    return values


def _write(op, view, kwargs):
    header = schemas.IDEMPOTENCY_KEY
    key = request.headers.get(header["name"], "").strip()
    if next(jsonschema.Draft202012Validator(header["schema"]).iter_errors(key), None) is not None:
        raise ApiError(400, "bad_request", "Jeder schreibende Aufruf braucht einen Idempotency-Key-Header "
                                           "(höchstens 200 Zeichen, z. B. eine UUID).", field=header["name"])
    payload = _body(op)
    api_key = g.api_key

    def write():
        body = view(payload, **kwargs)
        kind, object_id = next(iter(kwargs.items()), (op.tag, "many"))  # a bulk write names no single id
        audit.record(actor(), "api.write", kind.removesuffix("_id"), object_id, tenant=api_key.tenant_id,
                     after={"api_key": api_key.id, "api_key_name": api_key.name, "operation": op.endpoint,
                            "idempotency_key": key})
        return op.status, body

    answer = idempotency.once(api_key, key, idempotency.fingerprint(request.method, request.path,
                                                                    _fingerprinted(payload)), write)
    response = jsonify(answer.body)
    response.status_code = answer.status
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def actor():
    """Who the workflow records for an API decision: the staff member who made (and answers for) the key."""
    key = g.api_key
    return apikeys.actor_of(key)


def tenant_slug():
    return g.api_key.tenant_id


def via_api():
    """What an audit entry of a read through the API adds: the key that read."""
    return {"via": "api", "api_key": g.api_key.id, "api_key_name": g.api_key.name}


def audit_read(employee_id, employer_id, what, object_id):
    """Insurer staff reading an employee's data through the API is recorded like in the back office."""
    audit.record(actor(), "employee.read", "employee", employee_id, tenant=g.api_key.tenant_id, employer=employer_id,
                 after={**via_api(), "object": what, "object_id": object_id})


def _pdf(payload):
    encoded = payload.get("policy_pdf")
    if encoded is None:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("Die Police ist nicht gültig base64-kodiert.", "The policy is not valid base64.",
                          field="policy_pdf") from None


# --- shapes of the answers (see the schemas of the same names) -----------------------------------

def iso(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):  # stored as naive UTC
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()


def shaped(name, record, **given):
    """`record` as the component schema `name` describes it (the schema is the serialiser): each property from
    `given`, else the record's attribute of that name; dates and times in ISO, money as a decimal string."""
    return {key: given[key] if key in given else _typed(schema, getattr(record, key))
            for key, schema in schemas.SCHEMAS[name]["properties"].items()}


def _typed(schema, value):
    kind = schema.get("anyOf", [schema])[0]
    if value is None or kind.get("format") in ("date", "date-time"):
        return iso(value)
    return str(value) if kind.get("pattern") == schemas.MONEY["pattern"] else \
        list(value) if kind.get("type") == "array" else value


def _names(version_id):
    doc = registry.version(version_id).doc
    return {t["id"]: t["name"] for t in doc["tariffs"]}, {g_["id"]: g_["name"] for g_ in doc["tariff_groups"]}


def _named(names, item_id):
    return {"id": item_id, "name": names.get(item_id) or {"de": item_id}}


def application_summary(a):
    return shaped("ApplicationSummary", a, company_name=a.employer.company_name, start_date=iso(start_of(a)))


def offer_json(offer):
    tariffs, groups = _names(offer.tenant_version_id)
    figures = {f["group"]: f for f in offer.figures.get("groups", [])}
    out = []
    for group in offer.groups:
        figure = figures.get(group["id"], {})
        premiums = {line["tariff"]: line["premium"] for line in figure.get("tariffs", [])}
        out.append({**_named(groups, group["id"]),
                    "tariffs": [{**_named(tariffs, t), "premium": str(premiums.get(t, "0.00"))}
                                for t in group["tariffs"]],
                    "employer_share": str(group["employer_share"]), "headcount": int(group["headcount"]),
                    "average_age": int(group["average_age"]), "premium": str(figure.get("premium", "0.00")),
                    "employer": str(figure.get("employer", "0.00")), "employee": str(figure.get("employee", "0.00")),
                    "monthly_total": str(figure.get("monthly_total", "0.00"))})
    f = offer.figures
    return {"id": offer.id, "revision": offer.revision, "start_date": iso(offer.start_date), "groups": out,
            "insured": int(f.get("insured", 0)),
            **{k: str(f.get(k, "0.00")) for k in ("monthly_total", "yearly_total", "employer_monthly_total",
                                                  "employer_yearly_total")}}


def contract_json(contract):
    return shaped("Contract", contract, pdf_url=url_for("api.contract_pdf", contract_id=contract.id)
                  if contract.document_id else None)


def application_json(a):
    contract = a.contracts.first()
    return shaped("Application", a, start_date=iso(start_of(a)), company=record_json(a.employer, clients.CATALOGUE),
                  broker=shaped("Broker", a.broker, broker_number=brokers.number_for(a.broker, a.tenant_id)),
                  offer=offer_json(a.offer), contract=contract_json(contract) if contract else None)


def contract_ref(contract):
    return shaped("ContractRef", contract, company_name=contract.employer.company_name)


def record_json(record, fields):
    """A record as schemas.record(fields) describes it: its id and the fields the API shows."""
    def value(field):
        stored = getattr(record, field.column_name)
        if field.type == "date":
            return iso(stored) if stored else None
        return "" if stored is None and field.type != "integer" else stored
    return {"id": record.id, **{f.api: value(f) for f in fields if f.api}}


def employee_json(e, fields=EMPLOYEE_FIELDS):
    """An employee as schemas.record(fields, state=...) describes it."""
    return {**record_json(e, fields), "state": e.state}


def policy_json(p):
    return shaped("Policy", p, pdf_url=url_for("api.policy_pdf", policy_id=p.id))  # made on first download if not yet


def enrolment_summary(e):
    return shaped("EnrolmentSummary", e, contract=contract_ref(e.contract))


def enrolment_json(e):
    tariffs, groups = _names(e.contract.tenant_version_id)
    policy = policies.first_of_enrolment(e)
    return shaped("Enrolment", e, contract=contract_ref(e.contract), tariff_group=_named(groups, e.tariff_group),
                  tariffs=[_named(tariffs, t) for t in e.tariffs], employee=employee_json(e.employee),
                  policy=policy_json(policy) if policy else None)


def event_summary(ev):
    return shaped("EventSummary", ev, contract=contract_ref(ev.contract))


def event_json(ev):
    current = policies.current(ev.employee)
    return shaped("Event", ev, contract=contract_ref(ev.contract), employee=employee_json(ev.employee),
                  policy=policy_json(current) if current else None)


def page(read, limit, after, shape):
    """One page of a work-queue list: `read(after=, limit=)` asked for one more to know if more follow."""
    rows = read(after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [shape(r) for r in rows], "next_after": rows[-1].id if more else None}


# --- applications -------------------------------------------------------------------------------

APPLICATION_HIDDEN = contracts.NOT_RELEASED


@operation("GET", "/applications", "Applications of this insurer (default: released, i.e. new)", tag="applications",
           response="ApplicationList", query=schemas.list_query("application", "released", APPLICATION_HIDDEN))
def applications(state, limit, after, employer, q):
    return page(functools.partial(work_queue.applications, tenant_slug(), state, employer=employer, search=q), limit, after, application_summary)


@operation("GET", "/applications/<int:application_id>", "An application with company, broker, offer and premiums",
           tag="applications", response="Application")
def application(application_id):
    return application_json(contracts.application_for_insurer(tenant_slug(), application_id))


@operation("POST", "/applications/<int:application_id>/accept", "Accept: the group contract with its policy",
           tag="applications", response="Contract", request_body="AcceptApplication",
           description="Without policy_pdf the platform makes the group policy PDF itself.")
def accept_application(payload, application_id):
    found = contracts.application_for_insurer(tenant_slug(), application_id)
    accepted = contracts.accept(actor(), found, payload["policy_number"], _pdf(payload))
    return contract_json(contracts.of_application(accepted))


@operation("POST", "/applications/<int:application_id>/reject", "Reject, with the reason for broker and employer",
           tag="applications", response="ApplicationSummary", request_body="Comment")
def reject_application(payload, application_id):
    found = contracts.application_for_insurer(tenant_slug(), application_id)
    return application_summary(contracts.reject(actor(), found, payload["comment"]))


@operation("POST", "/applications/<int:application_id>/request-info", "Ask broker and employer for information",
           tag="applications", response="ApplicationSummary", request_body="Comment")
def request_info(payload, application_id):
    found = contracts.application_for_insurer(tenant_slug(), application_id)
    return application_summary(contracts.request_info(actor(), found, payload["comment"]))


@operation("GET", "/contracts/<int:contract_id>/pdf", "The group policy PDF", tag="applications",
           produces="application/pdf")
def contract_pdf(contract_id):
    contract = contracts.for_insurer(tenant_slug(), contract_id)
    if contract.document_id is None:
        raise NotFound("Gruppenpolice nicht gefunden.", "Group policy not found.")
    return _file(document_access.for_insurer(actor(), tenant_slug(), contract.document_id, via=via_api()))


def _file(document):
    response = Response(documents.read(document), mimetype=document.mime)
    response.headers["Content-Disposition"] = downloads.content_disposition(document.filename)
    return response


# --- enrolments ---------------------------------------------------------------------------------

@operation("GET", "/enrolments", "Enrolments of this insurer (default: sent, i.e. new)", tag="enrolments",
           response="EnrolmentList", query=schemas.list_query("enrolment", "sent"))
def enrolments_list(state, limit, after, employer, q):
    return page(functools.partial(work_queue.enrolments, tenant_slug(), state, employer=employer, search=q), limit, after, enrolment_summary)


@operation("GET", "/enrolments/<int:enrolment_id>", "An enrolment with the employee's data (the read is audited)",
           tag="enrolments", response="Enrolment")
def enrolment(enrolment_id):
    item = enrolments.for_insurer(tenant_slug(), enrolment_id)
    audit_read(item.employee_id, item.contract.employer_id, "enrolment", item.id)
    return enrolment_json(item)


@operation("POST", "/enrolments/<int:enrolment_id>/accept", "Accept: issue the individual policy", tag="enrolments",
           response="Policy", request_body="AcceptEnrolment",
           description="Without policy_number the number is derived from the group policy; without policy_pdf the "
                       "platform makes the PDF.")
def accept_enrolment(payload, enrolment_id):
    item = enrolments.for_insurer(tenant_slug(), enrolment_id)
    enrolments.accept(actor(), item, payload.get("policy_number"), _pdf(payload))
    return policy_json(policies.first_of_enrolment(item))


@operation("POST", "/enrolments/accept", "Accept several enrolments; each result is reported", tag="enrolments",
           response="AcceptResults", request_body="AcceptMany",
           description="Each id goes through the same checks as its single accept; one refused (already decided, "
                       "unknown) is reported and the others are accepted. The employer gets one mail for all.")
def accept_enrolments(payload):
    return _results(work_queue.decide_all(actor(), tenant_slug(), "enrolments", payload["ids"]), "accepted")


@operation("POST", "/enrolments/reject", "Reject several enrolments with one reason; each result is reported",
           tag="enrolments", response="RejectResults", request_body="RejectMany",
           description="Each id goes through the same checks as its single reject; one refused (already decided, "
                       "unknown) is reported and the others are rejected. The employer gets one mail for all.")
def reject_enrolments(payload):
    return _results(work_queue.decide_all(actor(), tenant_slug(), "enrolments", payload["ids"], "reject",
                                          payload["comment"]), "rejected")


def _results(results, done):
    """A bulk decision's results as the API names them: `done` becomes `accepted` or `rejected`."""
    return {"results": [{"id": r["id"], "name": r["name"], done: r["done"],
                         "message": r["message"]["de"] if r["message"] else None} for r in results]}


@operation("POST", "/enrolments/<int:enrolment_id>/reject", "Reject, with the reason for the employer",
           tag="enrolments", response="EnrolmentSummary", request_body="Comment")
def reject_enrolment(payload, enrolment_id):
    item = enrolments.for_insurer(tenant_slug(), enrolment_id)
    return enrolment_summary(enrolments.reject(actor(), item, payload["comment"]))


@operation("GET", "/policies/<int:policy_id>/pdf", "An individual policy PDF (the read is audited)",
           tag="enrolments", produces="application/pdf")
def policy_pdf(policy_id):
    document = policies.document(policies.for_insurer(tenant_slug(), policy_id))  # made now if its job has not yet
    return _file(document_access.for_insurer(actor(), tenant_slug(), document.id, via=via_api()))


# --- business events ----------------------------------------------------------------------------

@operation("GET", "/events", "Business events of this insurer (default: submitted, i.e. new)", tag="events",
           response="EventList", query=schemas.list_query("business_event", "submitted"))
def events_list(state, limit, after, employer, q):
    return page(functools.partial(work_queue.events, tenant_slug(), state, employer=employer, search=q), limit, after, event_summary)


@operation("GET", "/events/<int:event_id>", "A business event with the employee's data (the read is audited)",
           tag="events", response="Event")
def event(event_id):
    item = events.for_insurer(tenant_slug(), event_id)
    audit_read(item.employee_id, item.contract.employer_id, "business_event", item.id)
    return event_json(item)


@operation("POST", "/events/<int:event_id>/accept", "Accept: apply the event; the adjusted policy is a new version",
           tag="events", response="EventDecision", request_body="AcceptEvent")
def accept_event(payload, event_id):
    item = events.accept(actor(), events.for_insurer(tenant_slug(), event_id))
    current = policies.latest_of_event(item)
    return {"event": event_summary(item), "policy": policy_json(current) if current else None}


@operation("POST", "/events/accept", "Accept several business events; each result is reported", tag="events",
           response="AcceptResults", request_body="AcceptMany",
           description="Each id goes through the same checks as its single accept; one refused is reported and the "
                       "others are accepted. The employer gets one mail for all.")
def accept_events(payload):
    return _results(work_queue.decide_all(actor(), tenant_slug(), "events", payload["ids"]), "accepted")


@operation("POST", "/events/reject", "Reject several business events with one reason; each result is reported",
           tag="events", response="RejectResults", request_body="RejectMany",
           description="Each id goes through the same checks as its single reject; one refused is reported and the "
                       "others are rejected. The employer gets one mail for all.")
def reject_events(payload):
    return _results(work_queue.decide_all(actor(), tenant_slug(), "events", payload["ids"], "reject",
                                          payload["comment"]), "rejected")


@operation("POST", "/events/<int:event_id>/reject", "Reject, with the reason for the employer", tag="events",
           response="EventDecision", request_body="Comment")
def reject_event(payload, event_id):
    item = events.reject(actor(), events.for_insurer(tenant_slug(), event_id), payload["comment"])
    return {"event": event_summary(item), "policy": None}


# --- statements and direct-debit runs ----------------------------------------------------------

def statement_summary(s):
    return shaped("StatementSummary", s, contract=contract_ref(s.contract),
                  pdf_url=url_for("api.statement_pdf", statement_id=s.id))  # made on first download if not yet


def statement_json(s):
    lines = [shaped("StatementLine", SimpleNamespace(**line)) for line in statements.view(s)["lines"]]
    return {**statement_summary(s), "lines": lines}


@operation("GET", "/statements", "Premium statements (Beitragsrechnungen) of this insurer's contracts", tag="statements",
           response="StatementList",
           query={"contract": {"type": "integer", "minimum": 1, "description": "Only this group contract's."},
                  "month": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$",
                            "description": "Only the statements billing this month, YYYY-MM."},
                  "limit": schemas.LIMIT, "after": schemas.AFTER})
def statements_list(contract, month, limit, after):
    first = datetime.date.fromisoformat(f"{month}-01") if month else None
    rows = statements.for_tenant(tenant_slug(), contract, first, after=after, limit=limit + 1)
    return {"items": [statement_summary(s) for s in rows[:limit]],
            "next_after": rows[limit - 1].id if len(rows) > limit else None}


@operation("GET", "/statements/<int:statement_id>", "A statement with its lines", tag="statements",
           response="Statement")
def statement(statement_id):
    return statement_json(statements.of_tenant(tenant_slug(), statement_id))


@operation("GET", "/statements/<int:statement_id>/pdf", "The statement's PDF", tag="statements",
           produces="application/pdf")
def statement_pdf(statement_id):
    found = statements.of_tenant(tenant_slug(), statement_id)
    filename, data, mime = statements.download(found.contract, found.id, "pdf")
    response = Response(data, mimetype=mime)
    response.headers["Content-Disposition"] = downloads.content_disposition(filename)
    return response


def collection_summary(run):
    return {**{k: iso(v) if k in ("collection_date", "created_at") else v
               for k, v in direct_debits.summary(run).items() if k != "document_id"},
            "total": run.total, "xml_url": url_for("api.collection_xml", collection_id=run.id)
            if run.document_id else None}


@operation("GET", "/collections", "SEPA direct-debit runs (one pain.008 file per collection date)",
           tag="statements", response="CollectionList", query={"limit": schemas.LIMIT, "after": schemas.AFTER})
def collections_list(limit, after):
    rows = direct_debits.runs_after(tenant_slug(), after=after, limit=limit + 1)
    return {"items": [collection_summary(r) for r in rows[:limit]],
            "next_after": rows[limit - 1].id if len(rows) > limit else None}


@operation("GET", "/collections/<int:collection_id>", "A direct-debit run with the statement amounts it debits",
           tag="statements", response="Collection")
def collection(collection_id):
    run = direct_debits.of_tenant(tenant_slug(), collection_id)
    items = [{**item, "amount": str(item["amount"])} for item in direct_debits.view(run)["items"]]
    return {**collection_summary(run), "items": items}


@operation("GET", "/collections/<int:collection_id>/xml", "The run's SEPA direct-debit file (pain.008.001.08)",
           tag="statements", produces="application/xml")
def collection_xml(collection_id):
    filename, data, mime = direct_debits.xml_file(direct_debits.of_tenant(tenant_slug(), collection_id))
    response = Response(data, mimetype=mime)
    response.headers["Content-Disposition"] = downloads.content_disposition(filename)
    return response


# --- reconciliations -----------------------------------------------------------------------------

def reconciliation_json(item, lines=True):
    """A reconciliation (engine/reconciliation.summary) as the API shows it: amounts as decimal strings."""
    money = lambda value: None if value is None else str(value)  # noqa: E731
    answer = {"id": item["id"], "contract_id": item["contract_id"], "month": iso(item["month"]),
              "side": item["side"], "created_at": iso(item["created_at"]), "source": item["source"],
              "statement": item["statement"], "layout": item["layout"], "basis": item["basis"],
              "counts": item["counts"], "totals": {k: money(v) for k, v in item["totals"].items()},
              "stated_total": money(item["stated_total"]), "warnings": item["warnings"]}
    if lines:
        answer["lines"] = [{**line, "month": iso(line["month"]),
                            "reason": {k: iso(v) if isinstance(v, datetime.date) else v
                                       for k, v in line["reason"].items()},
                            **{k: money(line[k]) for k in ("platform", "file", "difference")}}
                           for line in item["lines"]]
    return answer


@operation("POST", "/contracts/<int:contract_id>/reconciliations",
           "Reconcile a statement or payroll result with the platform's figures of a month", tag="statements",
           response="Reconciliation", request_body="ReconciliationUpload", consumes="multipart/form-data",
           description="The file (CSV or XLSX) is compared per person with the contract's statement of the month, "
                       "or the ledger's premiums when none was issued: missing, extra or a different amount, with "
                       "the ledger's reason. Kept with the file; the statement never changes. A row that cannot be "
                       "read is refused (422) naming its row, column and reason; nothing is kept then.")
def reconcile_contract(payload, contract_id):
    contract = reconciliation.contract_for_insurer(tenant_slug(), contract_id)
    filename, data = payload["file"]
    found = reconciliation.reconcile(actor(), contract, reconciliation.month_of(payload["month"]), filename, data,
                                     "insurer")
    return reconciliation_json(reconciliation.summary(found))


@operation("GET", "/contracts/<int:contract_id>/reconciliations",
           "The contract's reconciliations, newest first (without their lines)", tag="statements",
           response="ReconciliationList")
def reconciliations_list(contract_id):
    contract = reconciliation.contract_for_insurer(tenant_slug(), contract_id)
    return {"items": [reconciliation_json(item, lines=False) for item in reconciliation.for_contract(contract)]}


@operation("GET", "/contracts/<int:contract_id>/reconciliations/<int:reconciliation_id>",
           "A reconciliation with its differences per person", tag="statements", response="Reconciliation")
def reconciliation_detail(contract_id, reconciliation_id):
    contract = reconciliation.contract_for_insurer(tenant_slug(), contract_id)
    return reconciliation_json(reconciliation.of_contract(contract, reconciliation_id))


# --- the document itself, and everything else under /api/v1 ------------------------------------

@operation("GET", "/openapi.json", "This OpenAPI document", tag="meta", public=True)
def openapi():
    return schemas.openapi(OPERATIONS)


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(unknown):
    """A JSON answer for paths and methods the API does not have (never the HTML error page)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != "api.unknown":
            allowed.append(method)
    if allowed:
        raise ApiError(405, "method_not_allowed", "Diese Methode gibt es hier nicht.",
                       headers={"Allow": ", ".join(allowed)})
    raise ApiError(404, "not_found", "Diesen Endpunkt gibt es nicht.")
