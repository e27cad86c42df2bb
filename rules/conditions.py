"""Conditions: YAML data compiled into a tree that evaluates in Python and writes durable-rules JSON.

A comparison reads one operand (a fact or a value derived from facts: age, insurance_age,
months_between, day_of_month, sum) and tests it with one operator. Python evaluation and the
durable-rules expression share the operand resolution, so they differ only in where the
comparison runs; tests hold them to the same answer.

Semantics both engines follow: a comparison whose operand is missing, or of another kind than
its literal (text against a number), is false; `not` negates the result; `exists` asks whether
the operand has a value.
"""

import datetime
import decimal
import re
from decimal import Decimal

from rules import dates
from rules.errors import RuleError
from rules.facts import (BOOL, DATE, KNOWN_KINDS, NUMBER, STRING, lookup_parts, normalize,
                         path_problem)

VALUE_KEYS = ("fact", "age", "insurance_age", "months_between", "day_of_month", "sum", "value")
OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "exists")
COMBINATORS = ("all", "any", "not")
ORDERING = ("lt", "lte", "gt", "gte")
COMPLEMENT = {"eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "lte": "gt", "gt": "lte",
              "in": "not_in", "not_in": "in"}

MAX_DEPTH = 16
MAX_NODES = 200
MAX_ITEMS = 100
MAX_TEXT = 200
MAX_SUM_TERMS = 10

# Numbers travel to durable-rules as exact integers (see encode_number); literals must fit.
NUMBER_LIMIT = 10 ** 12
NUMBER_PLACES = 6
_OUT_OF_RANGE = 2 * NUMBER_LIMIT * 10 ** NUMBER_PLACES + 1  # above every literal's code

SUFFIX = {NUMBER: "n", DATE: "d", STRING: "s", BOOL: "b"}
PRESENCE = "p"
KIND_NAMES = {NUMBER: "a number", DATE: "a date", STRING: "text", BOOL: "true/false"}

_DECIMAL_TEXT = re.compile(r"^-?\d{1,13}(\.\d{1,%d})?$" % NUMBER_PLACES)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_ARITHMETIC = decimal.Context(prec=28, traps=[decimal.InvalidOperation, decimal.Overflow])
_EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


# --------------------------------------------------------------------------- operands

def _resolve_fact(operand, facts):
    return normalize(lookup_parts(facts, operand.parts[0]))


def _date_args(operand, facts):
    values = []
    for parts in operand.parts:
        raw = lookup_parts(facts, parts)
        if type(raw) is not datetime.date:  # a plain date normalises to itself
            resolved = normalize(raw)
            if resolved is None or resolved[0] != DATE:
                return None
            raw = resolved[1]
        values.append(raw)
    return values


def _date_function(function):
    def resolve(operand, facts):
        values = _date_args(operand, facts)
        return None if values is None else (NUMBER, Decimal(function(*values)))
    return resolve


def _resolve_sum(operand, facts):
    total, seen_any = Decimal(0), False
    for parts in operand.parts:
        resolved = normalize(lookup_parts(facts, parts))
        if resolved is None:
            continue  # a missing addend counts as 0 (no other benefits declared)
        if resolved[0] != NUMBER:
            return None
        seen_any = True
        try:
            total = _ARITHMETIC.add(total, resolved[1])
        except decimal.DecimalException:
            return None
    return (NUMBER, total) if seen_any else None


def _resolve_difference(operand, facts):
    left, right = (sub.resolve(facts) for sub in operand.args)
    if left is None or right is None or left[0] != right[0]:
        return None
    if left[0] == NUMBER:
        try:
            return NUMBER, _ARITHMETIC.subtract(left[1], right[1])
        except decimal.DecimalException:
            return None
    if left[0] == DATE:
        return NUMBER, Decimal((left[1] - right[1]).days)
    return None


_RESOLVERS = {
    "fact": _resolve_fact,
    "age": _date_function(dates.age),
    "insurance_age": _date_function(dates.insurance_age),
    "months_between": _date_function(dates.months_between),
    "day_of_month": _date_function(lambda day: day.day),
    "sum": _resolve_sum,
    "difference": _resolve_difference,
}


class Operand:
    """A value a comparison reads: a fact, or one derived from facts (the adapter precomputes it)."""

    __slots__ = ("key", "args", "parts", "label", "kind", "_resolver")

    def __init__(self, key, args, label, kind):
        self.key = key
        self.args = tuple(args)
        self.parts = tuple(tuple(arg.split(".")) for arg in self.args if isinstance(arg, str))
        self.label = label
        self.kind = kind  # the kind it always has, or None when only the data can tell
        self._resolver = _RESOLVERS[key]

    def resolve(self, facts):
        """(kind, value) normalised, or None when missing."""
        return self._resolver(self, facts)

    def value(self, facts, cache=None):
        if cache is None:
            return self._resolver(self, facts)
        try:
            return cache[self.label]
        except KeyError:
            resolved = cache[self.label] = self._resolver(self, facts)
            return resolved

    @property
    def paths(self):
        if self.key == "difference":
            return tuple(path for sub in self.args for path in sub.paths)
        return self.args

    def explain(self, facts, into, cache=None):
        """Record the facts this operand read (path -> raw value) and its derived value."""
        if self.key == "difference":
            for sub in self.args:
                sub.explain(facts, into)
            return
        for path, parts in zip(self.args, self.parts):
            into[path] = lookup_parts(facts, parts)
        if self.key != "fact":
            resolved = self.value(facts, cache)
            into[self.label] = None if resolved is None else resolved[1]

    def __repr__(self):
        return "Operand(%s)" % self.label


# --------------------------------------------------------------------------- encoding

def encode_number(value):
    """An exact, order-preserving integer for a Decimal, for the durable-rules message.

    durable-rules cannot parse exponents (1e-05) and compares doubles, so numbers travel as
    2*floor(x*10^6), plus 1 when x has more places. Literals (at most 6 places, below 10^12)
    encode to even integers, so every comparison with a literal keeps its Python answer.
    """
    if value >= NUMBER_LIMIT:
        return _OUT_OF_RANGE
    if value <= -NUMBER_LIMIT:
        return -_OUT_OF_RANGE
    scaled = value.scaleb(NUMBER_PLACES, _EXACT)
    whole = int(scaled)  # truncates toward zero
    if scaled == whole:
        return 2 * whole
    if scaled < 0:
        whole -= 1
    return 2 * whole + 1


def encode(kind, value):
    if kind == NUMBER:
        return encode_number(value)
    if kind == DATE:
        return value.toordinal()
    if kind == BOOL:
        return int(value)
    return value


def field_name(operand, kind):
    return "%s:%s" % (operand.label, SUFFIX[kind])


def presence_name(operand):
    return "%s:%s" % (operand.label, PRESENCE)


def _join(op, parts):
    flat = []
    for part in parts:
        if len(part) == 1 and op in part:
            flat.extend(part[op])
        else:
            flat.append(part)
    return flat[0] if len(flat) == 1 else {op: flat}


def _durable_compare(field, op, literal):
    if op == "eq":
        return {field: literal}
    if op == "ne":
        return {"$neq": {field: literal}}
    if op == "in":
        return _join("$or", [{field: item} for item in literal])
    if op == "not_in":
        return _join("$and", [{"$neq": {field: item}} for item in literal])
    return {"$" + op: {field: literal}}


# --------------------------------------------------------------------------- nodes

class Comparison:
    __slots__ = ("operand", "op", "literal", "kind")

    def __init__(self, operand, op, literal, kind):
        self.operand = operand
        self.op = op
        self.literal = literal  # bool for exists, a tuple for in/not_in, else a scalar
        self.kind = kind

    def holds(self, facts, cache=None):
        resolved = self.operand.value(facts, cache)
        if self.op == "exists":
            return (resolved is not None) == self.literal
        if resolved is None or resolved[0] != self.kind:
            return False
        value, literal, op = resolved[1], self.literal, self.op
        if op == "eq":
            return value == literal
        if op == "ne":
            return value != literal
        if op == "lt":
            return value < literal
        if op == "lte":
            return value <= literal
        if op == "gt":
            return value > literal
        if op == "gte":
            return value >= literal
        if op == "in":
            return value in literal
        return value not in literal

    def durable(self, positive=True):
        if self.op == "exists":
            present = self.literal == positive
            return {"$ex" if present else "$nex": {presence_name(self.operand): 1}}
        field = field_name(self.operand, self.kind)
        if self.op in ("in", "not_in"):
            literal = [encode(self.kind, item) for item in self.literal]
        else:
            literal = encode(self.kind, self.literal)
        if positive:
            # durable-rules finds a comparison on a missing field false, as Python does.
            return _durable_compare(field, self.op, literal)
        return _join("$or", [{"$nex": {field: 1}},
                             _durable_compare(field, COMPLEMENT[self.op], literal)])

    def comparisons(self):
        yield self


class All:
    __slots__ = ("children",)

    def __init__(self, children):
        self.children = tuple(children)

    def holds(self, facts, cache=None):
        return all(child.holds(facts, cache) for child in self.children)

    def durable(self, positive=True):
        return _join("$and" if positive else "$or",
                     [child.durable(positive) for child in self.children])

    def comparisons(self):
        for child in self.children:
            yield from child.comparisons()


class Any(All):
    __slots__ = ()

    def holds(self, facts, cache=None):
        return any(child.holds(facts, cache) for child in self.children)

    def durable(self, positive=True):
        return _join("$or" if positive else "$and",
                     [child.durable(positive) for child in self.children])


class Not:
    __slots__ = ("child",)

    def __init__(self, child):
        self.child = child

    def holds(self, facts, cache=None):
        return not self.child.holds(facts, cache)

    def durable(self, positive=True):
        return self.child.durable(not positive)

    def comparisons(self):
        return self.child.comparisons()


class Condition:
    """A compiled condition: `holds(facts)` in Python, `durable()` for durable-rules."""

    def __init__(self, root):
        self._root = root
        operands, fields = {}, {}
        for comparison in root.comparisons():
            operand = comparison.operand
            operands.setdefault(operand.label, operand)
            suffix = PRESENCE if comparison.op == "exists" else SUFFIX[comparison.kind]
            fields.setdefault(operand.label, (operand, set()))[1].add(suffix)
        self.operands = tuple(operands.values())
        self.fields = tuple((operand, frozenset(suffixes)) for operand, suffixes in fields.values())

    def holds(self, facts, cache=None):
        """Evaluate in Python; `cache` (label -> resolved) shares derived values between rules."""
        return self._root.holds(facts, cache)

    def durable(self, negate=False):
        """The durable-rules `m` expression that matches when the condition holds (or fails)."""
        return self._root.durable(not negate)

    @property
    def paths(self):
        """The fact paths this condition reads, in order."""
        return tuple(dict.fromkeys(path for operand in self.operands for path in operand.paths))

    def seen(self, facts, cache=None):
        """The facts it saw: path -> raw value, plus each derived value by its label."""
        seen = {}
        for operand in self.operands:
            operand.explain(facts, seen, cache)
        return seen


def build_message(fields, facts, cache=None):
    """The flat durable-rules message for `fields` (as in Condition.fields) and one fact set."""
    message = {}
    for operand, suffixes in fields:
        resolved = operand.value(facts, cache)
        if resolved is None:
            continue
        if PRESENCE in suffixes:
            message[presence_name(operand)] = 1
        kind, value = resolved
        suffix = SUFFIX.get(kind)
        if suffix in suffixes:
            message[operand.label + ":" + suffix] = encode(kind, value)
    return message


# --------------------------------------------------------------------------- compiling

def _key(key):
    return key if isinstance(key, (str, int)) and not isinstance(key, bool) else repr(key)


class _Compiler:
    def __init__(self, settings, values):
        self.settings = settings or {}
        self.values = values or {}
        self.nodes = 0

    def node(self, data, path, depth):
        if depth > MAX_DEPTH:
            raise RuleError("conditions nest deeper than %d levels" % MAX_DEPTH, path)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise RuleError("a condition may have at most %d parts" % MAX_NODES, path)
        if not isinstance(data, dict) or not data:
            raise RuleError("a condition is a mapping: all, any, not, or a comparison such as "
                            "{fact: employee.weekly_hours, gte: 15}", path)
        for key in data:
            if not isinstance(key, str):
                raise RuleError("keys are words such as fact or gte, not %r" % (key,),
                                path + [_key(key)])
        combinator = next((key for key in data if key in COMBINATORS), None)
        if combinator is None:
            return self.comparison(data, path)
        if len(data) > 1:
            other = next(key for key in data if key != combinator)
            raise RuleError("%s cannot be combined with %s in one mapping" % (combinator, other),
                            path + [other])
        inner = data[combinator]
        if combinator == "not":
            return Not(self.node(inner, path + ["not"], depth + 1))
        if not isinstance(inner, list) or not inner:
            raise RuleError("%s takes a non-empty list of conditions" % combinator,
                            path + [combinator])
        if len(inner) > MAX_ITEMS:
            raise RuleError("%s takes at most %d conditions" % (combinator, MAX_ITEMS),
                            path + [combinator])
        children = [self.node(item, path + [combinator, index], depth + 1)
                    for index, item in enumerate(inner)]
        return (All if combinator == "all" else Any)(children)

    def comparison(self, data, path):
        value_key = operator = None
        for key in data:
            if key in VALUE_KEYS:
                if value_key is not None:
                    raise RuleError("a comparison reads one value; %s and %s are two"
                                    % (value_key, key), path + [key])
                value_key = key
            elif key in OPERATORS:
                if operator is not None:
                    raise RuleError("a comparison has one operator; %s and %s are two"
                                    % (operator, key), path + [key])
                operator = key
            else:
                raise RuleError("unknown key %r; a comparison has one of %s and one operator "
                                "of %s" % (key, ", ".join(VALUE_KEYS), ", ".join(OPERATORS)),
                                path + [key])
        if value_key is None:
            raise RuleError("a comparison needs a value to read: one of %s"
                            % ", ".join(VALUE_KEYS), path)
        if operator is None:
            raise RuleError("a comparison needs an operator: one of %s"
                            % ", ".join(OPERATORS), path)
        operand = self.operand(value_key, data[value_key], path + [value_key])
        return self.test(operand, operator, data[operator], path + [operator])

    # ----- operands

    def fact_path(self, raw, path, kind=None, what=None):
        problem = path_problem(raw)
        if problem:
            raise RuleError(problem, path)
        known = KNOWN_KINDS.get(raw)
        if kind and known and known != kind:
            raise RuleError("%s needs %s; %s is %s" % (what, KIND_NAMES[kind], raw,
                                                       KIND_NAMES[known]), path)
        return raw

    def operand(self, key, raw, path):
        if key == "fact":
            raw = self.fact_path(raw, path)
            return Operand("fact", (raw,), raw, KNOWN_KINDS.get(raw))
        if key == "value":
            if not isinstance(raw, str) or raw not in self.values:
                known = ", ".join(sorted(self.values)) or "none"
                raise RuleError("unknown value %r; the rule defines: %s" % (raw, known), path)
            return self.values[raw]
        if key == "day_of_month":
            raw = self.fact_path(raw, path, DATE, key)
            return Operand(key, (raw,), "%s(%s)" % (key, raw), NUMBER)
        if key == "sum":
            if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_SUM_TERMS:
                raise RuleError("sum takes a list of 1 to %d fact paths" % MAX_SUM_TERMS, path)
            args = [self.fact_path(item, path + [index], NUMBER, key)
                    for index, item in enumerate(raw)]
            return Operand(key, args, "sum(%s)" % ",".join(args), NUMBER)
        if not isinstance(raw, list) or len(raw) != 2:
            raise RuleError("%s takes two date fact paths, e.g. [employee.birth_date, "
                            "contract.start_date]" % key, path)
        args = [self.fact_path(item, path + [index], DATE, key) for index, item in enumerate(raw)]
        return Operand(key, args, "%s(%s)" % (key, ",".join(args)), NUMBER)

    # ----- literals

    def test(self, operand, op, raw, path):
        if op == "exists":
            if not isinstance(raw, bool):
                raise RuleError("exists takes true or false", path)
            return Comparison(operand, op, raw, None)
        if isinstance(raw, dict):
            if list(raw) == ["fact"] and op not in ("in", "not_in"):
                return self.against_fact(operand, op, raw["fact"], path + ["fact"])
            if list(raw) == ["setting"]:
                name = raw["setting"]
                if not isinstance(name, str) or name not in self.settings:
                    known = ", ".join(sorted(self.settings)) or "none"
                    raise RuleError("unknown setting %r; known: %s" % (name, known),
                                    path + ["setting"])
                raw, path = self.settings[name], path + ["setting"]
            else:
                raise RuleError("%s takes a value, {setting: <name>} or {fact: <path>}" % op,
                                path)
        if op in ("in", "not_in"):
            return self.membership(operand, op, raw, path)
        kind, literal = self.scalar(raw, operand, path)
        if op in ORDERING and kind not in (NUMBER, DATE):
            raise RuleError("%s compares numbers or dates, not %s" % (op, KIND_NAMES[kind]), path)
        return Comparison(operand, op, literal, kind)

    def membership(self, operand, op, raw, path):
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_ITEMS:
            raise RuleError("%s takes a list of 1 to %d values" % (op, MAX_ITEMS), path)
        kind, items = None, []
        for index, item in enumerate(raw):
            item_kind, value = self.scalar(item, operand, path + [index])
            if kind is not None and item_kind != kind:
                raise RuleError("all values of %s are of one kind; this is %s, the first was %s"
                                % (op, KIND_NAMES[item_kind], KIND_NAMES[kind]), path + [index])
            kind = item_kind
            if value not in items:
                items.append(value)
        return Comparison(operand, op, tuple(items), kind)

    def against_fact(self, operand, op, raw, path):
        other = self.operand("fact", raw, path)
        kinds = {kind for kind in (operand.kind, other.kind) if kind}
        if len(kinds) > 1:
            raise RuleError("%s is %s and %s is %s: they cannot be compared"
                            % (operand.label, KIND_NAMES[operand.kind], other.label,
                               KIND_NAMES[other.kind]), path)
        if kinds - {NUMBER, DATE}:
            raise RuleError("comparing two facts works for numbers and dates", path)
        difference = Operand("difference", (operand, other),
                             "%s-%s" % (operand.label, other.label), NUMBER)
        return Comparison(difference, op, Decimal(0), NUMBER)

    def scalar(self, raw, operand, path):
        expected = operand.kind
        kind, value = self._scalar(raw, expected, path)
        if expected and kind != expected:
            raise RuleError("%s is %s; compare it with %s, not %s"
                            % (operand.label, KIND_NAMES[expected], KIND_NAMES[expected],
                               KIND_NAMES[kind]), path)
        return kind, value

    def _scalar(self, raw, expected, path):
        if isinstance(raw, bool):
            return BOOL, raw
        if isinstance(raw, (int, float, Decimal)):
            return NUMBER, self.number(raw, path)
        if isinstance(raw, datetime.datetime):
            raise RuleError("write a date without a time, e.g. 2026-01-01", path)
        if isinstance(raw, datetime.date):
            return DATE, raw
        if isinstance(raw, str):
            if len(raw) > MAX_TEXT:
                raise RuleError("text values are at most %d characters" % MAX_TEXT, path)
            if expected == NUMBER and _DECIMAL_TEXT.match(raw):
                return NUMBER, self.number(Decimal(raw), path)
            if expected == DATE and _ISO_DATE.match(raw):
                try:
                    return DATE, datetime.date.fromisoformat(raw)
                except ValueError:
                    raise RuleError("%r is not a date" % raw, path) from None
            return STRING, raw
        raise RuleError("expected a number, a date, text or true/false", path)

    def number(self, raw, path):
        if isinstance(raw, float):
            if raw != raw or raw in (float("inf"), float("-inf")):
                raise RuleError("numbers must be finite", path)
            raw = Decimal(repr(raw))
        elif isinstance(raw, int):
            raw = Decimal(raw)
        if not raw.is_finite():
            raise RuleError("numbers must be finite", path)
        if abs(raw) >= NUMBER_LIMIT or raw.as_tuple().exponent < -NUMBER_PLACES:
            raise RuleError("numbers in conditions are below %d with at most %d decimal places"
                            % (NUMBER_LIMIT, NUMBER_PLACES), path)
        return raw


def compile_condition(data, *, settings=None, values=None):
    """Compile condition data (see docs/contracts.md) into a Condition; RuleError with the path.

    `settings` are named literals (`{setting: name}`), `values` named operands a rule defines
    (`{value: name}`).
    """
    return Condition(_Compiler(settings, values).node(data, [], 0))


def compile_value(data, *, settings=None, values=None):
    """Compile a named value of a rule: a mapping with exactly one value key, e.g. {sum: [...]}."""
    if not isinstance(data, dict) or len(data) != 1:
        raise RuleError("a value is a mapping with one of %s" % ", ".join(VALUE_KEYS), [])
    ((key, raw),) = data.items()
    if key not in VALUE_KEYS:
        raise RuleError("unknown key %r; a value is one of %s" % (key, ", ".join(VALUE_KEYS)),
                        [_key(key)])
    return _Compiler(settings, values).operand(key, raw, [key])


def is_name(text):
    """Whether `text` is a valid id for rules, groups, settings and values."""
    return isinstance(text, str) and bool(_NAME.match(text))
