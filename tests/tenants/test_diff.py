"""`bkv tenants diff OLD NEW`: an insurer changes a price or a text in a copy of its tenant and sees
exactly the premiums that change (by tariff, group, family count and age) and every changed rule and
text, before the version goes live."""
import json
from decimal import Decimal

from tenants import diff
from web.cli import cli

ROOT_TENANTS = "tenants"


def versions(demo_copy, slug, *edits):
    copy = demo_copy(slug)
    for old, new in edits:
        copy.replace(old, new)
    return diff.of_folder(f"{ROOT_TENANTS}/{slug}"), diff.of_folder(copy.folder), copy


def test_a_price_change_lists_exactly_the_changed_premiums(demo_copy):
    old, new, _ = versions(demo_copy, "auxilia", ('{from: 45, to: 59, value: "16.80"}',
                                                  '{from: 45, to: 59, value: "17.30"}'))
    result = diff.diff(old, new)
    expected = [{"tariff": "zahn", "group": group, "family_members": members, "age": age,
                 "old": str(Decimal("16.80") + members * Decimal("9.90")),
                 "new": str(Decimal("17.30") + members * Decimal("9.90"))}
                for group in ("alle", "fuehrung") for members in range(7) for age in range(45, 60)]
    assert result["premiums"] == expected
    assert result["changes"] == [{"path": "tariffs[zahn].premium.tables.zahn.bands[2].value", "change": "changed",
                                  "old": "16.80", "new": "17.30"}]


def test_an_unchanged_tenant_has_no_changes(demo_copy):
    old, new, _ = versions(demo_copy, "lumen")
    assert diff.diff(old, new) == {"old": old.label, "new": new.label, "premiums": [], "dated_premiums": [],
                                   "family_premiums": [], "changes": []}


def test_rules_texts_and_markdown_are_listed_by_id(demo_copy):
    old, new, copy = versions(
        demo_copy, "lumen",
        ("when: {fact: employer.employees_count, lt: {setting: min_insured}}",
         "when: {fact: employer.employees_count, lt: 3}"),
        ("name: {de: Auszubildende, en: Trainees}", "name: {de: Azubis, en: Trainees}"),
        ("  - id: azubis_zuordnen\n", "  - id: hinweis_teilzeit\n    on: employee\n"
                                      "    when: {fact: employee.weekly_hours, lt: 15}\n"
                                      "    then: {warn: {de: Unter 15 Stunden., en: Below 15 hours.}}\n"
                                      "  - id: azubis_zuordnen\n"))
    markdown = next((copy.folder / "content").glob("einfuehrung.md"))
    markdown.write_text(markdown.read_text(encoding="utf-8") + "\nNeu: ein Absatz.\n", encoding="utf-8")
    new = diff.of_folder(copy.folder)
    changes = {(c["path"], c["change"]) for c in diff.diff(old, new)["changes"]}
    assert changes == {("content_modules[einfuehrung].markdown", "changed"),
                       ("tariff_groups[azubis].name.de", "changed"),
                       ("rules[hinweis_teilzeit]", "added"),
                       ("rules[mindestgroesse_betrieb].when.lt", "changed")}
    assert diff.diff(old, new)["premiums"] == []
    text = diff.format_diff(diff.diff(old, new))
    assert "  changed content_modules[einfuehrung].markdown:\n" in text and "    +Neu: ein Absatz." in text


def test_the_command_prints_ages_as_ranges_and_json(app, demo_copy):
    _, _, copy = versions(demo_copy, "nordhafen", ('{from: 40, to: 120, value: "21.90"}',
                                                   '{from: 40, to: 120, value: "22.40"}'))
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["tenants", "diff", "nordhafen", str(copy.folder)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2:5] == [
        "premiums: 60 change(s)",
        "  kompakt, group belegschaft, family_members 0, age 40-99: 21.90 -> 22.40",
        "document: 1 change(s)"]
    result = runner.invoke(cli, ["tenants", "diff", "nordhafen", str(copy.folder), "--json"])
    assert len(json.loads(result.output)["premiums"]) == 60


def test_with_one_folder_the_live_version_is_compared(app, demo_copy):
    _, _, copy = versions(demo_copy, "nordhafen", ('value: "33.80"', 'value: "34.10"'))
    result = app.test_cli_runner().invoke(cli, ["tenants", "diff", str(copy.folder)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("--- live version ")
    assert "  komfort, group belegschaft, family_members 0, age 15-39: 33.80 -> 34.10" in result.output


def test_a_side_that_does_not_load_prints_its_problems(app, demo_copy):
    _, _, copy = versions(demo_copy, "nordhafen")
    copy.replace("  min_insured: 3\n", "")
    result = app.test_cli_runner().invoke(cli, ["tenants", "diff", "nordhafen", str(copy.folder)])
    assert result.exit_code == 1 and "missing required key 'min_insured'" in result.output
