"""The group contract's lifecycle (engine/contract_lifecycle.py, workflows/contract.yaml): notice to the
end of a contract year after the minimum term, the end of cover and of the statements with it; a budget
level change at the anniversary (engine/level_changes.py) repriced by the ledger; the minimum size
watched on the ledger (engine/min_insured.py).

Nordhafen: minimum term 12 months, one month's notice, at least 3 insured, levels kompakt and komfort.
The contract runs from 01.12.2026 (today is 02.12.2026), so its first possible end is 30.11.2027,
notice by 31.10.2027."""
import datetime
from decimal import Decimal

import pytest

from engine import (clock as platform_clock, contract_lifecycle, cover, enrolments, events, inbox, level_changes,
                    min_insured, statements)
from engine.errors import DomainError, Forbidden
from engine.models import AuditEntry, Employee, GroupContract, Notification, Outbox
from tests.journey import running_contract_with_sent_enrolments

D = datetime.date


def move_to(clock, day):
    clock.move_to(datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=platform_clock.ZONE))


def insured(make_user, tag, count=4):
    case, staff, contract, sent = running_contract_with_sent_enrolments(make_user, "nordhafen", count, tag=tag)
    for enrolment in sent:
        enrolments.accept(staff, enrolment)
    people = list(Employee.select().where(Employee.contract == contract.id).order_by(Employee.id))
    return case, staff, contract, people


def fresh(contract):
    return GroupContract.get_by_id(contract.id)


def test_notice_is_to_a_contract_years_end_after_the_minimum_term(app, make_user, clock):
    with app.app_context():
        case, staff, contract, _ = insured(make_user, "lc1")
        employer = case["employer_user"]
        terms = contract_lifecycle.terms(contract)
        assert (terms["state"], terms["next_anniversary"], terms["ends"][:2], terms["deadline"]) == (
            "in_force", D(2027, 12, 1), [D(2027, 11, 30), D(2028, 11, 30)], D(2027, 10, 31))
        with pytest.raises(Forbidden):
            contract_lifecycle.cancel(case["broker"], contract, "zu teuer")
        with pytest.raises(DomainError) as no_reason:
            contract_lifecycle.cancel(employer, contract, " ")
        assert no_reason.value.field == "comment"

        move_to(clock, D(2027, 11, 1))                       # one day too late for 30.11.2027
        with pytest.raises(DomainError) as late:
            contract_lifecycle.cancel(employer, fresh(contract), "zu teuer", D(2027, 11, 30))
        assert "30.11.2028" in late.value.text["de"] and "31.10.2028" in late.value.text["de"]
        assert fresh(contract).state == "in_force"

        move_to(clock, D(2027, 10, 31))                      # the last day of notice
        cancelled = contract_lifecycle.cancel(employer, fresh(contract), "zu teuer", D(2027, 11, 30))
        assert (cancelled.state, cancelled.end_date, cancelled.cancelled_by, cancelled.cancellation_reason) == (
            "cancelled", D(2027, 11, 30), "employer", "zu teuer")
        assert AuditEntry.select().where(AuditEntry.action == "contract.cancel").count() == 1
        with pytest.raises(DomainError):                     # only the side that gave notice withdraws it
            contract_lifecycle.withdraw_cancellation(staff, cancelled)
        back = contract_lifecycle.withdraw_cancellation(employer, fresh(contract))
        assert (back.state, back.end_date, back.cancelled_by) == ("in_force", None, "")


def test_cover_ends_with_the_contract_and_statements_stop(app, make_user, clock):
    with app.app_context():
        case, staff, contract, people = insured(make_user, "lc2")
        move_to(clock, D(2027, 10, 1))
        contract = contract_lifecycle.cancel(staff, contract, "Bestand zu klein")   # the insurer gives notice
        assert contract.cancelled_by == "insurer"
        anna = Employee.get_by_id(people[0].id)
        # projected before the day: the open period ends on the end date, nothing is due after it
        [period] = [p for p in cover.timeline(anna) if not p.void and p.covers(D(2027, 11, 30))]
        assert period.valid_to == D(2027, 11, 30) and cover.state_on(anna, D(2027, 12, 1)) is None
        assert cover.contract_total(contract, D(2027, 11, 1)) > 0
        assert cover.contract_total(contract, D(2027, 12, 1)) == Decimal("0.00")
        assert cover.periods(anna.id)[-1].valid_to is None                          # not written yet
        assert contract_lifecycle.end_due(D(2027, 11, 30)) == 0

        move_to(clock, D(2027, 12, 1))
        cover.apply_due()
        assert contract_lifecycle.end_due() == 1 and contract_lifecycle.end_due() == 0
        assert [p.valid_to for p in cover.periods(anna.id)][-1] == D(2027, 11, 30)  # written on the day
        assert fresh(contract).state == "ended"
        assert {e.state for e in Employee.select().where(Employee.contract == contract.id)} == {"left"}
        november = statements.view(statements.issue(fresh(contract), D(2027, 11, 1))[0])
        assert november["total"] == cover.contract_total(contract, D(2027, 11, 1)) > 0
        december, created = statements.issue(fresh(contract), D(2027, 12, 1))
        seen = statements.view(december)
        assert created and seen["total"] == Decimal("0.00") and {l["kind"] for l in seen["lines"]} == {"removal"}
        move_to(clock, D(2028, 1, 2))
        assert statements.issue_month(D(2028, 1, 1)) == {"issued": 0, "existing": 0}


def test_a_level_change_reprices_the_group_from_the_anniversary(app, make_user, clock):
    with app.app_context():
        case, staff, contract, people = insured(make_user, "lc3")
        employer, broker = case["employer_user"], case["broker"]
        [choice] = level_changes.choices(contract)
        assert (choice["group"], choice["level"], choice["levels"], choice["effective"], choice["deadline"]) == (
            "belegschaft", "kompakt", ["kompakt", "komfort"], D(2027, 12, 1), D(2027, 10, 31))
        contract = level_changes.request(employer, contract, "belegschaft", "komfort", D(2027, 12, 1))
        assert level_changes.choices(contract)[0]["pending"] == [{"from": D(2027, 12, 1), "level": "komfort"}]
        anna = Employee.get_by_id(people[0].id)
        before, after = cover.premium_for(anna, D(2027, 11, 1)), cover.premium_for(anna, D(2027, 12, 1))
        assert (before, after) == (Decimal("21.90"), Decimal("41.20"))               # kompakt, then komfort
        assert cover.state_on(anna, D(2027, 12, 1)).tariffs == ("komfort",)
        assert cover.contract_total(contract, D(2027, 12, 1)) == 4 * after

        # withdrawn: the projection is as before; asked again by the broker
        contract = level_changes.withdraw(employer, contract, "belegschaft", D(2027, 12, 1))
        assert cover.premium_for(Employee.get_by_id(anna.id), D(2027, 12, 1)) == before
        contract = level_changes.request(broker, contract, "belegschaft", "komfort", D(2027, 12, 1))
        assert [e.action for e in AuditEntry.select().where(AuditEntry.action.startswith("contract.level"))
                .order_by(AuditEntry.id)] == ["contract.level_requested", "contract.level_withdrawn",
                                              "contract.level_requested"]

        move_to(clock, D(2027, 11, 1))                       # after the deadline: refused, saying it
        with pytest.raises(DomainError) as late:
            level_changes.request(employer, fresh(contract), "belegschaft", "kompakt", D(2027, 12, 1))
        assert "31.10.2027" in late.value.text["de"] and "01.12.2028" in late.value.text["de"]

        move_to(clock, D(2027, 12, 1))
        done = cover.apply_due()
        assert done["level_changes"] == 4 and cover.apply_due().get("level_changes", 0) == 0
        last = cover.periods(anna.id)[-1]
        assert (last.valid_from, last.reason, last.tariffs, last.premium) == (
            D(2027, 12, 1), "level_change", ("komfort",), after)
        with pytest.raises(DomainError):                     # in force: no longer withdrawable
            level_changes.withdraw(employer, fresh(contract), "belegschaft", D(2027, 12, 1))


def test_the_minimum_size_warns_before_and_tells_once_after_the_drop(app, make_user, clock, mailbox):
    with app.app_context():
        case, staff, contract, people = insured(make_user, "lc4")
        assert min_insured.shortfall(contract) is None
        for person in people[:2]:                            # two leave on 15.01.2027: 2 of at least 3 from 01.02.
            event, _ = events.file(case["employer_user"], contract, Employee.get_by_id(person.id), "leaving",
                                   {"leaving_date": D(2027, 1, 15)})
            events.accept(staff, event)
        assert min_insured.shortfall(contract) == {"day": D(2027, 2, 1), "count": 2, "minimum": 3, "dropped": False,
                                                   "group": None, "group_name": None, "quota": None}
        assert min_insured.check_due() == 0

        move_to(clock, D(2027, 2, 1))
        cover.apply_due()
        assert min_insured.shortfall(fresh(contract))["dropped"] is True
        told = list(inbox.tenant_staff("nordhafen")) + [case["broker"]]
        notified, mailed = last_id(Notification), last_id(Outbox)
        assert min_insured.check_due() == 1
        assert fresh(contract).below_minimum_since == D(2027, 2, 1)
        tasks = list(Notification.select().where(Notification.id > notified))
        assert sorted(n.user_id for n in tasks) == sorted(user.id for user in told)
        assert "31.01.2027" not in tasks[0].text["de"] and "01.02.2027" in tasks[0].text["de"]
        mails = list(Outbox.select().where(Outbox.id > mailed))
        assert sorted(m.recipient for m in mails) == sorted(user.email for user in told)
        move_to(clock, D(2027, 2, 2))
        assert min_insured.check_due() == 0                  # once per drop, not daily
        assert Notification.select().where(Notification.id > notified).count() == len(told)


def last_id(model):
    return model.select(model.id).order_by(model.id.desc()).scalar() or 0
