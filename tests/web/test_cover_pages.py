"""The employer sees cover as dated periods: the staff list prices any month and names the next
change ("ab 01.03.2027: ruhend"), the person's page lists the periods, upcoming ones marked."""
import datetime

from engine import clock as platform_clock, events
from engine.models import Employee
from tests.conftest import log_in
from tests.engine.test_cover import insured

D = datetime.date


def test_staff_list_prices_a_month_and_shows_the_next_change(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "web1")
        clock.move_to(datetime.datetime(2027, 1, 20, 9, 0, tzinfo=platform_clock.ZONE))
        event, _ = events.file(case["employer_user"], case["contract"], Employee.get_by_id(case["employee"].id),
                               "parental_leave", {"start_date": D(2027, 3, 1), "end_date": D(2027, 8, 31),
                                                  "mode": "suspend"})
        events.accept(case["staff"], event)
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    base = f"/m/auxilia/contracts/{case['contract'].id}"
    page = employer.get(base).get_data(as_text=True)
    assert "ab 01.03.2027: ruhend" in page and "22,20" in page
    march = employer.get(f"{base}?month=2027-03").get_data(as_text=True)
    assert "Beitrag 03/2027" in march and "0,00" in march
    person = employer.get(f"{base}/employees/{case['employee'].id}").get_data(as_text=True)
    assert "Versicherungsschutz" in person and "ab 01.03.2027" in person and "Rückkehr nach" in person
