"""The insurer's name as sentences need it: in German with its article in each case ("Manager der
Hanseatischen Krankenversicherung", "an den Nordhafener Versicherungsverein"), in English as a name.
Without `name_forms` a tenant is named as before: "die <name>" / "der <name>" (a feminine name)."""

CASES = ("nominative", "accusative", "dative", "genitive")
DEFAULT_ARTICLES = {"nominative": "die", "accusative": "die", "dative": "der", "genitive": "der"}


def sentence_names(doc: dict, lang: str) -> dict:
    """{insurer, insurer_nominative, insurer_accusative, insurer_dative, insurer_genitive,
    insurer_sentence_start} of a tenant document in `lang` (de or en), as UI texts use them."""
    name = doc.get("name", doc.get("id", ""))
    forms = doc.get("name_forms") or {}
    if lang == "de":
        german = forms.get("de") or {}
        by_case = {case: german.get(case) or f"{DEFAULT_ARTICLES[case]} {name}" for case in CASES}
    else:
        by_case = {case: forms.get("en") or name for case in CASES}
    found = {"insurer": name, **{f"insurer_{case}": text for case, text in by_case.items()}}
    start = by_case["nominative"]
    found["insurer_sentence_start"] = start[:1].upper() + start[1:]
    return found
