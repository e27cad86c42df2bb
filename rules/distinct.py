"""Fact sets reduced to the distinct combinations their rules can tell apart.

A durable-rules message holds numbers and dates as integers that the rules only compare with
literals known when they are compiled (the thresholds). Replacing a value by a representative of
its interval between consecutive thresholds (a value equal to a threshold stays itself) changes
no comparison, so fact sets with the same representatives get the same verdict: the engine runs
once per distinct combination. Text and fields compared with anything but integer literals keep
their value; a missing value stays missing.
"""

from bisect import bisect_left

from rules.conditions import PRESENCE, SUFFIX, encode, presence_name
from rules.facts import lookup_parts, normalize

_KEEP = None  # a field whose value is kept as it is
_LEAVES = ("$neq", "$lt", "$lte", "$gt", "$gte")


def thresholds(expressions_list):
    """message field -> sorted integer literals it is compared with, or None to keep its value.

    `expressions_list` holds dicts of durable `m` expressions (rule key -> expression); presence
    tests ($ex, $nex) compare nothing. Any literal that is not an integer keeps its field.
    """
    found = {}

    def note(field, literal):
        if type(literal) is int:
            if found.get(field, ()) is not _KEEP:
                found.setdefault(field, set()).add(literal)
        else:
            found[field] = _KEEP

    def walk(expression):
        ((key, value),) = expression.items()
        if key in ("$and", "$or"):
            for child in value:
                walk(child)
        elif key in ("$ex", "$nex"):
            return
        elif key in _LEAVES:
            ((field, literal),) = value.items()
            note(field, literal)
        elif key.startswith("$"):
            raise ValueError("unexpected operator %s in a rule expression" % key)
        else:
            note(key, value)

    for expressions in expressions_list:
        for expression in expressions.values():
            walk(expression)
    return {field: _KEEP if limits is _KEEP else tuple(sorted(limits))
            for field, limits in found.items()}


def representative(value, limits):
    """The value rules cannot tell from `value` given its sorted thresholds `limits`.

    A threshold stays itself; a value between two thresholds (or beyond the last) becomes the
    one just above the lower one, a value below every threshold the one just below the first.
    """
    if not limits:
        return 0
    index = bisect_left(limits, value)
    if index < len(limits) and limits[index] == value:
        return value
    return limits[index - 1] + 1 if index else limits[0] - 1


class Combinations:
    """The distinct combinations of a batch of fact sets, for rule sets evaluated together.

    `fields` is a sequence of (operand, suffixes) as in `RuleSet.fields`, of every rule set;
    `expressions_list` the durable expressions those rule sets run. After construction:
    `keys` (one per combination, in order of first appearance), and per fact set `index` (its
    combination), `caches` (its derived values by label, as `Condition.holds` and
    `Condition.seen` read them); `firsts`: the position of each combination's first fact set.
    """

    def __init__(self, fields, expressions_list, facts_list):
        merged = {}
        for operand, suffixes in fields:
            merged.setdefault(operand.label, (operand, set()))[1].update(suffixes)
        self.fields = tuple((operand, frozenset(suffixes)) for operand, suffixes in merged.values())
        self.limits = thresholds(expressions_list)
        self._parts = [{} for _ in self.fields]  # per operand: value -> its part of a key
        found, self.keys, self.index, self.caches, self.firsts = {}, [], [], [], []
        for position, facts in enumerate(facts_list):
            cache = {}
            key = self.key(facts, cache)
            index = found.get(key)
            if index is None:
                index = found[key] = len(self.keys)
                self.keys.append(key)
                self.firsts.append(position)
            self.index.append(index)
            self.caches.append(cache)

    def messages(self, fields):
        """The durable message of each combination, with the fields of one rule set."""
        names = frozenset(operand.label + ":" + suffix for operand, suffixes in fields
                          for suffix in suffixes)
        return [{name: value for part in key for name, value in part if name in names}
                for key in self.keys]

    def key(self, facts, cache):
        """The combination of one fact set: a tuple of message parts, one per operand.

        A derived value (age, months, sums) is stored in `cache` (label -> resolved), where
        `Condition.holds` and `Condition.seen` read it. A fact's part is remembered by its raw
        value and type (True and 1 are different facts), so it is normalised once per value.
        """
        key = []
        for (operand, suffixes), parts in zip(self.fields, self._parts):
            if operand.key == "fact":
                raw = lookup_parts(facts, operand.parts[0])
                try:
                    part = parts[raw.__class__, raw]
                except KeyError:
                    part = parts[raw.__class__, raw] = self._part(operand, suffixes,
                                                                   normalize(raw))
                except TypeError:  # an unhashable value (a list) reaches no comparison
                    part = self._part(operand, suffixes, normalize(raw))
            else:
                resolved = cache[operand.label] = operand.resolve(facts)
                try:
                    part = parts[resolved]
                except KeyError:
                    part = parts[resolved] = self._part(operand, suffixes, resolved)
                except TypeError:
                    part = self._part(operand, suffixes, resolved)
            key.append(part)
        return tuple(key)

    def _part(self, operand, suffixes, resolved):
        if resolved is None:
            return ()
        items = []
        if PRESENCE in suffixes:
            items.append((presence_name(operand), 1))
        kind, value = resolved
        suffix = SUFFIX.get(kind)
        if suffix in suffixes:
            name = operand.label + ":" + suffix
            code = encode(kind, value)
            limits = self.limits.get(name, _KEEP)
            if limits is not _KEEP and type(code) is int:
                code = representative(code, limits)
            items.append((name, code))
        return tuple(items)
