"""Trying a stored draft before it is activated (issue #17): `bkv tenants simulate SLUG --version DIGEST`
runs the tests.yaml kept with the version against it, as `bkv tenants check` says problems, and prices an
employee file with the draft rather than with a folder or the live version."""
import json

from engine import registry, releases
from engine.models import TenantVersion
from tests.engine.test_releases import price_change
from tests.engine.test_simulate_pinned import FILE
from web.cli import cli


def load_draft(app, tmp_path, price):
    root, new = price_change(tmp_path, price)
    with app.app_context():
        [(_, status, problems)] = registry.sync(str(root))
        assert status == "new", problems
    return new


def simulate(app, *args):
    return app.test_cli_runner().invoke(cli, ["tenants", "simulate", "nordhafen", *args])


def test_a_draft_is_tried_on_its_own_cases_and_on_an_employee_file(app, tmp_path):
    new = load_draft(app, tmp_path, "22.80")
    with app.app_context():
        run = releases.tests("nordhafen", new[:12])
        cases = TenantVersion.get(TenantVersion.digest == new).snapshot["tests"].count("  - name:")
        assert (run.stored, run.passed, run.cases, run.failures) == (True, True, cases, ())

    tried = simulate(app, "--version", new[:12])
    assert tried.exit_code == 0, tried.output
    assert tried.output == f"nordhafen {new[:12]}: {cases} test case(s) run, all pass\n"

    staff = tmp_path / "staff.csv"
    staff.write_text(FILE, encoding="utf-8")
    priced = simulate(app, str(staff), "--version", new[:12], "--start", "2027-01-01", "--json")
    assert priced.exit_code == 0, priced.output
    report = json.loads(priced.output)
    anna = next(p for p in report["employees"] if p["personnel_number"] == "1")
    assert anna["premiums"]["kompakt"] == "22.80"  # the draft's price; the live version says 21.90
    assert report["version"] == new and report["tests"] == {"stored": True, "cases": cases, "failing": 0, "failures": []}


def test_a_failing_case_is_said_at_its_line_and_fails_the_command(app, tmp_path):
    new = load_draft(app, tmp_path, "22.90")
    with app.app_context():  # as if the platform now decided otherwise than when the draft was loaded
        row = TenantVersion.get(TenantVersion.digest == new)
        text = row.snapshot["tests"]
        line = text[:text.index('kompakt: "22.90"')].count("\n") + 1
        TenantVersion.update(snapshot={**row.snapshot, "tests": text.replace('kompakt: "22.90"', 'kompakt: "23.00"', 1)}
                             ).where(TenantVersion.id == row.id).execute()
    tried = simulate(app, "--version", new[:12])
    assert tried.exit_code == 1
    first, summary = tried.output.splitlines()
    assert first.startswith(f"nordhafen@{new[:12]}/tests.yaml:{line}: error: cases[0].expect.premiums.kompakt: case ")
    assert "expected a premium of 23.00 for kompakt, got 22.90" in first
    cases = text.count("  - name:")
    assert summary == f"nordhafen {new[:12]}: {cases} test case(s) run, 1 of {cases} failing"


def test_a_version_without_tests_and_an_unknown_digest(app, tmp_path):
    new = load_draft(app, tmp_path, "23.10")
    with app.app_context():
        row = TenantVersion.get(TenantVersion.digest == new)
        TenantVersion.update(snapshot={k: v for k, v in row.snapshot.items() if k != "tests"}).where(
            TenantVersion.id == row.id).execute()
    tried = simulate(app, "--version", new[:12])
    assert tried.exit_code == 0 and "no test cases stored with this version" in tried.output
    unknown = simulate(app, "--version", "abcdef123456")
    assert unknown.exit_code == 1 and "No unique version abcdef123456 of nordhafen" in unknown.output
    missing = simulate(app)
    assert missing.exit_code == 2 and "EMPLOYEES_FILE" in missing.output
