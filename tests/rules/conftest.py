"""Shared helpers: run one condition through durable-rules (both directions) and through Python."""

import pytest

from rules.compile import compile_eligibility, compile_rules
from rules.conditions import compile_condition
from rules.evaluate import check_eligibility, evaluate

TEXTS = {"de": "Hinweis", "en": "note"}


def judge_conditions(conditions, facts_list, settings=None):
    """Per fact set and condition: (python, durable as rule, durable as eligibility requirement)."""
    rules = compile_rules([{"id": "c%d" % index, "when": data, "then": {"warn": TEXTS}}
                           for index, data in enumerate(conditions)], settings=settings)
    eligibility = compile_eligibility(
        [{"id": "c%d" % index, "require": data, "reason": TEXTS}
         for index, data in enumerate(conditions)], settings=settings)
    compiled = [compile_condition(data, settings=settings) for data in conditions]
    decisions = evaluate(rules, facts_list)
    checks = check_eligibility([("group", eligibility)], facts_list)
    table = []
    for facts, decision, check in zip(facts_list, decisions, checks):
        fired = {outcome.rule_id for outcome in decision.outcomes}
        failed = {outcome.rule_id for outcome in check.checks[0].failures}
        table.append([(condition.holds(facts), "c%d" % index in fired,
                       "c%d" % index not in failed)
                      for index, condition in enumerate(compiled)])
    return table


@pytest.fixture
def judge():
    """judge(condition, facts) -> the answer both engines agree on (fails when they differ)."""

    def judge_one(condition, facts, settings=None):
        python, as_rule, as_requirement = judge_conditions([condition], [facts], settings)[0][0]
        assert python == as_rule == as_requirement, (condition, facts, python, as_rule,
                                                     as_requirement)
        return python

    return judge_one


@pytest.fixture(scope="session")
def judge_many():
    """judge_conditions for property tests (session scope, so hypothesis may reuse it)."""
    return judge_conditions
