"""A tariff group added to a group contract at its anniversary (engine/contract_groups.py): asked for by
the employer or the broker before the notice deadline, withdrawable until the day, audited; the rules
assign people to it at once, but cover in it begins on its day at the earliest; on the day the people not
yet enrolled are assigned again.

Lumen: groups alle (after 3 months of employment) and azubis (trainees, a rule assigns them), 3 months'
notice. The contract runs from 01.01.2027 (today is 02.12.2026): the next anniversary is 01.01.2028,
asked for by 30.09.2027."""
import datetime

import pytest

from engine import contract_groups, cover, employees, enrolments
from engine.errors import DomainError, Forbidden
from engine.models import AuditEntry, Employee, GroupContract
from tests.conftest import csrf_from, log_in
from tests.engine.test_cover import move_to
from tests.journey import contracts, released_application

D = datetime.date
HEADER = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;Wochenstunden\n"
NEW_YEAR = D(2028, 1, 1)


def lumen_contract(make_user, tag):
    """A Lumen contract from 01.01.2027 with the group alle only."""
    case = released_application("lumen", tag=tag)
    staff = make_user("insurer", tenant="lumen")
    contracts.accept(staff, contracts.application_for_insurer("lumen", case["application"].id), f"GV-{tag}")
    contract = contracts.contracts_for_employer(case["employer_user"], "lumen")[0]
    GroupContract.update(groups=[g for g in contract.groups if g["id"] == "alle"]).where(
        GroupContract.id == contract.id).execute()
    return case, staff, GroupContract.get_by_id(contract.id)


def fresh(contract):
    return GroupContract.get_by_id(contract.id)


def import_rows(case, contract, rows):
    batch = employees.preview(case["employer_user"], contract, "staff.csv", (HEADER + rows).encode())
    employees.start(case["employer_user"], batch)
    employees.run_import(batch.id)
    return {p.personnel_number: p for p in employees.for_contract(contract)}


TRAINEE = "2;Klein;Tom;01.05.2009;Weg 2;10115;Berlin;01.09.2026;Azubi;40\n"
WORKER = "1;Lang;Lea;01.01.1990;Weg 1;10115;Berlin;01.01.2010;Vollzeit;40\n"


def test_a_new_group_is_asked_for_before_the_deadline_withdrawn_and_refused_after_it(app, make_user, clock):
    with app.app_context():
        case, staff, contract = lumen_contract(make_user, "cg1")
        employer, broker = case["employer_user"], case["broker"]
        choice = contract_groups.choices(contract)
        assert (choice["effective"], choice["deadline"], choice["pending"]) == (NEW_YEAR, D(2027, 9, 30), [])
        assert {"group": "azubis", "levels": ["budget_300", "budget_600"]} in choice["groups"]
        with pytest.raises(Forbidden):
            contract_groups.request(staff, contract, "azubis", "budget_300", "100", NEW_YEAR)
        with pytest.raises(DomainError) as no_level:
            contract_groups.request(employer, contract, "azubis", "budget_1200", "100", NEW_YEAR)
        assert no_level.value.field == "level"
        with pytest.raises(DomainError) as not_a_day:
            contract_groups.request(employer, contract, "azubis", "budget_300", "100", D(2027, 6, 1))
        assert not_a_day.value.field == "effective"
        with pytest.raises(DomainError) as share:
            contract_groups.request(employer, contract, "azubis", "budget_300", "120", NEW_YEAR)
        assert share.value.field == "employer_share"

        contract = contract_groups.request(employer, contract, "azubis", "budget_300", "50", NEW_YEAR)
        added = contract.groups[-1]
        assert (added["id"], added["level"], added["tariffs"], added["employer_share"], added["from"]) == (
            "azubis", "budget_300", ["budget_300"], "50", "2028-01-01")
        assert contract_groups.choices(contract)["pending"] == [
            {"group": "azubis", "from": NEW_YEAR, "level": "budget_300"}]
        assert [g["id"] for g in contract_groups.groups_on(contract, D(2027, 12, 31))] == ["alle"]
        assert [g["id"] for g in contract_groups.groups_on(contract, NEW_YEAR)] == ["alle", "azubis"]
        with pytest.raises(DomainError):                      # the contract has it (from its day) already
            contract_groups.request(broker, contract, "azubis", "budget_600", "50", NEW_YEAR)

        contract = contract_groups.withdraw(broker, contract, "azubis", NEW_YEAR)
        assert [g["id"] for g in contract.groups] == ["alle"]
        contract = contract_groups.request(broker, contract, "azubis", "budget_600", "100", NEW_YEAR)
        assert [e.action for e in AuditEntry.select().where(AuditEntry.action.startswith("contract.group"))
                .order_by(AuditEntry.id)] == ["contract.group_requested", "contract.group_withdrawn",
                                              "contract.group_requested"]
        contract = contract_groups.withdraw(employer, contract, "azubis", NEW_YEAR)

        move_to(clock, D(2027, 10, 1))                        # after the deadline: refused, saying it
        with pytest.raises(DomainError) as late:
            contract_groups.request(employer, fresh(contract), "azubis", "budget_300", "100", NEW_YEAR)
        assert "30.09.2027" in late.value.text["de"] and "01.01.2029" in late.value.text["de"]
        assert contract_groups.choices(fresh(contract))["effective"] == D(2029, 1, 1)


def test_a_trainee_gets_the_new_group_and_is_enrolled_from_the_anniversary_not_before(app, make_user, clock):
    with app.app_context():
        case, staff, contract = lumen_contract(make_user, "cg2")
        employer = case["employer_user"]
        early = import_rows(case, contract, TRAINEE)["2"]            # imported before the group was asked for
        assert (early.tariff_group, early.eligible_from) == ("alle", D(2027, 1, 1))
        contract = contract_groups.request(employer, contract, "azubis", "budget_300", "100", NEW_YEAR)

        people = import_rows(case, contract, WORKER + TRAINEE.replace("2;Klein;Tom", "3;Kurz;Ida"))
        worker, trainee = people["1"], people["3"]
        assert (worker.tariff_group, worker.eligible_from) == ("alle", D(2027, 1, 1))
        assert (trainee.tariff_group, trainee.eligible_from) == ("azubis", NEW_YEAR)   # assigned now, covered later
        assert trainee.id not in enrolments.ready_ids(contract) and trainee.id in enrolments.ready_ids(
            contract, waiting=True)
        sent, skipped = enrolments.send(employer, contract, [worker.id, trainee.id])
        assert [e.employee_id for e in sent] == [worker.id]
        assert [(p.id, reason["de"]) for p, reason in skipped] == [
            (trainee.id, "Noch nicht versicherbar: versicherbar ab 01.01.2028.")]
        with pytest.raises(DomainError):                              # no group change into it before its day
            contract_groups.check_on(contract, "azubis", D(2027, 6, 1), "new_group")

        move_to(clock, D(2027, 12, 1))                                # cover sent now begins on 01.01.2028
        [enrolment], _ = enrolments.send(employer, fresh(contract), [trainee.id])
        assert (enrolment.start_date, enrolment.tariff_group, enrolment.tariffs) == (NEW_YEAR, "azubis",
                                                                                      ["budget_300"])
        enrolments.accept(staff, enrolment)
        [period] = cover.periods(trainee.id)
        assert (period.valid_from, period.tariff_group, period.payer) == (NEW_YEAR, "azubis", "employer")
        assert cover.state_on(Employee.get_by_id(trainee.id), D(2027, 12, 31)) is None

        assert contract_groups.open_due(D(2027, 12, 31)) == 0
        move_to(clock, NEW_YEAR)                                      # the daily job on the day
        assert contract_groups.open_due() == 1 and contract_groups.open_due() == 0
        early = Employee.get_by_id(early.id)
        assert (early.tariff_group, early.eligible_from) == ("azubis", NEW_YEAR)


def test_the_pages_show_the_new_group_and_another_brokers_client_is_404(app, make_user):
    with app.app_context():
        case, staff, contract = lumen_contract(make_user, "cg3")
        other = make_user("broker")
    page_url = f"/m/lumen/contracts/{contract.id}"
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    page = employer.get(page_url)
    assert "30.09.2027" in page.text and f'action="{page_url}/term/groups"' in page.text
    form = {"group": "azubis", "level": "budget_300", "employer_share": "100", "effective": "2028-01-01"}
    assert employer.post(f"{page_url}/term/groups", data=form).status_code == 400          # no CSRF token
    employer.post(f"{page_url}/term/groups", data={**form, "csrf_token": csrf_from(page)})
    assert "ab 01.01.2028: neue Gruppe Auszubildende" in employer.get(page_url).text

    broker = app.test_client()
    log_in(broker, case["broker"])
    client_url = f"/advisor/clients/{case['client'].id}"
    client_page = broker.get(client_url)
    assert "ab 01.01.2028: neue Gruppe Auszubildende" in client_page.text
    stranger = app.test_client()
    log_in(stranger, other)
    assert stranger.post(f"{client_url}/contracts/{contract.id}/term/groups/withdraw",
                         data={"group": "azubis", "effective": "2028-01-01",
                               "csrf_token": csrf_from(stranger.get("/advisor/clients"))}).status_code == 404
    broker.post(f"{client_url}/contracts/{contract.id}/term/groups/withdraw",
                data={"group": "azubis", "effective": "2028-01-01", "csrf_token": csrf_from(client_page)})
    assert "neue Gruppe Auszubildende" not in employer.get(page_url).text
