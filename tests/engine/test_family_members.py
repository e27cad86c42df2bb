"""Family members as insured persons (engine/family.py): added and removed by business events that take
effect on their date in the one cover ledger, priced by their own age with the tenant's family premiums
(age steps included), paid by the employee by SEPA mandate, and billed as lines of their own."""
import datetime
from decimal import Decimal

import pytest

from engine import cover, events, family, mandates, registry, statements
from engine.errors import DomainError, NotFound
from engine.models import FamilyMember
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
