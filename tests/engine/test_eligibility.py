"""Tariff groups by the demo insurers' own rules, each refusal explained with the rule and the facts it saw.
No database: the tenants are loaded from their folders as `bkv tenants simulate` does."""
import datetime
import shutil
from decimal import Decimal

from rules.dates import age

from engine import eligibility
from engine.employee_file import EmployeeRow
from engine.simulate import load_live, tenant_folder

START = datetime.date(2027, 1, 1)
TODAY = datetime.date(2026, 11, 25)
_cache = {}


def live(slug):
    if slug not in _cache:
        _cache[slug] = load_live(tenant_folder(slug))
    return _cache[slug]


def person(number=1, **changes):
    values = dict(row=number + 1, personnel_number=str(number), last_name="Becker", first_name="Anna",
                  birth_date=datetime.date(1985, 3, 12), street="Lindenweg 3", postal_code="01067", city="Dresden",
                  employment_start=datetime.date(2015, 2, 1), employment_type="fulltime", weekly_hours=Decimal(40))
    values.update(changes)
    return EmployeeRow(**values)


def assign(slug, people, groups=None, tenant=None):
    return eligibility.assign(tenant or live(slug), people, START, groups=groups, today=TODAY)


def test_facts_follow_the_contract_and_keep_the_tariff_group_as_written():
    facts = eligibility.employee_facts(person(tariff_group=" Führungskräfte "), START, today=TODAY)
    assert facts["contract"] == {"start_date": START} and facts["today"] == TODAY
    employee = facts["employee"]
    assert employee["tariff_group"] == "Führungskräfte"
    assert employee["birth_date"] == datetime.date(1985, 3, 12) and employee["weekly_hours"] == Decimal(40)
    assert set(employee) == set(eligibility.EMPLOYEE_FACTS)
    # a dict as the employee form hands it over: text values become typed, empty ones missing
    from_form = eligibility.employee_facts({"birth_date": "1985-03-12", "weekly_hours": "38,5", "gender": "",
                                            "employment_type": "parttime"}, START)
    assert from_form["employee"]["birth_date"] == datetime.date(1985, 3, 12)
    assert from_form["employee"]["weekly_hours"] == Decimal("38.5")
    assert from_form["employee"]["gender"] is None and from_form["employee"]["tariff_group"] is None


def test_an_auxilia_minijob_is_excluded_with_the_rule_and_the_facts_it_saw():
    regular, minijob = assign("auxilia", [person(1), person(2, employment_type="minijob", weekly_hours=Decimal(8))])
    assert (regular.group, regular.reason) == ("alle", "eligibility")
    assert (minijob.group, minijob.reason) == (None, "eligibility")
    [failure] = minijob.explanation["groups"]["alle"]
    assert failure["rule"] == "kein_minijob"
    assert failure["seen"] == {"employee.employment_type": "minijob"}
    assert "Minijob" in failure["reason"]["de"] and "minijob" in failure["reason"]["en"]


def test_auxilia_explains_each_failed_requirement_of_each_group():
    [newcomer] = assign("auxilia", [person(employment_start=datetime.date(2026, 10, 1), employment_type="parttime",
                                           weekly_hours=Decimal(10))])
    assert newcomer.group is None
    failures = newcomer.explanation["groups"]
    assert [f["rule"] for f in failures["alle"]] == ["sechs_monate_beschaeftigt", "teilzeit_mindestens_15_stunden"]
    months = failures["alle"][0]["seen"]
    assert months["employee.employment_start"] == datetime.date(2026, 10, 1)
    assert months["contract.start_date"] == START
    assert [f["rule"] for f in failures["fuehrung"]] == ["als_fuehrungskraft_gemeldet"]


def test_a_lumen_trainee_gets_the_trainee_group_by_the_tenants_assign_rule():
    trainee, staff = assign("lumen", [person(1, employment_type="trainee", birth_date=datetime.date(2008, 6, 18),
                                             employment_start=datetime.date(2025, 8, 1)), person(2)])
    assert (trainee.group, trainee.reason) == ("azubis", "rule")
    assert trainee.explanation["assigned"] == [{"rule": "azubis_zuordnen", "group": "azubis"}]
    assert (staff.group, staff.reason) == ("alle", "eligibility")


def test_an_assigned_group_the_contract_does_not_offer_falls_back_to_the_file_or_eligibility():
    trainee = person(employment_type="trainee", employment_start=datetime.date(2025, 8, 1))
    [by_file] = assign("lumen", [person(employment_type="trainee", tariff_group="ALLE")], groups=["alle"])
    assert (by_file.group, by_file.reason) == ("alle", "file")
    [by_eligibility] = assign("lumen", [trainee], groups=["alle"])
    assert (by_eligibility.group, by_eligibility.reason) == ("alle", "eligibility")
    assert list(by_eligibility.explanation["groups"]) == ["alle"]


def test_the_files_tariff_group_is_honoured_only_when_the_employee_is_eligible(tmp_path):
    # lumen without its assign rule: the file's column decides between two groups a trainee is eligible for
    folder = tmp_path / "lumen"
    shutil.copytree(tenant_folder("lumen"), folder)
    text = (folder / "tenant.yaml").read_text(encoding="utf-8")
    rule = ("  - id: azubis_zuordnen\n    on: employee\n    when: {fact: employee.employment_type, eq: trainee}\n"
            "    then: {assign: azubis}\n")
    assert rule in text
    (folder / "tenant.yaml").write_text(text.replace(rule, ""), encoding="utf-8")
    tenant = load_live(folder)

    trainee = dict(employment_type="trainee", employment_start=datetime.date(2025, 8, 1))
    asked, silent, wrong, unknown = assign("lumen", [
        person(1, tariff_group="Auszubildende", **trainee),      # the German name of the group
        person(2, **trainee),
        person(3, tariff_group="Trainees"),                      # English name, but not a trainee
        person(4, tariff_group="Vorstand")], tenant=tenant)
    assert (asked.group, asked.reason) == ("azubis", "file")
    assert asked.explanation["requested"] == {"written": "Auszubildende", "group": "azubis"}
    assert (silent.group, silent.reason) == ("alle", "eligibility")
    assert (wrong.group, wrong.reason) == ("alle", "eligibility")
    assert wrong.explanation["groups"]["azubis"][0]["rule"] == "nur_auszubildende"
    assert (unknown.group, unknown.explanation["requested"]) == ("alle", {"written": "Vorstand", "group": None})


def test_a_tenant_employee_rule_that_rejects_excludes_with_its_reason(tmp_path):
    folder = tmp_path / "lumen"
    shutil.copytree(tenant_folder("lumen"), folder)
    text = (folder / "tenant.yaml").read_text(encoding="utf-8")
    rule = ("  - id: keine_werkstudierenden\n    on: employee\n"
            "    when: {fact: employee.employment_type, eq: working_student}\n"
            "    then:\n      reject: {de: Werkstudierende sind nicht versicherbar.,\n"
            "               en: Working students are not insurable.}\n")
    (folder / "tenant.yaml").write_text(text.replace("rules:\n", "rules:\n" + rule, 1), encoding="utf-8")
    student, staff = assign("lumen", [person(1, employment_type="working_student"), person(2)],
                            tenant=load_live(folder))
    assert (student.group, student.reason) == (None, "rule")
    [rejected] = student.explanation["rejected"]
    assert rejected["rule"] == "keine_werkstudierenden" and rejected["reason"]["de"].startswith("Werkstudierende")
    assert rejected["seen"] == {"employee.employment_type": "working_student"}
    assert staff.group == "alle"


def test_auxilia_warns_near_the_age_limit_and_assigns_managers_by_rule():
    senior, manager = assign("auxilia", [person(1, birth_date=datetime.date(1961, 4, 3)),
                                         person(2, tariff_group="fuehrung")])
    assert senior.group == "alle" and senior.explanation["warnings"][0]["rule"] == "hinweis_altersgrenze"
    assert (manager.group, manager.reason) == ("fuehrung", "rule")


def test_ten_thousand_employees_are_assigned_in_one_batch():
    kinds = ["fulltime", "parttime", "minijob", "trainee", "working_student"]
    people = [person(n, employment_type=kinds[n % 5], birth_date=datetime.date(1950 + n % 50, 1 + n % 12, 1),
                     weekly_hours=Decimal(5 + n % 35)) for n in range(10_000)]
    results = assign("auxilia", people)
    assert len(results) == 10_000
    assert {r.reason for r in results} == {"eligibility"}
    expected = ["alle" if p.employment_type != "minijob" and age(p.birth_date, START) < 67
                and (p.employment_type != "parttime" or p.weekly_hours >= 15) else None for p in people]
    assert [r.group for r in results] == expected and expected.count(None) not in (0, 10_000)


def test_nobody_to_assign_needs_no_rules_run():
    assert assign("auxilia", []) == []


def test_a_group_named_in_the_file_counts_however_it_is_written():
    """Auxilia's management group requires the file to name it; its German name in any case works."""
    import datetime
    from decimal import Decimal
    from engine import eligibility
    from engine.simulate import load_live, tenant_folder
    live = load_live(tenant_folder("auxilia"))
    row = {"personnel_number": "1", "first_name": "F", "last_name": "K", "birth_date": datetime.date(1975, 1, 1),
           "employment_type": "fulltime", "employment_start": datetime.date(2010, 1, 1), "weekly_hours": Decimal(40),
           "postal_code": "10115", "city": "Berlin", "gender": "", "tariff_group": "FÜHRUNGSKRÄFTE"}
    [assignment] = eligibility.assign(live, [row], datetime.date(2027, 1, 1), groups=["alle", "fuehrung"])
    assert assignment.group == "fuehrung"


def test_waiting_periods_count_from_each_persons_own_entry():
    """Issue 15: the waiting period was checked at the contract's start, so a new hire was excluded for good.
    Auxilia admits after 6 months of service; the contract starts 01.01.2027."""
    people = [person(1), person(2, employment_start=datetime.date(2027, 5, 1)),
              person(3, employment_start=datetime.date(2027, 5, 15)), person(4, employment_type="minijob"),
              person(5, birth_date=datetime.date(1955, 1, 1)), person(6, employment_start=datetime.date(2026, 10, 1))]
    got = eligibility.assign_from(live("auxilia"), people, START, today=TODAY)
    assert [(a.group, a.eligible_from) for a in got] == [
        ("alle", START),                          # long employed: from the contract's start
        ("alle", datetime.date(2027, 11, 1)),     # hired 01.05.2027: six months later
        ("alle", datetime.date(2027, 12, 1)),     # hired 15.05.2027: six whole months on 15.11., so 01.12.
        (None, None),                             # a minijob never becomes eligible by waiting
        (None, None),                             # nor does someone over the age limit
        ("alle", datetime.date(2027, 4, 1))]      # hired before the start, eligible during the contract
    # why not yet: the first date's failed requirement is kept
    assert [f["rule"] for f in got[1].explanation["groups"]["alle"]] == ["sechs_monate_beschaeftigt"]


def test_assign_from_leaves_the_contract_start_assignment_as_it_was():
    people = [person(n, employment_start=datetime.date(2010 + n, 1, 1)) for n in range(1, 4)]
    plain = assign("auxilia", people)
    dated = eligibility.assign_from(live("auxilia"), people, START, today=TODAY)
    assert [(a.group, a.reason) for a in plain] == [(a.group, a.reason) for a in dated]
    assert {a.eligible_from for a in dated} == {START}
