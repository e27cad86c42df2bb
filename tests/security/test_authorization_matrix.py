"""Every route of the app, as every role, on objects that belong to someone else.

The route list comes from the app's own URL map: a new route that this matrix does not classify
fails the test, so nothing ships unchecked. Objects one may not know of answer 404; portals one
has no role for answer 403; anonymous users are sent to the login (302)."""

import pytest
from werkzeug.datastructures import MultiDict

from engine import (brokers, comparisons, consultations, contracts, direct_debits, employees, enrolments, events,
                    memberships, policies, reconciliation, registry, statements)
from engine.models import BrokerNumber, EnrolmentRun
from tests.conftest import log_in
from tests.journey import first_start, submitted_application
from web import links

CSV = ("Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart\n"
       "7001;Lang;Lea;01.01.1980;Weg 1;10115;Berlin;01.01.2010;Vollzeit\n")

# endpoint -> who may read it. "open": everyone; "owner_broker", "owner_employer", "staff", "admin",
# "broker", "employer": role only (lists of one's own); "link": the offer link (anyone may open it,
# only the employer's members see the offer).
POLICY = {
    "static": "open", "public.index": "open", "public.set_language": "open", "public.employer_home": "login",
    "auth.register": "open", "auth.verify": "open", "auth.resend_verification": "open", "auth.login": "open",
    "auth.logout": "open", "auth.forgot": "open", "auth.reset": "open", "auth.change_password": "login",
    # one's own notifications and choice of decision mails: every logged-in person, only their own rows
    "inbox.index": "login", "inbox.settings": "login",
    "advisor.index": "broker", "advisor.profile": "broker", "advisor.engines": "broker",
    "advisor.client_list": "broker", "advisor.client_new": "broker", "advisor.application_list": "broker",
    "advisor.client_edit": "owner_broker", "advisor.client_detail": "owner_broker",
    "advisor.consultation_new": "owner_broker", "advisor.consultation": "owner_broker",
    "advisor.consultation_complete": "owner_broker", "advisor.consultation_pdf": "owner_broker",
    "advisor.offer_new": "owner_broker", "advisor.offer_edit": "owner_broker", "advisor.offer": "owner_broker",
    "advisor.offer_send": "owner_broker", "advisor.offer_pdf": "owner_broker",
    "applications.edit": "case", "applications.submit": "case", "applications.group_policy": "case",
    "offer_link.view": "link", "offer_link.decide": "link",
    # registration for the offer's contact address: a form, or the login when that account exists
    "offer_link.register": "open",
    # who acts for an employer: its members invite; the invitation opens only for the invited address
    "members.index": "owner_employer", "members.invite": "owner_employer",
    "members.invitation": "invitation", "members.accept": "invitation", "members.register": "open",
    "manager.logo": "open", "manager.theme": "open", "manager.index": "employer",
    "manager.application": "owner_employer", "manager.contract": "owner_employer",
    "manager.upload": "owner_employer", "manager.import_batch": "owner_employer",
    "manager.import_progress": "owner_employer", "manager.import_mapping": "owner_employer",
    "manager.import_undo": "owner_employer", "manager.employee_new": "owner_employer",
    "manager.employee_edit": "owner_employer", "manager.employee": "owner_employer",
    "manager.enrol": "owner_employer", "manager.policy_pdf": "owner_employer", "manager.event_new": "owner_employer", "manager.document": "owner_employer",
    "manager.export": "owner_employer", "manager.employee_export": "owner_employer",
    "manager.enrolment_run": "owner_employer", "manager.enrolment_run_progress": "owner_employer",
    "manager.statement_list": "owner_employer", "manager.statement_file": "owner_employer",
    "manager_payroll.payroll_page": "owner_employer", "manager_payroll.payroll_file": "owner_employer",
    "manager_payroll.benefits": "owner_employer", "manager_payroll.benefit_end": "owner_employer",
    "manager_mandates.mandate": "owner_employer",
    # the contract's term (web/contract_term.STEPS): notice and its withdrawal, budget levels and new
    # groups for the next anniversary, one route per portal
    "manager.term_step": "owner_employer", "advisor.term_step": "owner_broker",
    "office_contracts.contract": "staff", "office_contracts.term_step": "staff", "office.continuation_case": "staff",
    "advisor.statement_list": "owner_broker", "advisor.statement_file": "owner_broker",
    "office_statements.statement_list": "staff", "office_statements.statement_file": "staff",
    "reconciliations.reconciliation_list": "owner_employer", "reconciliations.reconciliation_page": "owner_employer",
    "office_reconciliations.reconciliation_list": "staff", "office_reconciliations.reconciliation_page": "staff",
    "office_collections.index": "staff", "office_collections.run": "staff", "office_collections.detail": "staff",
    "office_collections.xml": "staff",
    "office.index": "staff", "office.application": "staff", "office.enrolment": "staff", "office.event": "staff",
    "office.document": "staff",
    "office_brokers.index": "staff", "office_brokers.confirm": "staff",
    # the insurer's own administrators manage its staff (no role below is one; tests/web/test_insurer_staff.py)
    "office_staff.index": "staff_admin", "office_staff.invite": "staff_admin", "office_staff.remove": "staff_admin",
    # several insurers side by side (engine/comparisons.py): the broker's own client; the employer by link
    "advisor.compare": "owner_broker", "advisor.comparison": "owner_broker", "advisor.comparison_offers": "owner_broker",
    "advisor.comparison_send": "owner_broker", "advisor.comparison_pdf": "owner_broker",
    "offer_link.comparison": "link", "offer_link.comparison_decide": "link", "offer_link.comparison_pdf": "link_member",
    # the addressee has an account here already, so registering leads everyone to the login
    "offer_link.comparison_register": "to_login",
    # the insurer's administrators also release versions of its configuration (tests/web/test_office_releases.py)
    "office_releases.index": "staff_admin", "office_releases.version": "staff_admin",
    "office_releases.activate": "staff_admin", "office_releases.withdraw": "staff_admin",
    # an insurer's product documents (AVB, product information) by their fingerprint: anyone logged in
    "public.product_document": "login",
    "admin.index": "admin", "admin.users": "admin", "admin.invite_admin": "admin",
}
ROLES = ["anonymous", "broker_a", "broker_b", "employer_a", "employer_b", "staff_lumen", "staff_other", "admin"]


@pytest.fixture
def world(app, make_user):
    """Broker A's case at lumen up to an event; broker B with a case of their own elsewhere."""
    with app.app_context():
        a = submitted_application("lumen", tag="a")
        b = submitted_application("auxilia", tag="b")
        staff = make_user("insurer", tenant="lumen")
        contracts.release(a["employer_user"], a["application"])
        application = contracts.application_for_insurer("lumen", a["application"].id)
        contracts.accept(staff, application, "GV-A-1")
        contract = contracts.contracts_for_employer(a["employer_user"], "lumen")[0]
        batch = employees.preview(a["employer_user"], contract, "staff.csv", CSV.encode())
        employees.start(a["employer_user"], batch)
        employees.run_import(batch.id)
        person = employees.for_contract(contract)[0]
        [enrolment], _ = enrolments.send(a["employer_user"], contract, [person.id])
        run = EnrolmentRun.create(contract=contract, requested_by=a["employer_user"], status="done")
        enrolments.accept(staff, enrolment)
        event, _ = events.file(a["employer_user"], contract, person, "address_change",
                               {"street": "Neu 1", "postal_code": "10117", "city": "Berlin",
                                "effective_date": first_start()})
        consultation = consultations.start(a["broker"], a["client"], a["live"],
                                           [a["live"].doc["tariffs"][0]["id"]],
                                           [a["live"].doc["content_modules"][0]["id"]])
        consultation = consultations.complete(a["broker"], consultation, "Empfehlung")
        statement, _ = statements.issue(contract, contract.start_date)  # the first month, issued ahead
        reconciled = reconciliation.reconcile(a["employer_user"], contract, statement.month, "own.csv",
                                              statements.as_csv(statement), "employer")
        collection, _ = direct_debits.run("lumen", statement.month)
        invitation = memberships.invite(a["employer_user"], a["client"], "kollegin-a@example.org")
        auxilia = registry.get("auxilia")
        brokers.set_number(a["broker"], auxilia, auxilia.doc["broker_number"]["example"])
        inputs = comparisons.read_inputs(a["broker"], MultiDict(
            [("start_date", first_start().isoformat()), ("headcount", "12"), ("average_age", "38"),
             ("employer_share", "100"), ("other_benefits_in_kind", "0"), ("insurers", "lumen"), ("insurers", "auxilia")]))
        comparison = comparisons.record(a["broker"], a["client"], inputs)
        comparisons.make_offers(a["broker"], comparison)
        comparison = comparisons.send(a["broker"], comparison)
        with app.test_request_context():
            token = links.offer_token(a["offer"])
            invitation_token = links.invitation_token(invitation)
            comparison_token = links.comparison_token(comparison)
        ids = {"client_id": a["client"].id, "offer_id": a["offer"].id, "consultation_id": consultation.id,
               "application_id": a["application"].id, "contract_id": contract.id, "employee_id": person.id,
               "batch_id": batch.id, "run_id": run.id, "enrolment_id": enrolment.id, "event_id": event.id,
               "document_id": contract.document_id, "tenant_slug": "lumen", "token": token,
               "event_type": "address_change", "fmt": "csv", "code": "de", "filename": "style.css",
               "employer_id": a["client"].id, "number_id": BrokerNumber.get(BrokerNumber.broker == a["broker"]).id,
               "statement_id": statement.id, "reconciliation_id": reconciled.id, "collection_id": collection.id, "month": f"{statement.month:%Y-%m}",
               "digest": a["live"].digest[:12], "release_id": 1, "name": "avb.pdf",
               "sha256": a["live"].doc["tariffs"][0]["documents"][0]["sha256"], "comparison_id": comparison.id,
               "policy_id": policies.first_of_enrolment(enrolment).id}
        ids["token"] = {"offer_link": token, "members": invitation_token, "offer_link.comparison": comparison_token}
    users = {"broker_a": a["broker"], "broker_b": b["broker"], "employer_a": a["employer_user"],
             "employer_b": b["employer_user"], "staff_lumen": staff,
             "staff_other": make_user("insurer", tenant="auxilia"), "admin": make_user(admin=True)}
    return ids, users


def expected(policy, role):
    """The status codes a GET may answer for this role (any 2xx counts as allowed)."""
    allowed, refused_unknown, refused_role, login = "ok", {404}, {403, 404}, {302}
    if policy == "open":
        return allowed
    if policy == "to_login":
        return login
    if role == "anonymous":
        if policy == "link_member":  # a file behind a link: only for a signed-in member of its employer
            return refused_unknown
        return login if policy not in ("link", "invitation") else allowed
    table = {
        "login": allowed,
        "broker": allowed if role in ("broker_a", "broker_b") else refused_role,
        "owner_broker": allowed if role == "broker_a" else (refused_unknown if role == "broker_b" else refused_role),
        "case": allowed if role in ("broker_a", "employer_a") else refused_unknown,
        "link": allowed if role == "employer_a" else refused_unknown,
        "link_member": allowed if role == "employer_a" else refused_unknown,
        "invitation": refused_unknown,  # only the invited address, which none of these roles is
        "employer": allowed if role in ("employer_a", "employer_b") else refused_role,
        "owner_employer": allowed if role == "employer_a" else (refused_unknown if role == "employer_b" else refused_role),
        "staff": allowed if role == "staff_lumen" else refused_role,
        "staff_admin": refused_role,
        "admin": allowed if role == "admin" else refused_role,
    }
    return table[policy]


def _arg(ids, name, endpoint):
    """The value of a URL argument; a token is the one of the endpoint's kind (offer_link.comparison*), else of
    its blueprint, else the offer's."""
    value = ids[name]
    if not isinstance(value, dict):
        return value
    kind = next((key for key in value if "." in key and endpoint.startswith(key)), endpoint.split(".")[0])
    return value.get(kind, value["offer_link"])


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if not rule.endpoint.startswith("api.")
                 and not rule.endpoint.startswith("office_integration.")}
    assert endpoints - set(POLICY) == set(), "classify the new routes in POLICY"


def test_every_route_as_every_role(app, world):
    ids, users = world
    failures = []
    rules = [r for r in app.url_map.iter_rules() if r.endpoint in POLICY and "GET" in r.methods]
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            log_in(client, users[role])
        for rule in rules:
            with app.test_request_context():
                from flask import url_for
                url = url_for(rule.endpoint, **{arg: _arg(ids, arg, rule.endpoint) for arg in rule.arguments})
            code = client.get(url).status_code
            want = expected(POLICY[rule.endpoint], role)
            redirect_ok = POLICY[rule.endpoint] == "open" or (role != "anonymous" and code == 302
                                                                  and POLICY[rule.endpoint] in ("login", "broker"))
            ok = (200 <= code < 300 or (code == 302 and redirect_ok)) if want == "ok" else code in want
            if not ok:
                failures.append(f"{role} GET {url} ({rule.endpoint}) -> {code}, expected {want}")
    assert failures == [], "\n".join(failures)


def test_writes_on_someone_elses_objects_are_refused(app, world):
    ids, users = world
    from tests.conftest import csrf_from
    attempts = [
        ("broker_b", f"/advisor/offers/{ids['offer_id']}/send", {}),
        ("broker_b", f"/applications/{ids['application_id']}/submit", {}),
        ("employer_b", f"/m/lumen/applications/{ids['application_id']}", {"decision": "release"}),
        ("employer_b", f"/m/lumen/contracts/{ids['contract_id']}/enrol", {"employee": str(ids["employee_id"])}),
        ("staff_other", f"/m/lumen/office/events/{ids['event_id']}", {"decision": "accept"}),
        ("employer_b", f"/offer/{ids['token']['offer_link']}/decide", {"decision": "accept"}),
        ("employer_b", f"/employer/{ids['employer_id']}/members/invite", {"email": "b@example.org"}),
        ("employer_a", f"/invitation/{ids['token']['members']}/accept", {}),
        ("staff_other", f"/m/lumen/office/brokers/{ids['number_id']}/confirm", {}),
        ("employer_b", f"/m/lumen/contracts/{ids['contract_id']}/reconciliations", {"month": "2027-01"}),
        ("staff_other", f"/m/lumen/office/contracts/{ids['contract_id']}/reconciliations", {"month": "2027-01"}),
        ("broker_a", f"/m/lumen/office/contracts/{ids['contract_id']}/reconciliations", {"month": "2027-01"}),
        ("broker_a", f"/m/lumen/office/brokers/{ids['number_id']}/confirm", {}),
        ("staff_lumen", "/m/lumen/office/staff/invite", {"email": "x@example.org", "role": "insurer_admin"}),
        ("staff_lumen", f"/m/lumen/office/releases/{ids['digest']}/activate", {"valid_from": "2027-01-01"}),
        ("staff_lumen", f"/m/lumen/office/staff/{users['staff_lumen'].id}/remove", {}),
        ("staff_other", "/m/lumen/office/staff/invite", {"email": "x@example.org"}),
        ("admin", "/m/lumen/office/staff/invite", {"email": "x@example.org"}),
        ("staff_lumen", "/admin/tenants/lumen/invite-admin", {"email-lumen": "x@example.org"}),
        ("employer_a", "/admin/tenants/lumen/invite-admin", {"email-lumen": "x@example.org"}),
        ("staff_other", "/m/lumen/office/collections/run", {"collection_date": "2027-01-01"}),
        ("employer_a", "/m/lumen/office/collections/run", {"collection_date": "2027-01-01"}),
        ("employer_b", f"/m/lumen/contracts/{ids['contract_id']}/term/cancel", {"reason": "x"}),
        ("broker_a", f"/m/lumen/contracts/{ids['contract_id']}/term/cancel", {"reason": "x"}),
        ("employer_b", f"/m/lumen/contracts/{ids['contract_id']}/term/levels", {}),
        ("broker_b", f"/advisor/clients/{ids['client_id']}/contracts/{ids['contract_id']}/term/levels", {}),
        ("employer_b", f"/m/lumen/contracts/{ids['contract_id']}/term/groups", {}),
        ("broker_b", f"/advisor/clients/{ids['client_id']}/contracts/{ids['contract_id']}/term/groups", {}),
        ("staff_other", f"/m/lumen/office/contracts/{ids['contract_id']}/term/cancel", {"reason": "x"}),
        ("employer_a", f"/m/lumen/office/contracts/{ids['contract_id']}/term/cancel", {"reason": "x"}),
        ("employer_b", f"/m/lumen/contracts/{ids['contract_id']}/mandate",
         {"holder": "B", "iban": "DE02120300000000202051", "consent": "yes"}),
        ("broker_a", f"/m/lumen/contracts/{ids['contract_id']}/mandate",
         {"holder": "B", "iban": "DE02120300000000202051", "consent": "yes"}),
    ]
    for role, url, data in attempts:
        client = app.test_client()
        log_in(client, users[role])
        token = csrf_from(client.get("/auth/password"))
        code = client.post(url, data={**data, "csrf_token": token}).status_code
        assert code in (403, 404), f"{role} POST {url} -> {code}"
