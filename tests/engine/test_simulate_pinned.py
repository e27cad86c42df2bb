"""`bkv tenants simulate` against figures worked out by hand from the demo tenants' YAML tables."""
import json
import pathlib

from click.testing import CliRunner

from web.cli import cli

FILE = ("Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;Wochenstunden\n"
        "1;Alt;Anna;14.05.1980;Weg 1;10115;Berlin;01.01.2010;Vollzeit;40\n"      # 46 at 01.01.2027
        "2;Jung;Jan;02.02.1995;Weg 2;10115;Berlin;01.01.2015;Vollzeit;40\n"      # 31 at 01.01.2027
        "3;Mini;Mia;03.03.1990;Weg 3;10115;Berlin;01.01.2015;Minijob;8\n")


def simulate(tmp_path, tenant, *extra):
    path = tmp_path / "staff.csv"
    path.write_text(FILE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["tenants", "simulate", tenant, str(path), "--start", "2027-01-01", "--json",
                                      *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_auxilia_by_age_band(tmp_path):
    report = simulate(tmp_path, "auxilia")
    people = {p["personnel_number"]: p for p in report["employees"]}
    # Anna, 46: Zahn 45-59 = 16.80, Sehen 40+ = 6.10, Vorsorge 15-49 = 5.60 -> 28.50
    assert people["1"]["premiums"] == {"zahn": "16.80", "sehen": "6.10", "vorsorge": "5.60"}
    assert people["1"]["total"] == "28.50"
    # Jan, 31: Zahn 30-44 = 12.40, Sehen 15-39 = 4.20, Vorsorge = 5.60 -> 22.20
    assert people["2"]["total"] == "22.20"
    # Mia is a minijob: excluded by the rule kein_minijob
    assert people["3"]["group"] is None and "kein_minijob" in [e["rule"] for e in people["3"]["excluded_by"]]
    assert report["groups"]["alle"] == {"persons": 2, "monthly": "50.70", "yearly": "608.40"}


def test_lumen_flat_by_budget_level(tmp_path):
    report = simulate(tmp_path, "lumen", "--tariff", "budget_300")
    people = {p["personnel_number"]: p for p in report["employees"]}
    assert people["1"]["premiums"] == {"budget_300": "11.90"} and people["2"]["premiums"] == {"budget_300": "11.90"}


def test_nordhafen_by_insurance_age(tmp_path):
    report = simulate(tmp_path, "nordhafen", "--tariff", "komfort")
    people = {p["personnel_number"]: p for p in report["employees"]}
    # insurance age = 2027 - birth year: Anna 47 -> 41.20, Jan 32 -> 33.80
    assert people["1"]["premiums"] == {"komfort": "41.20"} and people["2"]["premiums"] == {"komfort": "33.80"}


DEMO = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "employees-demo.csv"


def simulate_demo(*extra):
    result = CliRunner().invoke(cli, ["tenants", "simulate", "lumen", str(DEMO), "--start", "2027-01-01", "--json",
                                      *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_lumen_prices_one_budget_level_per_group_the_first_by_default():
    report = simulate_demo()
    assert report["levels"] == {"alle": "budget_300", "azubis": "budget_300"}
    people = [p for p in report["employees"] if p["group"] == "alle"]
    assert len(people) == 19 and {p["total"] for p in people} == {"11.90"}   # not 117.10: levels are alternatives
    assert all(p["premiums"] == {"budget_300": "11.90"} for p in people)
    assert not any("Sachbezugsgrenze" in w for p in report["employees"] for w in p["warnings"])
    # 19 x 11.90 = 226.10 (not 2,224.90); Lea, the trainee, 11.90
    assert report["groups"]["alle"] == {"persons": 19, "monthly": "226.10", "yearly": "2713.20"}
    assert report["groups"]["azubis"] == {"persons": 1, "monthly": "11.90", "yearly": "142.80"}
    assert report["total"]["monthly"] == "238.00" and report["total"]["yearly"] == "2856.00"


def test_lumen_level_chosen_per_group():
    report = simulate_demo("--level", "alle=budget_1200", "--level", "azubis=budget_600")
    assert report["levels"] == {"alle": "budget_1200", "azubis": "budget_600"}
    # 19 x 46.90 = 891.10; 22.90; the 50 EUR limit holds at 46.90
    assert report["groups"]["alle"]["monthly"] == "891.10" and report["groups"]["azubis"]["monthly"] == "22.90"
    assert report["total"]["monthly"] == "914.00"
    assert not any("Sachbezugsgrenze" in w for p in report["employees"] for w in p["warnings"])
    # a level for every group offering it; the others keep their first
    assert simulate_demo("--level", "budget_900")["levels"] == {"alle": "budget_900", "azubis": "budget_300"}


def test_a_level_the_group_does_not_offer_is_refused(tmp_path):
    result = CliRunner().invoke(cli, ["tenants", "simulate", "lumen", str(DEMO), "--level", "azubis=budget_900"])
    assert result.exit_code == 2 and "not a budget level of group azubis" in result.output
