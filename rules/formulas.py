"""Premium formulas: safe expressions over Decimal with named tables, compiled to closures.

A formula is parsed and checked once (names, functions, tables, allowed syntax); numeric
literals become Decimal from their source text, so 0.1 + 0.2 is exactly 0.3. The checked tree
is then turned into nested closures, one per node (never Python source, eval or exec); a call
gets its input values and the module's own Decimal context (one copy per thread, so nothing
mutable is shared between threads) as arguments, and every operation names that context, so
the caller's context changes nothing and is never switched.
"""

import ast
import bisect
import decimal
import difflib
import itertools
import operator
import re
import threading
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from rules.errors import EvaluationError, FormulaError

MAX_SOURCE = 2000
MAX_DEPTH = 40
MAX_ARGS = 20
MAX_TEXT = 100
MAX_EXPONENT = 12
MAX_PLACES = 10
MAX_TABLE_ROWS = 1000
MAX_INDEX = 10000  # keys of a band table's or a decision table's index (see Bands, Grid)
MAX_GRID_KEYS = 3
MAX_GRID_CELLS = 100000  # combinations a decision table's check walks through
FUNCTIONS = ("min", "max", "round", "table")
CENT = Decimal("0.01")
_WHOLE_COUNT = 200
_WHOLE = tuple(Decimal(number) for number in range(_WHOLE_COUNT))  # ages and counts, made once

_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, Emax=999999,
                           Emin=-999999, traps=[decimal.InvalidOperation,
                                                decimal.DivisionByZero, decimal.Overflow])
_THREAD = threading.local()  # each thread's own copy of _CONTEXT, see _context()
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
    if type(value) is Decimal and value.is_finite():
        number = value
    else:
        if isinstance(value, str) and _NUMBER_TEXT.match(value.strip()):
            value = Decimal(value.strip())
        number = _number(value, "money()")
    try:
        return number.quantize(CENT, ROUND_HALF_UP, _context())
    except decimal.DecimalException:
        raise EvaluationError("%s cannot be rounded to cents" % value) from None


def _context():
    """This thread's copy of the formulas' Decimal context."""
    try:
        return _THREAD.context
    except AttributeError:
        context = _THREAD.context = _CONTEXT.copy()
        return context


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

def _map_key(key, context=None):
    """Keys compare by value: 300, "300" and Decimal("300.00") are the same key."""
    if isinstance(key, bool):
        return None
    if isinstance(key, float):
        key = Decimal(repr(key))
    if isinstance(key, (int, Decimal)) or (isinstance(key, str) and _NUMBER_TEXT.match(key)):
        number = Decimal(key)
        if not number.is_finite():
            return None
        return format(number.normalize(context or _context()), "f")
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

    width = 1  # keys table() passes

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
        self.index = {}  # whole keys -> value, for tables spanning up to MAX_INDEX keys
        if self.ends[-1] - self.starts[0] < MAX_INDEX:
            for start, end, value in zip(self.starts, self.ends, self.values):
                self.index.update(dict.fromkeys(range(int(start), int(end) + 1), value))

    def lookup(self, key, context=None):
        key = _number(key, self.where)
        index = bisect.bisect_right(self.starts, key) - 1
        if index < 0 or key > self.ends[index]:
            raise EvaluationError("table %s has no band for %s (it covers %s to %s)"
                                  % (self.name, key, self.starts[0], self.ends[-1]))
        return self.values[index]


class Map:
    """Values by key, e.g. a premium per budget level."""

    width = 1

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
        # number keys, looked up by value; not zero, where "-0" and "0" are two keys
        self.index = {Decimal(normal): value for normal, value in self.values.items()
                      if _NUMBER_TEXT.match(normal) and Decimal(normal) != 0}

    def lookup(self, key, context=None):
        normal = _map_key(key, context)
        if normal not in self.values:
            raise EvaluationError("table %s has no entry for %s (it has %s)"
                                  % (self.name, key, ", ".join(list(self.values)[:20])))
        return self.values[normal]


class Grid:
    """A decision table: a value by two or three keys, e.g. age band x budget level x role.

    `keys` names the columns (the formula passes the keys in this order); each row gives every
    column a cell and a value. A cell is a value (a number or text, compared as map keys are) or
    a range {from, to} of whole numbers; a column with a range is a range column, where a single
    number n means {from: n, to: n}. The rows must cover every combination exactly once: the
    ranges of a column, cut at every limit any row uses, times the values of the other columns
    (no gap, no overlap, in every dimension).
    """

    def __init__(self, name, table, path):
        if set(table) != {"keys", "rows"}:
            raise FormulaError("a decision table has keys (its columns) and rows", path)
        self.name, self.where = name, "table(%r, ...)" % name
        keys = table["keys"]
        if (not isinstance(keys, list) or not 2 <= len(keys) <= MAX_GRID_KEYS
                or not all(isinstance(key, str) and _TABLE_NAME.match(key) for key in keys)
                or len(set(keys)) != len(keys) or "value" in keys):
            raise FormulaError("keys are 2 to %d different lower-case words (not value), e.g. [age, budget]"
                               % MAX_GRID_KEYS, path + ["keys"])
        rows = table["rows"]
        if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_TABLE_ROWS:
            raise FormulaError("rows are a list of 1 to %d rows" % MAX_TABLE_ROWS, path + ["rows"])
        self.keys, self.width = tuple(keys), len(keys)
        ranged = [any(isinstance(row, dict) and isinstance(row.get(key), dict) for row in rows)
                  for key in keys]
        self.ranged = tuple(ranged)
        self.rows = []  # (cells, value); a cell is (low, high) in a range column, else a map key
        for index, row in enumerate(rows):
            where = path + ["rows", index]
            if not isinstance(row, dict) or set(row) != set(keys) | {"value"}:
                found = sorted(map(str, row)) if isinstance(row, dict) else []
                missing = [key for key in keys + ["value"] if key not in found]
                extra = [key for key in found if key not in keys and key != "value"]
                raise FormulaError("a row has a cell for each key (%s) and a value%s%s"
                                   % (", ".join(keys), "; missing: " + ", ".join(missing) if missing else "",
                                      "; unknown: " + ", ".join(extra) if extra else ""), where)
            cells = tuple(self._cell(row[key], ranged[column], where + [key])
                          for column, key in enumerate(keys))
            self.rows.append((cells, _table_number(row["value"], where + ["value"])))
        self._check_cover(path)
        self.index = self._index()

    def _cell(self, raw, ranged, where):
        if isinstance(raw, dict):
            if set(raw) != {"from", "to"}:
                raise FormulaError("a range is {from, to}", where)
            low = _table_number(raw["from"], where + ["from"], whole=True)
            high = _table_number(raw["to"], where + ["to"], whole=True)
            if high < low:
                raise FormulaError("to (%s) is below from (%s)" % (high, low), where + ["to"])
            return low, high
        if ranged:
            number = _table_number(raw, where, whole=True)
            return number, number
        key = _map_key(raw, _CONTEXT)
        if key is None:
            raise FormulaError("a cell is a number, text or a range {from, to}, not %r" % (raw,), where)
        return key

    def _columns(self):
        """Per column, its elementary cells: the ranges cut at every limit a row uses (holes
        included), or the distinct values in order of appearance."""
        columns = []
        for column, ranged in enumerate(self.ranged):
            cells = [cells[column] for cells, _ in self.rows]
            if not ranged:
                columns.append(list(dict.fromkeys(cells)))
                continue
            cuts = sorted({low for low, _ in cells} | {high + 1 for _, high in cells})
            columns.append([(low, high - 1) for low, high in zip(cuts, cuts[1:])])
        return columns

    def _check_cover(self, path):
        columns = self._columns()
        total = 1
        for cells in columns:
            total *= len(cells)
        if total > MAX_GRID_CELLS:
            raise FormulaError("the table's keys make %d combinations; at most %d" % (total, MAX_GRID_CELLS),
                               path + ["rows"])
        covered = {}
        for index, (cells, _) in enumerate(self.rows):
            spans = []
            for column, cell in enumerate(cells):
                if self.ranged[column]:
                    spans.append([i for i, (low, high) in enumerate(columns[column])
                                  if cell[0] <= low and high <= cell[1]])
                else:
                    spans.append([columns[column].index(cell)])
            for combination in itertools.product(*spans):
                if combination in covered:
                    raise FormulaError("overlap: this row and rows[%d] both cover %s"
                                       % (covered[combination], self._describe(
                                           columns, tuple((p, p) for p in combination))),
                                       path + ["rows", index])
                covered[combination] = index
        if len(covered) < total:
            gaps = [tuple((position, position) for position in combination)
                    for combination in itertools.product(*(range(len(c)) for c in columns))
                    if combination not in covered]
            gaps = self._merged(gaps)
            shown = "; ".join(self._describe(columns, gap) for gap in gaps[:3])
            more = " (and %d more)" % (len(gaps) - 3) if len(gaps) > 3 else ""
            raise FormulaError("gap: no row covers %s%s; every combination of the keys needs exactly one row"
                               % (shown, more), path + ["rows"])

    def _merged(self, gaps):
        """Gaps (per column a span of positions) joined where they lie side by side in a range
        column, so a missing age band is said once, not per cut another row makes."""
        for column, ranged in enumerate(self.ranged):
            if not ranged:
                continue
            gaps.sort(key=lambda gap: gap[:column] + gap[column + 1:] + (gap[column],))
            joined = []
            for gap in gaps:
                last = joined[-1] if joined else None
                if (last is not None and last[:column] + last[column + 1:] == gap[:column] + gap[column + 1:]
                        and last[column][1] + 1 == gap[column][0]):
                    joined[-1] = last[:column] + ((last[column][0], gap[column][1]),) + last[column + 1:]
                else:
                    joined.append(gap)
            gaps = joined
        return sorted(gaps)

    def _describe(self, columns, spans):
        parts = []
        for key, column, (first, last) in zip(self.keys, columns, spans):
            cell = column[first]
            if isinstance(cell, tuple):
                low, high = cell[0], column[last][1]
                cell = str(low) if low == high else "%s-%s" % (low, high)
            parts.append("%s %s" % (key, cell))
        return ", ".join(parts)

    def _index(self):
        """{(key, ...): value} over every whole number of the range columns, when small enough."""
        size = 1
        for column, ranged in enumerate(self.ranged):
            if ranged:
                size *= int(max(c[column][1] for c, _ in self.rows) - min(c[column][0] for c, _ in self.rows) + 1)
            if size > MAX_INDEX:
                return {}
        index = {}
        for cells, value in self.rows:
            axes = []
            for column, cell in enumerate(cells):
                if self.ranged[column]:
                    axes.append([_WHOLE[n] if 0 <= n < _WHOLE_COUNT else Decimal(n)
                                 for n in range(int(cell[0]), int(cell[1]) + 1)])
                else:
                    axes.append([Decimal(cell) if _NUMBER_TEXT.match(cell) else cell])
            for keys in itertools.product(*axes):
                index[keys] = value
        return index

    def lookup(self, keys, context=None):
        for cells, value in self.rows:
            for column, (cell, key) in enumerate(zip(cells, keys)):
                if self.ranged[column]:
                    number = _number(key, self.where)
                    if not cell[0] <= number <= cell[1]:
                        break
                elif _map_key(key, context) != cell:
                    break
            else:
                return value
        raise EvaluationError("table %s has no row for %s" % (self.name, ", ".join(
            "%s %s" % (name, key) for name, key in zip(self.keys, keys))))


def compile_tables(tables):
    """Compile `{name: {bands: [...]} | {map: {...}} | {keys: [...], rows: [...]}}`; FormulaError
    with ["tables", ...]."""
    if tables is None:
        return {}
    if not isinstance(tables, dict):
        raise FormulaError("tables are a mapping of names to tables", ["tables"])
    compiled = {}
    for name, table in tables.items():
        path = ["tables", str(name)]
        if not isinstance(name, str) or not _TABLE_NAME.match(name):
            raise FormulaError("table names are lower-case words such as dental_bands", path)
        if isinstance(table, dict) and "rows" in table:
            compiled[name] = Grid(name, table, path)
            continue
        if not isinstance(table, dict) or len(table) != 1 or next(iter(table)) not in (
                "bands", "map"):
            raise FormulaError("a table has exactly one of bands or map, or keys and rows", path)
        ((kind, rows),) = table.items()
        compiled[name] = (Bands if kind == "bands" else Map)(name, rows, path + [kind])
    return compiled


# --------------------------------------------------------------------------- operators

def _power(context, base, exponent):
    base, exponent = _number(base, "**"), _number(exponent, "**")
    if (exponent != exponent.to_integral_value(context=context)
            or exponent.copy_abs() > MAX_EXPONENT):
        raise EvaluationError("** takes a whole exponent up to %d" % MAX_EXPONENT)
    return context.power(base, exponent)


def _ordering(function):
    def compare(context, left, right):
        if isinstance(left, str) or isinstance(right, str):
            if not (isinstance(left, str) and isinstance(right, str)):
                raise EvaluationError("cannot order %r and %r" % (left, right))
        return function(left, right)
    return compare


def _plain(function):
    """An operator that needs no context (comparisons of exact values, not)."""
    return lambda context, *values: function(*values)


# Each takes the context first, then its operands; + - * / are compiled by _binary.
_OPERATORS = {
    ast.Pow: _power,
    ast.USub: lambda context, value: context.minus(_number(value, "-")),
    ast.UAdd: lambda context, value: _number(value, "+"),
    ast.Not: _plain(operator.not_),
    ast.Eq: _plain(operator.eq),
    ast.NotEq: _plain(operator.ne),
    ast.Lt: _ordering(operator.lt),
    ast.LtE: _ordering(operator.le),
    ast.Gt: _ordering(operator.gt),
    ast.GtE: _ordering(operator.ge),
}
_ARITHMETIC = {ast.Add: (decimal.Context.add, "+"), ast.Sub: (decimal.Context.subtract, "-"),
               ast.Mult: (decimal.Context.multiply, "*"),
               ast.Div: (decimal.Context.divide, "/")}


def _smallest(context, *values):
    return min(_number(value, "min()") for value in values)


def _largest(context, *values):
    return max(_number(value, "max()") for value in values)


def _round(context, value, places=0):
    value = _number(value, "round()")
    return value.quantize(Decimal(1).scaleb(-int(places), context), rounding=ROUND_HALF_UP,
                          context=context)


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
            close = difflib.get_close_matches(node.id, sorted(self.inputs), 1)
            self.fail("unknown name %r; %sinputs are %s"
                      % (node.id, "did you mean %r? " % close[0] if close else "",
                         ", ".join(sorted(self.inputs)) or "none"), node)
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
            if len(args) < 2:
                self.fail("table takes a table name and a key: table(\"bands\", age)", node)
            first = args[0]
            if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
                self.fail("the table name is written in quotes: table(\"dental_bands\", age)",
                          node)
            if first.value not in self.tables:
                self.fail("unknown table %r; tables are %s"
                          % (first.value, ", ".join(sorted(self.tables)) or "none"), node)
            table = self.tables[first.value]
            if len(args) - 1 != table.width:
                if table.width == 1:
                    self.fail("table %r takes one key: table(%r, age)" % (first.value, first.value), node)
                self.fail("table %r takes %d keys, in this order: %s" % (
                    first.value, table.width, ", ".join(table.keys)), node)

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

class _Part(NamedTuple):
    """A compiled node: its closure `run(names, context)`, whether it always gives a finite
    Decimal, and its value when known at compile time."""

    run: Callable
    number: bool = False
    value: object = None
    constant: bool = False
    name: str | None = None  # the input an ast.Name reads, which a parent may read itself


class _Compiler:
    """Turns the checked tree into closures, one per node, each called with the input values
    and the Decimal context.

    A part that reads no input is computed once here, so 1/0 or a missing map key fail at
    compile time; the parts inside it are not computed on their own, so `0 and 1/0` is valid.
    Where a part is known to give a Decimal (a number, arithmetic, a table value) its parent
    skips the check, and a constant operand is held by its parent instead of being called.
    """

    def __init__(self, source, tables):
        self.source, self.tables = source, tables

    def build(self, node, fold=True):
        """The closure of `node`; with `fold`, a part without inputs becomes its value."""
        return self.part(node, fold).run

    def part(self, node, fold):
        if isinstance(node, ast.Name):
            name = node.id
            return _Part(lambda names, context: names[name], name=name)
        if isinstance(node, ast.Constant) or (fold and not _reads_input(node)):
            value = node.value if isinstance(node, ast.Constant) else self.value_of(node)
            return _Part(lambda names, context: value, type(value) is Decimal, value, True)
        parts = [self.part(child, fold) for child in _children(node)
                 if isinstance(child, ast.expr)]
        return getattr(self, "build_" + type(node).__name__)(node, parts)

    def value_of(self, node):
        try:
            return _run(self.build(node, fold=False), {}, self.source)
        except EvaluationError as error:
            raise FormulaError(error.message, ["formula"]) from None

    def build_BinOp(self, node, parts):
        kind = type(node.op)
        if kind in _ARITHMETIC:
            return _Part(_binary(*_ARITHMETIC[kind], *parts), True)
        return _Part(_applied(_OPERATORS[kind], parts))  # **: 0 ** -1 is Infinity

    def build_UnaryOp(self, node, parts):
        (operand,) = parts
        kind = type(node.op)
        if kind is ast.USub and operand.number:
            run, minus = operand.run, decimal.Context.minus
            return _Part(lambda names, context: minus(context, run(names, context)), True)
        return _Part(_applied(_OPERATORS[kind], parts), kind is not ast.Not)

    def build_Compare(self, node, parts):
        tests = [_OPERATORS[type(op)] for op in node.ops]
        if len(tests) == 1:
            return _Part(_applied(tests[0], parts))
        runs = [part.run for part in parts]
        first, rest = runs[0], list(zip(tests, runs[1:]))

        def chain(names, context):
            right = first(names, context)
            for test, part in rest:
                left, right = right, part(names, context)
                result = test(context, left, right)
                if not result:
                    break
            return result
        return _Part(chain)

    def build_BoolOp(self, node, parts):
        stop_when = isinstance(node.op, ast.Or)  # `or` stops at a true part, `and` at a false one
        runs = [part.run for part in parts]

        def either(names, context):
            for part in runs:
                result = part(names, context)
                if bool(result) is stop_when:
                    break
            return result
        return _Part(either, all(part.number for part in parts))

    def build_IfExp(self, node, parts):
        test, body, orelse = (part.run for part in parts)
        return _Part(lambda names, context: (body(names, context) if test(names, context)
                                             else orelse(names, context)),
                     parts[1].number and parts[2].number)

    def build_Call(self, node, parts):
        name = node.func.id
        if name == "table":
            table = self.tables[node.args[0].value]
            if table.width > 1:
                return _Part(_grid_lookup(table, parts[1:]), True)
            return _Part(_lookup(table, parts[1]), True)
        if name == "round" and all(part.constant for part in parts[1:]):
            places = parts[1].value if len(parts) == 2 else 0
            return _Part(_rounding(parts[0], Decimal(1).scaleb(-int(places), _context())), True)
        return _Part(_applied(_FUNCTIONS[name], parts), True)


def _binary(method, symbol, left, right):
    """The closure of `left <op> right` through the context's `method` (Context.add, ...): an
    operand not known to be a Decimal is checked (text or true/false raise), a constant one is
    held rather than called."""
    run_left, run_right = left.run, right.run
    if right.constant and right.number:
        value = right.value
        if left.number:
            return lambda names, context: method(context, run_left(names, context), value)
        if left.name is not None:  # e.g. family_members * 9.90
            name = left.name

            def input_with_constant(names, context):
                operand = names[name]
                if type(operand) is not Decimal or not operand.is_finite():
                    operand = _number(operand, symbol)
                return method(context, operand, value)
            return input_with_constant

        def with_constant(names, context):
            operand = run_left(names, context)
            if type(operand) is not Decimal or not operand.is_finite():
                operand = _number(operand, symbol)
            return method(context, operand, value)
        return with_constant
    if left.constant and left.number:
        value = left.value
        if right.number:
            return lambda names, context: method(context, value, run_right(names, context))

        def constant_with(names, context):
            operand = run_right(names, context)
            if type(operand) is not Decimal or not operand.is_finite():
                operand = _number(operand, symbol)
            return method(context, value, operand)
        return constant_with
    if left.number and right.number:
        return lambda names, context: method(context, run_left(names, context),
                                             run_right(names, context))

    def checked(names, context):
        first, second = run_left(names, context), run_right(names, context)
        if type(first) is not Decimal or not first.is_finite():
            first = _number(first, symbol)
        if type(second) is not Decimal or not second.is_finite():
            second = _number(second, symbol)
        return method(context, first, second)
    return checked


def _lookup(table, key):
    """The closure of `table(name, key)`: a Decimal key is looked up in the table's index."""
    run, index, slow = key.run, table.index, table.lookup
    if key.name is not None:  # e.g. table("dental", age)
        name = key.name

        def look_up_input(names, context):
            value = names[name]
            if type(value) is Decimal:
                found = index.get(value)
                if found is not None:
                    return found
            return slow(value, context)
        return look_up_input

    def look_up(names, context):
        value = run(names, context)
        if type(value) is Decimal:
            found = index.get(value)
            if found is not None:
                return found
        return slow(value, context)
    return look_up


def _grid_lookup(table, keys):
    """The closure of `table(name, key, key, ...)` of a decision table: the keys' tuple looked up
    in the table's index (inputs and numbers as Decimal, text as it is), else row by row."""
    runs, index, slow = tuple(key.run for key in keys), table.index, table.lookup

    def look_up(names, context):
        values = tuple(run(names, context) for run in runs)
        found = index.get(values)
        if found is not None:
            return found
        return slow(values, context)
    return look_up


def _rounding(value, exponent):
    """The closure of `round(x, places)` with the places known: half-up to `exponent`."""
    run = value.run
    if value.number:
        return lambda names, context: run(names, context).quantize(
            exponent, rounding=ROUND_HALF_UP, context=context)

    def rounded(names, context):
        number = run(names, context)
        if type(number) is not Decimal or not number.is_finite():
            number = _number(number, "round()")
        return number.quantize(exponent, rounding=ROUND_HALF_UP, context=context)
    return rounded


def _applied(function, parts):
    """A closure calling `function(context, *values)` with the values of `parts`, in order."""
    runs = [part.run for part in parts]
    if len(runs) == 1:
        (only,) = runs
        return lambda names, context: function(context, only(names, context))
    if len(runs) == 2:
        left, right = runs
        return lambda names, context: function(context, left(names, context),
                                               right(names, context))
    return lambda names, context: function(context, *[run(names, context) for run in runs])


def _run(closure, names, source):
    """Call a compiled closure with this thread's context; a failure is an EvaluationError."""
    try:
        return closure(names, _context())
    except Exception as error:  # noqa: BLE001 - _failure re-raises what it does not know
        raise _failure(error, source) from None


def _failure(error, source):
    """The EvaluationError for an exception raised while a formula ran (others go on)."""
    if isinstance(error, EvaluationError):
        return error
    if isinstance(error, decimal.DivisionByZero):
        return EvaluationError("division by zero in %s" % source)
    if isinstance(error, (ArithmeticError, TypeError, ValueError, KeyError, RecursionError)):
        return EvaluationError("the formula %s failed: %s" % (source, error))
    raise error


# --------------------------------------------------------------------------- formulas

class Formula:
    """A checked formula; `evaluate(values)` returns a Decimal or raises EvaluationError."""

    def __init__(self, source, root, names):
        self.source = source
        self.names = frozenset(names)  # the inputs it reads
        self._inputs = tuple(sorted(self.names))
        self._root = root  # the closure of the whole formula; it keeps no state between calls

    def evaluate(self, values):
        names = {}
        for name in self._inputs:
            value = values.get(name)
            kind = type(value)
            if kind is int:  # the common input (ages, family members), first for speed
                value = _WHOLE[value] if 0 <= value < _WHOLE_COUNT else Decimal(value)
            elif kind is not str and not (kind is Decimal and value.is_finite()):
                if value is None:
                    raise EvaluationError("the formula needs the input %s" % name)
                value = _number(value, name)
            names[name] = value
        try:
            context = _THREAD.context
        except AttributeError:
            context = _context()
        try:
            result = self._root(names, context)
        except Exception as error:  # noqa: BLE001 - _failure re-raises what it does not know
            raise _failure(error, self.source) from None
        if type(result) is not Decimal or not result.is_finite():
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
