"""Premium formulas: safe expressions over Decimal with named tables, compiled to closures.

A formula is parsed and checked once (names, functions, tables, allowed syntax); numeric
literals become Decimal from their source text, so 0.1 + 0.2 is exactly 0.3. The checked tree
is then turned into nested closures, one per node (never Python source, eval or exec); a call
gets its input values as an argument and runs in the module's own Decimal context, one copy per
thread, so nothing mutable is shared between threads.
"""

import ast
import bisect
import decimal
import operator
import re
import threading
from decimal import ROUND_HALF_UP, Decimal

from rules.errors import EvaluationError, FormulaError

MAX_SOURCE = 2000
MAX_DEPTH = 40
MAX_ARGS = 20
MAX_TEXT = 100
MAX_EXPONENT = 12
MAX_PLACES = 10
MAX_TABLE_ROWS = 1000
FUNCTIONS = ("min", "max", "round", "table")
CENT = Decimal("0.01")

_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, Emax=999999,
                           Emin=-999999, traps=[decimal.InvalidOperation,
                                                decimal.DivisionByZero, decimal.Overflow])
_THREAD = threading.local()  # each thread's own copy of _CONTEXT, see _run()
_NUMBER_TEXT = re.compile(r"^-?\d{1,15}(\.\d{1,10})?$")
_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

_ALLOWED = {
    ast.Expression: "", ast.BinOp: "", ast.UnaryOp: "", ast.Constant: "", ast.Name: "",
    ast.Call: "", ast.Compare: "", ast.BoolOp: "", ast.IfExp: "", ast.Load: "",
    ast.Add: "", ast.Sub: "", ast.Mult: "", ast.Div: "", ast.Pow: "", ast.USub: "",
    ast.UAdd: "", ast.Not: "", ast.And: "", ast.Or: "", ast.Eq: "", ast.NotEq: "",
    ast.Lt: "", ast.LtE: "", ast.Gt: "", ast.GtE: "",
}


def money(value):
    """An amount rounded half-up to cents: money(Decimal("2.345")) == Decimal("2.35")."""
    if isinstance(value, str) and _NUMBER_TEXT.match(value.strip()):
        value = Decimal(value.strip())
    number = _number(value, "money()")
    try:
        return number.quantize(CENT, rounding=ROUND_HALF_UP, context=_CONTEXT)
    except decimal.DecimalException:
        raise EvaluationError("%s cannot be rounded to cents" % value) from None


def _number(value, where):
    """Decimal for an input or operand, or EvaluationError."""
    if type(value) is Decimal and value.is_finite():
        return value
    if type(value) is int:  # the common input (ages, family members), checked first for speed
        return Decimal(value)
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        raise EvaluationError("%s needs a number, got %r" % (where, value))
    if isinstance(value, float):
        value = Decimal(repr(value))
    elif isinstance(value, int):
        value = Decimal(value)
    if not value.is_finite():
        raise EvaluationError("%s needs a finite number, got %s" % (where, value))
    return value


# --------------------------------------------------------------------------- tables

def _map_key(key):
    """Keys compare by value: 300, "300" and Decimal("300.00") are the same key."""
    if isinstance(key, bool):
        return None
    if isinstance(key, float):
        key = Decimal(repr(key))
    if isinstance(key, (int, Decimal)) or (isinstance(key, str) and _NUMBER_TEXT.match(key)):
        number = Decimal(key)
        return format(number.normalize(), "f") if number.is_finite() else None
    return key if isinstance(key, str) else None


def _table_number(raw, path, whole=False):
    if isinstance(raw, bool) or raw is None:
        raise FormulaError("expected a number", path)
    if isinstance(raw, str):
        if not _NUMBER_TEXT.match(raw.strip()):
            raise FormulaError("%r is not a number such as 8.50" % raw[:40], path)
        raw = Decimal(raw.strip())
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise FormulaError("numbers must be finite", path)
        raw = Decimal(repr(raw))
    elif isinstance(raw, int):
        raw = Decimal(raw)
    elif not isinstance(raw, Decimal) or not raw.is_finite():
        raise FormulaError("expected a number", path)
    if whole and raw != raw.to_integral_value():
        raise FormulaError("band limits are whole numbers", path)
    return raw


class Bands:
    """Values by key range: each band covers [from, to] inclusive, no gaps, no overlaps."""

    def __init__(self, name, rows, path):
        if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_TABLE_ROWS:
            raise FormulaError("bands are a list of 1 to %d {from, to, value}" % MAX_TABLE_ROWS,
                               path)
        self.name, self.starts, self.ends, self.values = name, [], [], []
        self.where = "table(%r, ...)" % name
        for index, row in enumerate(rows):
            where = path + [index]
            if not isinstance(row, dict) or set(row) != {"from", "to", "value"}:
                raise FormulaError("a band is {from, to, value}", where)
            start = _table_number(row["from"], where + ["from"], whole=True)
            end = _table_number(row["to"], where + ["to"], whole=True)
            if end < start:
                raise FormulaError("to (%s) is below from (%s)" % (end, start), where + ["to"])
            if self.ends and start <= self.ends[-1]:
                raise FormulaError("overlaps the band before, which ends at %s" % self.ends[-1],
                                   where + ["from"])
            if self.ends and start > self.ends[-1] + 1:
                raise FormulaError("gap: the band before ends at %s, this one starts at %s"
                                   % (self.ends[-1], start), where + ["from"])
            self.starts.append(start)
            self.ends.append(end)
            self.values.append(_table_number(row["value"], where + ["value"]))

    def lookup(self, key):
        key = _number(key, self.where)
        index = bisect.bisect_right(self.starts, key) - 1
        if index < 0 or key > self.ends[index]:
            raise EvaluationError("table %s has no band for %s (it covers %s to %s)"
                                  % (self.name, key, self.starts[0], self.ends[-1]))
        return self.values[index]


class Map:
    """Values by key, e.g. a premium per budget level."""

    def __init__(self, name, entries, path):
        if not isinstance(entries, dict) or not 1 <= len(entries) <= MAX_TABLE_ROWS:
            raise FormulaError("map is a mapping of 1 to %d keys to values" % MAX_TABLE_ROWS,
                               path)
        self.name, self.values = name, {}
        for key, value in entries.items():
            normal = _map_key(key)
            if normal is None:
                raise FormulaError("keys are numbers or text, not %r" % (key,), path + [str(key)])
            if normal in self.values:
                raise FormulaError("key %s appears twice" % normal, path + [str(key)])
            self.values[normal] = _table_number(value, path + [str(key)])

    def lookup(self, key):
        normal = _map_key(key)
        if normal not in self.values:
            raise EvaluationError("table %s has no entry for %s (it has %s)"
                                  % (self.name, key, ", ".join(list(self.values)[:20])))
        return self.values[normal]


def compile_tables(tables):
    """Compile `{name: {bands: [...]} | {map: {...}}}`; FormulaError with ["tables", ...]."""
    if tables is None:
        return {}
    if not isinstance(tables, dict):
        raise FormulaError("tables are a mapping of names to tables", ["tables"])
    compiled = {}
    for name, table in tables.items():
        path = ["tables", str(name)]
        if not isinstance(name, str) or not _TABLE_NAME.match(name):
            raise FormulaError("table names are lower-case words such as dental_bands", path)
        if not isinstance(table, dict) or len(table) != 1 or next(iter(table)) not in (
                "bands", "map"):
            raise FormulaError("a table has exactly one of bands or map", path)
        ((kind, rows),) = table.items()
        compiled[name] = (Bands if kind == "bands" else Map)(name, rows, path + [kind])
    return compiled


# --------------------------------------------------------------------------- operators

def _arithmetic(function, symbol):
    def apply(left, right):
        return function(_number(left, symbol), _number(right, symbol))
    return apply


def _power(base, exponent):
    base, exponent = _number(base, "**"), _number(exponent, "**")
    if exponent != exponent.to_integral_value() or abs(exponent) > MAX_EXPONENT:
        raise EvaluationError("** takes a whole exponent up to %d" % MAX_EXPONENT)
    return base ** exponent


def _ordering(function):
    def compare(left, right):
        if isinstance(left, str) or isinstance(right, str):
            if not (isinstance(left, str) and isinstance(right, str)):
                raise EvaluationError("cannot order %r and %r" % (left, right))
        return function(left, right)
    return compare


_OPERATORS = {
    ast.Add: _arithmetic(operator.add, "+"),
    ast.Sub: _arithmetic(operator.sub, "-"),
    ast.Mult: _arithmetic(operator.mul, "*"),
    ast.Div: _arithmetic(operator.truediv, "/"),
    ast.Pow: _power,
    ast.USub: lambda value: -_number(value, "-"),
    ast.UAdd: lambda value: _number(value, "+"),
    ast.Not: operator.not_,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: _ordering(operator.lt),
    ast.LtE: _ordering(operator.le),
    ast.Gt: _ordering(operator.gt),
    ast.GtE: _ordering(operator.ge),
}


def _smallest(*values):
    return min(_number(value, "min()") for value in values)


def _largest(*values):
    return max(_number(value, "max()") for value in values)


def _round(value, places=0):
    value = _number(value, "round()")
    return value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)


_FUNCTIONS = {"min": _smallest, "max": _largest, "round": _round}  # table() is compiled apart


# --------------------------------------------------------------------------- checking

class _Checker:
    """Walks the parsed formula once: refuses what is not allowed, turns literals into Decimal."""

    def __init__(self, source, tables, inputs):
        self.source, self.tables, self.inputs = source, tables, inputs
        self.names = set()

    def fail(self, message, node=None):
        if node is not None and hasattr(node, "col_offset"):
            message = "%s (at column %d)" % (message, node.col_offset + 1)
        raise FormulaError(message, ["formula"])

    def check(self, node, depth=0):
        if depth > MAX_DEPTH:
            self.fail("the formula nests too deeply")
        if type(node) not in _ALLOWED:
            self.fail("%s is not allowed in formulas" % _describe(node), node)
        handler = getattr(self, "check_" + type(node).__name__, None)
        if handler:
            handler(node)
        for child in _children(node):
            self.check(child, depth + 1)

    def check_Constant(self, node):
        value = node.value
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                self.fail("text in formulas is at most %d characters" % MAX_TEXT, node)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            text = ast.get_source_segment(self.source, node) or repr(value)
            try:
                number = _CONTEXT.create_decimal(text.replace("_", ""))
            except decimal.DecimalException:
                number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
            if not number.is_finite() or abs(number.adjusted()) > 30:
                self.fail("the number %s is out of range" % text[:30], node)
            node.value = number
        else:
            self.fail("only numbers and text may be written in formulas", node)

    def check_Name(self, node):
        if node.id in FUNCTIONS:
            self.fail("%s is a function: call it, e.g. %s(a, b)" % (node.id, node.id), node)
        if node.id not in self.inputs:
            self.fail("unknown name %r; inputs are %s"
                      % (node.id, ", ".join(sorted(self.inputs)) or "none"), node)
        self.names.add(node.id)

    def check_Call(self, node):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else _describe(node.func)
            self.fail("unknown function %s; functions are %s" % (name, ", ".join(FUNCTIONS)),
                      node)
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            self.fail("functions take plain arguments", node)
        name, args = node.func.id, node.args
        if name in ("min", "max") and not 2 <= len(args) <= MAX_ARGS:
            self.fail("%s takes 2 to %d arguments" % (name, MAX_ARGS), node)
        if name == "round":
            if len(args) not in (1, 2):
                self.fail("round takes a value and a number of places: round(x, 2)", node)
            if len(args) == 2 and not _whole_constant(args[1], 0, MAX_PLACES):
                self.fail("the places of round are a whole number 0 to %d" % MAX_PLACES, node)
        if name == "table":
            if len(args) != 2:
                self.fail("table takes a table name and a key: table(\"bands\", age)", node)
            first = args[0]
            if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
                self.fail("the table name is written in quotes: table(\"dental_bands\", age)",
                          node)
            if first.value not in self.tables:
                self.fail("unknown table %r; tables are %s"
                          % (first.value, ", ".join(sorted(self.tables)) or "none"), node)

    def check_BinOp(self, node):
        if isinstance(node.op, ast.Pow) and not _whole_constant(node.right, -MAX_EXPONENT,
                                                                 MAX_EXPONENT):
            self.fail("** takes a whole exponent from %d to %d written as a number"
                      % (-MAX_EXPONENT, MAX_EXPONENT), node)

    def check_Compare(self, node):
        if len(node.ops) > 2:
            self.fail("chain at most two comparisons", node)


def _whole_constant(node, low, high):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _whole_constant(node.operand, -high, -low)
    value = getattr(node, "value", None) if isinstance(node, ast.Constant) else None
    return (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high)


def _describe(node):
    names = {"Attribute": "attribute access (x.y)", "Subscript": "indexing (x[y])",
             "Lambda": "lambda", "ListComp": "a comprehension", "SetComp": "a comprehension",
             "DictComp": "a comprehension", "GeneratorExp": "a comprehension",
             "JoinedStr": "an f-string", "NamedExpr": "assignment (:=)", "Starred": "*args"}
    return names.get(type(node).__name__, type(node).__name__)


def _children(node):
    """The child nodes to check or compile; a call's function name is not one of them."""
    return node.args if isinstance(node, ast.Call) else ast.iter_child_nodes(node)


def _reads_input(node):
    """Whether an expression reads an input (function names do not count)."""
    return isinstance(node, ast.Name) or any(_reads_input(child) for child in _children(node))


# --------------------------------------------------------------------------- compiling

class _Compiler:
    """Turns the checked tree into closures, one per node, each called with the input values.

    A part that reads no input is computed once here, so 1/0 or a missing map key fail at
    compile time; the parts inside it are not computed on their own, so `0 and 1/0` is valid.
    """

    def __init__(self, source, tables):
        self.source, self.tables = source, tables

    def build(self, node, fold=True):
        """The closure of `node`; with `fold`, a part without inputs becomes its value."""
        if isinstance(node, ast.Name):
            return operator.itemgetter(node.id)
        if isinstance(node, ast.Constant) or (fold and not _reads_input(node)):
            value = node.value if isinstance(node, ast.Constant) else self.value_of(node)
            return lambda names: value
        parts = [self.build(child, fold) for child in _children(node)
                 if isinstance(child, ast.expr)]
        return getattr(self, "build_" + type(node).__name__)(node, parts)

    def value_of(self, node):
        try:
            return _run(self.build(node, fold=False), {}, self.source)
        except EvaluationError as error:
            raise FormulaError(error.message, ["formula"]) from None

    def build_BinOp(self, node, parts):
        return _applied(_OPERATORS[type(node.op)], parts)

    build_UnaryOp = build_BinOp  # the same: an operator applied to its operand

    def build_Compare(self, node, parts):
        tests = [_OPERATORS[type(op)] for op in node.ops]
        if len(tests) == 1:
            return _applied(tests[0], parts)
        first, rest = parts[0], list(zip(tests, parts[1:]))

        def chain(names):
            right = first(names)
            for test, part in rest:
                left, right = right, part(names)
                result = test(left, right)
                if not result:
                    break
            return result
        return chain

    def build_BoolOp(self, node, parts):
        stop_when = isinstance(node.op, ast.Or)  # `or` stops at a true part, `and` at a false one

        def either(names):
            for part in parts:
                result = part(names)
                if bool(result) is stop_when:
                    break
            return result
        return either

    def build_IfExp(self, node, parts):
        test, body, orelse = parts
        return lambda names: body(names) if test(names) else orelse(names)

    def build_Call(self, node, parts):
        if node.func.id == "table":
            return _applied(self.tables[node.args[0].value].lookup, parts[1:])
        return _applied(_FUNCTIONS[node.func.id], parts)


def _applied(function, parts):
    """A closure calling `function` with the values of `parts`, left to right."""
    if len(parts) == 1:
        (only,) = parts
        return lambda names: function(only(names))
    if len(parts) == 2:
        left, right = parts
        return lambda names: function(left(names), right(names))
    return lambda names: function(*[part(names) for part in parts])


def _run(closure, names, source):
    """Call a compiled closure in the module's Decimal context; a failure is an EvaluationError.

    decimal.localcontext() would copy the context on every call, which costs as much as a small
    formula; each thread keeps one copy instead, so no context (nor its flags) is shared.
    """
    context = getattr(_THREAD, "context", None)
    if context is None:
        context = _THREAD.context = _CONTEXT.copy()
    caller = decimal.getcontext()
    decimal.setcontext(context)
    try:
        return closure(names)
    except EvaluationError:
        raise
    except decimal.DivisionByZero:
        raise EvaluationError("division by zero in %s" % source) from None
    except (ArithmeticError, TypeError, ValueError, KeyError, RecursionError) as error:
        raise EvaluationError("the formula %s failed: %s" % (source, error)) from None
    finally:
        decimal.setcontext(caller)


# --------------------------------------------------------------------------- formulas

class Formula:
    """A checked formula; `evaluate(values)` returns a Decimal or raises EvaluationError."""

    def __init__(self, source, root, names):
        self.source = source
        self.names = frozenset(names)  # the inputs it reads
        self._root = root  # the closure of the whole formula; it keeps no state between calls

    def evaluate(self, values):
        names = {}
        for name in self.names:
            value = values.get(name)
            if value is None:
                raise EvaluationError("the formula needs the input %s" % name)
            names[name] = value if isinstance(value, str) else _number(value, name)
        result = _run(self._root, names, self.source)
        if not isinstance(result, Decimal) or not result.is_finite():
            raise EvaluationError("the formula %s gave %r, not an amount" % (self.source, result))
        return result

    def __repr__(self):
        return "Formula(%r)" % self.source


def compile_formula(source, tables, inputs):
    """Parse, check and compile a formula once; FormulaError with ["formula"] or ["tables", ...]."""
    if not isinstance(source, str) or not source.strip():
        raise FormulaError("a formula is an expression such as table(\"bands\", age)",
                           ["formula"])
    if len(source) > MAX_SOURCE:
        raise FormulaError("formulas are at most %d characters" % MAX_SOURCE, ["formula"])
    compiled_tables = compile_tables(tables)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise FormulaError("not a valid formula: %s (at column %s)"
                           % (error.msg, error.offset), ["formula"]) from None
    except (ValueError, RecursionError, MemoryError):
        raise FormulaError("not a valid formula", ["formula"]) from None
    checker = _Checker(source.strip(), compiled_tables, frozenset(inputs))
    try:
        checker.check(tree)
    except RecursionError:
        raise FormulaError("the formula nests too deeply", ["formula"]) from None
    root = _Compiler(source.strip(), compiled_tables).build(tree.body)
    return Formula(source.strip(), root, checker.names)
