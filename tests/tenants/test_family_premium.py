"""A tariff's family premium (the premium of one co-insured family member by their own age and role) is
compiled and priced by the checker for spouses and children at every age from 0 to 99; the family
events need it."""
import pathlib

from tenants.check import check_paths
from tenants.loader import compile_tenant, load_tenant

TENANTS = pathlib.Path(__file__).resolve().parents[2] / "tenants"

KINDER = '- {role: child, age: {from: 0, to: 5}, value: "4.90"}'


def errors(folder):
    return [p for p in check_paths([folder]) if p.level == "error"]


def test_auxilia_prices_family_members_by_own_age_and_role():
    formula = compile_tenant(load_tenant(TENANTS / "auxilia")).family_formulas["zahn"]
    assert [str(formula.evaluate({"age": age, "role": role})) for role, age in
            (("child", 0), ("child", 6), ("child", 18), ("spouse", 40))] == ["4.90", "7.90", "9.90", "9.90"]


def test_a_child_without_a_row_is_a_gap_of_the_decision_table(demo_copy):
    auxilia = demo_copy("auxilia").replace(KINDER, '- {role: child, age: {from: 1, to: 5}, value: "4.90"}')
    [problem] = errors(auxilia.folder)
    assert problem.dotted_path == "tariffs[0].family_premium.tables.zahn_familie.rows"
    assert problem.line == auxilia.line_of("rows:", 1)
    assert problem.message == ("gap: no row covers role child, age 0; every combination of the keys needs exactly "
                               "one row")


def test_a_negative_family_premium_is_an_error_at_the_family_formula(demo_copy):
    auxilia = demo_copy("auxilia").replace('formula: table("zahn_familie", role, age)',
                                           'formula: table("zahn_familie", role, age) if age > 0 else -1')
    [problem] = errors(auxilia.folder)
    assert problem.dotted_path == "tariffs[0].family_premium.formula"
    assert problem.line == auxilia.line_of('formula: table("zahn_familie", role, age)')
    assert "for age 0, group 'alle', role spouse" in problem.message


def test_a_family_premium_may_not_read_the_age_the_tenant_does_not_use(demo_copy):
    auxilia = demo_copy("auxilia").replace('table("zahn_familie", role, age)', 'table("zahn_familie", role, insurance_age)')
    [problem] = errors(auxilia.folder)
    assert problem.dotted_path == "tariffs[0].family_premium.formula"
    assert "uses 'insurance_age', but settings.age_method is age_at_start" in problem.message


def test_the_family_events_need_a_tariff_with_a_family_premium(demo_copy):
    auxilia = demo_copy("auxilia")
    auxilia.replace('''    family_premium:
      # Je Familienangehörigen 4,50 EUR, unabhängig von Alter und Rolle.
      formula: "4.50"
''', "")
    start = auxilia.text.index("    family_premium:\n      # Je mitversicherten")
    end = auxilia.text.index("  - id: sehen")
    auxilia.yaml.write_text(auxilia.text[:start] + auxilia.text[end:], encoding="utf-8")
    found = errors(auxilia.folder)
    assert [p.dotted_path for p in found] == ["business_events[10].type", "business_events[11].type"]
    assert found[0].message == ("'family_member_added' needs a tariff with a family_premium (the premium of a "
                                "family member)")


def test_a_family_premium_needs_family_members_on_the_tariff(demo_copy):
    auxilia = demo_copy("auxilia").replace("    module: vision\n    family_members: true\n", "    module: vision\n")
    [problem] = [p for p in errors(auxilia.folder) if p.dotted_path == "tariffs[1].family_premium"]
    assert problem.message == "a family premium needs family_members: true on the tariff"
