"""Properties: compiling never crashes on garbage, durable-rules agrees with Python, and a verdict
shared by a distinct combination of facts is the one each fact set gets alone."""

import ast
import copy
import datetime as dt
import decimal
import operator
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rules import adapter, formulas
from rules.compile import compile_eligibility, compile_rules
from rules.conditions import COMBINATORS, OPERATORS, VALUE_KEYS, compile_condition
from rules.distinct import representative
from rules.errors import EvaluationError, FormulaError, RuleError
from rules.evaluate import check_eligibility, evaluate
from rules.formulas import compile_formula

PROPERTY = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------ garbage never crashes

WORDS = list(VALUE_KEYS + OPERATORS + COMBINATORS) + [
    "employee.weekly_hours", "employee.birth_date", "contract.start_date", "employee.gender",
    "today", "setting", "id", "when", "then", "require", "reason", "de", "en", "warn"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.decimals(), st.text(max_size=20),
    st.sampled_from(WORDS), st.dates(), st.datetimes())
garbage = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(WORDS), st.text(max_size=8), st.integers()),
                        children, max_size=4)),
    max_leaves=25)


@PROPERTY
@given(garbage)
def test_compile_condition_raises_only_rule_errors(data):
    try:
        condition = compile_condition(data, settings={"limit": 50})
    except RuleError as error:
        assert isinstance(error.path, list) and error.message
        return
    condition.durable()
    condition.durable(negate=True)
    assert condition.holds({}) in (True, False)


@PROPERTY
@given(garbage)
def test_compile_rules_and_eligibility_raise_only_rule_errors(data):
    for compile_list in (compile_rules, compile_eligibility):
        for candidate in (data, [data], [{"id": "x", "when": data, "require": data,
                                          "then": data, "reason": data}]):
            try:
                compile_list(candidate)
            except RuleError as error:
                assert isinstance(error.path, list)


FORMULA_CHARS = "0123456789.+-*/()<>=!,'\" _abegilnrtxy[]{}:;\\@#%&|^~\n"


@PROPERTY
@given(st.one_of(st.text(alphabet=FORMULA_CHARS, max_size=60), st.text(max_size=30)))
def test_compile_formula_raises_only_formula_errors(source):
    try:
        formula = compile_formula(source, {"levels": {"map": {"1": "2"}}}, {"age", "tariff"})
    except FormulaError as error:
        assert error.path == ["formula"]
        return
    assert formula.names <= {"age", "tariff"}


# ------------------------------------------------------------------ durable agrees with Python

NUMBERS = [Decimal(0), Decimal(1), Decimal("15.5"), Decimal(18), Decimal("-3.25"),
           Decimal("0.000001"), Decimal("999999999999")]
DATES = [dt.date(2000, 1, 1), dt.date(2024, 2, 29), dt.date(2026, 1, 1), dt.date(2026, 2, 28)]
TEXTS = ["a", "b", "Köln", "", 'x"y\\z', "$s", "\x00"]
NUMBER_PATHS = ["employee.weekly_hours", "offer.monthly_employer_premium",
                "offer.other_benefits_in_kind"]
DATE_PATHS = ["employee.birth_date", "contract.start_date", "today"]
TEXT_PATHS = ["employee.city"]
FREE_PATHS = ["event.value", "event.other"]

number_literals = st.one_of(st.sampled_from(NUMBERS), st.decimals(
    min_value=-10 ** 11, max_value=10 ** 11, places=3, allow_nan=False))
date_literals = st.one_of(st.sampled_from(DATES), st.dates(dt.date(1950, 1, 1),
                                                          dt.date(2050, 12, 31)))
text_literals = st.one_of(st.sampled_from(TEXTS), st.text(max_size=3))
literals = {"number": number_literals, "date": date_literals, "text": text_literals,
            "bool": st.booleans()}

near_literals = st.builds(lambda number, nudge: number + nudge, st.sampled_from(NUMBERS),
                          st.sampled_from([Decimal("1E-7"), Decimal("-1E-7"), Decimal("1E-30")]))
fact_numbers = st.one_of(
    st.sampled_from(NUMBERS), near_literals, near_literals, st.integers(-10 ** 20, 10 ** 20),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True))
fact_values = st.one_of(
    fact_numbers, st.sampled_from(DATES), st.dates(), st.datetimes(), st.sampled_from(TEXTS),
    st.text(max_size=3), st.booleans(), st.none(), st.lists(st.integers(), max_size=2))


@st.composite
def fact_sets(draw):
    facts = {}
    for path in NUMBER_PATHS + DATE_PATHS + TEXT_PATHS + FREE_PATHS:
        if draw(st.booleans()):
            continue
        if path in NUMBER_PATHS and draw(st.integers(0, 3)):
            value = draw(fact_numbers)
        elif path in DATE_PATHS and draw(st.booleans()):
            value = draw(st.sampled_from(DATES) | st.dates())
        else:
            value = draw(fact_values)
        if path == "today":
            facts["today"] = value
        else:
            namespace, name = path.split(".")
            facts.setdefault(namespace, {})[name] = value
    return facts


@st.composite
def comparisons(draw):
    shape = draw(st.sampled_from(["number", "date", "text", "free", "derived", "facts"]))
    if shape == "derived":
        key = draw(st.sampled_from(["age", "insurance_age", "months_between", "day_of_month",
                                    "sum"]))
        if key == "day_of_month":
            value = {key: draw(st.sampled_from(DATE_PATHS))}
        elif key == "sum":
            value = {key: draw(st.lists(st.sampled_from(NUMBER_PATHS), min_size=1, max_size=3))}
        else:
            value = {key: draw(st.lists(st.sampled_from(DATE_PATHS), min_size=2, max_size=2))}
        kind = "number"
    elif shape == "free":
        value, kind = {"fact": draw(st.sampled_from(FREE_PATHS))}, draw(st.sampled_from(
            ["number", "date", "text", "bool"]))
    else:
        kind = {"number": "number", "date": "date", "text": "text",
                "facts": draw(st.sampled_from(["number", "date"]))}[shape]
        paths = {"number": NUMBER_PATHS, "date": DATE_PATHS, "text": TEXT_PATHS}[kind]
        value = {"fact": draw(st.sampled_from(paths))}
    if shape == "facts":
        op = draw(st.sampled_from(["eq", "ne", "lt", "lte", "gt", "gte"]))
        other = draw(st.sampled_from(NUMBER_PATHS if kind == "number" else DATE_PATHS))
        return {**value, op: {"fact": other}}
    ordered = kind in ("number", "date")
    op = draw(st.sampled_from(["eq", "ne", "in", "not_in", "exists"]
                              + (["lt", "lte", "gt", "gte"] if ordered else [])))
    if op == "exists":
        return {**value, op: draw(st.booleans())}
    if op in ("in", "not_in"):
        return {**value, op: draw(st.lists(literals[kind], min_size=1, max_size=4))}
    return {**value, op: draw(literals[kind])}


conditions = st.recursive(
    comparisons(),
    lambda children: st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda child: {"not": child}, children)),
    max_leaves=8)


@PROPERTY
@given(st.lists(conditions, min_size=1, max_size=4), st.lists(fact_sets(), min_size=1,
                                                              max_size=8))
def test_durable_and_python_agree(judge_many, condition_list, facts_list):
    for condition in condition_list:  # conditions too big for the engine are refused: skip them
        try:
            compile_rules([{"id": "c", "when": condition, "then": {"require": "x"}}])
            compile_eligibility([{"id": "c", "require": condition,
                                  "reason": {"de": "d", "en": "e"}}])
        except RuleError:
            assume(False)
    for row in judge_many(condition_list, facts_list):
        for python, as_rule, as_requirement in row:
            assert python == as_rule == as_requirement


# ------------------------------------------------------------------ one verdict per combination

@PROPERTY
@given(st.lists(st.integers(-50, 50), max_size=6), st.integers(-60, 60))
def test_a_representative_compares_with_every_threshold_as_its_value_does(limits, value):
    limits = tuple(sorted(set(limits)))
    stand_in = representative(value, limits)
    for limit in limits:
        assert (stand_in < limit, stand_in == limit, stand_in > limit) == (
            value < limit, value == limit, value > limit)


NUDGES = [Decimal("1E-7"), Decimal("0.5"), Decimal(1), Decimal(-1), Decimal(3), Decimal(-40)]


@st.composite
def batches(draw):
    """Fact sets with many near neighbours: copies of a few, some values moved a little."""
    pool = draw(st.lists(fact_sets(), min_size=1, max_size=4))
    batch = []
    for _ in range(draw(st.integers(1, 10))):
        facts = copy.deepcopy(draw(st.sampled_from(pool)))
        for path in NUMBER_PATHS + DATE_PATHS:
            namespace, _, name = path.partition(".")
            holder = facts if not name else facts.get(namespace)
            name = name or namespace
            if not isinstance(holder, dict) or not draw(st.booleans()):
                continue
            value = holder.get(name)
            if isinstance(value, Decimal) and value.is_finite():
                holder[name] = value + draw(st.sampled_from(NUDGES))
            elif type(value) is dt.date and dt.date(1900, 1, 1) < value < dt.date(2100, 1, 1):
                holder[name] = value + dt.timedelta(days=draw(st.sampled_from([1, -1, 30, 400])))
        batch.append(facts)
    return batch


def _compiled(compile_list, lists):
    try:
        return [compile_list(items, name="prop.g%d" % index) for index, items in enumerate(lists)]
    except RuleError:
        assume(False)


def _fired_alone(ruleset, facts):
    """The rules durable-rules fires for this fact set's own message (values not replaced),
    one rule per rule of the set (for eligibility: per failed requirement)."""
    ((fired,),) = adapter.fire([(ruleset.durable_name, ruleset.expressions,
                                 [ruleset.message(facts)])])
    return [rule.id for key, rule in zip(ruleset.expressions, ruleset.rules) if key in fired]


def _eligibility_lists(data):
    return [[{"id": "c%d" % index, "require": condition, "reason": {"de": "d {event.value}",
                                                                     "en": "e"}}
             for index, condition in enumerate(conditions_of_group)]
            for conditions_of_group in data]


@PROPERTY
@given(st.lists(st.lists(conditions, min_size=1, max_size=3), min_size=1, max_size=3), batches())
def test_shared_eligibility_equals_each_fact_set_evaluated_alone(data, batch):
    rulesets = _compiled(compile_eligibility, _eligibility_lists(data))
    groups = [("g%d" % index, ruleset) for index, ruleset in enumerate(rulesets)]
    stats = {}
    shared = check_eligibility(groups, batch, stats)
    assert stats["fact_sets"] == len(batch) and 1 <= stats["distinct"] <= len(batch)
    for facts, result in zip(batch, shared):
        first = None
        for group_id, ruleset in groups:
            failed = [failure.rule_id for failure in result.check(group_id).failures]
            assert failed == _fired_alone(ruleset, facts) == [
                rule.id for rule in ruleset.rules if not rule.condition.holds(facts)]
            if first is None and not failed:
                first = group_id
        assert result.group_id == first
    # explanations (texts and the facts seen) are each fact set's own; repr: NaN != NaN
    assert repr(shared) == repr([check_eligibility(groups, [facts])[0] for facts in batch])


@PROPERTY
@given(st.lists(conditions, min_size=1, max_size=4), batches())
def test_shared_rule_decisions_equal_each_fact_set_evaluated_alone(data, batch):
    (ruleset,) = _compiled(compile_rules, [[
        {"id": "c%d" % index, "when": condition,
         "then": {"warn": {"de": "{employee.weekly_hours}", "en": "w"}}}
        for index, condition in enumerate(data)]])
    shared = evaluate(ruleset, batch)
    for facts, decision in zip(batch, shared):
        assert [outcome.rule_id for outcome in decision.outcomes] == _fired_alone(
            ruleset, facts) == [rule.id for rule in ruleset.rules if rule.condition.holds(facts)]
    assert repr(shared) == repr([evaluate(ruleset, [facts])[0] for facts in batch])


# ------------------------------------------------------------------ compiled formulas are exact

FORMULA_TABLES = {"bands": {"bands": [{"from": 0, "to": 20, "value": "8.50"},
                                      {"from": 21, "to": 120, "value": "14.90"}]},
                  "levels": {"map": {"300": "12.90", "600": "24.90", "0": "1.10"}}}
FORMULA_INPUTS = {"age", "family_members", "budget", "tariff"}
formula_leaves = st.one_of(
    st.sampled_from(["age", "family_members", "budget", "1", "2.5", "0.1", "12", "0", "9.90"]),
    st.sampled_from(["age", "budget", "1.5", "3"]), st.sampled_from(["tariff", "'basic'"]))


def _formula_of(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"] * 3 + [
        "<", "<=", "==", "!=", "and", "or"]), children)
    return st.one_of(
        binary.map(lambda parts: "(%s %s %s)" % parts),
        st.tuples(children, st.sampled_from([2, -1, 0])).map(lambda p: "(%s ** %d)" % p),
        children.map(lambda child: "(-%s)" % child),
        children.map(lambda child: "(not %s)" % child),
        st.tuples(children, children, children).map(lambda p: "(%s if %s else %s)" % p),
        st.tuples(children, st.integers(0, 3)).map(lambda p: "round(%s, %d)" % p),
        children.map(lambda child: "round(%s)" % child),
        st.lists(children, min_size=2, max_size=3).map(lambda c: "min(%s)" % ", ".join(c)),
        st.lists(children, min_size=2, max_size=3).map(lambda c: "max(%s)" % ", ".join(c)),
        st.tuples(st.sampled_from(["bands", "levels"]), children).map(
            lambda p: "table(%r, %s)" % p))


def _arithmetic_of(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
            lambda parts: "(%s %s %s)" % parts),
        st.tuples(children, st.sampled_from([2, 3, -1])).map(lambda p: "(%s ** %d)" % p),
        children.map(lambda child: "(-%s)" % child),
        st.tuples(children, children, children, children).map(
            lambda p: "(%s if %s < %s else %s)" % p),
        st.tuples(children, st.integers(0, 2)).map(lambda p: "round(%s, %d)" % p),
        st.lists(children, min_size=2, max_size=3).map(lambda c: "max(%s)" % ", ".join(c)),
        children.map(lambda child: "table('bands', min(max(round(%s), 0), 120))" % child))


formula_values = st.fixed_dictionaries({
    "age": st.sampled_from([0, 15, 20, 21, 67, 200, Decimal("20.5"), Decimal("-0"),
                            Decimal("1234.5678")]),
    "family_members": st.sampled_from([0, 1, 2, True]),
    "budget": st.sampled_from([300, 600, Decimal("300.00"), 450, 0, Decimal("-0")]),
    "tariff": st.sampled_from(["basic", "zahn"])})
# any formula of the language with any inputs, and arithmetic on numbers that mostly succeeds
formulas_with_values = st.one_of(
    st.tuples(st.recursive(formula_leaves, _formula_of, max_leaves=6), formula_values),
    st.tuples(st.recursive(st.sampled_from(["age", "budget", "family_members", "1.5", "12",
                                            "0.1", "9.90"]), _arithmetic_of, max_leaves=8),
              formula_values.filter(lambda values: values["family_members"] is not True)))


def _reference(tree, values):
    """The formula language evaluated plainly, node by node, in the formulas' context."""

    def number(value):
        if isinstance(value, bool) or not isinstance(value, Decimal) or not value.is_finite():
            raise EvaluationError("not a finite number: %r" % (value,))
        return value

    def run(node):
        kind = type(node)
        if kind is ast.Constant:
            return node.value if isinstance(node.value, str) else Decimal(repr(node.value))
        if kind is ast.Name:
            value = values[node.id]
            return value if isinstance(value, str) else formulas._number(value, node.id)
        if kind is ast.BinOp:
            left, right = number(run(node.left)), number(run(node.right))
            if isinstance(node.op, ast.Pow):
                return left ** right
            return {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
                    ast.Div: operator.truediv}[type(node.op)](left, right)
        if kind is ast.UnaryOp:
            value = run(node.operand)
            return (not value) if isinstance(node.op, ast.Not) else -number(value)
        if kind is ast.Compare:
            left, right = run(node.left), run(node.comparators[0])
            op = type(node.ops[0])
            if op in (ast.Lt, ast.LtE) and isinstance(left, str) != isinstance(right, str):
                raise EvaluationError("cannot order")
            return {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Eq: operator.eq,
                    ast.NotEq: operator.ne}[op](left, right)
        if kind is ast.BoolOp:
            result = None
            for child in node.values:
                result = run(child)
                if bool(result) is isinstance(node.op, ast.Or):
                    break
            return result
        if kind is ast.IfExp:
            return run(node.body) if run(node.test) else run(node.orelse)
        name, args = node.func.id, node.args
        if name == "table":
            return formulas.compile_tables(FORMULA_TABLES)[args[0].value].lookup(run(args[1]))
        if name == "round":
            places = int(args[1].value) if len(args) == 2 else 0
            return number(run(args[0])).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
        return {"min": min, "max": max}[name](number(run(arg)) for arg in args)

    with decimal.localcontext(formulas._CONTEXT.copy()):
        try:
            parsed = ast.parse(tree, mode="eval").body
            functions = {id(node.func) for node in ast.walk(parsed) if type(node) is ast.Call}
            for node in ast.walk(parsed):  # every input the formula names is checked before it runs, also
                # one that only a branch not taken reads (as Formula.evaluate does)
                if type(node) is ast.Name and id(node) not in functions:
                    value = values.get(node.id)
                    if value is None:
                        raise EvaluationError("missing input")
                    if not isinstance(value, str):
                        formulas._number(value, node.id)
            result = run(parsed)
        except (EvaluationError, ArithmeticError):
            return "error"
    return result if isinstance(result, Decimal) and result.is_finite() else "error"


@settings(PROPERTY, max_examples=300)
@given(formulas_with_values)
def test_compiled_formulas_give_what_the_plain_evaluation_gives(formula_and_values):
    source, values = formula_and_values
    try:
        formula = compile_formula(source, FORMULA_TABLES, FORMULA_INPUTS)
    except FormulaError:
        assume(False)  # e.g. 1 / 0 without inputs is refused when compiled

    def evaluated():
        try:
            return formula.evaluate(values)
        except EvaluationError:
            return "error"

    expected = _reference(source, values)
    assert evaluated() == expected, source
    with decimal.localcontext() as caller:  # whatever context the caller runs in
        caller.prec, caller.rounding = 3, decimal.ROUND_DOWN
        caller.traps[decimal.DivisionByZero] = caller.traps[decimal.InvalidOperation] = False
        assert evaluated() == expected, source
