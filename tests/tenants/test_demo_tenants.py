"""The three demo insurers load cleanly and really differ in what the platform does for them."""
import datetime
import pathlib
from decimal import Decimal

from rules.evaluate import check_eligibility, evaluate

from tenants.check import check_paths
from tenants.loader import compile_tenant, load_tenant, load_tenants

TENANTS = pathlib.Path(__file__).resolve().parents[2] / "tenants"
DEMO_IDS = ("auxilia", "lumen", "nordhafen")


def test_the_demo_tenants_check_clean(monkeypatch):
    assert check_paths([TENANTS]) == []
    monkeypatch.chdir(TENANTS.parent)
    assert check_paths(["tenants"]) == []


def test_each_demo_tenant_checks_clean_by_folder_and_by_file():
    for slug in DEMO_IDS:
        assert check_paths([TENANTS / slug]) == []
        assert check_paths([TENANTS / slug / "tenant.yaml"]) == []


def test_load_tenants_finds_the_three_insurers_with_their_markdown_read_in():
    tenants, problems = load_tenants(TENANTS)
    assert problems == []
    assert [t.id for t in tenants] == list(DEMO_IDS)
    for tenant in tenants:
        assert tenant.folder.name == tenant.id
        assert len(tenant.digest) == 64
        assert "tenant.yaml" in tenant.files and "logo.svg" in tenant.files
        modules = tenant.doc["content_modules"]
        assert 3 <= len(modules) <= 4
        for module in modules:
            assert module["markdown"].startswith("# ")
        assert "50 EUR" in "".join(m["markdown"] for m in modules)


def test_the_insurers_differ_in_workflow_and_events():
    lumen, auxilia, nordhafen = (load_tenant(TENANTS / slug) for slug in ("lumen", "auxilia", "nordhafen"))
    events = {t.id: {e["type"] for e in t.doc["business_events"]} for t in (lumen, auxilia, nordhafen)}
    all_six = {"address_change", "name_change", "parental_leave", "leaving", "tariff_group_change", "death"}
    assert events == {"lumen": all_six | {"long_sickness", "sabbatical", "return_to_work"},
                      "auxilia": all_six | {"long_sickness", "care_leave", "sabbatical", "return_to_work",
                                            "family_member_added", "family_member_removed"},
                      "nordhafen": {"address_change", "leaving", "long_sickness", "care_leave", "return_to_work"}}
    # each chooses its own treatment of the unpaid periods
    treatments = {t.id: {e["type"]: e.get("unpaid_cover") for e in t.doc["business_events"] if "unpaid_cover" in e}
                  for t in (lumen, auxilia, nordhafen)}
    assert treatments["lumen"]["long_sickness"] == {"treatment": "premium_free", "premium_free_months": 6}
    assert treatments["auxilia"]["long_sickness"] == {"treatment": "employer_pays"}
    assert treatments["nordhafen"]["long_sickness"] == {"treatment": "suspended"}
    assert [t.doc["settings"]["employer_release_required"] for t in (lumen, auxilia, nordhafen)] == [True, True, False]
    assert [t.doc["settings"]["min_insured"] for t in (lumen, auxilia, nordhafen)] == [5, 10, 3]
    assert lumen.doc["settings"]["age_method"] == "insurance_age"
    assert auxilia.doc["settings"]["age_method"] == "age_at_start"
    assert {t["kind"] for t in lumen.doc["tariffs"]} == {"budget"}
    assert {t["kind"] for t in auxilia.doc["tariffs"]} == {"module"}
    assert len({t.doc["branding"]["primary_color"] for t in (lumen, auxilia, nordhafen)}) == 3
    for tenant in (lumen, auxilia, nordhafen):
        assert tenant.doc["application_form"] and tenant.doc["rules"]


def test_compiled_premiums_follow_each_insurers_tables():
    lumen = compile_tenant(load_tenant(TENANTS / "lumen"))
    values = {"age": 50, "insurance_age": 50, "tariff": "budget_600", "group": "alle", "family_members": 0, "budget": 600}
    assert lumen.formulas["budget_600"].evaluate(values) == Decimal("22.90")
    # flat: the same premium at any age
    assert lumen.formulas["budget_600"].evaluate({**values, "age": 20, "insurance_age": 20}) == Decimal("22.90")

    auxilia = compile_tenant(load_tenant(TENANTS / "auxilia"))
    dental = {"age": 35, "insurance_age": 35, "tariff": "zahn", "group": "alle", "family_members": 0, "budget": 0}
    assert auxilia.formulas["zahn"].evaluate(dental) == Decimal("12.40")
    assert auxilia.formulas["zahn"].evaluate({**dental, "age": 61}) == Decimal("21.50")
    assert auxilia.formulas["zahn"].evaluate({**dental, "family_members": 2}) == Decimal("32.20")

    nordhafen = compile_tenant(load_tenant(TENANTS / "nordhafen"))
    compact = {"age": 44, "insurance_age": 45, "tariff": "kompakt", "group": "belegschaft", "family_members": 0,
               "budget": 500}
    assert nordhafen.formulas["kompakt"].evaluate(compact) == Decimal("21.90")


def test_compiled_view_has_every_part_once():
    compiled = compile_tenant(load_tenant(TENANTS / "auxilia"))
    assert compiled.tenant_id == "auxilia" and len(compiled.digest) == 64
    assert set(compiled.formulas) == {"zahn", "sehen", "vorsorge", "stationaer"}
    assert list(compiled.eligibility) == ["alle", "fuehrung"]
    assert [rule.id for rule in compiled.eligibility["alle"].rules] == [
        "kein_minijob", "sechs_monate_beschaeftigt", "unter_67", "teilzeit_mindestens_15_stunden"]
    assert set(compiled.rules) == {"offer", "employee", "event", "contract"}
    assert set(compiled.event_forms) == set(compiled.preconditions) == {
        "address_change", "name_change", "parental_leave", "leaving", "tariff_group_change", "death",
        "long_sickness", "care_leave", "sabbatical", "return_to_work", "family_member_added", "family_member_removed"}
    assert set(compiled.family_formulas) == {"zahn", "sehen"}
    assert set(compiled.questions) == {"grundlagen", "bausteine"}  # the modules with questions
    assert compiled.application_form is not None


def test_auxilia_eligibility_explains_why_a_minijobber_is_not_insured():
    compiled = compile_tenant(load_tenant(TENANTS / "auxilia"))
    start = datetime.date(2026, 1, 1)
    regular = {"employee": {"employment_type": "fulltime", "birth_date": datetime.date(1980, 5, 1),
                            "employment_start": datetime.date(2020, 1, 1), "weekly_hours": Decimal(40)},
               "contract": {"start_date": start}}
    minijob = {"employee": {**regular["employee"], "employment_type": "minijob", "weekly_hours": Decimal(10)},
               "contract": {"start_date": start}}
    first, second = check_eligibility(list(compiled.eligibility.items()), [regular, minijob])
    assert first.group_id == "alle"
    assert second.group_id is None
    [failure] = second.check("alle").failures
    assert failure.rule_id == "kein_minijob"
    assert "Minijob" in failure.texts["de"]


def test_lumen_tenant_rules_use_the_tenants_settings():
    compiled = compile_tenant(load_tenant(TENANTS / "lumen"))
    [small, large] = evaluate(compiled.rules["offer"], [{"employer": {"employees_count": 3}},
                                                         {"employer": {"employees_count": 30}}])
    assert small.rejected and small.outcomes[0].texts["de"] == "Lumen versichert Betriebe ab 5 Mitarbeitenden."
    assert not large.rejected
    [trainee] = evaluate(compiled.rules["employee"], [{"employee": {"employment_type": "trainee"}}])
    assert trainee.assigned == "azubis"
