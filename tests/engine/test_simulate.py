"""`bkv tenants simulate`: an insurer's config author runs an employee file against a tenant folder
before it goes live and sees groups, exclusions and premiums. No database."""
import datetime
import json
import pathlib
import shutil
from decimal import Decimal

from click.testing import CliRunner

from engine import pricing
from engine.simulate import first_of_next_month, load_live, tenant_folder
from web.cli import cli

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
DEMO = str(FIXTURES / "employees-demo.csv")
START = datetime.date(2027, 1, 1)


def simulate(*args):
    result = CliRunner().invoke(cli, ["tenants", "simulate", *map(str, args)])
    return result.exit_code, result.stdout


def as_json(*args):
    code, out = simulate(*args, "--json", "--start", START.isoformat())
    return code, json.loads(out)


def test_auxilia_assigns_excludes_and_prices_each_employee_as_the_pricing_engine_does():
    code, report = as_json("auxilia", DEMO)
    assert code == 0
    assert report["tenant"] == "auxilia" and report["start_date"] == "2027-01-01" and report["file_errors"] == []
    people = {p["personnel_number"]: p for p in report["employees"]}
    assert len(people) == 20
    assert people["1001"]["group"] == "alle" and people["1001"]["row"] == 2
    assert people["1002"]["group"] == "fuehrung"       # marked in the Tarifgruppe column
    assert people["1012"]["group"] is None             # the minijob
    assert {"rule": "kein_minijob", "group": "alle"}.items() <= people["1012"]["excluded_by"][0].items()
    assert people["1012"]["excluded_by"][0]["seen"] == {"employee.employment_type": "minijob"}
    assert [e["rule"] for e in people["1004"]["excluded_by"] if e["group"] == "alle"] == [
        "teilzeit_mindestens_15_stunden"]               # part-time under 15 hours
    assert people["1012"]["premiums"] == {} and people["1012"]["total"] is None

    live = load_live(tenant_folder("auxilia"))
    birth = {"1001": datetime.date(1985, 3, 12), "1002": datetime.date(1979, 7, 30)}
    for number, born in birth.items():
        line = people[number]
        group = next(g for g in live.doc["tariff_groups"] if g["id"] == line["group"])
        expected = {t: pricing.premium(live, t, group["id"], pricing.Person(birth_date=born), START)
                    for t in group["tariffs"]}
        assert line["premiums"] == {t: str(amount) for t, amount in expected.items()}
        assert line["total"] == str(sum(expected.values()))


def test_group_totals_and_the_overall_total_add_up():
    code, report = as_json("auxilia", DEMO)
    insured = [p for p in report["employees"] if p["group"]]
    for gid, figures in report["groups"].items():
        members = [p for p in insured if p["group"] == gid]
        monthly = sum((Decimal(p["total"]) for p in members), Decimal("0.00"))
        assert figures == {"persons": len(members), "monthly": str(monthly), "yearly": str(monthly * 12)}
    total = report["total"]
    assert total["persons"] == len(insured) == 17 and total["excluded"] == 3 and total["rows"] == 20
    assert Decimal(total["monthly"]) == sum(Decimal(g["monthly"]) for g in report["groups"].values())
    assert Decimal(total["yearly"]) == Decimal(total["monthly"]) * 12


def test_the_benefit_in_kind_limit_is_flagged_with_the_amount():
    code, report = as_json("auxilia", DEMO)
    limit = load_live(tenant_folder("auxilia")).settings.benefit_in_kind_limit
    for person in report["employees"]:
        over = person["total"] is not None and Decimal(person["total"]) > limit
        flagged = [w for w in person["warnings"] if "Sachbezugsgrenze" in w]
        assert bool(flagged) == over
        if over:
            assert person["total"] in flagged[0] and str(limit) in flagged[0]
    assert any("Sachbezugsgrenze" in w for p in report["employees"] for w in p["warnings"])


def test_a_lumen_trainee_is_priced_in_the_trainee_group_and_tariffs_can_be_chosen():
    code, report = as_json("lumen", DEMO, "--tariff", "budget_600")
    assert code == 0
    trainee = next(p for p in report["employees"] if p["personnel_number"] == "1007")
    assert trainee["group"] == "azubis" and list(trainee["premiums"]) == ["budget_600"]
    assert report["groups"]["azubis"]["persons"] == 1
    assert all(list(p["premiums"]) == ["budget_600"] for p in report["employees"] if p["group"])
    code, out = simulate("lumen", DEMO, "--tariff", "budget_0")
    assert code == 2 and "budget_0" in out


def test_row_problems_are_listed_and_the_valid_rows_still_simulated(tmp_path):
    text = (FIXTURES / "employees-demo.csv").read_text(encoding="utf-8-sig")
    text = text.replace("14.09.1994", "31.09.1994")
    path = tmp_path / "mitarbeitende.csv"
    path.write_text(text, encoding="cp1252")
    code, report = as_json("nordhafen", path)
    assert code == 0
    [error] = report["file_errors"]
    assert error["row"] == 5 and error["column"] == "Geburtsdatum" and "31.09.1994" in error["message"]
    assert len(report["employees"]) == 19


def test_the_human_output_is_an_aligned_table_with_totals():
    code, out = simulate("auxilia", DEMO, "--start", START.isoformat())
    assert code == 0
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("row"))
    assert header.split()[:4] == ["row", "personnel", "no.", "name"] and "stationaer" in header
    anna = next(line for line in lines if "Anna Becker" in line)
    assert anna.index("Anna Becker") == header.index("name")
    assert any(line.startswith("total") and " 17 " in line for line in lines)
    assert "kein_minijob (alle)" in out


def test_an_unusable_file_exits_1_with_the_reason(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text("Name;Vorname\nBecker;Anna\n", encoding="utf-8")
    code, out = simulate("auxilia", path, "--json")
    assert code == 1
    [error] = json.loads(out)["file_errors"]
    assert error["row"] == 1 and "Personalnummer" in error["message"]
    code, out = simulate("auxilia", path)
    assert code == 1 and "Pflichtspalten" in out


def test_a_tenant_with_problems_exits_1_and_lists_them_like_tenants_check(tmp_path):
    folder = tmp_path / "lumen"
    shutil.copytree(tenant_folder("lumen"), folder)
    yaml = folder / "tenant.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("age_method: insurance_age", "age_method: sometimes"),
                    encoding="utf-8")
    code, out = simulate(folder, DEMO)
    assert code == 1
    assert f"{yaml}:" in out and "settings.age_method" in out and "problem(s) found" in out
    code, out = simulate(folder, DEMO, "--json")
    assert code == 1 and json.loads(out)["problems"][0]["path"] == "settings.age_method"


def test_a_tenant_folder_path_works_as_well_as_an_id(tmp_path):
    folder = tmp_path / "nordhafen"
    shutil.copytree(tenant_folder("nordhafen"), folder)
    assert as_json(folder, DEMO) == as_json("nordhafen", DEMO)
    code, out = simulate("gibtsnicht", DEMO)
    assert code == 1 and "no tenant.yaml" in out


def test_the_default_start_is_the_first_of_next_month():
    assert first_of_next_month(datetime.date(2026, 11, 25)) == datetime.date(2026, 12, 1)
    assert first_of_next_month(datetime.date(2026, 12, 31)) == datetime.date(2027, 1, 1)
    code, out = simulate("nordhafen", DEMO, "--json")
    assert json.loads(out)["start_date"] == first_of_next_month().isoformat()
