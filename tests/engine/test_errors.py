"""Every domain error is raised with its German and its English text, so no user reads the wrong language."""
import ast
import pathlib

from engine.errors import DomainError, NotFound, joined

ROOT = pathlib.Path(__file__).resolve().parents[2]
ERRORS = {"DomainError", "NotFound", "Forbidden", "Conflict", "FileUnusable", "KeyReused"}


def raised_errors():
    for folder in ("engine", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name in ERRORS:
                        yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def test_every_domain_error_has_a_german_and_an_english_text():
    found = list(raised_errors())
    missing = [where for where, call in found
               if len(call.args) < 2 and not any(keyword.arg is None for keyword in call.keywords)]
    assert len(found) > 50 and missing == []


def test_the_german_text_is_the_message_and_both_are_kept():
    error = NotFound("Antrag nicht gefunden.", "Application not found.")
    assert isinstance(error, DomainError) and error.message == str(error) == "Antrag nicht gefunden."
    assert error.text == {"de": "Antrag nicht gefunden.", "en": "Application not found."} and error.field is None


def test_texts_join_per_language():
    refused = [{"de": "Eins.", "en": "One."}, {"de": "Zwei.", "en": "Two."}]
    assert joined(refused) == {"de": "Eins.\nZwei.", "en": "One.\nTwo."}
