"""The facts the engine gives rules at each point are exactly the catalogue the tenant checker knows
(rules.facts.FACTS_AT): a fact the checker accepts is one a rule really sees."""
import datetime
from decimal import Decimal
from types import SimpleNamespace

from rules.facts import FACTS_AT

from engine import checks, eligibility, events, registry
from tests.journey import staffed_case

START = datetime.date(2027, 1, 1)
TODAY = datetime.date(2026, 12, 2)


def shape(facts):
    return {namespace: set(values) for namespace, values in facts.items() if namespace != "today"}


def catalogue(point):
    return {namespace: set(names) for namespace, names in FACTS_AT[point].items()}


def test_employee_rules_and_eligibility_see_the_catalogue():
    facts = eligibility.employee_facts({"birth_date": "1990-01-01"}, START, today=TODAY)
    assert shape(facts) == catalogue("employee") == catalogue("eligibility") and facts["today"] == TODAY


def test_offer_rules_see_the_catalogue():
    client = SimpleNamespace(employees_count=12, industry="agriculture")
    figures = {"insured": 12, "groups": [{"employer": Decimal("22.90")}]}
    facts = checks.offer_facts(SimpleNamespace(settings=SimpleNamespace(min_insured=5)), client, figures["groups"][0], figures,
                               START, Decimal(0), TODAY)
    assert shape(facts) == catalogue("offer") and facts["today"] == TODAY


def test_event_preconditions_see_the_catalogue_and_the_form(app, make_user):
    with app.app_context():
        case = staffed_case("auxilia", make_user("insurer", tenant="auxilia"), tag="facts")
        form = registry.get("auxilia").compiled.event_forms["leaving"]
        values = {name: None for name in form.names}
        facts = events.facts(case["contract"], case["employee"], "leaving", values, 1)
    expected = catalogue("event")
    expected["event"] |= set(form.names)
    assert shape(facts) == expected
