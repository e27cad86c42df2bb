"""Evaluate compiled rules for many fact sets through durable-rules, and explain the outcome.

durable-rules decides which rules fire; the explanation (texts with their placeholders, the
facts each rule saw) is read from the same facts in Python afterwards.
"""

from dataclasses import dataclass

from rules import adapter
from rules.compile import ELIGIBILITY, RULES


@dataclass(frozen=True)
class Outcome:
    """What one rule decided for one fact set."""

    rule_id: str
    kind: str          # assign | reject | warn | require (ineligible for eligibility failures)
    value: str | None  # the tariff group of assign, the field of require
    texts: dict        # {de, en} for reject, warn and ineligible; {} otherwise
    seen: dict         # fact path (or derived value's label) -> the value the rule saw


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class GroupCheck:
    """Whether one fact set meets one tariff group's eligibility, and why not."""

    group_id: str
    failures: tuple  # Outcome per failed requirement, with its reason as texts

    @property
    def eligible(self):
        return not self.failures


@dataclass(frozen=True)
class Eligibility:
    """The first eligible group (in the order given) and every group's check."""

    group_id: str | None
    checks: tuple

    def check(self, group_id):
        return next(check for check in self.checks if check.group_id == group_id)


def _outcome(ruleset, rule, facts):
    return Outcome(rule.id, rule.outcome, rule.value, rule.render(facts, ruleset.settings),
                   rule.condition.seen(facts))


def _outcomes(ruleset, fired, facts):
    return tuple(_outcome(ruleset, rule, facts)
                 for key, rule in zip(ruleset.expressions, ruleset.rules) if key in fired)


def _batch(ruleset, facts_list, caches):
    return (ruleset.durable_name, ruleset.expressions,
            [ruleset.message(facts, cache) for facts, cache in zip(facts_list, caches)])


def _expect(ruleset, kind):
    if getattr(ruleset, "kind", None) != kind:
        raise TypeError("expected a RuleSet of %s, got %r" % (kind, ruleset))


def evaluate(ruleset, facts_list):
    """Evaluate a rules RuleSet for each fact set; one Decision per fact set."""
    _expect(ruleset, RULES)
    facts_list = list(facts_list)
    caches = [{} for _ in facts_list]
    (fired,) = adapter.fire([_batch(ruleset, facts_list, caches)])
    return [Decision(_outcomes(ruleset, keys, facts)) for keys, facts in zip(fired, facts_list)]


def check_eligibility(groups, facts_list):
    """For each fact set: the first group whose eligibility holds, and each group's failures.

    `groups` is a list of (group_id, eligibility RuleSet) in the order of preference.
    """
    groups = list(groups)
    ids = [group_id for group_id, _ in groups]
    if len(set(ids)) != len(ids):
        raise ValueError("group ids must be unique: %s" % ids)
    for _, ruleset in groups:
        _expect(ruleset, ELIGIBILITY)
    facts_list = list(facts_list)
    caches = [{} for _ in facts_list]  # derived values are shared between the groups
    fired = adapter.fire([_batch(ruleset, facts_list, caches) for _, ruleset in groups])
    results = []
    for position, facts in enumerate(facts_list):
        checks = tuple(GroupCheck(group_id, _outcomes(ruleset, per_group[position], facts))
                       for (group_id, ruleset), per_group in zip(groups, fired))
        first = next((check.group_id for check in checks if check.eligible), None)
        results.append(Eligibility(first, checks))
    return results
