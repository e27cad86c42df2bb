"""A precondition `then: {require: <field>}` refuses the event while that field is empty (it used
to be evaluated and then ignored): Auxilia wants the private e-mail of a leaver who wants to continue
the cover privately."""
import pytest

from engine import clock, enrolments, events
from engine.errors import DomainError
from tests.journey import enrolled_case


def test_a_required_field_of_a_precondition_must_be_filled_in(app, make_user):
    with app.app_context():
        staff = make_user("insurer", tenant="auxilia")
        case = enrolled_case("auxilia", staff, tag="require")
        enrolments.accept(staff, case["enrolment"])
        leaving = {"leaving_date": max(clock.today(), case["contract"].start_date), "fortfuehrung_gewuenscht": True}
        with pytest.raises(DomainError) as refused:
            events.file(case["employer_user"], case["contract"], case["employee"], "leaving", leaving)
        assert refused.value.text == {"de": "Bitte füllen Sie „Private E-Mail-Adresse für das Fortführungsangebot“ aus.",
                                      "en": "Please fill in “Private e-mail for the continuation offer”."}
        event, warnings = events.file(case["employer_user"], case["contract"], case["employee"], "leaving",
                                      {**leaving, "private_email": "lea@privat.example"})
        assert event.id and [w["rule"] for w in warnings] == ["contract_min_insured"]
