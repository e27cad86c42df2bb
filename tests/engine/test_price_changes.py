"""The insurer's dated premium changes (issue #15): Auxilia raises its dental premium from 01.01.2028
(tenants/auxilia, premium.changes). New business is priced by valid_from; a contract in force gets
the change on the day it reaches it (notice period from the day the version was loaded), even when
it was made with an older version; the employer is told once; the checker and the diff show it."""
import datetime
import io
import re
import shutil
from decimal import Decimal

from engine import (clock as platform_clock, contracts, cover, employees, enrolments, price_changes, registry,
                    statements)
from engine.models import Employee, GroupContract, Notification, Offer
from tenants import diff, loader
from tests.engine.test_cover import HEADER, fresh, insured
from tests.journey import released_application
from tests.tenant_versions import load_live

D = datetime.date
REPO = "tenants/auxilia"
# Lea, born 10.01.1990, 36 at the start: Zahn 30-44 12.40 (from 01.01.2028: 12.90) + Sehen 4.20 + Vorsorge 5.60
BEFORE, AFTER = Decimal("22.20"), Decimal("22.70")


def move_to(clock, day):
    clock.move_to(datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=platform_clock.ZONE))


def variant(tmp_path, name, zahn_30_44=None):
    """A copy of Auxilia without its dated change (zahn_30_44 None), or with a change from 01.01.2028
    whose 30-44 band is `zahn_30_44` instead of 12.90; its own test case follows the figure."""
    folder = tmp_path / name / "auxilia"
    shutil.copytree(REPO, folder)
    tenant_yaml, tests_yaml = folder / "tenant.yaml", folder / "tests.yaml"
    text, cases = tenant_yaml.read_text(encoding="utf-8"), tests_yaml.read_text(encoding="utf-8")
    if zahn_30_44 is None:
        text = re.sub(r"      changes:\n(        .*\n)+", "", text, count=1)
        cases = re.sub(r"\n  - name: Beginn ab 01\.01\.2028.*?(?=\n\n|\Z)", "", cases, count=1, flags=re.S)
    else:
        text = text.replace('{from: 30, to: 44, value: "12.90"}', f'{{from: 30, to: 44, value: "{zahn_30_44}"}}')
        cases = cases.replace('zahn: "12.90"', f'zahn: "{zahn_30_44}"')
    tenant_yaml.write_text(text, encoding="utf-8")
    tests_yaml.write_text(cases, encoding="utf-8")
    return folder.parent


def load(root):
    [(slug, status, problems)] = load_live(root)
    assert status in ("new", "unchanged"), problems
    return registry.get(slug)


def test_a_person_in_force_pays_the_new_premium_from_the_change_day(app, make_user, clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "pc1")
        contract, person = case["contract"], fresh(case)
        assert cover.premium_for(person, D(2027, 12, 1)) == BEFORE
        assert cover.premium_for(person, D(2028, 1, 1)) == AFTER                # projected before it is written
        assert cover.month_premiums(contract, D(2028, 1, 1)) == {person.id: AFTER}
        step = next(p for p in cover.timeline(person) if p.valid_from == D(2028, 1, 1))
        assert (step.reason, step.tenant_version) == ("price_change", contract.tenant_version_id)

        move_to(clock, D(2027, 12, 1))
        assert cover.overview(contract, D(2027, 12, 1))[person.id]["next"].reason == "price_change"
        assert "price_changes" not in cover.apply_due()
        december, _ = statements.issue(contract, D(2027, 12, 1))
        assert statements.view(december)["total"] == BEFORE
        move_to(clock, D(2028, 1, 1))
        assert cover.apply_due()["price_changes"] == 1
        assert "price_changes" not in cover.apply_due()                         # written once
        *_, december_period, january_period = cover.periods(person.id)
        assert (december_period.valid_to, december_period.premium) == (D(2027, 12, 31), BEFORE)
        assert (january_period.valid_from, january_period.premium, january_period.reason) == (
            D(2028, 1, 1), AFTER, "price_change")
        january, _ = statements.issue(contract, D(2028, 1, 1))
        assert statements.view(january)["total"] == AFTER


def test_a_contract_made_with_an_older_version_gets_a_later_change_and_a_late_one_after_notice(
        app, make_user, clock, tmp_path):
    with app.app_context():
        try:
            old = load(variant(tmp_path, "old"))                               # Auxilia without a change
            case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "pc2")
            contract, person = case["contract"], fresh(case)
            assert contract.tenant_version_id == old.version_id
            assert cover.premium_for(person, D(2028, 1, 1)) == BEFORE

            move_to(clock, D(2027, 3, 1))  # the insurer announces 12.95 from 1 January, long ahead
            early = load(variant(tmp_path, "early", "12.95"))
            assert cover.premium_for(person, D(2027, 12, 1)) == BEFORE
            assert cover.premium_for(person, D(2028, 1, 1)) == Decimal("22.75")
            step = next(p for p in cover.timeline(person) if p.valid_from == D(2028, 1, 1))
            assert (step.reason, step.tenant_version) == ("price_change", early.version_id)  # the version that priced it

            move_to(clock, D(2027, 12, 10))  # and corrects it to 13.00 three weeks before 1 January
            late = load(variant(tmp_path, "late", "13.00"))
            # 10.12.2027 + 6 weeks = 21.01.2028: from 1 February; the 12.95 it replaced is withdrawn
            assert [change.day for change in price_changes.changes(contract)["zahn"]] == [D(2028, 2, 1)]
            assert cover.premium_for(person, D(2028, 1, 1)) == BEFORE
            assert cover.premium_for(person, D(2028, 2, 1)) == Decimal("22.80")
            step = next(p for p in cover.timeline(person) if p.valid_from == D(2028, 2, 1))  # Lea's age step too
            assert (step.premium, step.tenant_version) == (Decimal("22.80"), late.version_id)
            assert [item["day"] for item in price_changes.upcoming(contract)] == [D(2028, 2, 1)]
        finally:
            registry.sync("tenants")


def test_new_business_is_priced_by_valid_from_without_notice(app, make_user, clock):
    """A contract made with the version that holds the change gets it from valid_from, its new people
    too: the figures were known when it was made."""
    with app.app_context():
        move_to(clock, D(2027, 11, 20))
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "pc3")
        contract = case["contract"]
        assert contract.start_date == D(2027, 12, 1)
        assert cover.premium_for(fresh(case), D(2027, 12, 1)) == BEFORE
        assert cover.premium_for(fresh(case), D(2028, 1, 1)) == AFTER
        row = "2;Kurz;Kai;10.01.1990;Weg 2;10115;Berlin;01.01.2010;Vollzeit;40\n"
        batch = employees.preview(case["employer_user"], contract, "more.csv", (HEADER + row).encode())
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        move_to(clock, D(2027, 12, 20))
        kai = next(p for p in employees.for_contract(contract) if p.personnel_number == "2")
        [enrolment], _ = enrolments.send(case["employer_user"], contract, [kai.id])
        assert (enrolment.start_date, Decimal(enrolment.premium)) == (D(2028, 1, 1), AFTER)


def test_an_offer_keeps_its_figures_until_accepted_then_its_contract_follows_the_ledger(
        app, make_user, clock, tmp_path):
    with app.app_context():
        try:
            move_to(clock, D(2027, 11, 10))
            old = load(variant(tmp_path, "old"))
            case = released_application("auxilia", tag="pc4")
            offer = Offer.get_by_id(case["offer"].id)
            assert (offer.start_date, offer.tenant_version_id) == (D(2027, 12, 1), old.version_id)

            load(variant(tmp_path, "new", "12.85"))  # the insurer's change arrives before the contract is made
            assert Offer.get_by_id(offer.id).figures == offer.figures             # the offer keeps its figures
            staff = make_user("insurer", tenant="auxilia")
            contracts.accept(staff, contracts.application_for_insurer("auxilia", case["application"].id), "GV-pc4")
            contract = contracts.contracts_for_employer(case["employer_user"], "auxilia")[0]
            assert contract.tenant_version_id == old.version_id                  # made with the offer's version
            row = "1;Lang;Lea;10.01.1990;Weg 1;10115;Berlin;01.01.2010;Vollzeit;40\n"
            batch = employees.preview(case["employer_user"], contract, "staff.csv", (HEADER + row).encode())
            employees.start(case["employer_user"], batch)
            employees.run_import(batch.id)
            [lea] = employees.for_contract(contract)
            [enrolment], _ = enrolments.send(case["employer_user"], contract, [lea.id])
            assert Decimal(enrolment.premium) == BEFORE                          # December: before the change
            enrolments.accept(staff, enrolment)
            # loaded 10.11.2027 + 6 weeks = 22.12.2027: it reaches the contract on 1 January
            assert cover.premium_for(Employee.get_by_id(lea.id), D(2027, 12, 1)) == BEFORE
            assert cover.premium_for(Employee.get_by_id(lea.id), D(2028, 1, 1)) == Decimal("22.65")
        finally:
            registry.sync("tenants")


def test_the_employer_is_told_once_per_contract_and_sees_it_on_the_contract_page(app, make_user, client, login,
                                                                                  clock):
    with app.app_context():
        case = insured("auxilia", make_user("insurer", tenant="auxilia"), D(1990, 1, 10), "pc5")
        contract = GroupContract.get_by_id(case["contract"].id)
        assert price_changes.announce() == 1
        assert price_changes.announce() == 0                                     # once
        [notice] = [n for n in Notification.select().where(Notification.user == case["employer_user"].id)
                    if "Beitrag" in n.text["de"]]
        assert notice.text["de"] == "Beitragsänderung ab 01.01.2028"
        assert notice.text["en"].startswith("Premium change from ")
        assert notice.link.endswith(f"/m/auxilia/contracts/{contract.id}")
    move_to(clock, D(2027, 6, 1))
    login(case["employer_user"])
    page = client.get(f"/m/auxilia/contracts/{contract.id}").get_data(as_text=True)
    assert "Beitragsänderung ab 01.01.2028: Auxilia Zahn" in page               # the contract's coming change
    assert "Beitragsänderung ab 01.01.2028: 22,70" in page                      # Lea's next change


def test_the_checker_locates_bad_changes(tmp_path):
    folder = tmp_path / "auxilia"
    shutil.copytree(REPO, folder)
    tenant_yaml = folder / "tenant.yaml"
    text = tenant_yaml.read_text(encoding="utf-8")
    bad = text.replace("        - valid_from: 2028-01-01\n", "        - valid_from: 2028-03-15\n"
                       "          formula: table(\"zahn\", age) +\n"
                       "        - valid_from: 2028-01-01\n", 1)
    tenant_yaml.write_text(bad, encoding="utf-8")
    lines = bad.splitlines()
    where = {n: lines.index(text_) + 1 for n, text_ in (
        ("first", "        - valid_from: 2028-03-15"), ("second", "        - valid_from: 2028-01-01"))}
    tenant, problems = loader.read_tenant(folder)
    assert tenant is None
    found = {(p.line, p.dotted_path): p.message for p in problems}
    assert "is not the 1st of a month" in found[(where["first"], "tariffs[0].premium.changes[0].valid_from")]
    assert "not a valid formula" in found[(where["first"] + 1, "tariffs[0].premium.changes[0].formula")]
    assert "ascending order" in found[(where["second"], "tariffs[0].premium.changes[1].valid_from")]
    assert all(p.file == str(tenant_yaml) for p in problems)


def test_a_change_is_swept_like_the_main_formula(tmp_path):
    folder = tmp_path / "auxilia"
    shutil.copytree(REPO, folder)
    tenant_yaml = folder / "tenant.yaml"
    text = tenant_yaml.read_text(encoding="utf-8")
    tenant_yaml.write_text(text.replace('{from: 15, to: 29, value: "9.25"}', '{from: 18, to: 29, value: "9.25"}'),
                           encoding="utf-8")
    tenant, problems = loader.read_tenant(folder)
    [problem] = [p for p in problems if p.is_error]
    assert problem.dotted_path == "tariffs[0].premium.changes[0].formula"
    assert "premium cannot be calculated for age 15" in problem.message


def test_the_diff_shows_the_premiums_of_a_dated_change(tmp_path):
    out = io.StringIO()
    assert diff.main(variant(tmp_path, "old") / "auxilia", REPO, out=out) == 0
    text = out.getvalue()
    assert "premiums: 0 change(s)" in text                                  # nothing changes today
    assert "premiums from 2028-01-01: " in text
    assert "  zahn, group alle, family_members 0, age 30-44: 12.40 -> 12.90" in text
    assert "added tariffs[zahn].premium.changes" in text


def test_the_notice_day_is_the_first_1st_at_least_the_notice_after_loading():
    assert price_changes.notice_day(D(2027, 12, 10), 6) == D(2028, 2, 1)
    assert price_changes.notice_day(D(2027, 11, 20), 6) == D(2028, 1, 1)      # 01.01.2028 exactly
    assert price_changes.notice_day(D(2027, 11, 21), 6) == D(2028, 2, 1)
    assert price_changes.notice_day(D(2027, 11, 21), 0) == D(2027, 12, 1)
