"""Issue 15: a new hire becomes eligible. The waiting period counts from the person's own entry, so
someone hired on 01.05.2027 under Auxilia's 6 months of service (contract from 01.01.2027) is
"versicherbar ab 01.11.2027": shown in the staff list and on the person's page, refused for enrolment
and skipped by "enrol all" with that date until cover sent then could begin on it."""
import datetime

from engine import employees, enrolment_runs, enrolments
from engine.models import Employee, Enrolment, EnrolmentRun
from tests.conftest import log_in
from tests.journey import staffed_case

NEW_HIRE = ("Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;"
            "Wochenstunden\n7001;Neu;Nina;01.01.1990;Weg 1;10115;Berlin;01.05.2027;Vollzeit;40\n"
            "7002;Alt;Otto;01.01.1980;Weg 2;10115;Berlin;01.01.2015;Vollzeit;40\n")


def hired(app, make_user):
    staff = make_user("insurer", tenant="auxilia")
    with app.app_context():
        case = staffed_case("auxilia", staff, tag="hire")
        assert case["contract"].start_date == datetime.date(2027, 1, 1)
        batch = employees.preview(case["employer_user"], case["contract"], "neu.csv", NEW_HIRE.encode())
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        nina = Employee.get(Employee.personnel_number == "7001")
    return case, nina


def test_a_new_hire_is_eligible_from_her_own_date_and_shown_so(app, make_user):
    case, nina = hired(app, make_user)
    assert (nina.tariff_group, nina.eligible_from) == ("alle", datetime.date(2027, 11, 1))
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    url = f"/m/auxilia/contracts/{case['contract'].id}"
    staff_list = employer.get(url).get_data(as_text=True)
    assert "versicherbar ab 01.11.2027" in staff_list
    assert f'value="{nina.id}"' not in staff_list  # no checkbox: not ready
    person = employer.get(f"{url}/employees/{nina.id}").get_data(as_text=True)
    assert "versicherbar ab 01.11.2027" in person


def test_enrolment_waits_for_the_date_then_goes_through(app, make_user, clock):
    case, nina = hired(app, make_user)
    with app.app_context():
        sent, [(skipped, reason)] = enrolments.send(case["employer_user"], case["contract"], [nina.id])
        assert not sent and skipped.id == nina.id and "versicherbar ab 01.11.2027" in reason["de"]

        run = enrolment_runs.start(case["employer_user"], case["contract"])  # the others go, Nina is skipped
        enrolment_runs.run(run.id)
        run = EnrolmentRun.get_by_id(run.id)
        assert run.sent >= 1 and run.skipped == 1 and run.report["skipped"] == [{"employee": nina.id, "reason": reason}]
        assert Employee.get_by_id(nina.id).state == "new"

        clock.move_to(datetime.datetime(2027, 9, 15, 10, tzinfo=datetime.timezone.utc))  # cover would begin 01.10.
        assert nina.id not in enrolments.ready_ids(case["contract"])
        clock.move_to(datetime.datetime(2027, 11, 1, 10, tzinfo=datetime.timezone.utc))
        assert enrolments.ready_ids(case["contract"]) == [nina.id]
        [enrolment], skipped = enrolments.send(case["employer_user"], case["contract"], [nina.id])
        assert not skipped and enrolment.start_date >= datetime.date(2027, 11, 1)
        assert Enrolment.get_by_id(enrolment.id).tariff_group == "alle"


def test_a_hand_edit_of_the_entry_date_moves_the_date(app, make_user):
    case, nina = hired(app, make_user)
    with app.app_context():
        values = {name: getattr(nina, name) for name in employees.FIELDS}
        values.update(employment_start=datetime.date(2027, 2, 1), tariff_group="")
        employees.save_by_hand(case["employer_user"], case["contract"], values, Employee.get_by_id(nina.id))
        assert Employee.get_by_id(nina.id).eligible_from == datetime.date(2027, 8, 1)
