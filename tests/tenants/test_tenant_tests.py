"""Tests inside the config: a tenant's tests.yaml says, for people and offers, which group, exclusion,
premium and rule outcome the platform must decide; `bkv tenants check` runs every case through the
engine's own eligibility, pricing and rules and reports a failing case at its line in tests.yaml."""
import json

from click.testing import CliRunner

from engine import tenant_cases
from tenants import cases
from tenants.check import check_paths
from web.cli import cli


def check(*paths, strict=False):
    return CliRunner().invoke(cli, ["tenants", "check", *map(str, paths)] + (["--strict"] if strict else []))


def edit(copy, old, new):
    tests = copy.folder / "tests.yaml"
    text = tests.read_text(encoding="utf-8")
    assert old in text, old
    tests.write_text(text.replace(old, new, 1), encoding="utf-8")
    return tests


def line_of(path, snippet):
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if snippet in line)


def run(copy):
    return check_paths([copy.folder], tenant_cases.run)


def test_the_demo_tenants_carry_cases_that_pass():
    result = check("tenants", strict=True)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("no problems in tenants (")
    ran = int(result.output.split("(")[1].split()[0])
    assert ran >= 30


def test_a_wrong_premium_fails_the_check_at_its_line(demo_copy):
    auxilia = demo_copy("auxilia")
    tests = edit(auxilia, 'premiums: {zahn: "16.80", sehen: "6.10", vorsorge: "7.90", stationaer: "27.40"}',
                 'premiums: {zahn: "16.80", sehen: "6.10", vorsorge: "7.90", stationaer: "24.70"}')
    result = check(auxilia.folder)
    assert result.exit_code == 1
    line = line_of(tests, 'stationaer: "24.70"')
    assert result.output.splitlines()[0] == (
        f"{tests}:{line}: error: cases[2].expect.premiums.stationaer: case 'Als Führungskraft gemeldet, 56 Jahre, "
        "mit Klinik Plus': expected a premium of 24.70 for stationaer, got 27.40 (group fuehrung, start 2027-01-01, "
        "birth date 1970-06-30, family_members 0)")


def test_a_changed_tariff_fails_the_case_that_priced_it(demo_copy):
    """The cases guard the tariff: a price typo in tenant.yaml is caught by the author's own case."""
    auxilia = demo_copy("auxilia").replace('{from: 50, to: 59, value: "27.40"}', '{from: 50, to: 59, value: "24.70"}')
    [problem] = run(auxilia)
    assert problem.file == str(auxilia.folder / "tests.yaml")
    assert problem.dotted_path == "cases[2].expect.premiums.stationaer"
    assert "expected a premium of 27.40 for stationaer, got 24.70" in problem.message


def test_a_wrong_group_says_why(demo_copy):
    lumen = demo_copy("lumen")
    tests = edit(lumen, "expect: {group: azubis}", "expect: {group: alle}  # wrong")
    [problem] = run(lumen)
    assert problem.line == line_of(tests, "# wrong")
    assert problem.message.endswith("expected group alle, got azubis (assigned by rule azubis_zuordnen)")
    nordhafen = demo_copy("nordhafen")
    edit(nordhafen, "      group: none\n      excluded_by: [wohnsitz_deutschland]", "      group: belegschaft")
    [problem] = run(nordhafen)
    assert problem.message.endswith("expected group belegschaft, got none (belegschaft requires wohnsitz_deutschland: "
                                    "An address in Germany is needed for the insurance.)")


def test_exclusions_warnings_and_rule_outcomes_are_compared_as_sets(demo_copy):
    auxilia = demo_copy("auxilia")
    edit(auxilia, "excluded_by: [kein_minijob, als_fuehrungskraft_gemeldet]", "excluded_by: [kein_minijob]")
    edit(auxilia, "warnings: [hinweis_altersgrenze]\n\n  - name: Mit 67", "warnings: []\n\n  - name: Mit 67")
    edit(auxilia, "fired: [bekannte_tarifgruppe]", "fired: []")
    messages = [p.message.split(": ", 1)[1] for p in run(auxilia)]
    assert messages == [
        "expected excluded by [kein_minijob], got [als_fuehrungskraft_gemeldet, kein_minijob]",
        "expected warnings [], got [hinweis_altersgrenze]",
        "expected [] to fire, got [bekannte_tarifgruppe] (bekannte_tarifgruppe: Auxilia has no tariff group azubis; "
        "possible are alle and fuehrung.)"]


def test_cases_must_name_what_the_tenant_has(demo_copy):
    lumen = demo_copy("lumen")
    tests = edit(lumen, "expect: {group: alle}", "expect: {group: allle}")
    edit(lumen, 'budget_600: "22.90"}\n\n  - name: Langj', 'budget_6000: "22.90"}\n\n  - name: Langj')
    edit(lumen, "fired: [offer_benefit_in_kind_limit]", "fired: [sachbezug]")
    edit(lumen, "preconditions: parental_leave", "preconditions: death_of_employer")
    found = check_paths([lumen.folder])  # said without running anything
    assert [(p.line, p.message) for p in found] == [
        (line_of(tests, "group: allle"), "unknown tariff group 'allle'; expected one of alle, azubis or none"),
        (line_of(tests, "budget_6000"), "unknown tariff 'budget_6000'; expected one of budget_1200, budget_300, "
                                        "budget_600, budget_900"),
        (line_of(tests, "fired: [sachbezug]"), "unknown rule 'sachbezug'; known: mindestgroesse_betrieb, "
         "offer_min_insured, contract_min_insured, offer_benefit_in_kind_limit, contract_benefit_in_kind_limit, "
         "event_before_contract_start, leaving_needs_date, leaving_before_employment_start, "
         "parental_leave_needs_end, parental_leave_end_not_after_start"),
        (line_of(tests, "death_of_employer"), "unknown business event 'death_of_employer'; the tenant supports "
                                              "address_change, name_change, parental_leave, long_sickness, "
                                              "sabbatical, return_to_work, leaving, "
                                              "tariff_group_change, death")]
    assert all(p.file == str(tests) and p.level == "error" for p in found)


def test_a_misspelt_key_in_tests_yaml_is_a_schema_problem(demo_copy):
    nordhafen = demo_copy("nordhafen")
    tests = edit(nordhafen, "    expect:\n      group: belegschaft\n      premiums: {kompakt: \"21.90\"",
                 "    expect:\n      group: belegschaft\n      premium: {kompakt: \"21.90\"")
    [problem] = check_paths([nordhafen.folder])
    assert problem.line == line_of(tests, "premium: {kompakt")
    assert problem.message == "unknown key 'premium'; did you mean 'premiums'?"


def test_a_case_is_an_employee_or_rules_with_facts(demo_copy):
    nordhafen = demo_copy("nordhafen")
    tests = edit(nordhafen, "    rules: offer\n    facts:\n      employer: {employees_count: 12}\n"
                            "      offer: {start_date: 2027-01-01, insured_count: 9,",
                 "    facts:\n      employer: {employees_count: 12}\n"
                 "      offer: {start_date: 2027-01-01, insured_count: 9,")
    [problem] = check_paths([nordhafen.folder])
    assert problem.line == line_of(tests, "name: Kleine Gruppe")
    assert problem.message.startswith("a case has exactly one of employee:")


def test_the_cli_prints_the_schema_of_tests_yaml_for_editors():
    shown = CliRunner().invoke(cli, args=["tenants", "schema", "--tests"])
    assert shown.exit_code == 0 and json.loads(shown.output) == cases.tests_schema()
    assert json.loads(CliRunner().invoke(cli, args=["tenants", "schema"]).output) != cases.tests_schema()


def test_an_insurer_pricing_by_the_nearest_birthday(demo_copy):
    """Auxilia by the nearest birthday: at the start 01.01.2027 someone born 01.07.1987 (39, six months
    past the birthday) is priced at 40, someone born a day later at 39 (Sehen 15-39 4.20, 40+ 6.10)."""
    auxilia = demo_copy("auxilia").replace("age_method: age_at_start", "age_method: nearest_birthday")
    text = auxilia.text.replace('table("zahn", age)', 'table("zahn", nearest_age)')
    text = text.replace('table("zahn_familie", role, age)', 'table("zahn_familie", role, nearest_age)')
    for table in ("sehen", "vorsorge", "stationaer"):
        text = text.replace(f'table("{table}", age)', f'table("{table}", nearest_age)')
    auxilia.yaml.write_text(text, encoding="utf-8")
    edit(auxilia, "cases:\n", """cases:
  - name: Sechs Monate nach dem 39. Geburtstag zählt 40
    employee: {birth_date: 1987-07-01, employment_type: fulltime, employment_start: 2015-02-01, weekly_hours: 40}
    expect: {group: alle, premiums: {sehen: "6.10"}}
  - name: Einen Tag später geboren zählt noch 39
    employee: {birth_date: 1987-07-02, employment_type: fulltime, employment_start: 2015-02-01, weekly_hours: 40}
    expect: {group: alle, premiums: {sehen: "6.10"}}
""")
    [problem] = [p for p in run(auxilia) if "Einen Tag" in p.message or "Sechs Monate" in p.message]
    assert "case 'Einen Tag später geboren zählt noch 39': expected a premium of 6.10 for sehen, got 4.20" in \
        problem.message
    auxilia.replace('table("sehen", nearest_age)', 'table("sehen", age)')
    [wrong] = check_paths([auxilia.folder])
    assert wrong.message == ("the formula uses 'age', but settings.age_method is nearest_birthday; use 'nearest_age' "
                             "(or change settings.age_method)")
