"""A tariff group's own minimum on the contract pages, in Chromium: the employer sees the day ahead on
which the group Belegschaft falls below it, the insurer's back office the task once it has."""
import datetime

from playwright.sync_api import expect

from engine import clock as platform_clock, cover, enrolments, events
from engine.models import Employee
from tests.browser.actions import log_in
from tests.journey import running_contract_with_sent_enrolments
from tests.tenant_versions import with_group_settings


def test_a_groups_shortfall_on_the_employer_and_office_pages(app, make_user, clock, tmp_path, open_page, shot):
    with app.app_context():
        with_group_settings(tmp_path, "nordhafen", "belegschaft", ["min_insured: 4"])
        case, staff, contract, sent = running_contract_with_sent_enrolments(make_user, "nordhafen", 4, tag="gms")
        for enrolment in sent:
            enrolments.accept(staff, enrolment)
        person = Employee.select().where(Employee.contract == contract.id).order_by(Employee.id).first()
        event, _ = events.file(case["employer_user"], contract, person, "leaving",
                               {"leaving_date": datetime.date(2027, 1, 15)})
        events.accept(staff, event)
    employer = open_page("employer")
    log_in(employer, case["employer_user"].email, case["employer_user"].plain_password)
    employer.goto(f"/m/nordhafen/contracts/{contract.id}")
    expect(employer.get_by_role("alert")).to_contain_text(
        "Ab 01.02.2027 wären in der Tarifgruppe Belegschaft nur noch 3 Personen versichert; sie verlangt mindestens 4.")
    shot(employer, "group-minimum-employer-ahead")

    clock.move_to(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=platform_clock.ZONE))
    with app.app_context():
        cover.apply_due()
    office = open_page("staff")
    log_in(office, staff.email, "correct-horse-42")
    office.goto(f"/m/nordhafen/office/contracts/{contract.id}")
    expect(office.get_by_role("alert")).to_contain_text(
        "Seit 01.02.2027 sind in der Tarifgruppe Belegschaft nur 3 Personen versichert; sie verlangt mindestens 4.")
    shot(office, "group-minimum-office-dropped")
