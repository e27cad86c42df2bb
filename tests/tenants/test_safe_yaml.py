"""The YAML reader: plain data with lines, or one clear Problem; never a traceback."""

import pytest

from tenants.problems import TenantError
from tenants.safe_yaml import MAX_BYTES, parse_yaml


def problem_of(text):
    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    with pytest.raises(TenantError) as raised:
        parse_yaml(raw, "t.yaml")
    [problem] = raised.value.problems
    return problem


def test_lines_are_recorded_for_keys_and_list_items():
    document = parse_yaml(b"a: 1\nb:\n  - x\n  - {c: 2}\n", "t.yaml")
    assert document.data == {"a": 1, "b": ["x", {"c": 2}]}
    assert document.line_of(["a"]) == 1
    assert document.line_of(["b", 1]) == 4
    assert document.line_of(["b", 1, "c"]) == 4
    assert document.line_of(["b", 1, "c", "deeper", 3]) == 4  # nearest written ancestor
    assert document.line_of([]) == 1


def test_keys_are_text_and_only_true_false_are_booleans():
    document = parse_yaml(b"on: offer\n300: x\nanswer: no\nflag: true\nwhen: 2026-01-01\n", "t.yaml")
    assert document.data == {"on": "offer", "300": "x", "answer": "no", "flag": True, "when": "2026-01-01"}


def test_duplicate_key_in_a_nested_mapping():
    problem = problem_of("a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert (problem.line, problem.path) == (4, ["a", "b"])
    assert "duplicate key 'b' (first on line 2)" in problem.message


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!python/name:os.system",
                                 "!!python/object/apply:subprocess.call", "!!python/module:os"])
def test_python_tags_are_refused(tag):
    problem = problem_of(f"a: 1\nb: {tag} x\n")
    assert problem.line == 2 and "build program objects" in problem.message


@pytest.mark.parametrize("text", ["a: !!binary aGVsbG8=\n", "a: !!set {x: null}\n", "a: !local x\n",
                                  "a: !!timestamp 2026-01-01\n"])
def test_other_tags_are_refused(text):
    assert "is not allowed" in problem_of(text).message


def test_merge_keys_are_refused():
    problem = problem_of("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert problem.line == 3 and "merge keys" in problem.message


def test_recursive_alias_is_refused():
    assert "recursive alias" in problem_of("a: &a [1, *a]\n").message


def test_billion_laughs_is_refused_in_milliseconds():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefghijkl", "bcdefghijklm"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    problem = problem_of("\n".join(lines))  # 9**12 nodes if expanded: returning at all proves the refusal
    assert "billion laughs" in problem.message


def test_aliases_within_the_limit_are_expanded_with_lines_of_the_anchor():
    document = parse_yaml(b"t: &t {x: 1}\nu: *t\n", "t.yaml")
    assert document.data == {"t": {"x": 1}, "u": {"x": 1}}
    assert document.line_of(["u", "x"]) == 1


def test_size_binary_encoding_and_emptiness():
    assert "at most 1,000,000" in problem_of(b"a: " + b"x" * MAX_BYTES).message
    assert "binary" in problem_of(b"a: 1\n\x00").message
    assert "not UTF-8" in problem_of(b"a: \xe4\n").message
    assert problem_of(b"\n  \n").message == "YAML file is empty"
    assert "no content" in problem_of(b"# only a comment\n").message


def test_utf8_with_byte_order_mark_is_fine():
    assert parse_yaml("\ufeffname: Lümen\n".encode("utf-8"), "t.yaml").data == {"name": "Lümen"}


def test_syntax_errors_and_several_documents():
    problem = problem_of("a: [1, 2\nb: 3\n")
    assert problem.line and problem.message.startswith("not valid YAML")
    assert "single document" in problem_of("a: 1\n---\nb: 2\n").message


def test_deep_nesting_is_a_problem_not_a_crash():
    assert "nested too deeply" in problem_of("[" * 5000 + "]" * 5000).message


def test_bad_explicit_scalar():
    problem = problem_of("a: 1\nb: !!int zwölf\n")
    assert problem.line == 2 and "cannot read 'zwölf' as !!int" in problem.message
