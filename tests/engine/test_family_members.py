"""Family members as insured persons (engine/family.py): added and removed by business events that take
effect on their date in the one cover ledger, priced by their own age with the tenant's family premiums
(age steps included), paid by the employee by SEPA mandate, and billed as lines of their own."""
import datetime
from decimal import Decimal

import pytest

from engine import cover, events, family, mandates, registry, statements
from engine.errors import DomainError, NotFound
from engine.models import FamilyMember, GroupContract
from tests.engine.test_cover import file_and_accept, fresh, insured, move_to

D = datetime.date
IBAN = "DE89370400440532013000"
MIA = {"role": "child", "first_name": "Mia", "last_name": "Lang", "birth_date": D(2021, 3, 15),
       "start_date": D(2027, 2, 1), "account_holder": "Lea Lang", "iban": IBAN, "mandate_date": D(2026, 12, 1)}


def test_a_child_added_for_a_later_month_is_projected_then_written_priced_by_own_age_with_its_age_step(
        app, make_user, clock):
    """Auxilia: a child up to 5 pays 4.90 (Zahn) + 4.50 (Sehen); from the month after the 6th birthday
    7.90 + 4.50. The employee's own premium stays 22.20; the contract costs both."""
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "fam1")
        file_and_accept(case, "family_member_added", MIA)
        [member] = FamilyMember.select().where(FamilyMember.employee == case["employee"].id)
        assert (member.role, member.payer) == ("child", "employee")
        assert cover.periods(case["employee"].id, member.id) == []        # nothing written before its day
        [mia] = family.of_employee(fresh(case), D(2027, 2, 1))
        assert mia["premium"] == Decimal("9.40")
        assert [(p.valid_from, p.valid_to, p.premium, p.reason, p.id) for p in mia["cover"]] == [
            (D(2027, 2, 1), D(2027, 3, 31), Decimal("9.40"), "event", None),
            (D(2027, 4, 1), None, Decimal("12.40"), "age_step", None)]
        assert cover.premium_for(fresh(case), D(2027, 2, 1)) == Decimal("22.20")   # the employee's own
        assert cover.contract_total(case["contract"], D(2027, 1, 1)) == Decimal("22.20")
        assert cover.contract_total(case["contract"], D(2027, 2, 1)) == Decimal("31.60")
        assert cover.contract_total(case["contract"], D(2027, 4, 1)) == Decimal("34.60")
        assert mandates.active_for_employee(fresh(case)) is None      # the mandate counts from its day

        assert cover.apply_due()["events"] == 0
        move_to(clock, D(2027, 2, 1))
        assert cover.apply_due()["events"] == 1
        [written] = cover.periods(case["employee"].id, member.id)
        assert (written.valid_from, written.valid_to, written.premium, written.payer) == (
            D(2027, 2, 1), None, Decimal("9.40"), "employee")
        assert [p.premium for p in cover.periods(case["employee"].id)] == [Decimal("22.20")]
        mandate = mandates.active_for_employee(fresh(case))
        assert (mandate.holder, mandate.iban) == ("Lea Lang", IBAN)

        move_to(clock, D(2027, 4, 1))
        assert cover.apply_due()["age_steps"] == 1
        assert cover.apply_due()["age_steps"] == 0                   # idempotent
        first, step = cover.periods(case["employee"].id, member.id)
        assert (first.valid_to, step.valid_from, step.premium, step.reason) == (
            D(2027, 3, 31), D(2027, 4, 1), Decimal("12.40"), "age_step")


def test_the_statement_lists_a_family_member_apart_paid_by_the_employee(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "fam2")
        file_and_accept(case, "family_member_added", {**MIA, "role": "spouse", "first_name": "Tom",
                                                      "birth_date": D(1988, 6, 1)})
        move_to(clock, D(2027, 2, 1))
        cover.apply_due()
        statement, _ = statements.issue(case["contract"], D(2027, 2, 1))
        data = statements.view(statement)
        lea, tom = data["lines"]
        assert (lea["person"], lea["role"], lea["payer"], lea["amount"], lea["employer_amount"]) == (
            "Lang, Lea", "", "employer", Decimal("22.20"), Decimal("22.20"))
        assert (tom["person"], tom["role"], tom["payer"], tom["kind"]) == ("Lang, Tom", "spouse", "employee",
                                                                          "addition")
        assert (tom["amount"], tom["employer_amount"], tom["employee_amount"]) == (
            Decimal("14.40"), Decimal("0.00"), Decimal("14.40"))                    # 9.90 + 4.50
        assert (data["total"], data["employer_total"], data["employee_total"]) == (
            Decimal("36.60"), Decimal("22.20"), Decimal("14.40"))
        csv = statements.as_csv(statement).decode("utf-8-sig").splitlines()
        assert csv[2].split(";")[3:5] == ["Lang, Tom", "Ehe- oder Lebenspartner(in)"]


def test_a_removal_for_a_later_month_ends_cover_at_its_month_end(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "fam3")
        file_and_accept(case, "family_member_added", MIA)
        move_to(clock, D(2027, 2, 1))
        cover.apply_due()
        [member] = FamilyMember.select().where(FamilyMember.employee == case["employee"].id)
        file_and_accept(case, "family_member_removed", {"family_member": member.id, "end_date": D(2027, 3, 10)})
        overview = cover.family_overview(case["contract"], D(2027, 3, 1))[member.id]
        assert overview["premium"] == Decimal("9.40") and overview["next"] == {"ends": D(2027, 3, 31)}
        assert cover.family_overview(case["contract"], D(2027, 4, 1))[member.id]["period"] is None
        assert cover.periods(case["employee"].id, member.id)[-1].valid_to is None   # still open until its day
        move_to(clock, D(2027, 4, 1))
        assert cover.apply_due()["events"] == 1
        [period] = cover.periods(case["employee"].id, member.id)
        assert period.valid_to == D(2027, 3, 31)
        with pytest.raises(DomainError) as refused:   # no cover left to end
            events.file(case["employer_user"], case["contract"], fresh(case), "family_member_removed",
                        {"family_member": member.id, "end_date": D(2027, 5, 10)})
        assert refused.value.field == "end_date"


def test_the_employee_leaving_ends_the_family_members_cover_too(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "fam4")
        file_and_accept(case, "family_member_added", MIA)
        move_to(clock, D(2027, 2, 1))
        cover.apply_due()
        file_and_accept(case, "leaving", {"leaving_date": D(2027, 2, 20)})
        move_to(clock, D(2027, 3, 1))
        assert cover.apply_due()["events"] == 1
        [member] = FamilyMember.select().where(FamilyMember.employee == case["employee"].id)
        assert cover.periods(case["employee"].id, member.id)[-1].valid_to == D(2027, 2, 28)
        assert cover.contract_total(case["contract"], D(2027, 3, 1)) == Decimal("0.00")


def test_a_wrong_iban_is_refused_with_its_reason(app, make_user):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "fam5")
        with pytest.raises(DomainError) as refused:
            events.file(case["employer_user"], case["contract"], fresh(case), "family_member_added",
                        {**MIA, "iban": "DE89370400440532013001"})
        assert refused.value.field == "iban"
        assert refused.value.text["en"] == "The IBAN's check digits do not match. Please check it for typing errors."
        with pytest.raises(DomainError) as missing:
            events.file(case["employer_user"], case["contract"], fresh(case), "family_member_added",
                        {**MIA, "iban": None})
        assert missing.value.field == "iban"
        with pytest.raises(DomainError) as mid_month:
            events.file(case["employer_user"], case["contract"], fresh(case), "family_member_added",
                        {**MIA, "start_date": D(2027, 2, 15)})
        assert mid_month.value.field == "start_date"
        assert FamilyMember.select().count() == 0


def test_an_insurer_without_family_members_refuses_the_events(app):
    with app.app_context():
        live = registry.get("lumen")
        for kind in ("family_member_added", "family_member_removed"):
            with pytest.raises(NotFound):
                events.form_for(live, kind)


def with_group(case, group_id, tariffs):
    """The contract with another group (as if contracted) in these tariffs."""
    contract = case["contract"]
    groups = [g for g in contract.groups if g["id"] != group_id] + [
        {"id": group_id, "level": None, "tariffs": tariffs, "employer_share": "100"}]
    GroupContract.update(groups=groups).where(GroupContract.id == contract.id).execute()
    return {**case, "contract": GroupContract.get_by_id(contract.id)}


def mia_of(case):
    [member] = FamilyMember.select().where(FamilyMember.employee == case["employee"].id)
    return member


def test_a_group_change_moves_the_child_into_the_new_groups_family_tariffs(app, make_user, clock):
    """Fuehrung adds Stationär, which has no family premium: Mia stays in Zahn and Sehen, now in the
    employee's new group, from the change's day; a group without family tariffs ends her cover, said
    when the change is filed."""
    with app.app_context():
        case = with_group(insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "fam6"),
                          "fuehrung", ["zahn", "sehen", "stationaer"])
        file_and_accept(case, "family_member_added", MIA)
        mia = mia_of(case)
        move_to(clock, D(2027, 2, 10))
        event, warnings = events.file(case["employer_user"], case["contract"], fresh(case), "tariff_group_change",
                                      {"effective_date": D(2027, 5, 1), "new_group": "fuehrung"})
        assert [w["rule"] for w in warnings if w["rule"] == "family_follows_group"] == []
        events.accept(case["staff"], event)
        line = [(p.valid_from, p.valid_to, p.tariff_group, p.tariffs, p.premium) for p in cover.timeline(mia)
                if not p.void]
        assert line == [(D(2027, 2, 1), D(2027, 3, 31), "alle", ("zahn", "sehen"), Decimal("9.40")),
                        (D(2027, 4, 1), D(2027, 4, 30), "alle", ("zahn", "sehen"), Decimal("12.40")),
                        (D(2027, 5, 1), None, "fuehrung", ("zahn", "sehen"), Decimal("12.40"))]
        move_to(clock, D(2027, 5, 1))
        cover.apply_due()
        written = cover.periods(case["employee"].id, mia.id)[-1]
        assert (written.valid_from, written.tariff_group, written.event_id) == (D(2027, 5, 1), "fuehrung", event.id)

        case = with_group(case, "alle", ["vorsorge"])             # back to a group without family tariffs
        event, warnings = events.file(case["employer_user"], case["contract"], fresh(case), "tariff_group_change",
                                      {"effective_date": D(2027, 7, 1), "new_group": "alle"})
        [warning] = [w for w in warnings if w["rule"] == "family_follows_group"]
        assert "keine Familientarife" in warning["text"]["de"]
        events.accept(case["staff"], event)
        assert cover.state_on(mia_of(case), D(2027, 6, 30)).tariff_group == "fuehrung"
        assert cover.state_on(mia_of(case), D(2027, 7, 1)) is None


def test_parental_leave_suspends_the_child_and_cover_resumes_with_the_employee(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "fam7")
        file_and_accept(case, "family_member_added", MIA)
        move_to(clock, D(2027, 2, 10))
        cover.apply_due()
        file_and_accept(case, "parental_leave", {"start_date": D(2027, 3, 1), "end_date": D(2027, 8, 31),
                                                 "mode": "suspend"})
        mia = mia_of(case)
        assert [(p.valid_from, p.cover, p.premium) for p in cover.timeline(mia, D(2027, 12, 31)) if not p.void] == [
            (D(2027, 2, 1), "insured", Decimal("9.40")), (D(2027, 3, 1), "suspended", Decimal("0.00")),
            (D(2027, 9, 1), "insured", Decimal("12.40"))]
        assert cover.contract_total(case["contract"], D(2027, 3, 1)) == Decimal("0.00")
        move_to(clock, D(2027, 3, 1))
        assert cover.apply_due()["events"] == 1
        assert [(p.valid_from, p.valid_to, p.cover) for p in cover.periods(case["employee"].id, mia.id)] == [
            (D(2027, 2, 1), D(2027, 2, 28), "insured"), (D(2027, 3, 1), None, "suspended")]
        move_to(clock, D(2027, 9, 1))
        cover.apply_due()
        resumed = cover.periods(case["employee"].id, mia.id)[-1]
        assert (resumed.valid_from, resumed.cover, resumed.premium, resumed.payer, resumed.reason) == (
            D(2027, 9, 1), "insured", Decimal("12.40"), "employee", "resumption")
        assert cover.state_on(fresh(case), D(2027, 9, 1)).cover == "insured"


def test_a_long_sickness_the_employer_pays_leaves_the_childs_cover_as_it_is(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "fam8")
        file_and_accept(case, "family_member_added", MIA)
        move_to(clock, D(2027, 2, 10))
        file_and_accept(case, "long_sickness", {"start_date": D(2027, 3, 1)})
        assert cover.premium_for(mia_of(case), D(2027, 3, 1)) == Decimal("9.40")
