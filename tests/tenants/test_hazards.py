"""What an insurer's analyst gets wrong, and the one clear Problem (with the right line) they see."""

import pytest

from tenants.check import check_paths
from tenants.loader import load_tenant, load_tenants, read_tenant
from tenants.problems import TenantError


def problems_of(copy):
    return check_paths([copy.folder])


def only(problems, path=None):
    """The single problem (at `path`, when given)."""
    found = [p for p in problems if path is None or p.dotted_path == path]
    assert len(found) == 1, "\n".join(map(str, problems))
    return found[0]


# --- schema -------------------------------------------------------------------------------------

def test_wrong_enum_value_says_found_and_expected(demo_copy):
    lumen = demo_copy("lumen").replace("    kind: budget\n    budget: 600", "    kind: modul\n    budget: 600")
    problem = only(problems_of(lumen))
    assert problem.dotted_path == "tariffs[1].kind"
    assert problem.message == "found 'modul', expected one of budget, module"
    assert problem.line == lumen.line_of("kind: modul")
    assert str(problem) == f"{lumen.yaml}:{problem.line}: error: tariffs[1].kind: found 'modul', expected one of budget, module"


def test_missing_required_key_points_at_the_mapping(demo_copy):
    lumen = demo_copy("lumen").replace("  min_insured: 5\n", "")
    problem = only(problems_of(lumen))
    assert (problem.dotted_path, problem.message) == ("settings", "missing required key 'min_insured'")
    assert problem.line == lumen.line_of("settings:")


def test_budget_tariff_without_budget_is_explained(demo_copy):
    lumen = demo_copy("lumen").replace("    budget: 900\n", "")
    problem = only(problems_of(lumen))
    assert problem.dotted_path == "tariffs[2]"
    assert "missing required key 'budget'" in problem.message and "budget tariff" in problem.message
    assert problem.line == lumen.line_of("- id: budget_900")


def test_unknown_key_with_a_typo_suggests_the_right_one(demo_copy):
    lumen = demo_copy("lumen").replace("  offer_validity_days: 30", "  offer_valdity_days: 30")
    problems = problems_of(lumen)
    typo = only(problems, "settings.offer_valdity_days")
    assert typo.message == "unknown key 'offer_valdity_days'; did you mean 'offer_validity_days'?"
    assert typo.line == lumen.line_of("offer_valdity_days")
    assert only(problems, "settings").message == "missing required key 'offer_validity_days'"


def test_a_wrong_colour_and_a_number_where_text_is_expected(demo_copy):
    lumen = demo_copy("lumen").replace('"#f1a208"', "orange").replace('"600": "22.90"', '"600": 22.90')
    problems = problems_of(lumen)
    colour = only(problems, "branding.secondary_color")
    assert colour.message.startswith("found 'orange', expected text matching ^#[0-9a-fA-F]{6}$")
    assert colour.line == lumen.line_of("secondary_color")
    money = only(problems, "tariffs[0].premium.tables.levels.map.600")
    assert money.message == 'found 22.9, expected text (put it in quotes: "22.9")'
    assert money.line == lumen.line_of("map: {")


# --- YAML hazards -------------------------------------------------------------------------------

def test_duplicate_key_names_both_lines(demo_copy):
    lumen = demo_copy("lumen").replace("legal_name: Lumen Krankenversicherung AG\n",
                                       "legal_name: Lumen Krankenversicherung AG\nname: Lumen Zwei\n")
    problem = only(problems_of(lumen))
    assert problem.line == lumen.line_of("name: Lumen Zwei")
    assert problem.path == ["name"]
    assert f"first on line {lumen.line_of('name: Lumen Krankenversicherung')}" in problem.message


def test_python_object_tag_is_refused_with_its_line(demo_copy):
    lumen = demo_copy("lumen").replace("name: Lumen Krankenversicherung\n",
                                       'name: !!python/object/apply:os.system ["touch /tmp/pwned"]\n')
    problem = only(problems_of(lumen))
    assert problem.line == lumen.line_of("!!python/object")
    assert "!!python/object/apply:os.system is not allowed" in problem.message


def test_alias_bomb_is_refused_quickly(demo_copy):
    lumen = demo_copy("lumen")
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    lumen.yaml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problem = only(problems_of(lumen))  # expanded, 9**9 nodes would never finish: refused before expansion
    assert "billion laughs" in problem.message


def test_a_few_aliases_are_fine(demo_copy):
    # the Lumen demo shares one premium table between its tariffs with &lumen_levels / *lumen_levels
    lumen = demo_copy("lumen")
    assert "*lumen_levels" in lumen.text
    assert problems_of(lumen) == []


def test_binary_tenant_file_is_refused(demo_copy):
    lumen = demo_copy("lumen")
    lumen.yaml.write_bytes(b"id: lumen\n\x89PNG\x00\x00\x00\rIHDR")
    problem = only(problems_of(lumen))
    assert "binary" in problem.message and problem.line == 2


def test_text_that_is_not_utf8_is_refused(demo_copy):
    lumen = demo_copy("lumen")
    lumen.yaml.write_bytes("id: lumen\nname: Lümen\n".encode("latin-1"))
    problem = only(problems_of(lumen))
    assert "not UTF-8" in problem.message and problem.line == 2


def test_empty_tenant_file_is_refused(demo_copy):
    lumen = demo_copy("lumen")
    lumen.yaml.write_text("", encoding="utf-8")
    assert only(problems_of(lumen)).message == "YAML file is empty"
    lumen.yaml.write_text("# nur ein Kommentar\n", encoding="utf-8")
    assert "no content" in only(problems_of(lumen)).message


def test_yaml_syntax_error_has_line_and_hint(demo_copy):
    lumen = demo_copy("lumen").replace('title: {de: Die Lumen-Gesundheitsbudgets,',
                                       'title: {de: Was sind Budgets?,')
    problem = only(problems_of(lumen))
    assert problem.line == lumen.line_of("Was sind Budgets?")
    assert "must be put in quotes" in problem.message


def test_a_list_at_the_top_is_refused(demo_copy):
    lumen = demo_copy("lumen")
    lumen.yaml.write_text("- id: lumen\n", encoding="utf-8")
    assert "expected a mapping" in only(problems_of(lumen)).message


# --- compile: formulas, conditions, forms --------------------------------------------------------

def test_formula_with_an_unknown_name(demo_copy):
    lumen = demo_copy("lumen").replace('formula: table("levels", budget)', 'formula: table("levels", budgte)')
    problem = only(problems_of(lumen))
    assert problem.dotted_path.startswith("tariffs[0].premium.formula")
    assert "budgte" in problem.message
    assert problem.line == lumen.line_of("budgte")


def test_formula_with_an_unknown_table(demo_copy):
    lumen = demo_copy("lumen").replace('formula: table("levels", budget)', 'formula: table("stufen", budget)')
    problem = only(problems_of(lumen))
    assert problem.dotted_path.startswith("tariffs[0].premium")
    assert "stufen" in problem.message
    assert problem.line == lumen.line_of("stufen")


def test_formula_that_fails_from_some_age_on(demo_copy):
    auxilia = demo_copy("auxilia").replace('{from: 60, to: 120, value: "21.50"}', '{from: 60, to: 62, value: "21.50"}')
    problem = only(problems_of(auxilia))
    assert problem.dotted_path == "tariffs[0].premium.formula"
    assert problem.message.startswith("premium cannot be calculated for age 63, group 'alle', family_members 0: "
                                      "table zahn has no band for 63 (it covers 15 to 62)")
    assert problem.message.endswith("the same at ages 63-99 in every group and family count")
    assert problem.line == auxilia.line_of('formula: table("zahn", age)')


def test_formula_must_use_the_declared_age_method(demo_copy):
    nordhafen = demo_copy("nordhafen").replace('formula: table("beitrag", insurance_age)',
                                               'formula: table("beitrag", age)')
    problem = only(problems_of(nordhafen))
    assert problem.dotted_path == "tariffs[0].premium.formula"
    assert "age_method is insurance_age" in problem.message


def test_bad_condition_points_into_the_eligibility_rule(demo_copy):
    auxilia = demo_copy("auxilia").replace("require: {fact: employee.employment_type, ne: minijob}",
                                           "require: {fact: employee.employment_type, greater: minijob}")
    problem = only(problems_of(auxilia))
    assert problem.dotted_path.startswith("tariff_groups[0].eligibility[0].require")
    assert problem.line == auxilia.line_of("greater: minijob")


def test_gender_based_eligibility_is_refused(demo_copy):
    nordhafen = demo_copy("nordhafen").replace("require: {fact: employee.postal_code, exists: true}",
                                               "require: {fact: employee.gender, eq: w}")
    problem = only(problems_of(nordhafen))
    assert problem.dotted_path.startswith("tariff_groups[0].eligibility[1].require")
    assert problem.line == nordhafen.line_of("employee.gender")


def test_bad_tenant_rule_is_reported_at_its_own_index(demo_copy):
    auxilia = demo_copy("auxilia").replace("    when: {fact: employee.tariff_group, eq: fuehrung}\n    then: {assign",
                                           "    when: {fact: employee.tariff_group, equals: fuehrung}\n    then: {assign")
    problem = only(problems_of(auxilia))
    assert problem.dotted_path.startswith("rules[1].when")
    assert problem.line == auxilia.line_of("equals: fuehrung")


def test_bad_form_field_is_reported_in_its_form(demo_copy):
    lumen = demo_copy("lumen").replace("  - name: ansprechpartner_personal\n", "  - name: branchenschluessel\n")
    problem = only(problems_of(lumen))
    assert problem.dotted_path.startswith("application_form[1]")
    assert problem.line == lumen.line_of("name: branchenschluessel", 2)


# --- references, files ----------------------------------------------------------------------------

def test_missing_content_file(demo_copy):
    lumen = demo_copy("lumen")
    (lumen.folder / "content" / "einfuehrung.md").unlink()
    problem = only(problems_of(lumen))
    assert problem.dotted_path == "content_modules[3].file"
    assert "'content/einfuehrung.md' not found" in problem.message
    assert problem.line == lumen.line_of("file: content/einfuehrung.md")


def test_binary_content_file(demo_copy):
    lumen = demo_copy("lumen")
    (lumen.folder / "content" / "einfuehrung.md").write_bytes(b"# Titel\n\x00\x01")
    problem = only(problems_of(lumen))
    assert problem.file.endswith("einfuehrung.md") and "binary" in problem.message


def test_content_file_outside_the_folder_is_refused(demo_copy):
    lumen = demo_copy("lumen").replace("file: content/einfuehrung.md", "file: ../../etc/passwd.md")
    problem = only(problems_of(lumen))
    assert problem.dotted_path == "content_modules[3].file"


def test_missing_logo_and_a_logo_with_a_script(demo_copy):
    lumen = demo_copy("lumen")
    (lumen.folder / "logo.svg").unlink()
    assert only(problems_of(lumen)).dotted_path == "branding.logo"
    (lumen.folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert "<script>" in only(problems_of(lumen)).message


def test_duplicate_tariff_id(demo_copy):
    auxilia = demo_copy("auxilia").replace("  - id: sehen\n", "  - id: zahn\n")
    problems = problems_of(auxilia)
    duplicate = only(problems, "tariffs[1].id")
    assert duplicate.message == f"duplicate tariff id 'zahn' (first on line {auxilia.line_of('- id: zahn')})"
    assert duplicate.line == auxilia.line_of("- id: zahn", 2)


def test_group_referencing_an_unknown_tariff(demo_copy):
    lumen = demo_copy("lumen").replace("tariffs: [budget_300, budget_600]", "tariffs: [budget_300, budget_1500]")
    problem = only(problems_of(lumen))
    assert problem.dotted_path == "tariff_groups[1].tariffs[1]"
    assert problem.message.startswith("unknown tariff 'budget_1500'; expected one of budget_300, budget_600")
    assert problem.line == lumen.line_of("budget_1500")


def test_business_event_types_are_unique(demo_copy):
    nordhafen = demo_copy("nordhafen").replace("  - type: address_change\n", "  - type: leaving\n")
    problem = only(problems_of(nordhafen))
    assert problem.dotted_path == "business_events[0].type" or problem.dotted_path == "business_events[1].type"
    assert "duplicate business event type" in problem.message


def test_rule_assigning_an_unknown_group(demo_copy):
    lumen = demo_copy("lumen").replace("then: {assign: azubis}", "then: {assign: lehrlinge}")
    problem = only(problems_of(lumen))
    assert problem.dotted_path == "rules[0].then.assign"
    assert problem.line == lumen.line_of("assign: lehrlinge")


def test_broker_number_example_must_match_its_pattern(demo_copy):
    lumen = demo_copy("lumen").replace("example: LU123456", "example: LU12345")
    problem = only(problems_of(lumen))
    assert problem.dotted_path == "broker_number.example" and "does not match" in problem.message


def test_folder_name_must_equal_the_id(demo_copy):
    lumen = demo_copy("lumen")
    renamed = lumen.folder.rename(lumen.folder.with_name("lumen-neu"))
    problems = check_paths([renamed])
    problem = only(problems)
    assert problem.path == ["id"] and "folder name 'lumen-neu'" in problem.message


def test_load_tenant_raises_with_every_problem(demo_copy):
    lumen = demo_copy("lumen").replace("then: {assign: azubis}", "then: {assign: lehrlinge}")
    (lumen.folder / "content" / "einfuehrung.md").unlink()
    with pytest.raises(TenantError) as raised:
        load_tenant(lumen.folder)
    assert {p.dotted_path for p in raised.value.problems} == {"rules[0].then.assign", "content_modules[3].file"}
    assert read_tenant(lumen.folder)[0] is None


def test_check_paths_reports_paths_that_are_no_tenants(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    messages = [p.message for p in check_paths([tmp_path / "missing", tmp_path / "notes.txt", tmp_path])]
    assert messages == ["no such file or folder",
                        "expected a tenant.yaml file, a tenant folder or a folder of tenants",
                        "no tenant found: expected subfolders with a tenant.yaml"]


def test_symbolic_links_are_refused(demo_copy):
    lumen = demo_copy("lumen")
    (lumen.folder / "content" / "fremd.md").symlink_to("/etc/hostname")
    problem = only(problems_of(lumen))
    assert problem.file.endswith("fremd.md") and "symbolic links" in problem.message


def test_one_broken_tenant_does_not_keep_the_others_from_loading(demo_copy, tmp_path):
    demo_copy("lumen").replace("then: {assign: azubis}", "then: {assign: lehrlinge}")
    demo_copy("nordhafen")
    tenants, problems = load_tenants(tmp_path)
    assert [tenant.id for tenant in tenants] == ["nordhafen"]
    assert [p.dotted_path for p in problems] == ["rules[0].then.assign"]
