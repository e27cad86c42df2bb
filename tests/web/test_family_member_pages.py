"""The employer adds a family member on the person page (with the employee's SEPA mandate), the insurer
accepts it in the back office, and the person page lists the family member with their projected cover and
premium; removing them offers the employee's family members by name."""
import re

from engine.models import FamilyMember
from tests.conftest import log_in
from tests.web.test_business_events import insured_staff, post

GOOD = {"role": "child", "first_name": "Mia", "last_name": "Vor", "birth_date": "15.03.2021",
        "start_date": "01.01.2027", "account_holder": "Vor1 Nach1", "iban": "DE89 3704 0044 0532 0130 00",
        "mandate_date": "01.12.2026"}


def test_the_employer_adds_and_removes_a_family_member_on_the_person_page(app, make_user):
    with app.app_context():
        case, staff, contract, [person] = insured_staff(app, make_user, "auxilia", 1)
    employer, office = app.test_client(), app.test_client()
    log_in(employer, case["employer_user"])
    log_in(office, staff)
    page = f"/m/auxilia/contracts/{contract.id}/employees/{person.id}"
    html = employer.get(page).get_data(as_text=True)
    assert "Familienangehörige" in html and "Keine Familienangehörigen mitversichert." in html

    refused = post(employer, f"{page}/events/family_member_added", {**GOOD, "iban": "DE89 3704 0044 0532 0130 01"})
    assert refused.status_code == 200
    assert "Die Prüfziffer der IBAN stimmt nicht" in refused.get_data(as_text=True)

    assert post(employer, f"{page}/events/family_member_added", GOOD).status_code == 302
    inbox = office.get("/m/auxilia/office/").get_data(as_text=True)
    event_id = re.search(r"/m/auxilia/office/events/(\d+)", inbox).group(1)
    assert post(office, f"/m/auxilia/office/events/{event_id}", {"decision": "accept"}).status_code == 302

    html = employer.get(page).get_data(as_text=True)
    family = html[html.index('id="family"'):]
    assert "Mia Vor" in family and "Kind" in family and "zahlt die versicherte Person" in family
    assert "ab 01.01.2027" in family and "9,40" in family       # 4.90 Zahn + 4.50 Sehen for a child of 5

    with app.app_context():
        [member] = FamilyMember.select().where(FamilyMember.employee == person.id)
    remove = f"{page}/events/family_member_removed"
    form = employer.get(f"{remove}?family_member={member.id}").get_data(as_text=True)
    assert f'<option value="{member.id}" selected' in form and "Mia Vor (Kind)" in form
    assert post(employer, remove, {"family_member": str(member.id), "end_date": "31.03.2027"}).status_code == 302
