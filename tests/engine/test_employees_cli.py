"""`bkv employees import`: the documented JSON for a good file, a file with bad rows and an unusable
file, and exit code 1 only when the file itself is unusable — never a traceback."""
import json

from engine import contracts
from engine.models import Employee
from tests.journey import submitted_application

HEADER = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart\n"
GOOD = HEADER + "1;A;B;01.01.1980;Weg 1;10115;Berlin;01.01.2010;Vollzeit\n"
BAD = GOOD + "2;C;D;31.02.1980;Weg 2;1011;Berlin;01.01.2010;Chef\n"


def test_cli_import_json(app, make_user, tmp_path):
    with app.app_context():
        case = submitted_application("lumen", tag="cli")
        contracts.release(case["employer_user"], case["application"])
        contracts.accept(make_user("insurer", tenant="lumen"),
                         contracts.application_for_insurer("lumen", case["application"].id), "GV-CLI")
    employer_id = str(case["client"].id)
    good, bad, broken = tmp_path / "good.csv", tmp_path / "bad.csv", tmp_path / "broken.xlsx"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    runner = app.test_cli_runner()
    from web.cli import cli

    result = runner.invoke(cli, args=["employees", "import", "--tenant", "lumen", "--employer", employer_id, str(good),
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {k: data[k] for k in ("rows", "valid", "errors", "warnings")} == {"rows": 1, "valid": 1, "errors": [],
                                                                             "warnings": []}
    with app.app_context():
        assert Employee.select().count() == 1

    result = runner.invoke(cli, args=["employees", "import", "--tenant", "lumen", "--employer", employer_id, str(bad),
                                 "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rows"] == 2 and data["valid"] == 1
    assert {(e["row"], e["column"]) for e in data["errors"]} >= {(3, "Geburtsdatum"), (3, "Beschäftigungsart")}
    assert all(e["message"] for e in data["errors"])

    result = runner.invoke(cli, args=["employees", "import", "--tenant", "lumen", "--employer", employer_id, str(broken),
                                 "--json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    data = json.loads(result.output)
    assert data["rows"] == 0 and data["errors"][0]["message"]
