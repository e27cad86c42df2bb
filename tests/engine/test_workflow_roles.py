"""Roles come from the actor, never from the caller; every guard and effect a machine names exists;
pages draw the steps the machine allows this actor now."""
import pytest

from engine import contracts, workflow
from engine.errors import Forbidden
from tests.conftest import log_in
from tests.journey import submitted_application


def test_every_step_a_machine_names_has_its_code(app):
    workflow.check()
    workflow.GUARDS.pop("application_complete")
    try:
        with pytest.raises(RuntimeError, match="application: guard application_complete"):
            workflow.check()
    finally:
        from engine import applications
        workflow.GUARDS["application_complete"] = applications._complete


def test_roles_are_derived_from_the_actor(app, make_user):
    with app.app_context():
        case = submitted_application("lumen", tag="roles")
        application, broker, employer = case["application"], case["broker"], case["employer_user"]
        staff, other_staff = make_user("insurer", tenant="lumen"), make_user("insurer", tenant="auxilia")
        assert workflow.roles_of(broker, application) == {"broker"}
        assert workflow.roles_of(employer, application) == {"employer"}
        assert workflow.roles_of(staff, application) == {"insurer"}
        assert workflow.roles_of(other_staff, application) == set()
        assert workflow.allowed(application, "application", employer) == {"release", "return_to_broker", "withdraw"}
        assert workflow.allowed(application, "application", broker) == set()
        with pytest.raises(Forbidden):  # the broker cannot release on the employer's behalf
            workflow.fire(application, "application", "release", broker)
        assert contracts.release(employer, application).state == "released"
        with pytest.raises(Forbidden):  # another insurer's staff cannot accept
            workflow.fire(application.__class__.get_by_id(application.id), "application", "accept", other_staff,
                          data={"policy_number": "X"})


def test_the_release_page_shows_only_the_steps_allowed_now(app, client):
    with app.app_context():
        case = submitted_application("lumen", tag="buttons")
    log_in(client, case["employer_user"])
    url = f"/m/lumen/applications/{case['application'].id}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="release"' in page and 'value="withdraw"' in page
    with app.app_context():
        contracts.release(case["employer_user"], case["application"])
    page = client.get(url).get_data(as_text=True)
    assert 'value="release"' not in page and 'value="withdraw"' in page
