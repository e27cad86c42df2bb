"""Language in the tenant: a content module's Markdown in German and English (file_en), and the
author's own words when a form value does not match its pattern (pattern_message)."""
import forms
from engine import consultations, registry
from tests.conftest import log_in
from tests.journey import submitted_application


def test_a_content_module_shows_its_english_markdown_on_english_pages(app, client):
    with app.app_context():
        case = submitted_application("lumen", tag="lang")
        live = registry.get("lumen")
        consultation = consultations.start(case["broker"], case["client"], live, ["budget_300"],
                                           ["nutzen_arbeitgeber", "steuer_sachbezug"])
    log_in(client, case["broker"])
    german = client.get(f"/advisor/consultations/{consultation.id}?step=0").text
    assert "Mitarbeitende binden:" in german
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get(f"/advisor/consultations/{consultation.id}?step=0").text
    assert "Keep people:" in english and "Mitarbeitende binden" not in english
    other = client.get(f"/advisor/consultations/{consultation.id}?step=1").text  # no file_en: the German text
    assert "Sachbezug" in other


def test_a_failed_pattern_says_the_insurers_words(app):
    with app.app_context():
        form = registry.get("lumen").compiled.application_form
    result = forms.validate(form, {"branchenschluessel": "6201"}, "de")
    assert result.errors["branchenschluessel"] == \
        "Bitte geben Sie den Branchenschlüssel mit Punkten an, z. B. 62.01 oder 62.01.0."
    assert forms.validate(form, {"branchenschluessel": "62-01"}, "en").errors["branchenschluessel"] == \
        "Please enter the industry code with dots, e.g. 62.01 or 62.01.0."
    assert "branchenschluessel" not in forms.validate(form, {"branchenschluessel": "62.01"}, "de").errors
