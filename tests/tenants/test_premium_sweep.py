"""The checker prices every premium: each tariff at every age from 15 to 99, in every group that offers
it, with every family count it allows. What used to pass silently is an error or a warning at the
formula's line."""

from tenants import loader, sweep
from tenants.check import check_paths

ZAHN = 'formula: table("zahn", age) + family_members * 9.90'


def only(problems):
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_a_formula_dividing_by_zero_at_one_age_is_an_error(demo_copy):
    auxilia = demo_copy("auxilia").replace(ZAHN, 'formula: table("zahn", age) + 1 / (age - 40)')
    problem = only([p for p in check_paths([auxilia.folder]) if p.level == "error"])
    assert problem.line == auxilia.line_of("1 / (age - 40)")
    assert problem.dotted_path == "tariffs[0].premium.formula"
    assert problem.message == ("premium cannot be calculated for age 40, group 'alle', family_members 0: division "
                               'by zero in table("zahn", age) + 1 / (age - 40); the same in every group and family '
                               "count")


def test_a_negative_premium_from_66_on_is_an_error(demo_copy):
    auxilia = demo_copy("auxilia").replace('formula: round(table("stationaer", age), 2)',
                                           'formula: round(table("stationaer", age), 2) - (50 if age >= 66 else 0)')
    problem = only(check_paths([auxilia.folder]))
    assert problem.level == "error" and problem.line == auxilia.line_of("- (50 if age >= 66 else 0)")
    assert problem.message == ("premium is negative (-11.10) for age 66, group 'fuehrung', family_members 0; "
                               "the same at ages 66-99")


def test_bands_starting_at_18_leave_trainees_unpriced(demo_copy):
    auxilia = demo_copy("auxilia").replace('{from: 15, to: 39, value: "4.20"}', '{from: 18, to: 39, value: "4.20"}')
    problem = only(check_paths([auxilia.folder]))
    assert problem.level == "error" and problem.line == auxilia.line_of('formula: table("sehen", age)')
    assert "for age 15, group 'alle', family_members 0: table sehen has no band for 15 (it covers 18 to 120)" \
        in problem.message
    assert "the same at ages 15-17 in every group and family count" in problem.message
    assert problem.message.endswith("trainees are insured from age 15, so ages 15 to 17 must be priceable")


def test_a_tenfold_typo_in_a_band_is_a_warning_and_the_factor_is_the_authors(demo_copy):
    auxilia = demo_copy("auxilia").replace('{from: 30, to: 39, value: "14.80"}', '{from: 30, to: 39, value: "148.00"}')
    found = check_paths([auxilia.folder])
    rises = [p for p in found if "rises" in p.message]
    assert [p.level for p in rises] == ["warning"]
    assert rises[0].line == auxilia.line_of('formula: round(table("stationaer", age), 2)')
    assert rises[0].message.startswith("premium rises 13.1-fold from 11.30 at age 29 to 148.00 at age 30 "
                                       "(group 'fuehrung', family_members 0), more than checks.max_step_factor 2")
    # the same typo also makes the premium fall at 40 (148.00 -> 19.60)
    assert [p.message.split(":")[0] for p in found if p not in rises] == ["premium falls with age"]


def test_the_author_sets_the_step_factor(demo_copy):
    strict = demo_copy("auxilia")
    strict.yaml.write_text(strict.text + '\nchecks:\n  max_step_factor: "1.25"\n', encoding="utf-8")
    found = check_paths([strict.folder])
    assert {p.message.split(" at age")[0] for p in found} == {
        "premium rises 1.3-fold from 11.30", "premium rises 1.4-fold from 8.90",
        "premium rises 1.5-fold from 4.20", "premium rises 1.4-fold from 5.60",
        "premium rises 1.4-fold from 9.25",   # the dental bands from 2028 (premium.changes)
        "premium rises 1.6-fold from 4.90"}   # a child's dental family premium at 6 (family_premium)
    assert all(p.level == "warning" for p in found)


def test_a_step_factor_of_one_or_less_is_refused(demo_copy):
    lumen = demo_copy("lumen")
    lumen.yaml.write_text(lumen.text + '\nchecks:\n  max_step_factor: "0.9"\n', encoding="utf-8")
    problem = only(check_paths([lumen.folder]))
    assert problem.dotted_path == "checks.max_step_factor" and problem.line == lumen.line_of("max_step_factor")


def test_a_premium_falling_with_age_is_a_warning_unless_declared(demo_copy):
    nordhafen = demo_copy("nordhafen").replace('{from: 40, to: 120, value: "21.90"}',
                                               '{from: 40, to: 120, value: "15.90"}')
    problem = only(check_paths([nordhafen.folder]))
    assert problem.level == "warning" and problem.line == nordhafen.line_of('formula: table("beitrag", insurance_age)')
    assert problem.message == ("premium falls with age: 17.50 at age 39, 15.90 at age 40 (group 'belegschaft', "
                               "family_members 0); if that is meant, declare it with premium.may_fall_with_age: true")
    nordhafen.replace('formula: table("beitrag", insurance_age)\n',
                      'formula: table("beitrag", insurance_age)\n      may_fall_with_age: true\n')
    assert check_paths([nordhafen.folder]) == []


def test_family_members_in_a_tariff_without_family_members_is_an_error(demo_copy):
    auxilia = demo_copy("auxilia").replace("formula: max(table(\"vorsorge\", age), 5.00)",
                                           "formula: max(table(\"vorsorge\", age), 5.00) + family_members * 2")
    problem = only(check_paths([auxilia.folder]))
    assert problem.level == "error" and problem.line == auxilia.line_of("family_members * 2")
    assert problem.message.startswith("the formula uses 'family_members', but this tariff allows no family members")


def test_every_family_count_the_tariff_allows_is_priced(demo_copy):
    auxilia = demo_copy("auxilia").replace(ZAHN, 'formula: table("zahn", age) + 9.90 * family_members / (4 - family_members) ** 2')
    problem = only(check_paths([auxilia.folder]))
    assert problem.message.startswith("premium cannot be calculated for age 15, group 'alle', family_members 4: "
                                      "division by zero")
    auxilia.yaml.write_text(auxilia.text + "\nchecks:\n  max_family_members: 3\n", encoding="utf-8")
    assert check_paths([auxilia.folder]) == []


def test_the_grid_has_every_age_group_and_family_count(demo_copy):
    tenant = loader.load_tenant(demo_copy("auxilia").folder)
    grid = sweep.premiums(tenant.doc, loader.compile_tenant(tenant).formulas)
    assert grid[("zahn", "alle", 0, 15, "", 0)] == grid[("zahn", "fuehrung", 0, 29, "", 0)] == sweep.money("8.90")
    assert grid[("zahn", "fuehrung", 6, 99, "", 0)] == sweep.money("80.90")  # 21.50 + 6 * 9.90
    assert ("stationaer", "alle", 0, 40) not in grid  # only the management group offers it
    assert {key[3] for key in grid} == set(range(15, 100))
    assert len(grid) == 85 * (2 * 7 + 2 * 7 + 2 + 1)  # zahn, sehen (2 groups, 0-6); vorsorge (2); stationaer (1)


def test_a_sweep_stays_small_enough_to_run_at_every_check(demo_copy):
    """Its work is its grid (every point priced once): bounded, counted rather than timed."""
    for slug in ("lumen", "auxilia", "nordhafen"):
        tenant = loader.load_tenant(demo_copy(slug).folder)
        assert 0 < len(sweep.premiums(tenant.doc, loader.compile_tenant(tenant).formulas)) < 20_000, slug
