"""A tariff group's own minimum and participation quota (tariff_groups[].min_insured,
.participation_quota): the employer cannot release, nor the insurer accept, an application whose offer
misses them, and a running contract is watched for them on the cover ledger like its own minimum."""
import datetime

import pytest

from engine import clock as platform_clock, contracts, cover, employees, enrolments, events, min_insured, offers, registry
from engine.errors import DomainError
from engine.models import AuditEntry, Employee, GroupContract, Notification, Offer, Outbox
from tests.journey import CSV, running_contract_with_sent_enrolments, submitted_application
from tests.tenant_versions import with_group_settings as publish

D = datetime.date


def test_an_offer_below_a_groups_minimum_cannot_be_sent(app, tmp_path):
    with app.app_context():
        publish(tmp_path, "lumen", "alle", ["min_insured: 12"])
        with pytest.raises(DomainError) as caught:
            submitted_application("lumen", tag="gm0")           # the journey's offer insures 10 in each group
        assert "Tarifgruppe Alle Mitarbeitenden: 10 Versicherte, verlangt sind mindestens 12." in caught.value.text["de"]
        offer = Offer.select().order_by(Offer.id.desc()).first()
        assert offers.blocking(offer) == [{
            "kind": "reject", "rule": "group_minimum", "group": "alle",
            "text": {"de": "Tarifgruppe Alle Mitarbeitenden: 10 Versicherte, verlangt sind mindestens 12.",
                     "en": "Tariff group All employees: 10 insured, at least 12 are required."}}]


def test_release_and_acceptance_check_the_groups_again(app, tmp_path, make_user):
    """The offer met the group's minimum; its groups as the application carries them no longer do
    (written here directly): the employer's release and the insurer's acceptance are refused."""
    with app.app_context():
        publish(tmp_path, "lumen", "alle", ["min_insured: 10"])
        case = submitted_application("lumen", tag="gm1")
        offer = case["application"].offer
        Offer.update(groups=[{**g, "headcount": 9} if g["id"] == "alle" else g for g in offer.groups]).where(
            Offer.id == offer.id).execute()
        application = contracts.application_for_employer(case["employer_user"], "lumen", case["application"].id)
        with pytest.raises(DomainError) as caught:
            contracts.release(case["employer_user"], application)
        assert caught.value.text == {"de": "Tarifgruppe Alle Mitarbeitenden: 9 Versicherte, verlangt sind mindestens 10.",
                                     "en": "Tariff group All employees: 9 insured, at least 10 are required."}
        assert contracts.application_for_employer(case["employer_user"], "lumen", application.id).state == "submitted"
        Offer.update(groups=offer.groups).where(Offer.id == offer.id).execute()
        contracts.release(case["employer_user"], application)
        Offer.update(groups=[{**g, "headcount": 9} if g["id"] == "alle" else g for g in offer.groups]).where(
            Offer.id == offer.id).execute()
        staff = make_user("insurer", tenant="lumen")
        with pytest.raises(DomainError):
            contracts.accept(staff, contracts.application_for_insurer("lumen", application.id), "GV-gm1")
        assert contracts.application_for_insurer("lumen", application.id).state == "released"


def test_an_offer_meeting_the_groups_minimum_is_released_and_accepted(app, tmp_path, make_user):
    with app.app_context():
        publish(tmp_path, "lumen", "alle", ["min_insured: 10", "participation_quota: 75"])
        case = submitted_application("lumen", tag="gm2")
        contracts.release(case["employer_user"], case["application"])
        staff = make_user("insurer", tenant="lumen")
        accepted = contracts.accept(staff, contracts.application_for_insurer("lumen", case["application"].id), "GV-gm2")
        assert accepted.state == "accepted"


def test_a_quota_is_checked_against_the_staff_the_platform_knows():
    live = registry.get("lumen")
    group = {**live.groups["alle"], "participation_quota": 75}
    live_groups = {**live.groups, "alle": group}

    class Live:
        groups = live_groups
    offered = [{"id": "alle", "headcount": 7}]
    assert min_insured.application_problems(Live, offered, {}) == []               # no staff known yet
    assert min_insured.application_problems(Live, offered, {"alle": 9}) == []      # 7 of 9 is more than 75 %
    assert min_insured.application_problems(Live, offered, {"alle": 10}) == [{
        "group": "alle", "de": "Tarifgruppe Alle Mitarbeitenden: 7 von 10 Beschäftigten versichert, verlangt sind mindestens 75 % (8).",
        "en": "Tariff group All employees: 7 of 10 employees insured, at least 75 % (8) are required."}]


def test_a_running_contract_is_watched_for_its_groups_minimum(app, make_user, clock, tmp_path, mailbox):
    """Nordhafen: at least 3 insured in the contract; here the group belegschaft needs 4 of its own."""
    with app.app_context():
        publish(tmp_path, "nordhafen", "belegschaft", ["min_insured: 4"])
        case, staff, contract, sent = running_contract_with_sent_enrolments(make_user, "nordhafen", 4, tag="gm3")
        for enrolment in sent:
            enrolments.accept(staff, enrolment)
        assert min_insured.shortfall(contract) is None
        person = Employee.select().where(Employee.contract == contract.id).order_by(Employee.id).first()
        event, _ = events.file(case["employer_user"], contract, person, "leaving", {"leaving_date": D(2027, 1, 15)})
        events.accept(staff, event)
        ahead = min_insured.shortfall(contract)       # 3 are still enough for the contract, not for the group
        assert (ahead["day"], ahead["count"], ahead["minimum"], ahead["dropped"], ahead["group"]) == (
            D(2027, 2, 1), 3, 4, False, "belegschaft")
        clock.move_to(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=platform_clock.ZONE))
        cover.apply_due()
        notified = Notification.select(Notification.id).order_by(Notification.id.desc()).scalar() or 0
        mailed = Outbox.select(Outbox.id).order_by(Outbox.id.desc()).scalar() or 0
        assert min_insured.check_due() == 1
        assert GroupContract.get_by_id(contract.id).below_minimum_since == D(2027, 2, 1)
        tasks = [n.text for n in Notification.select().where(Notification.id > notified)]
        assert tasks and all(text == tasks[0] for text in tasks)
        assert tasks[0]["de"].endswith(": nur 3 Versicherte in der Tarifgruppe Belegschaft seit 01.02.2027 (mindestens 4)")
        assert tasks[0]["en"].endswith(": only 3 people insured in the tariff group Staff since 01.02.2027 (minimum 4)")
        mails = list(Outbox.select().where(Outbox.id > mailed))
        assert mails and all("in der Tarifgruppe Belegschaft" in mail.body for mail in mails)
        entry = AuditEntry.select().where(AuditEntry.action == "contract.below_minimum").order_by(
            AuditEntry.id.desc()).first()
        assert entry.after["group"] == "belegschaft"


def test_a_quota_over_the_contracts_life_counts_the_staff_employed_on_each_day(app, make_user, tmp_path):
    """Nordhafen's group belegschaft asks 75 % of its staff. Four are insured; two more are reported who
    join on 01.03.2027: they are not staff today (no alarm now), but from that day the quota asks 5 of 6."""
    with app.app_context():
        publish(tmp_path, "nordhafen", "belegschaft", ["participation_quota: 75"])
        case, staff, contract, sent = running_contract_with_sent_enrolments(make_user, "nordhafen", 4, tag="gm4")
        for enrolment in sent:
            enrolments.accept(staff, enrolment)
        assert min_insured.shortfall(contract) is None
        joining = "".join(f"{n};Neu{n};Vor{n};01.01.1990;Weg {n};10115;Berlin;01.03.2027;Vollzeit\n" for n in (5, 6))
        batch = employees.preview(case["employer_user"], contract, "neu.csv", (CSV.splitlines(True)[0] + joining).encode())
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        assert [p.tariff_group for p in Employee.select().where(Employee.contract == contract.id)] == ["belegschaft"] * 6
        assert min_insured.staff_counts(contract, "belegschaft", D(2027, 12, 31)) == [(D(2010, 1, 1), 4), (D(2027, 3, 1), 6)]
        ahead = min_insured.shortfall(contract)
        assert (ahead["day"], ahead["count"], ahead["minimum"], ahead["dropped"], ahead["group"], ahead["quota"]) == (
            D(2027, 3, 1), 4, 5, False, "belegschaft", 75)

        person = Employee.select().where(Employee.contract == contract.id).order_by(Employee.id).first()
        event, _ = events.file(case["employer_user"], contract, person, "leaving", {"leaving_date": D(2027, 2, 15)})
        events.accept(staff, event)   # a leaver is staff through his leaving day, insured through February
        assert min_insured.staff_counts(contract, "belegschaft", D(2027, 12, 31)) == [
            (D(2010, 1, 1), 4), (D(2027, 2, 16), 3), (D(2027, 3, 1), 5)]
        ahead = min_insured.shortfall(contract)   # from March 3 insured of 5 employed: 75 % of 5 is 4
        assert (ahead["day"], ahead["count"], ahead["minimum"], ahead["dropped"]) == (D(2027, 3, 1), 3, 4, False)
