"""The watch behind the rule "every state change has an audit entry" (tests/audit_watch.py) sees a
change that lacks one, and lets a change that has one pass."""
from flask import Response, request_finished, request_started

from engine import audit
from engine.models import Employer
from tests import audit_watch


def _request(app, change):
    with app.test_request_context("/somewhere", method="POST"):
        request_started.send(app)
        change()
        request_finished.send(app, response=Response(status=302))


def test_a_change_without_an_audit_entry_is_caught_and_one_with_it_passes(app):
    with app.app_context():
        client = Employer.create(company_name="Watch GmbH")
        _request(app, lambda: Employer.update(city="Köln").where(Employer.id == client.id).execute())
        caught = list(audit_watch.unaudited)
        del audit_watch.unaudited[:]  # expected here; the autouse check would fail the test otherwise
        assert caught == [("POST", "/somewhere", 302, ["employer"])]

        def audited():
            Employer.update(city="Bonn").where(Employer.id == client.id).execute()
            audit.record(None, "client.updated", "employer", client.id, employer=client.id)
        _request(app, audited)
        assert audit_watch.unaudited == []
