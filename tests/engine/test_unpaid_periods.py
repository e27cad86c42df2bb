"""Unpaid periods (parental leave, long sickness, care leave, sabbatical): each tenant says in its
YAML (business_events[].unpaid_cover) what happens to cover and premium; a return ends the period
before its expected end. No tenant-specific code: the three demo tenants choose differently."""
from decimal import Decimal

import pytest

from engine import cover, events
from engine.errors import DomainError
from tests.engine.test_cover import D, file_and_accept, fresh, insured, move_to


def cover_by_month(person, months):
    return [(cover.state_on(person, m).cover if cover.state_on(person, m) else None, cover.premium_for(person, m),
             cover.state_on(person, m).payer if cover.state_on(person, m) else None) for m in months]


def test_lumen_long_sickness_is_premium_free_for_six_months_then_suspended(app, make_user, clock):
    with app.app_context():
        case = insured("lumen", make_user("insurer", tenant="lumen"), D(1990, 1, 10), "u1")
        move_to(clock, D(2027, 1, 20))
        file_and_accept(case, "long_sickness", {"start_date": D(2027, 2, 1), "end_date": D(2027, 12, 31)})
        person = fresh(case)
        premium = cover.premium_for(person, D(2027, 1, 1))
        assert premium > 0
        assert cover.state_on(person, D(2027, 7, 31)).cover == "premium_free"       # Feb..Jul: 6 months
        assert cover.state_on(person, D(2027, 8, 1)).cover == "suspended"
        assert cover.premium_for(person, D(2027, 8, 1)) == Decimal("0.00")
        assert cover.state_on(person, D(2028, 1, 1)).cover == "insured"
        # the job writes each part when it is due, once, and exactly what was shown
        shown = [(p.valid_from, p.valid_to, p.cover) for p in cover.timeline(person, D(2028, 1, 31))]
        for day in (D(2027, 2, 1), D(2027, 8, 1), D(2028, 1, 1)):
            move_to(clock, day)
            cover.apply_due()
            assert cover.apply_due() == {"backfilled": 0, "events": 0, "age_steps": 0, "unpaid_steps": 0}
        assert [(p.valid_from, p.valid_to, p.cover) for p in cover.periods(person.id)] == shown == [
            (D(2027, 1, 1), D(2027, 1, 31), "insured"), (D(2027, 2, 1), D(2027, 7, 31), "premium_free"),
            (D(2027, 8, 1), D(2027, 12, 31), "suspended"), (D(2028, 1, 1), None, "insured")]


def test_lumen_sabbatical_is_paid_by_the_employee(app, make_user, clock):
    with app.app_context():
        case = insured("lumen", make_user("insurer", tenant="lumen"), D(1990, 1, 10), "u2")
        move_to(clock, D(2027, 1, 20))
        file_and_accept(case, "sabbatical", {"start_date": D(2027, 3, 1), "end_date": D(2027, 5, 31)})
        person = fresh(case)
        premium = cover.premium_for(person, D(2027, 1, 1))
        assert cover_by_month(person, [D(2027, 2, 1), D(2027, 3, 1), D(2027, 6, 1)]) == [
            ("insured", premium, "employer"), ("insured", premium, "employee"), ("insured", premium, "employer")]


def test_auxilia_long_sickness_employer_keeps_paying_and_care_leave_is_premium_free(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "u3")
        move_to(clock, D(2027, 1, 20))
        file_and_accept(case, "long_sickness", {"start_date": D(2027, 2, 1), "end_date": D(2027, 3, 31)})
        file_and_accept(case, "care_leave", {"start_date": D(2027, 6, 1), "end_date": D(2027, 11, 30)})
        person = fresh(case)
        assert cover_by_month(person, [D(2027, 2, 1), D(2027, 6, 1), D(2027, 12, 1)]) == [
            ("insured", Decimal("22.20"), "employer"), ("premium_free", Decimal("0.00"), "employer"),
            ("insured", Decimal("22.20"), "employer")]


def test_auxilia_parental_leave_premium_free_for_at_most_36_months(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "u4")
        move_to(clock, D(2027, 1, 20))
        file_and_accept(case, "parental_leave", {"start_date": D(2027, 2, 1), "end_date": D(2030, 6, 30),
                                                 "mode": "premium_free"})
        person = fresh(case)
        assert cover.state_on(person, D(2030, 1, 31)).cover == "premium_free"
        assert cover.state_on(person, D(2030, 2, 1)).cover == "suspended"
        assert cover.state_on(person, D(2030, 7, 1)).cover == "insured"


def test_nordhafen_suspends_long_sickness_and_the_employee_pays_care_leave(app, make_user, clock):
    with app.app_context():
        case = insured("nordhafen", make_user("insurer", tenant="nordhafen"), D(1980, 1, 1), "u5")
        move_to(clock, D(2027, 1, 20))
        file_and_accept(case, "long_sickness", {"start_date": D(2027, 2, 1), "end_date": D(2027, 2, 28)})
        file_and_accept(case, "care_leave", {"start_date": D(2027, 4, 1), "end_date": D(2027, 4, 30)})
        person = fresh(case)
        assert cover_by_month(person, [D(2027, 2, 1), D(2027, 3, 1), D(2027, 4, 1), D(2027, 5, 1)]) == [
            ("suspended", Decimal("0.00"), "employer"), ("insured", Decimal("21.90"), "employer"),
            ("insured", Decimal("21.90"), "employee"), ("insured", Decimal("21.90"), "employer")]


def test_a_return_ends_the_unpaid_period_before_its_expected_end(app, make_user, clock):
    with app.app_context():
        case = insured("nordhafen", make_user("insurer", tenant="nordhafen"), D(1980, 1, 1), "u6")
        move_to(clock, D(2027, 1, 20))
        file_and_accept(case, "long_sickness", {"start_date": D(2027, 2, 1), "end_date": D(2027, 12, 31)})
        move_to(clock, D(2027, 2, 1))
        assert cover.apply_due()["events"] == 1
        move_to(clock, D(2027, 4, 10))
        file_and_accept(case, "return_to_work", {"return_date": D(2027, 5, 1)})   # filed ahead, takes effect in May
        person = fresh(case)
        assert cover.premium_for(person, D(2027, 4, 1)) == Decimal("0.00")
        assert cover.premium_for(person, D(2027, 5, 1)) == Decimal("21.90")
        move_to(clock, D(2027, 5, 1))
        assert cover.apply_due()["events"] == 1
        assert cover.apply_due() == {"backfilled": 0, "events": 0, "age_steps": 0, "unpaid_steps": 0}
        assert [(p.valid_from, p.valid_to, p.cover, p.reason) for p in cover.periods(person.id)] == [
            (D(2027, 1, 1), D(2027, 1, 31), "insured", "enrolment"),
            (D(2027, 2, 1), D(2027, 4, 30), "suspended", "event"),
            (D(2027, 5, 1), None, "insured", "resumption")]
        move_to(clock, D(2028, 1, 2))                                   # the expected end no longer writes anything
        assert cover.apply_due()["unpaid_steps"] == 0


def test_a_return_needs_an_unpaid_period(app, make_user, clock):
    with app.app_context():
        case = insured("nordhafen", make_user("insurer", tenant="nordhafen"), D(1980, 1, 1), "u7")
        move_to(clock, D(2027, 1, 20))
        with pytest.raises(DomainError) as refused:
            events.file(case["employer_user"], case["contract"], fresh(case), "return_to_work",
                        {"return_date": D(2027, 3, 1)})
        assert refused.value.field == "return_date"
