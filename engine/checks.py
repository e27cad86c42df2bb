"""Rule checks the engine runs: platform rules (rules/platform.yaml) plus the tenant's own rules,
evaluated by the rules engine over facts built from the domain."""
import functools

from engine import clock, min_insured, offer_benefits
from rules.evaluate import evaluate
from rules.facts import EMPLOYER_FIELDS, read
from rules.platform import load_platform_rules


@functools.lru_cache(maxsize=64)
def _platform_rules(limit):
    return load_platform_rules({"benefit_in_kind_limit": limit})


def platform_rules(live):
    return _platform_rules(str(live.settings.benefit_in_kind_limit))


def employer_facts(client, kinds=EMPLOYER_FIELDS):
    """The client's fields its catalogue lets rules read (`kinds`: rules.facts.field_kinds of a catalogue)."""
    return read(client, kinds)


def _findings(decisions, extra=None):
    found = []
    for decision in decisions:
        for outcome in decision.outcomes:
            if outcome.kind in ("reject", "warn"):
                item = {"kind": outcome.kind, "rule": outcome.rule_id, "text": dict(outcome.texts), **(extra or {})}
                if item not in found:
                    found.append(item)
    return found


def offer_facts(live, client, group, figures, start_date, other_benefits, today):
    """The facts offer rules see for one offered group (rules.facts.FACTS_AT["offer"])."""
    return {"offer": {"start_date": start_date, "insured_count": figures["insured"],
                      "min_insured": live.settings.min_insured,
                      "monthly_employer_premium": group["employer"], "other_benefits_in_kind": other_benefits},
            "employer": employer_facts(client), "today": today}


def offer_findings(live, client, groups, figures, start_date, other_benefits, today=None, staff=None):
    """Rejections and warnings of an offer: one fact set per offered group (employer premiums differ by
    group). The benefit-in-kind limit is per person: the rules see the highest employer premium one person
    of the group costs, of its known staff (`staff`: {group id: [birth dates]}, offer_benefits.known_staff)
    or else of a person of the oldest working age; the warning says how many are over and the highest."""
    today = today or clock.today()
    offered = {g["id"]: g for g in groups}
    found = []
    for group in figures["groups"]:
        people = offer_benefits.check(live, offered[group["group"]], start_date, other_benefits,
                                      (staff or {}).get(group["group"]), figures["insured"])
        facts = offer_facts(live, client, group, figures, start_date, other_benefits, today)
        if people is not None:
            facts["offer"]["monthly_employer_premium"] = people.employer
        decisions = evaluate(platform_rules(live), [facts]) + evaluate(live.compiled.rules["offer"], [facts])
        for item in _findings(decisions):
            if item["rule"].endswith("benefit_in_kind_limit"):
                item["group"] = group["group"]
                if people is not None:
                    said = people.text(live.settings.benefit_in_kind_limit)
                    item["text"] = {lang: f"{said[lang]} {text}" for lang, text in item["text"].items()}
                    item.update({"persons_over": people.over, "highest": str(people.total), "age": people.age,
                                 "staff_known": people.known})
            if item not in found:
                found.append(item)
    known = {group_id: len(people) for group_id, people in (staff or {}).items()}
    for problem in min_insured.application_problems(live, groups, known):  # a group's own minimum or quota
        found.append({"kind": "reject", "rule": "group_minimum", "group": problem["group"],
                      "text": {"de": problem["de"], "en": problem["en"]}})
    return found
