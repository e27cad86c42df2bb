"""The 50 EUR monitor (engine/benefit_limit.py): per person and month the employer-paid premium from
the ledger plus the employer's other benefits in kind; over the limit is a warning, exactly at it is not."""
import datetime
from decimal import Decimal

import pytest

from engine import benefit_limit, payroll_settings
from engine.errors import DomainError
from engine.models import AuditEntry
from tests.engine.test_statements import contract_with_staff

D = datetime.date
# auxilia "alle" (Zahn, Sehen, Vorsorge): 22.20 EUR at 30-39, 24.10 EUR at 40-44, 28.50 EUR at 45-49.
# Dirk (4) turns 40 on 15 March 2027: from April 24.10 EUR; Ben (2) is 41: 24.10 EUR all along.


def test_an_age_step_pushes_a_person_over_and_a_colleague_at_4999_is_not_warned(app, make_user):
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), "bl1")
        contract, user, people = case["contract"], case["employer_user"], case["people"]
        benefit_limit.record(user, contract, {"label": "Jobticket", "amount": "25,89", "from_month": "2027-01"})
        benefit_limit.record(user, contract, {"label": "Tankgutschein", "amount": "1.91", "from_month": "2027-01",
                                              "employee": people["4"].id})
        dirk, ben = people["4"].id, people["2"].id

        march = benefit_limit.month_sums(contract, D(2027, 3, 1))
        assert (march[dirk].premium, march[dirk].other, march[dirk].total) == (
            Decimal("22.20"), Decimal("27.80"), Decimal("50.00"))
        assert not march[dirk].over                                    # exactly the limit is not over
        april = benefit_limit.month_sums(contract, D(2027, 4, 1))
        assert april[dirk].total == Decimal("51.90") and april[dirk].over
        assert april[ben].total == Decimal("49.99") and not april[ben].over

        warned = benefit_limit.ahead(contract, today=D(2027, 3, 2))
        assert warned[dirk].month == D(2027, 4, 1) and warned[dirk].reason == "age_step"
        assert "51,90 EUR" in warned[dirk].text["de"] and "Altersstufe" in warned[dirk].text["de"]
        assert people["3"].id not in warned                            # Cora: 22.20 + 25.89
        # Ben stays at 49.99 through 2027 (not over); auxilia's premium change of 01.01.2028 (24.10 ->
        # 24.60 EUR) is the first thing that pushes him over, and he is warned of that month
        assert (warned[ben].month, warned[ben].premium, warned[ben].reason) == (
            D(2028, 1, 1), Decimal("24.60"), "price_change")
        assert people["1"].id in warned                                # Anna: 28.50 + 25.89 from the start
        months = benefit_limit.for_person(people["4"], today=D(2027, 3, 2))
        assert [(s.month, s.over) for s in months[:2]] == [(D(2027, 3, 1), False), (D(2027, 4, 1), True)]


def test_ended_benefits_and_pay_treatment_no_longer_count(app, make_user):
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), "bl2")
        contract, user, dirk = case["contract"], case["employer_user"], case["people"]["4"]
        ticket = benefit_limit.record(user, contract, {"label": "Jobticket", "amount": "27.80",
                                                       "from_month": D(2027, 1, 1)})
        assert dirk.id in benefit_limit.ahead(contract, today=D(2027, 3, 2))
        benefit_limit.end(user, contract, ticket.id, "2027-03")
        assert benefit_limit.month_sums(contract, D(2027, 4, 1))[dirk.id].other == 0
        assert dirk.id not in benefit_limit.ahead(contract, today=D(2027, 3, 2))
        assert AuditEntry.select().where(AuditEntry.action.in_(["other_benefit.recorded", "other_benefit.ended"])
                                         ).count() == 2
        benefit_limit.record(user, contract, {"label": "Essen", "amount": "30", "from_month": "2027-04"})
        assert dirk.id in benefit_limit.ahead(contract, today=D(2027, 3, 2))
        payroll_settings.save(user, contract, {"treatment": "taxable_pay"})   # the premium is pay, not in kind
        april = benefit_limit.month_sums(contract, D(2027, 4, 1))[dirk.id]
        assert (april.premium, april.total, april.over) == (0, Decimal("30.00"), False)


@pytest.mark.parametrize("values, field", [
    ({"label": "", "amount": "5", "from_month": "2027-01"}, "label"),
    ({"label": "Essen", "amount": "0", "from_month": "2027-01"}, "amount"),
    ({"label": "Essen", "amount": "viel", "from_month": "2027-01"}, "amount"),
    ({"label": "Essen", "amount": "5", "from_month": ""}, "from_month"),
    ({"label": "Essen", "amount": "5", "from_month": "2027-03", "to_month": "2027-01"}, "to_month"),
    ({"label": "Essen", "amount": "5", "from_month": "2027-03", "employee": "999999"}, "employee"),
])
def test_a_benefit_is_refused_with_the_field_to_correct(app, make_user, values, field):
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), f"bl3{field}")
        with pytest.raises(DomainError) as refused:
            benefit_limit.record(case["employer_user"], case["contract"], values)
        assert refused.value.field == field
        assert benefit_limit.benefits(case["contract"]) == []
