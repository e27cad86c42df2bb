"""The checker knows every fact a rule can read at its point, every field a rule can require, and
which facts may draw a tariff group: a typo or an unlawful criterion is an error at its line, a
criterion by age without a justification a warning."""
import yaml

from tenants.check import check_paths


def only(problems):
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_a_typo_in_a_fact_name_is_refused_with_did_you_mean(demo_copy):
    auxilia = demo_copy("auxilia").replace("    when: {fact: employee.tariff_group, eq: fuehrung}",
                                           "    when: {fact: employee.tarif_group, eq: fuehrung}")
    problem = only(check_paths([auxilia.folder]))
    assert (problem.level, problem.dotted_path) == ("error", "rules[1].when.fact")
    assert problem.line == auxilia.line_of("employee.tarif_group")
    assert problem.message == "unknown fact employee.tarif_group; did you mean employee.tariff_group?"


def test_a_typo_in_a_group_criterion_is_a_typo_not_an_unlawful_criterion(demo_copy):
    auxilia = demo_copy("auxilia").replace("require: {fact: employee.tariff_group, eq: fuehrung}",
                                           "require: {fact: employee.tarif_group, eq: fuehrung}")
    problem = only(check_paths([auxilia.folder]))
    assert problem.dotted_path == "tariff_groups[1].eligibility[0].require.fact"
    assert problem.message == "unknown fact employee.tarif_group; did you mean employee.tariff_group?"


def test_a_fact_the_point_does_not_give_is_refused(demo_copy):
    lumen = demo_copy("lumen").replace("    on: offer\n    when: {fact: employer.employees_count",
                                       "    on: event\n    when: {fact: employer.employees_count")
    (lumen.folder / "tests.yaml").unlink()  # its offer cases name the rule moved here
    found = check_paths([lumen.folder])
    unknown = [p for p in found if p.level == "error"]
    assert [p.message for p in unknown] == [
        "employer.employees_count is not given to rules on event (only to rules on offer, contract)"]
    assert unknown[0].line == lumen.line_of("when: {fact: employer.employees_count")
    [not_run] = [p for p in found if p.level == "warning"]
    assert not_run.dotted_path == "rules[1].on" and "never fires" in not_run.message


def test_a_placeholder_naming_an_unknown_fact_is_refused(demo_copy):
    lumen = demo_copy("lumen").replace("ruht bis zum {event.end_date} beitragsfrei", "ruht bis zum {event.rueckkehr} beitragsfrei")
    problem = only(check_paths([lumen.folder]))
    assert problem.dotted_path == "business_events[2].preconditions[0].then.warn.de"
    assert problem.message == ("placeholder {event.rueckkehr}: unknown fact event.rueckkehr; known event facts here: "
                               "event.effective_date, event.end_date, event.mode, event.start_date, event.type")
    lumen.replace("{event.rueckkehr}", "{event.ende}")
    assert only(check_paths([lumen.folder])).message.endswith("did you mean event.end_date?")


def test_require_must_name_a_field_of_the_form(demo_copy):
    auxilia = demo_copy("auxilia").replace("then: {require: private_email}", "then: {require: privat_email}")
    problem = only(check_paths([auxilia.folder]))
    leaving = next(i for i, event in enumerate(yaml.safe_load(auxilia.text)["business_events"])
                   if event["type"] == "leaving")
    assert problem.dotted_path == f"business_events[{leaving}].preconditions[0].then.require"
    assert problem.line == auxilia.line_of("require: privat_email")
    assert problem.message == "unknown field 'privat_email' in the leaving form; did you mean 'private_email'?"


def test_require_where_no_form_is_filled_in_is_refused(demo_copy):
    auxilia = demo_copy("auxilia").replace("    then: {assign: fuehrung}", "    then: {require: private_email}")
    problem = only(check_paths([auxilia.folder]))
    assert problem.dotted_path == "rules[1].then.require"
    assert problem.message.startswith("require names a form field, but rules on employee have no form to fill in")


def test_groups_may_be_drawn_only_by_lawful_criteria(demo_copy):
    for fact in ("employee.vorerkrankungen", "employee.chronically_ill", "employee.schwerbehinderung",
                 "employee.gender", "employee.last_name"):
        nordhafen = demo_copy("nordhafen")
        nordhafen.replace("require: {fact: employee.postal_code, exists: true}",
                          f"require: {{fact: {fact}, eq: ja}}")
        problem = only(check_paths([nordhafen.folder]))
        assert (problem.level, problem.dotted_path) == ("error", "tariff_groups[0].eligibility[1].require.fact")
        assert problem.line == nordhafen.line_of(fact)
        assert problem.message.startswith(f"{fact} may not decide who is in a tariff group: groups are drawn by "
                                          "objective criteria only"), problem.message
        nordhafen.yaml.parent.rename(nordhafen.folder.with_name(f"done-{fact}"))


def test_an_employee_rule_is_a_group_criterion_too(demo_copy):
    lumen = demo_copy("lumen").replace("when: {fact: employee.employment_type, eq: trainee}",
                                       "when: {fact: employee.gender, eq: w}")
    problem = only(check_paths([lumen.folder]))
    assert problem.dotted_path == "rules[0].when.fact" and "may not decide" in problem.message


def test_an_age_criterion_is_a_warning_until_it_is_justified(demo_copy):
    nordhafen = demo_copy("nordhafen").replace(
        "      - id: wohnsitz_deutschland\n",
        "      - id: ab_50\n"
        "        require: {age: [employee.birth_date, contract.start_date], gte: 50}\n"
        "        reason: {de: Ab 50 Jahren., en: From 50 years.}\n"
        "      - id: wohnsitz_deutschland\n")
    problem = only(check_paths([nordhafen.folder]))
    assert (problem.level, problem.dotted_path) == ("warning", "tariff_groups[0].eligibility[1].require.age[0]")
    assert problem.line == nordhafen.line_of("require: {age: [employee.birth_date")
    assert problem.message.startswith("a criterion by age needs a justification (AGG § 10")
    nordhafen.replace("        reason: {de: Ab 50 Jahren., en: From 50 years.}\n",
                      "        reason: {de: Ab 50 Jahren., en: From 50 years.}\n"
                      "        age_justification: Vorsorge ab 50 nach den Leitlinien der Fachgesellschaften.\n")
    assert check_paths([nordhafen.folder]) == []


def test_a_birth_date_criterion_is_an_age_criterion(demo_copy):
    lumen = demo_copy("lumen").replace("when: {fact: employee.employment_type, eq: trainee}",
                                       "when: {fact: employee.birth_date, gte: 2005-01-01}")
    problem = only(check_paths([lumen.folder]))
    assert problem.level == "warning" and problem.dotted_path == "rules[0].when.fact"


def test_a_warning_rule_about_age_draws_no_group(demo_copy):
    """Auxilia's hint that a person turns 67 soon reads the age but decides nothing."""
    auxilia = demo_copy("auxilia")
    assert "id: hinweis_altersgrenze" in auxilia.text
    assert check_paths([auxilia.folder]) == []


def test_rules_on_contract_are_said_to_never_fire(demo_copy):
    lumen = demo_copy("lumen").replace("    on: offer\n    when: {fact: employer.employees_count",
                                       "    on: contract\n    when: {fact: employer.employees_count")
    (lumen.folder / "tests.yaml").unlink()  # its offer cases name the rule moved here
    problem = only(check_paths([lumen.folder]))
    assert (problem.level, problem.dotted_path) == ("warning", "rules[1].on")
    assert problem.message.startswith("rules on contract are not evaluated by the platform yet")


def test_a_requirement_too_complex_for_the_rules_engine_is_refused_at_its_line(demo_copy):
    # durable-rules refused it only at the first evaluation (error 113): the check now says so
    pairs = ", ".join("{any: [{fact: employee.weekly_hours, gte: %d}, {fact: employee.postal_code, eq: '%05d'}]}"
                      % (10 + n, n) for n in range(5))
    nordhafen = demo_copy("nordhafen").replace("require: {fact: employee.postal_code, exists: true}",
                                               "require: {all: [%s]}" % pairs)
    problem = only(check_paths([nordhafen.folder]))
    assert (problem.level, problem.dotted_path) == ("error", "tariff_groups[0].eligibility[1].require")
    assert problem.line == nordhafen.line_of("require: {all: [{any:")
    assert "too complex for the rules engine" in problem.message and "split it" in problem.message
