"""Compile rule lists and eligibility lists (YAML data) into RuleSets.

A RuleSet keeps each rule's Python condition (for explanations and the plain-Python floor) and
the durable-rules `m` expression per rule; `rules.adapter` registers those under a versioned
name, because durable-rules cannot register a name twice.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

from rules import adapter
from rules.conditions import build_message, compile_condition, compile_value, is_name
from rules.errors import RuleError
from rules.facts import lookup
from rules.texts import compile_texts

OUTCOMES = ("reject", "warn", "assign", "require")
INELIGIBLE = "ineligible"
RULES, ELIGIBILITY = "rules", "eligibility"

MAX_RULES = 500
MAX_FIELDS = 200  # durable-rules refuses messages with more than ~250 properties
_RULESET_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class Rule:
    """One compiled rule: its outcome applies when the condition holds (or, for eligibility,
    when the requirement fails)."""

    id: str
    outcome: str                  # reject | warn | assign | require | ineligible
    condition: object             # rules.conditions.Condition
    fires_on_failure: bool = False
    value: str | None = None      # assign: tariff group id; require: field name
    texts: object = None          # rules.texts.Texts for reject, warn and ineligible
    values: dict = field(default_factory=dict)  # name -> Operand for placeholders

    def render(self, facts, settings):
        """The outcome's texts {de, en} with placeholders filled from these facts."""
        if self.texts is None:
            return {}

        def value_of(name):
            if name in self.values:
                resolved = self.values[name].resolve(facts)
                return None if resolved is None else resolved[1]
            if name in settings:
                return settings[name]
            return lookup(facts, name)

        return self.texts.render(value_of)


class RuleSet:
    """Compiled rules of one list; `durable_name` is versioned by the content digest."""

    def __init__(self, name, kind, rules, settings):
        self.name = name
        self.kind = kind
        self.rules = tuple(rules)
        self.settings = dict(settings)
        fields = {}
        for rule in self.rules:
            for operand, suffixes in rule.condition.fields:
                fields.setdefault(operand.label, (operand, set()))[1].update(suffixes)
        self.fields = tuple((operand, frozenset(suffixes)) for operand, suffixes in fields.values())
        if sum(len(suffixes) for _, suffixes in self.fields) > MAX_FIELDS:
            raise RuleError("these rules read more than %d values; split them" % MAX_FIELDS, [])
        self.expressions = {}
        for index, rule in enumerate(self.rules):
            expression = rule.condition.durable(negate=rule.fires_on_failure)
            try:
                adapter.check_expression(expression)
            except ValueError as error:
                where = "require" if rule.fires_on_failure else "when"
                raise RuleError(str(error), [index, where]) from None
            self.expressions["r%d" % index] = expression
        canonical = json.dumps(self.expressions, sort_keys=True, ensure_ascii=False)
        self.digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        self.durable_name = "%s.%s" % (name, self.digest[:12])

    def message(self, facts, cache=None):
        """The flat durable-rules message for one fact set (derived values precomputed)."""
        return build_message(self.fields, facts, cache)

    def __repr__(self):
        return "RuleSet(%s, %d %s)" % (getattr(self, "durable_name", self.name),
                                       len(self.rules), self.kind)


def check_settings(settings):
    """Settings are named values rules refer to with {setting: name} (checked where used)."""
    if settings is None:
        return {}
    if not isinstance(settings, dict):
        raise RuleError("settings are a mapping of names to values", [])
    return {key: value for key, value in settings.items() if isinstance(key, str)}


def _check_name(name):
    if not isinstance(name, str) or not _RULESET_NAME.match(name):
        raise ValueError("ruleset names are lower-case words, dots and dashes: %r" % (name,))


def _items(data, what, allowed):
    if not isinstance(data, list):
        raise RuleError("%s are a list" % what, [])
    if len(data) > MAX_RULES:
        raise RuleError("at most %d %s" % (MAX_RULES, what), [])
    first_index = {}
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise RuleError("each entry is a mapping with %s" % ", ".join(allowed), [index])
        for key in item:
            if key not in allowed:
                raise RuleError("unknown key %r; expected %s" % (key, ", ".join(allowed)),
                                [index, str(key)])
        rule_id = item.get("id")
        if not is_name(rule_id):
            raise RuleError("id is required: a lower-case word such as min_months_employed",
                            [index, "id"])
        if rule_id in first_index:
            raise RuleError("duplicate id %r (also entry %d)" % (rule_id, first_index[rule_id]),
                            [index, "id"])
        first_index[rule_id] = index
    return data


def _values(item, settings, index):
    raw = item.get("values", {})
    if not isinstance(raw, dict):
        raise RuleError("values are a mapping of names to values", [index, "values"])
    values = {}
    for name, data in raw.items():
        if not is_name(name):
            raise RuleError("value names are lower-case words", [index, "values", str(name)])
        try:
            values[name] = compile_value(data, settings=settings, values=values)
        except RuleError as error:
            raise error.at(index, "values", name) from None
    return values


def _condition(item, key, settings, values, index):
    if key not in item:
        raise RuleError("%s is required" % key, [index])
    try:
        return compile_condition(item[key], settings=settings, values=values)
    except RuleError as error:
        raise error.at(index, key) from None


def _texts(data, values, settings, path):
    try:
        return compile_texts(data, names=set(values) | set(settings))
    except RuleError as error:
        raise error.at(*path) from None


def _outcome(item, values, settings, index):
    then = item.get("then")
    if not isinstance(then, dict) or len(then) != 1 or next(iter(then)) not in OUTCOMES:
        raise RuleError("then has exactly one of %s" % ", ".join(OUTCOMES), [index, "then"])
    ((outcome, data),) = then.items()
    if outcome in ("reject", "warn"):
        return outcome, None, _texts(data, values, settings, [index, "then", outcome])
    if not is_name(data):
        what = "a tariff group id" if outcome == "assign" else "a field name"
        raise RuleError("%s takes %s" % (outcome, what), [index, "then", outcome])
    return outcome, data, None


def compile_rules(data, *, name="rules", settings=None):
    """Compile `[{id, when, then, values?}]` into a RuleSet; RuleError with the path in `data`."""
    _check_name(name)
    settings = check_settings(settings)
    rules = []
    for index, item in enumerate(_items(data, "rules", ("id", "when", "then", "values"))):
        values = _values(item, settings, index)
        condition = _condition(item, "when", settings, values, index)
        outcome, value, texts = _outcome(item, values, settings, index)
        rules.append(Rule(item["id"], outcome, condition, False, value, texts, values))
    return RuleSet(name, RULES, rules, settings)


def compile_eligibility(data, *, name="eligibility", settings=None):
    """Compile `[{id, require, reason, values?}]`: eligible when every requirement holds."""
    _check_name(name)
    settings = check_settings(settings)
    rules = []
    for index, item in enumerate(_items(data, "eligibility rules",
                                        ("id", "require", "reason", "values"))):
        values = _values(item, settings, index)
        condition = _condition(item, "require", settings, values, index)
        if "reason" not in item:
            raise RuleError("reason {de, en} is required", [index])
        texts = _texts(item["reason"], values, settings, [index, "reason"])
        rules.append(Rule(item["id"], INELIGIBLE, condition, True, None, texts, values))
    return RuleSet(name, ELIGIBILITY, rules, settings)
