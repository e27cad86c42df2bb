"""The broker's view of a client's group contracts: people with cover, premium volume, commission
basis, next renewal and what is open at the insurer, read from the ledger."""
import datetime
import html

from engine import broker_book, cover, enrolments, formatting, start_window
from engine import clock as platform_clock
from tests.conftest import log_in
from tests.journey import running_contract_with_sent_enrolments


def test_the_broker_sees_each_contracts_figures_on_the_client_page(app, make_user, clock):
    with app.app_context():
        case, staff, contract, sent = running_contract_with_sent_enrolments(make_user, "lumen", 5, tag="book")
        for enrolment in sent[:3]:
            enrolments.accept(staff, enrolment)
        clock.move_to(datetime.datetime.combine(sent[0].start_date, datetime.time(10), tzinfo=platform_clock.ZONE))
        today = platform_clock.today()
        monthly = cover.contract_total(contract, today)
        [figures] = broker_book.of_client(case["broker"], case["client"].id)
        other = make_user("broker")
    assert figures.covered == 3 and monthly > 0 and figures.monthly == monthly
    assert figures.yearly == monthly * 12   # nobody's premium changes in the next twelve months (flat tariff)
    assert figures.commission_basis == monthly * 12   # lumen leaves commission_basis_months at its default
    assert figures.renewal == start_window.add_months(contract.start_date, 12)
    assert (figures.open_enrolments, figures.open_events, figures.open_tasks) == (2, 0, 2)

    broker = app.test_client()
    log_in(broker, case["broker"])
    page = html.unescape(broker.get(f"/advisor/clients/{case['client'].id}").get_data(as_text=True))
    section = page[page.index("Gruppenverträge"):page.index("Beitragsrechnungen")]
    for shown in (contract.policy_number, formatting.money(monthly), formatting.money(monthly * 12),
                  formatting.date(figures.renewal)):
        assert shown in section, shown

    stranger = app.test_client()
    log_in(stranger, other)
    assert stranger.get(f"/advisor/clients/{case['client'].id}").status_code == 404


def test_the_yearly_volume_counts_family_members_and_coming_changes(app, make_user, clock):
    """Auxilia: the yearly premium volume is the sum of the next twelve months as the ledger has them,
    family members (paid by the employee) included, like each month's total."""
    from tests.engine.test_cover import file_and_accept, insured, move_to
    from tests.engine.test_family_members import MIA
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), datetime.date(1990, 1, 10), "bookfam")
        file_and_accept(case, "family_member_added", MIA)   # a child from 01.02.2027
        move_to(clock, datetime.date(2027, 1, 5))
        figures = broker_book.figures(case["contract"])
        months = [datetime.date(2027, m, 1) for m in range(1, 13)]
        assert figures.yearly == sum((cover.contract_total(case["contract"], m) for m in months), cover.ZERO)
        assert figures.monthly == cover.contract_total(case["contract"], months[0])
        assert figures.yearly > figures.monthly * 12   # the child from February and its age step in April
