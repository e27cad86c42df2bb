"""Decision tables (a premium by two or three keys, checked for gaps and overlaps in every dimension)
and the formula inputs employment_type, insured_count and role: the checker prices them and says where
something is missing, `bkv tenants diff` lists their changes, and the engine prices with them."""
import datetime
import pathlib
from decimal import Decimal

from click.testing import CliRunner

from engine import pricing, simulate, tenant_cases
from tenants import sweep
from tenants.check import check_paths
from tenants.loader import compile_tenant, load_tenant
from web.cli import cli

TENANTS = pathlib.Path(__file__).resolve().parents[2] / "tenants"
KOMPAKT = '''      formula: table("beitrag", insurance_age)
      tables:
        beitrag:
          bands:
            - {from: 0, to: 39, value: "17.50"}
            - {from: 40, to: 120, value: "21.90"}
'''


def errors(folder):
    return [p for p in check_paths([folder]) if p.level == "error"]


def kompakt(copy, formula, tables):
    """Nordhafen's Kompakt tariff priced by `formula` over `tables` (YAML text at the tables' indent)."""
    return copy.replace(KOMPAKT, f"      formula: {formula}\n      tables:\n{tables}")


def test_auxilia_prices_family_members_by_a_decision_table_of_role_and_age():
    formula = compile_tenant(load_tenant(TENANTS / "auxilia")).family_formulas["zahn"]
    assert formula.names == {"role", "age"}
    assert [str(formula.evaluate({"age": age, "role": role})) for role, age in
            (("child", 0), ("child", 5), ("child", 6), ("child", 17), ("child", 18), ("spouse", 0), ("spouse", 99))] \
        == ["4.90", "4.90", "7.90", "7.90", "9.90", "9.90", "9.90"]


def test_an_overlap_in_a_decision_table_is_an_error_at_the_row(demo_copy):
    auxilia = demo_copy("auxilia").replace("- {role: child, age: {from: 6, to: 17}", "- {role: child, age: {from: 5, to: 17}")
    [problem] = errors(auxilia.folder)
    assert problem.dotted_path == "tariffs[0].family_premium.tables.zahn_familie.rows[2]"
    assert problem.line == auxilia.line_of("- {role: child, age: {from: 5, to: 17}")
    assert problem.message == "overlap: this row and rows[1] both cover role child, age 5"


def test_a_three_key_table_with_a_gap_in_the_third_key_is_an_error(demo_copy):
    nordhafen = kompakt(demo_copy("nordhafen"), 'table("beitrag", insurance_age, budget, employment_type)', '''\
        beitrag:
          keys: [alter, budget, art]
          rows:
            - {alter: {from: 0, to: 39}, budget: 500, art: fulltime, value: "17.50"}
            - {alter: {from: 40, to: 120}, budget: 500, art: fulltime, value: "21.90"}
            - {alter: {from: 0, to: 120}, budget: 500, art: parttime, value: "15.90"}
            - {alter: {from: 0, to: 39}, budget: 500, art: trainee, value: "9.90"}
''')
    [problem] = errors(nordhafen.folder)
    assert problem.dotted_path == "tariffs[0].premium.tables.beitrag.rows"
    assert problem.message.startswith("gap: no row covers alter 40-120, budget 500, art trainee;")
    assert problem.line == nordhafen.line_of("rows:")


def test_the_sweep_prices_every_employment_type_the_group_admits(demo_copy):
    # Nordhafen's group admits no minijob and no working student: those need no premium
    nordhafen = kompakt(demo_copy("nordhafen"), 'table("art", employment_type)', '''\
        art:
          map: {fulltime: "17.50", parttime: "15.90"}
''')
    [problem] = errors(nordhafen.folder)
    assert problem.dotted_path == "tariffs[0].premium.formula"
    assert problem.message.startswith("premium cannot be calculated for age 15, group 'belegschaft', family_members 0, "
                                      "employment_type trainee: table art has no entry for trainee")
    nordhafen.replace('parttime: "15.90"}', 'parttime: "15.90", trainee: "9.90"}')
    assert errors(nordhafen.folder) == []


def test_the_sweep_prices_the_insured_counts_at_every_table_limit(demo_copy):
    nordhafen = kompakt(demo_copy("nordhafen"), 'table("groesse", insured_count)', '''\
        groesse:
          bands:
            - {from: 5, to: 49, value: "17.50"}
            - {from: 50, to: 500, value: "16.90"}
''')
    [problem] = errors(nordhafen.folder)
    assert problem.message.startswith("premium cannot be calculated for age 15, group 'belegschaft', family_members 0, "
                                      "insured_count 3: table groesse has no band for 3 (it covers 5 to 500)")
    # swept: 3 (min_insured), 4-6, 48-51, 499-501 (the limits and their neighbours), 1000: 3, 4, 501, 1000 fail
    assert problem.message.endswith("the same at ages 15-99 in 4 of 12 combinations of group, family count and "
                                    "insured count")
    nordhafen.replace("{from: 5, to: 49,", "{from: 3, to: 49,").replace("to: 500, value", "to: 10000, value")
    assert errors(nordhafen.folder) == []
    doc = load_tenant(nordhafen.folder).doc
    assert sweep.insured_counts(doc, doc["tariffs"][0]) == [3, 4, 48, 49, 50, 51, 1000]


def test_a_formula_may_read_the_role_of_the_person_priced(demo_copy):
    nordhafen = kompakt(demo_copy("nordhafen"), '21.90 if role == "employee" else 0', "        {}\n")
    assert errors(nordhafen.folder) == []
    nordhafen.replace('21.90 if role == "employee" else 0', "21.90 + rolle")
    [problem] = errors(nordhafen.folder)
    assert problem.message == ("unknown name 'rolle'; did you mean 'role'? inputs are age, budget, employment_type, "
                               "family_members, group, "
                               "insurance_age, insured_count, nearest_age, role, tariff (at column 9)")


def test_the_diff_lists_the_changed_premiums_by_insured_count(demo_copy, tmp_path):
    tables = '''\
        groesse:
          bands:
            - {from: 1, to: 49, value: "17.50"}
            - {from: 50, to: 2000, value: "16.90"}
'''
    old = kompakt(demo_copy("nordhafen"), 'table("groesse", insured_count)', tables)
    new_folder = tmp_path / "new" / "nordhafen"
    new_folder.parent.mkdir()
    new_folder.mkdir()
    for item in old.folder.rglob("*"):
        target = new_folder / item.relative_to(old.folder)
        target.mkdir(exist_ok=True) if item.is_dir() else target.write_bytes(item.read_bytes())
    (new_folder / "tenant.yaml").write_text(old.text.replace('value: "16.90"', 'value: "16.40"'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["tenants", "diff", str(old.folder), str(new_folder)])
    assert result.exit_code == 0, result.output
    premium_lines = [line for line in result.output.splitlines() if line.startswith("  kompakt")]
    assert premium_lines == [
        f"  kompakt, group belegschaft, family_members 0, insured_count {count}, age 15-99: 16.90 -> 16.40"
        for count in (50, 51, 1000)]


def test_the_engine_prices_with_the_contracts_insured_count_and_the_employment_type(demo_copy):
    nordhafen = kompakt(demo_copy("nordhafen"), 'table("beitrag", insured_count, employment_type)', '''\
        beitrag:
          keys: [anzahl, art]
          rows:
            - {anzahl: {from: 1, to: 9}, art: fulltime, value: "17.50"}
            - {anzahl: {from: 1, to: 9}, art: parttime, value: "16.50"}
            - {anzahl: {from: 1, to: 9}, art: trainee, value: "9.90"}
            - {anzahl: {from: 10, to: 100000}, art: fulltime, value: "16.00"}
            - {anzahl: {from: 10, to: 100000}, art: parttime, value: "15.00"}
            - {anzahl: {from: 10, to: 100000}, art: trainee, value: "9.00"}
''')
    tests = nordhafen.folder / "tests.yaml"
    text = tests.read_text(encoding="utf-8")
    tests.write_text(text.replace('premiums: {kompakt: "21.90", komfort: "41.20"}',
                                  'premiums: {kompakt: "17.50", komfort: "41.20"}', 1)
                     .replace('premiums: {kompakt: "17.50", komfort: "33.80"}',
                              'premiums: {kompakt: "16.50", komfort: "33.80"}', 1)
                     .replace('premiums: {kompakt: "17.50", komfort: "33.80"}',
                              'premiums: {kompakt: "9.90", komfort: "33.80"}', 1)
                     .replace("  - name: Versicherungsalter 39 zahlt", "  - name: Teilzeit bei 12 Versicherten\n"
                              "    insured_count: 12\n"
                              "    employee: {birth_date: 1988-01-01, employment_type: parttime, "
                              "employment_start: 2026-12-01, postal_code: \"20457\"}\n"
                              "    expect: {group: belegschaft, premiums: {kompakt: \"15.00\"}}\n\n"
                              "  - name: Versicherungsalter 39 zahlt"), encoding="utf-8")
    live = simulate.load_live(nordhafen.folder)
    assert check_paths([nordhafen.folder], tenant_cases.run) == []
    start = datetime.date(2027, 1, 1)
    small = [{"id": "belegschaft", "level": "kompakt", "tariffs": ["kompakt"], "employer_share": 100,
              "headcount": 6, "average_age": 40}]
    assert pricing.price_offer(live, small, start)["groups"][0]["premium"] == Decimal("17.50")  # 6 insured, full time
    large = [{**small[0], "headcount": 6}, {**small[0], "id": "belegschaft", "headcount": 5}]
    assert [g["premium"] for g in pricing.price_offer(live, large, start)["groups"]] == [Decimal("16.00")] * 2
    person = pricing.Person(birth_date=datetime.date(1990, 1, 1), employment_type="parttime", insured_count=3)
    assert pricing.premium(live, "kompakt", "belegschaft", person, start) == Decimal("16.50")


def test_the_diff_lists_family_premiums_from_a_decision_table(demo_copy, tmp_path):
    old = demo_copy("auxilia")
    new_folder = tmp_path / "new" / "auxilia"
    new_folder.parent.mkdir()
    new_folder.mkdir()
    for item in old.folder.rglob("*"):
        target = new_folder / item.relative_to(old.folder)
        target.mkdir(exist_ok=True) if item.is_dir() else target.write_bytes(item.read_bytes())
    (new_folder / "tenant.yaml").write_text(old.text.replace('age: {from: 0, to: 5}, value: "4.90"',
                                                             'age: {from: 0, to: 5}, value: "5.10"'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["tenants", "diff", str(old.folder), str(new_folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "premiums: 0 change(s)" in lines
    start = lines.index("family premiums: 12 change(s)")
    assert lines[start + 1:start + 3] == ["  zahn, group alle, role child, age 0-5: 4.90 -> 5.10",
                                          "  zahn, group fuehrung, role child, age 0-5: 4.90 -> 5.10"]
    assert '  changed tariffs[zahn].family_premium.tables.zahn_familie.rows[1].value: "4.90" -> "5.10"' in lines
