"""Whatever an author types, the checker answers with Problems, never with an exception."""
import copy
import pathlib
import shutil
import tempfile

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from tenants.loader import read_tenant
from tenants.problems import Problem, TenantError
from tenants.safe_yaml import parse_yaml

TENANTS = pathlib.Path(__file__).resolve().parents[2] / "tenants"
LUMEN_TEXT = (TENANTS / "lumen" / "tenant.yaml").read_text(encoding="utf-8")
LUMEN_DATA = yaml.safe_load(LUMEN_TEXT)
FAST = settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def assert_only_problems(found):
    assert isinstance(found, list)
    for problem in found:
        assert isinstance(problem, Problem)
        assert isinstance(problem.file, str) and problem.message
        assert problem.line is None or (isinstance(problem.line, int) and problem.line >= 1)
        assert isinstance(problem.path, list)
        assert "internal error" not in problem.message, str(problem)


def check_text(raw: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp) / "lumen"
        shutil.copytree(TENANTS / "lumen", folder)
        (folder / "tenant.yaml").write_bytes(raw)
        tenant, found = read_tenant(folder)
        assert_only_problems(found)
        assert (tenant is None) == bool(found)
        return found


@FAST
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_garbage_bytes_give_problems_only(raw):
    try:
        parse_yaml(raw, "t.yaml")
    except TenantError as error:
        assert_only_problems(error.problems)


@FAST
@given(st.data())
def test_mutated_demo_text_gives_problems_only(data):
    text = LUMEN_TEXT
    for _ in range(data.draw(st.integers(1, 3))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 40)))
        insert = data.draw(st.sampled_from(["", ":", "- ", "  ", "\n", "{", "]", "&a", "*a", "!!str", "'", '"', "#",
                                            "kind: module", "x: [1, 2]", "\t"]) | st.text(max_size=8))
        text = text[:start] + insert + text[end:]
    check_text(text.encode("utf-8"))


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 2000) | st.text(max_size=12)
    | st.sampled_from(["budget", "module", "dental", "table(\"levels\", budget)", "age", "employee.gender", "eq",
                       "leaving", "budget_300", "alle", "content/einfuehrung.md", "#00ff00", "12.90"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "kind", "fact", "eq", "all", "any", "not", "name", "type", "de", "en", "map",
                         "bands", "from", "to", "value", "when", "then", "reject", "x"]), inner, max_size=3),
    max_leaves=8)


def paths_of(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths_of(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths_of(value, path + (index,))


ALL_PATHS = [p for p in paths_of(LUMEN_DATA) if p]


@FAST
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), yaml_values), min_size=1, max_size=3))
def test_mutated_demo_data_gives_problems_only(changes):
    doc = copy.deepcopy(LUMEN_DATA)
    for path, value in changes:
        node = doc
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    check_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8"))


formulas = st.text(alphabet='table("levels", budget)+-*/ 0123456789.,()agemnx_ou', max_size=40)
condition_values = st.none() | st.booleans() | st.integers(-5, 100) | st.sampled_from(
    ["employee.weekly_hours", "employee.birth_date", "contract.start_date", "employee.gender", "x.y", "", "minijob",
     "2026-01-01"]) | st.lists(st.sampled_from(["employee.birth_date", "contract.start_date", "a"]), max_size=3)
conditions = st.recursive(
    st.dictionaries(st.sampled_from(["fact", "age", "insurance_age", "months_between", "eq", "ne", "lt", "gte",
                                     "in", "not_in", "exists", "foo"]), condition_values, max_size=3),
    lambda inner: st.dictionaries(st.sampled_from(["all", "any", "not"]), inner | st.lists(inner, max_size=3),
                                  min_size=1, max_size=2),
    max_leaves=6)


@FAST
@given(formulas, conditions, conditions)
def test_random_formulas_conditions_and_rules_give_problems_only(formula, condition, when):
    doc = copy.deepcopy(LUMEN_DATA)
    doc["tariffs"][0]["premium"]["formula"] = formula
    doc["tariff_groups"][0]["eligibility"][0]["require"] = condition
    doc["rules"][0]["when"] = when
    check_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8"))
