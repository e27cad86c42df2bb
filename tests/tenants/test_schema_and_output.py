"""The published schema helps editors; the checker's output works for people and for programs."""
import io
import json
import pathlib

import jsonschema

from tenants.check import format_problems, main, problems_as_json
from tenants.loader import read_tenant
from tenants.problems import Problem, warning
from tenants.schema import tenant_schema

TENANTS = pathlib.Path(__file__).resolve().parents[2] / "tenants"


def test_schema_is_valid_draft_2020_12_and_closed():
    schema = tenant_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False


def test_every_property_has_a_description():
    schema = tenant_schema()

    def resolve(node):
        if isinstance(node, dict) and "$ref" in node and "description" not in node:
            return schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        return node

    missing = []

    def walk(node, where):
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                target = resolve(sub)
                if not isinstance(target, dict) or not target.get("description"):
                    missing.append(f"{where}.{name}")
            for key, sub in node.items():
                if key != "if":  # conditions of if/then are no properties an author writes
                    walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for index, sub in enumerate(node):
                walk(sub, f"{where}[{index}]")

    walk(schema, "#")
    assert missing == []


def test_human_and_json_forms():
    problems = [Problem("tenants/x/tenant.yaml", 12, ["tariffs", 1, "premium", "formula"], "unknown name 'agee'"),
                Problem("tenants/x/tenant.yaml", None, [], "YAML file is empty"),
                warning("tenants/x/tenant.yaml", 14, ["tariffs", 1, "premium", "formula"], "premium is 0.00")]
    assert format_problems(problems) == (
        "tenants/x/tenant.yaml:12: error: tariffs[1].premium.formula: unknown name 'agee'\n"
        "tenants/x/tenant.yaml: error: YAML file is empty\n"
        "tenants/x/tenant.yaml:14: warning: tariffs[1].premium.formula: premium is 0.00")
    assert problems_as_json(problems) == [
        {"file": "tenants/x/tenant.yaml", "line": 12, "level": "error", "path": "tariffs[1].premium.formula",
         "message": "unknown name 'agee'"},
        {"file": "tenants/x/tenant.yaml", "line": None, "level": "error", "path": "", "message": "YAML file is empty"},
        {"file": "tenants/x/tenant.yaml", "line": 14, "level": "warning", "path": "tariffs[1].premium.formula",
         "message": "premium is 0.00"}]


def test_main_returns_0_for_the_demo_tenants_and_prints_json():
    out = io.StringIO()
    assert main([str(TENANTS)], as_json=True, out=out) == 0
    assert json.loads(out.getvalue()) == []
    out = io.StringIO()
    assert main([], out=out) == 0
    assert "no problems" in out.getvalue()


def test_main_returns_1_and_lists_problems(demo_copy):
    lumen = demo_copy("lumen").replace("  min_insured: 5\n", "")
    out = io.StringIO()
    assert main([str(lumen.folder)], as_json=True, out=out) == 1
    [found] = json.loads(out.getvalue())
    assert found == {"file": str(lumen.yaml), "line": lumen.line_of("settings:"), "level": "error",
                     "path": "settings", "message": "missing required key 'min_insured'"}
    out = io.StringIO()
    assert main([str(lumen.folder)], out=out) == 1
    assert out.getvalue().endswith("1 problem(s) found: 1 error(s), 0 warning(s)\n")


def test_warnings_fail_the_check_only_when_strict(demo_copy):
    lumen = demo_copy("lumen").replace('"300": "11.90"', '"300": "0.00"')
    out = io.StringIO()
    assert main([str(lumen.folder)], out=out) == 0
    assert ": warning: tariffs[0].premium.formula: premium is 0.00" in out.getvalue()
    assert out.getvalue().endswith("1 problem(s) found: 0 error(s), 1 warning(s) "
                                   "(warnings do not fail the check; --strict makes them)\n")
    assert main([str(lumen.folder)], out=io.StringIO(), strict=True) == 1
    tenant, problems = read_tenant(lumen.folder)
    assert tenant is not None and [p.level for p in problems] == ["warning"]
