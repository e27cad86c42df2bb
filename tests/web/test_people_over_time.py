"""Issue 15, people over time: the employer is reminded once when a waiting person's eligible-from date
comes (or the platform enrols them, where the tenant says so); a policy issued for a later start shows
"versichert ab" until cover begins; a change of data re-checks the group and proposes a tariff group
change; a leaving date in an imported file reports the leaving (or keeps a person who leaves before cover
from being enrolled); a leaving that takes effect opens the continuation right for the insurer."""
import datetime

from engine import clock as platform_clock, continuation, cover, eligible_reminders, employees, enrolments, events
from engine import inbox
from engine.jobs import Jobs
from engine.models import AuditEntry, BusinessEvent, ContinuationCase, Employee, Enrolment
from tests.conftest import csrf_from, log_in
from tests.journey import enrolled_case, staffed_case

D = datetime.date
HEADER = ("Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;"
          "Wochenstunden;Austrittsdatum\n")
LEA = "7001;Lang;Lea;01.01.1980;Weg 1;10115;Berlin;01.01.2010;Vollzeit;40;{left}\n"
NINA = "7002;Neu;Nina;01.01.1990;Weg 2;10115;Berlin;01.05.2027;Vollzeit;40;{left}\n"


def move_to(clock, day):
    clock.move_to(datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=platform_clock.ZONE))


def upload(case, rows, name="staff.csv"):
    batch = employees.preview(case["employer_user"], case["contract"], name, (HEADER + rows).encode())
    employees.start(case["employer_user"], batch)
    employees.run_import(batch.id)
    return batch


def person(number):
    return Employee.get(Employee.personnel_number == number)


def page_of(app, case, employee):
    client = app.test_client()
    log_in(client, case["employer_user"])
    url = f"/m/{case['contract'].tenant_id}/contracts/{case['contract'].id}/employees/{employee.id}"
    return client, client.get(url).get_data(as_text=True)


# --- 1. the eligible-from date comes ----------------------------------------------------------------

def test_the_employer_is_reminded_once_when_a_new_hire_becomes_eligible(app, make_user, mailbox, clock):
    staff = make_user("insurer", tenant="auxilia")
    with app.app_context():
        case = staffed_case("auxilia", staff, tag="remind")
        upload(case, NINA.format(left=""), "neu.csv")  # six months of service: versicherbar ab 01.11.2027
        nina = person("7002")
        assert nina.eligible_from == D(2027, 11, 1)
        mailbox.clear()
        assert Jobs.follow_people()["reminded"] == 0           # Lea was ready when added; Nina waits
        move_to(clock, D(2027, 9, 20))
        assert eligible_reminders.remind_due() == {"reminded": 0, "enrolled": 0}
        move_to(clock, D(2027, 10, 2))                          # an enrolment sent now begins on 01.11.2027
        assert Jobs.follow_people()["reminded"] == 1
        assert eligible_reminders.remind_due() == {"reminded": 0, "enrolled": 0}  # once
        assert Employee.get_by_id(nina.id).state == "new"      # the employer enrols
        texts = [n["text"]["de"] for n in inbox.recent(case["employer_user"])[0]]
    assert sum("Nina Neu ist ab 01.11.2027 versicherbar" in t for t in texts) == 1, texts
    [mail] = mailbox.to(case["client"].contact_email)
    assert "Nina Neu ist ab 01.11.2027 versicherbar" in mail["body"]


def test_where_the_tenant_says_so_the_platform_enrols_the_person_itself(app, make_user, clock):
    staff = make_user("insurer", tenant="nordhafen")             # auto_enrol_when_eligible: true
    with app.app_context():
        case = staffed_case("nordhafen", staff, tag="auto")
        upload(case, NINA.format(left=""), "neu.csv")
        nina = person("7002")
        assert nina.eligible_from == D(2027, 5, 1)               # from her entry
        move_to(clock, D(2027, 4, 3))
        assert eligible_reminders.remind_due() == {"reminded": 0, "enrolled": 1}
        [enrolment] = Enrolment.select().where(Enrolment.employee == nina.id)
        assert enrolment.created_by is None and enrolment.start_date == D(2027, 5, 1)
        assert Employee.get_by_id(nina.id).state == "enrolled"
        sent = AuditEntry.get((AuditEntry.action == "enrolment.sent") & (AuditEntry.object_id == str(enrolment.id)))
        assert sent.actor_id is None                             # the system, not a person
        texts = [n["text"]["de"] for n in inbox.recent(case["employer_user"])[0]]
    assert any("automatisch" in t and "Nina Neu" in t for t in texts), texts


# --- 4. insured from the start of cover -------------------------------------------------------------

def test_a_policy_for_a_later_start_shows_insured_from_then_and_becomes_insured_on_it(app, make_user, clock):
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        case = enrolled_case("lumen", staff, tag="later")
        enrolments.accept(staff, case["enrolment"])
        lea = Employee.get_by_id(case["employee"].id)
        assert lea.state == "accepted"
    _, page = page_of(app, case, lea)
    assert "Police ausgestellt, versichert ab 01.01.2027" in page
    with app.app_context():
        move_to(clock, D(2026, 12, 31))
        assert enrolments.insure_started() == 0
        move_to(clock, D(2027, 1, 1))
        assert Jobs.follow_people()["insured"] == 1
        assert Employee.get_by_id(lea.id).state == "insured"
    _, page = page_of(app, case, lea)
    assert "Police ausgestellt" not in page and ">versichert<" in page


# --- 2. a change of data re-checks the group --------------------------------------------------------

def insured_at_auxilia(make_user, tag):
    staff = make_user("insurer", tenant="auxilia")
    case = enrolled_case("auxilia", staff, tag=tag)
    enrolments.accept(staff, case["enrolment"])
    return case, staff


def test_a_change_of_group_is_proposed_and_filed_with_one_button(app, make_user, mailbox):
    with app.app_context():
        case, staff = insured_at_auxilia(make_user, "regroup")
        lea = Employee.get_by_id(case["employee"].id)
        mailbox.clear()
    client, _ = page_of(app, case, lea)
    edit = f"/m/auxilia/contracts/{case['contract'].id}/employees/{lea.id}/edit"
    form = client.get(edit)
    values = {name: getattr(lea, name) for name in employees.FIELDS}
    values = {k: (v.strftime("%Y-%m-%d") if isinstance(v, D) else (v or "")) for k, v in values.items()}
    values.update(tariff_group="fuehrung", csrf_token=csrf_from(form))  # now a manager
    assert client.post(edit, data=values).status_code == 302
    with app.app_context():
        lea = Employee.get_by_id(lea.id)
        assert lea.tariff_group == "alle"                             # no silent change
        assert lea.group_proposal == {"from": "alle", "to": "fuehrung", "date": "2027-01-01"}
        texts = [n["text"]["de"] for n in inbox.recent(case["employer_user"])[0]]
    assert any("von Alle Mitarbeitenden nach Führungskräfte" in t for t in texts), texts
    assert mailbox.to(case["client"].contact_email)
    _, page = page_of(app, case, lea)
    assert "Tarifgruppe wechseln: von Alle Mitarbeitenden nach Führungskräfte ab 01.01.2027" in page
    link = f"/m/auxilia/contracts/{case['contract'].id}/employees/{lea.id}/events/tariff_group_change"
    assert f"{link}?new_group=fuehrung&amp;effective_date=2027-01-01" in page
    prefilled = client.get(f"{link}?new_group=fuehrung&effective_date=2027-01-01").get_data(as_text=True)
    assert 'value="fuehrung"' in prefilled and 'value="2027-01-01"' in prefilled
    answer = client.post(link, data={"new_group": "fuehrung", "effective_date": "2027-01-01",
                                     "csrf_token": csrf_from(client.get(link))})
    assert answer.status_code == 302
    _, page = page_of(app, case, lea)
    assert "Tarifgruppe wechseln" not in page                         # filed: waiting for the insurer


def test_no_group_any_more_is_said_not_changed(app, make_user):
    with app.app_context():
        case, staff = insured_at_auxilia(make_user, "minijob")
        lea = Employee.get_by_id(case["employee"].id)
        values = {name: getattr(lea, name) for name in employees.FIELDS}
        employees.save_by_hand(case["employer_user"], case["contract"], dict(values, employment_type="minijob"), lea)
        lea = Employee.get_by_id(lea.id)
        assert lea.tariff_group == "alle" and lea.group_proposal["to"] is None
    _, page = page_of(app, case, lea)
    assert "keiner Tarifgruppe" in page and "tariff_group_change?" not in page
    with app.app_context():  # back to full time: the proposal goes
        employees.save_by_hand(case["employer_user"], case["contract"], values, Employee.get_by_id(lea.id))
        assert Employee.get_by_id(lea.id).group_proposal is None


def test_a_person_not_yet_enrolled_simply_gets_the_new_group(app, make_user):
    with app.app_context():
        case = staffed_case("auxilia", make_user("insurer", tenant="auxilia"), tag="newgroup")
        lea = case["employee"]
        values = {name: getattr(lea, name) for name in employees.FIELDS}
        employees.save_by_hand(case["employer_user"], case["contract"], dict(values, tariff_group="fuehrung"), lea)
        lea = Employee.get_by_id(lea.id)
        assert lea.tariff_group == "fuehrung" and lea.group_proposal is None


# --- 3. a leaving date in the file ------------------------------------------------------------------

def test_a_future_leaving_date_in_an_import_reports_the_leaving_and_ends_cover(app, make_user, clock):
    with app.app_context():
        case, staff = insured_at_auxilia(make_user, "leavefile")
        upload(case, LEA.format(left="31.03.2027"), "austritt.csv")
        lea = person("7001")
        [event] = BusinessEvent.select().where(BusinessEvent.employee == lea.id)
        assert (event.type, event.state, event.data["leaving_date"]) == ("leaving", "submitted", "2027-03-31")
        assert event.created_by_id == case["employer_user"].id     # as the employer would report it
        upload(case, LEA.format(left="31.03.2027"), "austritt-nochmal.csv")  # the same file again: nothing new
        assert BusinessEvent.select().where(BusinessEvent.employee == lea.id).count() == 1
        events.accept(staff, event)                                 # the insurer still decides
        assert cover.state_on(lea, D(2027, 3, 31)).cover == "insured"
        assert cover.state_on(lea, D(2027, 4, 1)) is None
        move_to(clock, D(2027, 4, 1))
        assert cover.apply_due()["events"] == 1
        assert Employee.get_by_id(lea.id).state == "left"
        [case_] = ContinuationCase.select().where(ContinuationCase.employee == lea.id)
        assert case_.due_date == D(2027, 4, 30) and case_.state == "open"  # Auxilia: one month


def test_a_leaving_before_eligibility_keeps_the_person_from_enrolment(app, make_user, clock):
    with app.app_context():
        case = staffed_case("auxilia", make_user("insurer", tenant="auxilia"), tag="leavesoon")
        upload(case, NINA.format(left="30.09.2027"), "neu.csv")    # versicherbar ab 01.11.2027
        nina = person("7002")
        sent, [(_, reason)] = enrolments.send(case["employer_user"], case["contract"], [nina.id])
        move_to(clock, D(2027, 10, 20))
        sent, [(_, reason)] = enrolments.send(case["employer_user"], case["contract"], [nina.id])
        assert not sent and "Austritt am 30.09.2027" in reason["de"]
        assert eligible_reminders.remind_due()["reminded"] == 0
    _, page = page_of(app, case, nina)
    assert "Nicht angemeldet: Austritt am 30.09.2027" in page


# --- 5. the continuation right ----------------------------------------------------------------------

def test_the_continuation_is_handed_to_the_insurer_and_marked_offered_or_lapses(app, make_user, clock):
    with app.app_context():
        case, staff = insured_at_auxilia(make_user, "fortf")
        lea = Employee.get_by_id(case["employee"].id)
        event, _ = events.file(case["employer_user"], case["contract"], lea, "leaving",
                               {"leaving_date": D(2027, 2, 15), "fortfuehrung_gewuenscht": True,
                                "private_email": "lea.privat@example.org"})
        events.accept(staff, event)
        assert not ContinuationCase.select().exists()              # not before the leaving takes effect
        move_to(clock, D(2027, 3, 1))
        cover.apply_due()
        [opened] = ContinuationCase.select().where(ContinuationCase.employee == lea.id)
        assert (opened.due_date, opened.email, opened.state) == (D(2027, 3, 15), "lea.privat@example.org", "open")
    _, page = page_of(app, case, lea)
    assert "ohne Gesundheitsfragen weiterversichern bis 15.03.2027" in page
    office = app.test_client()
    log_in(office, staff)
    queue = office.get("/m/auxilia/office/?kind=continuations")
    body = queue.get_data(as_text=True)
    assert "lea.privat@example.org" in body and "15.03.2027" in body
    answer = office.post(f"/m/auxilia/office/continuations/{opened.id}",
                         data={"decision": "offer", "csrf_token": csrf_from(queue)})
    assert answer.status_code == 302
    with app.app_context():
        assert ContinuationCase.get_by_id(opened.id).state == "offered"
        assert continuation.lapse_due(D(2027, 5, 1)) == 0          # handled: does not lapse


def test_an_open_continuation_lapses_after_its_due_date(app, make_user, clock):
    with app.app_context():
        case, staff = insured_at_auxilia(make_user, "lapse")
        lea = Employee.get_by_id(case["employee"].id)
        event, _ = events.file(case["employer_user"], case["contract"], lea, "leaving", {"leaving_date": D(2027, 1, 31)})
        events.accept(staff, event)
        move_to(clock, D(2027, 2, 1))
        cover.apply_due()
        [opened] = ContinuationCase.select()
        assert opened.due_date == D(2027, 2, 28) and opened.email == ""
        move_to(clock, D(2027, 2, 28))
        assert Jobs.follow_people()["lapsed"] == 0
        move_to(clock, D(2027, 3, 1))
        assert Jobs.follow_people()["lapsed"] == 1
        assert ContinuationCase.get_by_id(opened.id).state == "lapsed"
        assert AuditEntry.get(AuditEntry.action == "continuation.lapse").actor_id is None


def test_a_tenant_without_continuation_opens_no_case(app, make_user, clock):
    staff = make_user("insurer", tenant="nordhafen")
    with app.app_context():
        case = enrolled_case("nordhafen", staff, tag="nocont")
        enrolments.accept(staff, case["enrolment"])
        lea = Employee.get_by_id(case["employee"].id)
        event, _ = events.file(case["employer_user"], case["contract"], lea, "leaving",
                               {"leaving_date": D(2027, 1, 31), "austrittsgrund": "kuendigung"})
        events.accept(staff, event)
        move_to(clock, D(2027, 2, 1))
        cover.apply_due()
        assert Employee.get_by_id(lea.id).state == "left"
        assert not ContinuationCase.select().exists()
