"""The whole journey on days that break date arithmetic: offer -> application -> release -> contract ->
enrolment -> policy -> business event, for every demo tenant, with the platform's today set to each."""
import datetime

import pytest

from engine import clock as platform_clock
from engine import contracts, enrolments, events, start_window
from engine.models import Policy
from tests.journey import enrolled_case

DAYS = [datetime.date(2027, 1, 2), datetime.date(2027, 1, 31), datetime.date(2028, 2, 29),  # leap day
        datetime.date(2026, 12, 15), datetime.date(2027, 3, 1)]                                # year change ahead


@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize("slug", ["lumen", "auxilia", "nordhafen"])
def test_the_journey_works_on_any_day(app, clock, make_user, slug, day):
    clock.move_to(datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=platform_clock.ZONE))
    staff = make_user("insurer", tenant=slug)
    with app.app_context():
        assert platform_clock.today() == day
        case = enrolled_case(slug, staff, tag=day.isoformat())
        expected_start = start_window.first_on_or_after(day)
        assert case["offer"].start_date == expected_start
        assert case["contract"].start_date == expected_start
        assert case["enrolment"].start_date in start_window.window(case["live"]).months()

        enrolments.accept(staff, case["enrolment"])
        policy = Policy.get(Policy.employee == case["employee"].id)
        assert policy.start_date == case["enrolment"].start_date

        effective = max(day, case["contract"].start_date)
        event, _ = events.file(case["employer_user"], case["contract"], case["employee"], "address_change",
                               {"street": "Neue Str. 5", "postal_code": "01069", "city": "Dresden",
                                "effective_date": effective})
        assert events.accept(staff, event).state == "accepted"
        assert contracts.contracts_for_employer(case["employer_user"], slug)[0].start_date == expected_start
