"""Evaluate compiled rules for many fact sets through durable-rules, and explain the outcome.

durable-rules decides which rules fire, once per distinct combination of the facts the rules
read (`rules.distinct`); each fact set's explanation (texts with their placeholders, the facts
each rule saw) is read from its own facts in Python afterwards.
"""

import hashlib
import json
from dataclasses import dataclass

from rules import adapter
from rules.compile import ELIGIBILITY, RULES
from rules.distinct import Combinations
from rules.errors import EvaluationError

ALL = "all"  # the rule key of an eligibility list's single rule (see _verdict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one rule decided for one fact set."""

    rule_id: str
    kind: str          # assign | reject | warn | require (ineligible for eligibility failures)
    value: str | None  # the tariff group of assign, the field of require
    texts: dict        # {de, en} for reject, warn and ineligible; {} otherwise
    seen: dict         # fact path (or derived value's label) -> the value the rule saw


@dataclass(frozen=True, slots=True)
class Decision:
    """All outcomes of a rule set for one fact set, in rule order."""

    outcomes: tuple

    def of_kind(self, kind):
        return tuple(outcome for outcome in self.outcomes if outcome.kind == kind)

    @property
    def rejected(self):
        return bool(self.of_kind("reject"))

    @property
    def assigned(self):
        """The tariff group of the first assign rule that fired, or None."""
        assigned = self.of_kind("assign")
        return assigned[0].value if assigned else None

    @property
    def required(self):
        return tuple(outcome.value for outcome in self.of_kind("require"))


@dataclass(frozen=True, slots=True)
class GroupCheck:
    """Whether one fact set meets one tariff group's eligibility, and why not."""

    group_id: str
    failures: tuple  # Outcome per failed requirement, with its reason as texts

    @property
    def eligible(self):
        return not self.failures


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The first eligible group (in the order given) and every group's check."""

    group_id: str | None
    checks: tuple

    def check(self, group_id):
        return next(check for check in self.checks if check.group_id == group_id)


def _outcome(ruleset, rule, facts, cache, fixed):
    texts = fixed.get(id(rule))
    texts = rule.render(facts, ruleset.settings) if texts is None else dict(texts)
    return Outcome(rule.id, rule.outcome, rule.value, texts, rule.condition.seen(facts, cache))


def _fixed_texts(rulesets):
    """id(rule) -> its texts, for the rules whose texts have no placeholders (rendered once)."""
    return {id(rule): rule.render({}, ruleset.settings) for ruleset in rulesets
            for rule in ruleset.rules if rule.texts is None or not rule.texts.placeholders}


def _expect(ruleset, kind):
    if getattr(ruleset, "kind", None) != kind:
        raise TypeError("expected a RuleSet of %s, got %r" % (kind, ruleset))


_verdicts = {}  # RuleSet.durable_name -> (durable name, expressions, all requirements in one)


def _verdict(ruleset):
    """What durable-rules runs for an eligibility list: one rule holding when every
    requirement holds, so that only eligible fact sets run an action; the failed requirements
    are then read in Python. A list too big for one rule runs one rule per failed requirement.
    """
    try:
        return _verdicts[ruleset.durable_name]
    except KeyError:
        pass
    verdict = (ruleset.durable_name, ruleset.expressions, False)
    if ruleset.rules:
        parts = []
        for rule in ruleset.rules:
            expression = rule.condition.durable()
            parts.extend(expression["$and"] if list(expression) == ["$and"] else [expression])
        expression = parts[0] if len(parts) == 1 else {"$and": parts}
        try:
            adapter.check_expression(expression)
        except ValueError:
            pass
        else:
            canonical = json.dumps(expression, sort_keys=True, ensure_ascii=False)
            digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
            verdict = ("%s.all.%s" % (ruleset.name, digest[:12]), {ALL: expression}, True)
    _verdicts[ruleset.durable_name] = verdict
    return verdict


def _combinations(rulesets, expressions_list, facts_list):
    return Combinations([field for ruleset in rulesets for field in ruleset.fields],
                        expressions_list, facts_list)


def evaluate(ruleset, facts_list, stats=None):
    """Evaluate a rules RuleSet for each fact set; one Decision per fact set.

    durable-rules runs once per distinct combination of the facts the rules read (see
    rules.distinct); `stats`, a dict when given, gets `fact_sets` and `distinct`.
    """
    _expect(ruleset, RULES)
    facts_list = list(facts_list)
    expressions = ruleset.expressions
    combinations = _combinations([ruleset], [expressions], facts_list)
    (fired,) = adapter.fire([(ruleset.durable_name, expressions,
                              combinations.messages(ruleset.fields))])
    firing = [tuple(rule for key, rule in zip(expressions, ruleset.rules) if key in keys_fired)
              for keys_fired in fired]
    _count(stats, facts_list, combinations)
    fixed = _fixed_texts([ruleset])
    return [Decision(tuple(_outcome(ruleset, rule, facts, cache, fixed)
                           for rule in firing[index]))
            for facts, index, cache in zip(facts_list, combinations.index, combinations.caches)]


def check_eligibility(groups, facts_list, stats=None):
    """For each fact set: the first group whose eligibility holds, and each group's failures.

    `groups` is a list of (group_id, eligibility RuleSet) in the order of preference.
    durable-rules decides each group once per distinct combination of the facts the groups read
    (see rules.distinct); `stats`, a dict when given, gets `fact_sets` and `distinct`.
    """
    groups = list(groups)
    ids = [group_id for group_id, _ in groups]
    if len(set(ids)) != len(ids):
        raise ValueError("group ids must be unique: %s" % ids)
    for _, ruleset in groups:
        _expect(ruleset, ELIGIBILITY)
    facts_list = list(facts_list)
    rulesets = [ruleset for _, ruleset in groups]
    verdicts = [_verdict(ruleset) for ruleset in rulesets]
    combinations = _combinations(rulesets, [expressions for _, expressions, _ in verdicts],
                                 facts_list)
    fired = adapter.fire([(name, expressions, combinations.messages(ruleset.fields))
                          for ruleset, (name, expressions, _) in zip(rulesets, verdicts)])
    failing = [  # per group, per combination: the failed requirements
        _failures(group_id, ruleset, verdict, per_key, facts_list, combinations)
        for (group_id, ruleset), verdict, per_key in zip(groups, verdicts, fired)]
    _count(stats, facts_list, combinations)
    eligible = [GroupCheck(group_id, ()) for group_id in ids]  # shared: it holds no facts
    fixed = _fixed_texts(rulesets)
    results = []
    for facts, index, cache in zip(facts_list, combinations.index, combinations.caches):
        checks, first = [], None
        for (group_id, ruleset), passed, per_key in zip(groups, eligible, failing):
            failed = per_key[index]
            if failed:
                checks.append(GroupCheck(group_id, tuple(
                    _outcome(ruleset, rule, facts, cache, fixed) for rule in failed)))
            else:
                checks.append(passed)
                if first is None:
                    first = group_id
        results.append(Eligibility(first, tuple(checks)))
    return results


def _failures(group_id, ruleset, verdict, per_key, facts_list, combinations):
    """Per combination, the requirements of one group it fails.

    With one rule for the whole list (see _verdict), durable-rules says whether the group is
    met; which requirements failed is read in Python from the combination's first fact set, and
    the two must agree. Otherwise durable-rules fired one rule per failed requirement.
    """
    _, expressions, whole = verdict
    if not whole:
        return [tuple(rule for key, rule in zip(expressions, ruleset.rules) if key in keys_fired)
                for keys_fired in per_key]
    failures = []
    for position, keys_fired in zip(combinations.firsts, per_key):
        if ALL in keys_fired:
            failures.append(())
            continue
        facts, cache = facts_list[position], combinations.caches[position]
        failed = tuple(rule for rule in ruleset.rules if not rule.condition.holds(facts, cache))
        if not failed:
            raise EvaluationError("the rules engine found group %s not met, but every "
                                  "requirement holds" % group_id)
        failures.append(failed)
    return failures


def _count(stats, facts_list, combinations):
    if stats is not None:
        stats["fact_sets"] = len(facts_list)
        stats["distinct"] = len(combinations.keys)
