"""A tenant's employee rule may warn (Auxilia: the person turns 67 soon, after which nobody can join): the
warning is kept with the person's explanation and shown on the employer's person page and on the insurer's
enrolment page, not only in `bkv tenants simulate`."""
from engine import employees, enrolments
from engine.models import Employee
from tests.conftest import log_in
from tests.journey import staffed_case

SOON_67 = ("Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;"
           "Wochenstunden\n8001;Alt;Alma;01.06.1962;Weg 1;10115;Berlin;01.01.2010;Vollzeit;40\n")
WARNING = "Die Person wird bald 67"


def test_an_employee_rule_warning_is_shown_to_employer_and_insurer(app, make_user):
    staff = make_user("insurer", tenant="auxilia")
    with app.app_context():
        case = staffed_case("auxilia", staff, tag="warn")
        batch = employees.preview(case["employer_user"], case["contract"], "alt.csv", SOON_67.encode())
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        alma = Employee.get(Employee.personnel_number == "8001")
        [enrolment], _ = enrolments.send(case["employer_user"], case["contract"], [alma.id])
        younger = case["employee"]
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    url = f"/m/auxilia/contracts/{case['contract'].id}/employees"
    assert WARNING in employer.get(f"{url}/{alma.id}").get_data(as_text=True)
    assert WARNING not in employer.get(f"{url}/{younger.id}").get_data(as_text=True)
    clerk = app.test_client()
    log_in(clerk, staff)
    page = clerk.get(f"/m/auxilia/office/enrolments/{enrolment.id}").get_data(as_text=True)
    assert WARNING in page and "rule-warning" in page
