"""The cover ledger (engine/cover.py): an accepted enrolment opens a dated period; events take effect
on their date, not when the insurer accepts them; age steps change the premium from the month the
tenant's age method says; the daily job writes what became due, once."""
import datetime
from decimal import Decimal

import pytest

from engine import clock as platform_clock, contracts, cover, employees, enrolments, events, statements
from engine.errors import DomainError
from rules import dates
from engine.models import CoverPeriod, Employee, GroupContract
from tests.journey import released_application

HEADER = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;Wochenstunden\n"
D = datetime.date


def move_to(clock, day):
    clock.move_to(datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=platform_clock.ZONE))


def insured(slug, staff, birth_date, tag, level=None):
    """A group contract from 01.01.2027 with one person, born `birth_date`, enrolled and insured (in
    budget level `level` where given, as if the offer had chosen it)."""
    case = released_application(slug, tag=tag)
    contracts.accept(staff, contracts.application_for_insurer(slug, case["application"].id), f"GV-{tag}")
    contract = contracts.contracts_for_employer(case["employer_user"], slug)[0]
    if level:
        GroupContract.update(groups=[{**g, "level": level, "tariffs": [level]} for g in contract.groups]).where(
            GroupContract.id == contract.id).execute()
        contract = GroupContract.get_by_id(contract.id)
    row = f"1;Lang;Lea;{birth_date:%d.%m.%Y};Weg 1;10115;Berlin;01.01.2010;Vollzeit;40\n"
    batch = employees.preview(case["employer_user"], contract, "staff.csv", (HEADER + row).encode())
    employees.start(case["employer_user"], batch)
    employees.run_import(batch.id)
    [person] = employees.for_contract(contract)
    [enrolment], _ = enrolments.send(case["employer_user"], contract, [person.id])
    enrolments.accept(staff, enrolment)
    return {**case, "contract": contract, "employee": Employee.get_by_id(person.id), "staff": staff}


def file_and_accept(case, kind, values):
    event, _ = events.file(case["employer_user"], case["contract"], Employee.get_by_id(case["employee"].id), kind,
                           values)
    return events.accept(case["staff"], event)


def fresh(case):
    return Employee.get_by_id(case["employee"].id)


def test_an_accepted_enrolment_opens_the_first_period(app, make_user):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "c1")
        [period] = cover.periods(case["employee"].id)
        assert (period.valid_from, period.valid_to, period.cover, period.reason) == (D(2027, 1, 1), None, "insured",
                                                                                     "enrolment")
        assert period.payer == "employer" and period.tariffs == ("zahn", "sehen", "vorsorge")
        # Lea, 36 at the start: Zahn 30-44 12.40 + Sehen 15-39 4.20 + Vorsorge 5.60
        assert period.premium == Decimal("22.20")
        assert cover.state_on(fresh(case), D(2026, 12, 31)) is None       # cover begins on 1 January
        assert cover.state_on(fresh(case), D(2027, 1, 1)).cover == "insured"
        assert cover.premium_for(fresh(case), D(2026, 12, 1)) == Decimal("0.00")
        assert cover.premium_for(fresh(case), D(2027, 1, 1)) == Decimal("22.20")
        assert cover.contract_total(case["contract"], D(2027, 1, 1)) == Decimal("22.20")


def test_nordhafen_insurance_age_steps_on_1_january(app, make_user, clock):
    """Komfort by insurance age: 39 in 2027 (33.80), 40 in 2028 (41.20), whatever the birthday."""
    with app.app_context():
        case = insured("nordhafen", make_user("insurer", tenant="nordhafen"), D(1988, 9, 20), "c2", level="komfort")
        person = fresh(case)
        assert cover.premium_for(person, D(2027, 12, 1)) == Decimal("33.80")
        assert cover.premium_for(person, D(2028, 1, 1)) == Decimal("41.20")    # projected before it is written
        assert cover.apply_due() == {"backfilled": 0, "events": 0, "age_steps": 0, "unpaid_steps": 0}   # nothing due in December 2026
        move_to(clock, D(2028, 1, 1))
        assert cover.apply_due() == {"backfilled": 0, "events": 0, "age_steps": 1, "unpaid_steps": 0}
        assert cover.apply_due() == {"backfilled": 0, "events": 0, "age_steps": 0, "unpaid_steps": 0}   # idempotent
        first, step = cover.periods(person.id)
        assert (first.valid_to, first.premium) == (D(2027, 12, 31), Decimal("33.80"))
        assert (step.valid_from, step.valid_to, step.premium, step.reason) == (D(2028, 1, 1), None, Decimal("41.20"),
                                                                               "age_step")


def test_auxilia_age_at_start_steps_the_month_after_the_birthday(app, make_user, clock):
    """Lea turns 40 on 15.06.2027: Sehen 15-39 4.20 -> 40+ 6.10 from July, not from June."""
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1987, 6, 15), "c3")
        person = fresh(case)
        assert cover.premium_for(person, D(2027, 6, 1)) == Decimal("22.20")
        assert cover.premium_for(person, D(2027, 7, 1)) == Decimal("24.10")
        move_to(clock, D(2027, 7, 3))
        assert cover.apply_due()["age_steps"] == 1
        assert [p.valid_from for p in cover.periods(person.id)] == [D(2027, 1, 1), D(2027, 7, 1)]


def test_by_the_nearest_birthday_the_age_steps_six_months_before_the_birthday():
    """Born 15.03.1990: the next age counts from the first 1st after 15.09 (six whole months after the
    last birthday), i.e. 01.10.; born 01.07.: from 01.01., the day the half year is complete."""
    assert list(cover.step_dates("nearest_birthday", D(1990, 3, 15), D(2027, 1, 1), D(2029, 1, 1))) == [
        D(2027, 10, 1), D(2028, 10, 1)]
    assert list(cover.step_dates("nearest_birthday", D(1990, 7, 1), D(2027, 1, 1), D(2029, 1, 1))) == [
        D(2028, 1, 1), D(2029, 1, 1)]
    assert list(cover.step_dates("nearest_birthday", D(1990, 7, 2), D(2027, 1, 1), D(2028, 3, 1))) == [
        D(2027, 2, 1), D(2028, 2, 1)]
    for birth in (D(1990, 3, 15), D(1990, 7, 1), D(1992, 2, 29), D(1990, 8, 31)):
        for day in cover.step_dates("nearest_birthday", birth, D(2027, 1, 1), D(2030, 1, 1)):
            before = D(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)
            assert dates.nearest_birthday_age(birth, day) == dates.nearest_birthday_age(birth, before) + 1


def test_a_future_leaving_changes_nothing_until_the_end_of_that_month(app, make_user, clock):
    with app.app_context():
        case = insured("nordhafen", make_user("insurer", tenant="nordhafen"), D(1980, 1, 1), "c4")
        move_to(clock, D(2027, 2, 10))
        assert enrolments.insure_started() == 1                            # the daily job: cover began 01.01.
        file_and_accept(case, "leaving", {"leaving_date": D(2027, 3, 15)})
        person = fresh(case)
        assert person.state == "insured"                                   # not "left" before the date
        assert cover.state_on(person, D(2027, 3, 31)).cover == "insured"
        assert cover.state_on(person, D(2027, 4, 1)) is None               # cover ends at the end of March
        assert cover.premium_for(person, D(2027, 3, 1)) == Decimal("21.90")   # kompakt, insurance age 47
        assert cover.premium_for(person, D(2027, 4, 1)) == Decimal("0.00")
        [open_period] = cover.periods(person.id)
        assert open_period.valid_to is None                                # written only when due
        [ending] = cover.upcoming(person)
        assert ending.valid_to == D(2027, 3, 31)
        move_to(clock, D(2027, 3, 31))
        assert cover.apply_due()["events"] == 0 and fresh(case).state == "insured"
        move_to(clock, D(2027, 4, 1))
        assert cover.apply_due()["events"] == 1
        assert cover.apply_due()["events"] == 0
        assert fresh(case).state == "left"
        [closed] = cover.periods(person.id)
        assert closed.valid_to == D(2027, 3, 31)


def test_a_leaving_in_the_past_ends_cover_at_once(app, make_user, clock):
    with app.app_context():
        case = insured("nordhafen", make_user("insurer", tenant="nordhafen"), D(1980, 1, 1), "c5")
        move_to(clock, D(2027, 5, 4))
        file_and_accept(case, "leaving", {"leaving_date": D(2027, 4, 10)})
        assert fresh(case).state == "left"
        [closed] = cover.periods(case["employee"].id)
        assert closed.valid_to == D(2027, 4, 30)


def test_a_leaving_reported_after_a_written_age_step_ends_cover_on_its_day_and_the_months_are_credited(
        app, make_user, clock):
    """Lea (Auxilia), 40 on 05.10.2027: the age step of 01.11.2027 is written and November billed
    before the employer reports that she left on 30.09.2027. Cover ends on 30.09.: the period that
    ran to 31.10. is shortened, the step's period left void, October and November are credited."""
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1987, 10, 5), "c5b")
        for month in (D(2027, 10, 1), D(2027, 11, 1)):
            move_to(clock, month)
            cover.apply_due()
            statements.issue(case["contract"], month)
        first, step = cover.periods(case["employee"].id)
        assert (first.valid_to, step.valid_from, step.premium) == (D(2027, 10, 31), D(2027, 11, 1), Decimal("24.10"))
        move_to(clock, D(2027, 11, 20))
        file_and_accept(case, "leaving", {"leaving_date": D(2027, 9, 30)})
        step, first = cover.periods(case["employee"].id)                     # void periods first
        assert first.valid_to == D(2027, 9, 30)                              # shortened: no cover in October
        assert step.void and step.valid_from == D(2027, 11, 1)
        assert [cover.premium_for(fresh(case), D(2027, m, 1)) for m in (9, 10, 11)] == [
            Decimal("22.20"), Decimal("0.00"), Decimal("0.00")]
        move_to(clock, D(2027, 12, 1))
        cover.apply_due()
        december = statements.view(statements.issue(case["contract"], D(2027, 12, 1))[0])
        assert [(line["kind"], line["for_month"], line["amount"]) for line in december["lines"]] == [
            ("removal", D(2027, 12, 1), Decimal("0.00")), ("correction", D(2027, 10, 1), Decimal("-22.20")),
            ("correction", D(2027, 11, 1), Decimal("-24.10"))]


def test_an_unpaid_period_dated_back_past_a_written_age_step_is_priced_as_on_its_day(app, make_user, clock):
    """Lea (Auxilia), 40 on 05.10.2027, her age step of 01.11.2027 written; then long sickness from
    01.10.2027 is reported (Auxilia: the employer pays on). October keeps the price of 39 (22.20),
    from November she pays as 40 (24.10), from January the insurer's new Zahn 12.90; and the steps
    after the back-dated start still come (the void step's period sorts first, the open one last)."""
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1987, 10, 5), "c5c")
        move_to(clock, D(2027, 11, 2))
        cover.apply_due()
        move_to(clock, D(2027, 11, 20))
        file_and_accept(case, "long_sickness", {"start_date": D(2027, 10, 1), "end_date": D(2028, 3, 31)})
        assert [(p.valid_from, p.premium, p.reason) for p in cover.timeline(fresh(case)) if not p.void] == [
            (D(2027, 1, 1), Decimal("22.20"), "enrolment"), (D(2027, 10, 1), Decimal("22.20"), "event"),
            (D(2027, 11, 1), Decimal("24.10"), "age_step"), (D(2028, 1, 1), Decimal("24.60"), "price_change"),
            (D(2028, 4, 1), Decimal("24.60"), "resumption")]
        assert [cover.premium_for(fresh(case), D(2027, m, 1)) for m in (9, 10, 11)] == [
            Decimal("22.20"), Decimal("22.20"), Decimal("24.10")]


def test_parental_leave_suspends_from_its_start_to_its_end_and_cover_resumes(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "c6")
        move_to(clock, D(2027, 1, 20))
        file_and_accept(case, "parental_leave", {"start_date": D(2027, 3, 1), "end_date": D(2027, 8, 31),
                                                 "mode": "suspend"})
        person = fresh(case)
        assert cover.state_on(person, platform_clock.today()).cover == "insured"      # nothing changes before March
        assert cover.premium_for(person, D(2027, 2, 1)) == Decimal("22.20")
        assert cover.state_on(person, D(2027, 3, 1)).cover == "suspended"
        assert cover.premium_for(person, D(2027, 3, 1)) == Decimal("0.00")
        assert cover.premium_for(person, D(2027, 9, 1)) == Decimal("22.20")  # resumed
        assert [(p.valid_from, p.cover) for p in cover.upcoming(person)] == [
            (D(2027, 1, 1), "insured"), (D(2027, 3, 1), "suspended"), (D(2027, 9, 1), "insured"),
            (D(2028, 1, 1), "insured")]                                       # Auxilia's premium change
        move_to(clock, D(2027, 3, 1))
        assert cover.apply_due()["events"] == 1
        # the suspension stays open until its expected end is due: a return may still end it earlier
        assert [(p.valid_from, p.valid_to, p.cover, p.reason) for p in cover.periods(person.id)] == [
            (D(2027, 1, 1), D(2027, 2, 28), "insured", "enrolment"),
            (D(2027, 3, 1), None, "suspended", "event")]
        assert cover.premium_for(person, D(2027, 9, 1)) == Decimal("22.20")
        move_to(clock, D(2027, 9, 1))
        assert cover.apply_due()["unpaid_steps"] == 1
        assert cover.apply_due()["unpaid_steps"] == 0
        assert [(p.valid_from, p.valid_to, p.cover, p.reason) for p in cover.periods(person.id)] == [
            (D(2027, 1, 1), D(2027, 2, 28), "insured", "enrolment"),
            (D(2027, 3, 1), D(2027, 8, 31), "suspended", "event"),
            (D(2027, 9, 1), None, "insured", "resumption")]
        assert CoverPeriod.select().where(CoverPeriod.employee == person.id).count() == 3


def test_the_employer_cancels_a_future_event_until_its_date(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "c7")
        move_to(clock, D(2027, 1, 20))
        event = file_and_accept(case, "parental_leave", {"start_date": D(2027, 3, 1), "end_date": D(2027, 8, 31),
                                                         "mode": "suspend"})
        cancelled = events.cancel(case["employer_user"], event)
        assert cancelled.state == "cancelled"
        assert cover.premium_for(fresh(case), D(2027, 3, 1)) == Decimal("22.20")
        later = file_and_accept(case, "parental_leave", {"start_date": D(2027, 2, 1), "end_date": D(2027, 8, 31),
                                                         "mode": "suspend"})
        move_to(clock, D(2027, 2, 1))
        cover.apply_due()
        with pytest.raises(DomainError):
            events.cancel(case["employer_user"], type(later).get_by_id(later.id))


def test_a_group_change_opens_a_period_and_keeps_the_first(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "c8")
        groups = [g["id"] for g in case["contract"].groups]
        other = next((g for g in groups if g != case["employee"].tariff_group), None)
        if other is None:
            pytest.skip("one group only")
        move_to(clock, D(2027, 3, 5))
        file_and_accept(case, "tariff_group_change", {"effective_date": D(2027, 4, 1), "new_group": other})
        assert fresh(case).tariff_group != other
        move_to(clock, D(2027, 4, 1))
        cover.apply_due()
        first, second = cover.periods(case["employee"].id)
        assert (first.valid_from, first.valid_to) == (D(2027, 1, 1), D(2027, 3, 31))
        assert (second.valid_from, second.tariff_group) == (D(2027, 4, 1), other)
        assert fresh(case).tariff_group == other


def test_people_insured_before_the_ledger_get_their_periods_and_old_events_once(app, make_user, clock):
    """An installation upgraded to the ledger: enrolments and a leaving accepted before it existed."""
    from engine.models import BusinessEvent
    with app.app_context():
        case = insured("nordhafen", make_user("insurer", tenant="nordhafen"), D(1980, 1, 1), "old")
        move_to(clock, D(2027, 2, 10))
        file_and_accept(case, "leaving", {"leaving_date": D(2027, 2, 15)})
        person = fresh(case)
        CoverPeriod.delete().where(CoverPeriod.employee == person.id).execute()   # as before migration 0008
        BusinessEvent.update(applied_at=None).where(BusinessEvent.employee == person.id).execute()
        assert cover.periods(person.id) == []
        move_to(clock, D(2027, 3, 2))
        done = cover.apply_due()
        assert (done["backfilled"], done["events"]) == (1, 1)
        [period] = cover.periods(person.id)
        assert (period.valid_from, period.valid_to, period.premium) == (D(2027, 1, 1), D(2027, 2, 28), Decimal("21.90"))
        again = cover.apply_due()
        assert (again["backfilled"], again["events"]) == (0, 0) and len(cover.periods(person.id)) == 1
