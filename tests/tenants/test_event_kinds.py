"""Business event kinds are data: each names a platform form, the field with its effective date and
effects from the platform's vocabulary; the tenant schema offers exactly these kinds."""
from forms import load_platform_form
from tenants.event_kinds import event_kinds
from tenants.schema import tenant_schema


def test_every_kind_has_its_form_its_date_field_and_known_effects():
    from engine.events import EFFECTS
    for name, kind in event_kinds().items():
        form = load_platform_form(kind.form)
        assert form[kind.effective_date].type == "date", name
        assert kind.label["de"] and kind.label["en"]
        assert kind.effects and all(effect in EFFECTS for effect, _ in kind.effects), name
        for effect, spec in kind.effects:  # fields an effect reads are fields of the kind's form
            named = spec if isinstance(spec, list) else [v for k, v in spec.items() if k.endswith("field")]
            assert all(field in form.names for field in named), (name, effect)


def test_the_schema_offers_exactly_the_platform_kinds():
    offered = tenant_schema()["$defs"]["business_event"]["properties"]["type"]["enum"]
    assert offered == list(event_kinds())


def test_unpaid_cover_only_on_unpaid_periods_and_only_known_treatments(demo_copy):
    from tenants.check import check_paths
    lumen = demo_copy("lumen").replace("  - type: return_to_work\n",
                                       "  - type: return_to_work\n    unpaid_cover: {treatment: suspended}\n")
    [problem] = check_paths([str(lumen.folder)])
    assert problem.dotted_path.endswith("unpaid_cover") and "not an unpaid period" in problem.message
    lumen.replace("  - type: return_to_work\n    unpaid_cover: {treatment: suspended}\n", "  - type: return_to_work\n")
    lumen.replace("treatment: employee_pays", "treatment: ruhend")
    [problem] = check_paths([str(lumen.folder)])
    assert problem.dotted_path.endswith("unpaid_cover.treatment") and "ruhend" in problem.message


def test_the_schema_offers_exactly_the_platform_module_kinds_hearing_aids_included():
    """tenants/module_kinds.yaml is the one list: schema.json, read by editors as it is, names the same kinds."""
    import json
    from tenants.module_kinds import module_kinds
    from tenants.schema import SCHEMA_FILE
    written = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["$defs"]["tariff"]["properties"]["module"]["enum"]
    assert written == list(module_kinds()) == tenant_schema()["$defs"]["tariff"]["properties"]["module"]["enum"]
    assert module_kinds()["hearing"] == {"de": "Hörgeräte", "en": "Hearing aids"}
    assert all(label["de"] and label["en"] for label in module_kinds().values())


def test_a_hearing_aids_module_loads_and_an_unknown_kind_is_refused(demo_copy):
    from tenants.check import check_paths
    auxilia = demo_copy("auxilia").replace("    module: vision\n", "    module: hearing\n")
    assert not [p for p in check_paths([str(auxilia.folder)]) if p.is_error]
    auxilia.replace("    module: hearing\n", "    module: hoergeraete\n")
    [problem] = [p for p in check_paths([str(auxilia.folder)]) if p.is_error]
    assert problem.dotted_path.endswith(".module") and "hoergeraete" in problem.message and "hearing" in problem.message
    assert problem.line == auxilia.line_of("module: hoergeraete")
