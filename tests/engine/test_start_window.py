"""When cover may start: the 1st of a month inside the insurer's window, read from its settings; the
offer's validity bounds only its acceptance; a start that has passed is chosen anew, not failed."""
import datetime
import pathlib
import re

import pytest

from engine import applications, contracts, offers, registry, start_window
from engine import clock as platform_clock
from engine.errors import DomainError
from engine.models import Application, AuditEntry, GroupContract
from tests.conftest import log_in
from tests.journey import first_start, submitted_application

D = datetime.date
ROOT = pathlib.Path(__file__).resolve().parents[2]


def at(clock_fixture, day):
    clock_fixture.move_to(datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=platform_clock.ZONE))


@pytest.mark.parametrize("slug, earliest, latest", [
    ("lumen", D(2026, 11, 1), D(2027, 6, 1)),       # 1 month back, 6 ahead
    ("auxilia", D(2026, 10, 1), D(2027, 6, 1)),     # 2 back, 6 ahead
    ("nordhafen", D(2026, 12, 1), D(2027, 3, 1)),   # none back, 3 ahead
])
def test_the_window_comes_from_the_tenant_settings(app, slug, earliest, latest):
    with app.app_context():
        window = start_window.window(registry.get(slug), D(2026, 12, 2))
    assert (window.earliest, window.latest) == (earliest, latest)
    assert window.months()[0] == earliest and window.months()[-1] == latest
    assert all(day.day == 1 for day in window.months())


def test_the_refusal_names_the_window(app):
    with app.app_context():
        window = start_window.window(registry.get("lumen"), D(2026, 12, 2))
    with pytest.raises(DomainError) as caught:
        window.check(D(2026, 10, 1))
    assert "frühestens 01.11.2026, spätestens 01.06.2027" in caught.value.text["de"]
    assert caught.value.field == "start_date"
    with pytest.raises(DomainError) as caught:
        window.check(D(2027, 1, 15))
    assert "Erste eines Monats" in caught.value.text["de"] and "15.01.2027" in caught.value.text["de"]
    window.check(D(2026, 11, 1))   # backdated by one month: allowed for this tenant
    window.check(D(2027, 6, 1))


@pytest.mark.parametrize("day, expected", [
    (D(2026, 12, 31), D(2027, 1, 1)), (D(2027, 1, 31), D(2027, 2, 1)), (D(2028, 2, 29), D(2028, 3, 1)),
    (D(2027, 3, 1), D(2027, 3, 1)),
])
def test_first_on_or_after(day, expected):
    assert start_window.first_on_or_after(day) == expected
    assert start_window.add_months(D(2027, 1, 31), -13) == D(2025, 12, 1)


def test_today_is_the_date_in_germany(clock):
    """At 23:30 UTC on New Year's Eve it is already 1 January on the platform."""
    clock.move_to(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.timezone.utc))
    assert platform_clock.today() == D(2027, 1, 1)
    assert platform_clock.utcnow().date() == D(2026, 12, 31)


def test_nordhafen_offer_on_the_2nd_starting_on_the_1st_of_next_month(app, clock):
    """Nordhafen's offers are valid 21 days; the start a month ahead was refused for that before."""
    at(clock, D(2027, 2, 2))
    with app.app_context():
        case = submitted_application("nordhafen", tag="second")
        assert case["offer"].start_date == D(2027, 3, 1)
        assert case["offer"].valid_until == D(2027, 2, 23)
        assert case["application"].state == "submitted"


def test_an_offer_start_outside_the_window_is_refused_with_the_window(app, clock, make_user):
    with app.app_context():
        case = submitted_application("nordhafen", tag="out")
        live = registry.get("nordhafen")
        values = offers.form_values(case["offer"])
        for start, shown in ((D(2026, 11, 1), "01.11.2026"), (D(2027, 4, 1), "01.04.2027")):
            values["start_date"] = start
            with pytest.raises(DomainError) as caught:
                offers.create(case["broker"], case["client"], live, values)
            assert shown in caught.value.text["de"] and "frühestens 01.12.2026, spätestens 01.03.2027" in \
                caught.value.text["de"]


def test_an_application_submitted_late_asks_for_a_new_start(app, clock):
    """Offer and application on 2 December for 1 January; the broker submits only on 2 February."""
    with app.app_context():
        case = submitted_application("nordhafen", tag="late", submit=False)
        live, broker, application = case["live"], case["broker"], case["application"]
        at(clock, D(2027, 2, 2))
        with pytest.raises(DomainError) as caught:
            applications.submit(broker, application, live)
        assert "01.01.2027" in caught.value.text["de"] and "neuen Vertragsbeginn" in caught.value.text["de"]
        assert "frühestens 01.02.2027, spätestens 01.05.2027" in caught.value.text["de"]
        assert applications.start_problem(Application.get_by_id(application.id))
        saved, errors = applications.save(broker, application, {"start_date": "01.02.2027"}, live,
                                          application.lock_version)
        assert errors == {}
        assert applications.submit(broker, saved, live).state == "submitted"


def test_the_employer_names_a_new_start_when_the_old_one_passed_before_release(app, clock, make_user):
    with app.app_context():
        case = submitted_application("lumen", tag="release")   # start 01.01.2027, submitted 2 December
        employer, application = case["employer_user"], case["application"]
        at(clock, D(2027, 3, 10))   # Lumen allows one month back: 01.02.2027 at the earliest
        with pytest.raises(DomainError) as caught:
            contracts.release(employer, application)
        assert "frühestens 01.02.2027, spätestens 01.09.2027" in caught.value.text["de"]
        with pytest.raises(DomainError):
            contracts.release(employer, application, new_start=D(2027, 1, 1))
        assert Application.get_by_id(application.id).state == "submitted"
        released = contracts.release(employer, application, new_start=D(2027, 4, 1))
        assert released.state == "released" and applications.start_of(released) == D(2027, 4, 1)
        entry = AuditEntry.get(AuditEntry.action == "application.start_changed")
        assert entry.before == {"start_date": "2027-01-01"} and entry.after == {"start_date": "2027-04-01"}
        staff = make_user("insurer", tenant="lumen")
        contracts.accept(staff, contracts.application_for_insurer("lumen", application.id), "GV-LATE")
        assert GroupContract.get(GroupContract.application == application.id).start_date == D(2027, 4, 1)


def test_the_release_page_offers_the_allowed_months(app, clock, login, client):
    with app.app_context():
        case = submitted_application("lumen", tag="page")
    at(clock, D(2027, 3, 10))
    login(case["employer_user"])
    page = client.get(f"/m/lumen/applications/{case['application'].id}").get_data(as_text=True)
    assert "Neuer Versicherungsbeginn" in page and "frühestens 01.02.2027" in page
    assert re.findall(r'<option value="(\d{4}-\d\d-\d\d)"', page)[:2] == ["2027-02-01", "2027-03-01"]
    broker_view = app.test_client()
    log_in(broker_view, case["broker"])
    assert "neuen Vertragsbeginn" in broker_view.get(f"/applications/{case['application'].id}").get_data(as_text=True)


def test_the_application_form_takes_only_a_first_of_month_in_the_window(app):
    with app.app_context():
        case = submitted_application("auxilia", tag="form", submit=False)
        _, errors = applications.save(case["broker"], case["application"], {"start_date": "15.01.2027"},
                                      case["live"], case["application"].lock_version)
        assert "Erste eines Monats" in errors["start_date"]
        _, errors = applications.save(case["broker"], case["application"], {"start_date": "01.09.2027"},
                                      case["live"], case["application"].lock_version)
        assert "spätestens 01.06.2027" in errors["start_date"]


def test_no_module_reads_the_system_clock_but_the_platform_clock():
    pattern = re.compile(r"date\.today\(\)|datetime\.(now|today|utcnow)\(\)|\btime\.time\(\)")
    readers = [f"{path.relative_to(ROOT)}:{number}" for package in ("engine", "web")
               for path in (ROOT / package).rglob("*.py") if path.name != "clock.py"
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if pattern.search(line)]
    assert readers == []
    tests = [f"{path.relative_to(ROOT)}:{number}" for path in (ROOT / "tests").rglob("*.py")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"date\.today\(\)|datetime\.(now|today|utcnow)\(", line) and path.name != "test_start_window.py"]
    assert tests == []


def test_first_start_follows_the_clock(clock):
    at(clock, D(2027, 1, 2))
    assert first_start() == D(2027, 2, 1)
    at(clock, D(2027, 3, 1))
    assert first_start() == D(2027, 3, 1)
