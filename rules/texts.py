"""Bilingual texts of rule outcomes with placeholders such as {amount} filled from facts."""

import datetime
import re
from decimal import Decimal

from rules.errors import RuleError
from rules.facts import path_problem

LANGUAGES = ("de", "en")
MAX_TEXT = 1000
MISSING = "–"

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def _parse(text, names, path):
    """The template as a tuple of literal strings and placeholder names (1-tuples)."""
    parts, position = [], 0
    for match in _TOKEN.finditer(text):
        parts.append(text[position:match.start()])
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
        elif match.group(1) is None:
            raise RuleError("a lone %r; write {{ or }} for a brace, {name} for a value" % token,
                            path)
        else:
            name = match.group(1).strip()
            if name not in names and path_problem(name):
                raise RuleError("unknown placeholder {%s}; use a value of the rule (%s), a "
                                "setting or a fact path such as {offer.insured_count}"
                                % (name, ", ".join(sorted(names)) or "none"), path)
            parts.append((name,))
    parts.append(text[position:])
    return tuple(part for part in parts if part != "")


def format_value(value, language):
    """A fact value as people read it in `language`."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return {"de": "ja" if value else "nein", "en": "yes" if value else "no"}[language]
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y") if language == "de" else value.isoformat()
    if isinstance(value, (Decimal, float)):
        text = "{:f}".format(value) if isinstance(value, Decimal) else repr(value)
        return text.replace(".", ",") if language == "de" else text
    return str(value)


class Texts:
    """{de, en} templates; `render(lookup)` fills placeholders through `lookup(name)`."""

    def __init__(self, templates):
        self._templates = templates
        self.placeholders = tuple(dict.fromkeys(part[0] for parts in templates.values()
                                                for part in parts if isinstance(part, tuple)))
        self._fixed = None if self.placeholders else {  # texts without placeholders
            language: "".join(parts) for language, parts in templates.items()}

    def render(self, lookup):
        if self._fixed is not None:
            return dict(self._fixed)
        values = {name: lookup(name) for name in self.placeholders}
        return {
            language: "".join(part if isinstance(part, str)
                              else format_value(values[part[0]], language) for part in parts)
            for language, parts in self._templates.items()
        }


def compile_texts(data, names=()):
    """Compile {de: ..., en: ...}; `names` are the placeholders besides fact paths."""
    if not isinstance(data, dict):
        raise RuleError("texts are a mapping {de: ..., en: ...}", [])
    for key in data:
        if key not in LANGUAGES:
            raise RuleError("unknown language %r; texts have de and en" % (key,), [str(key)])
    templates = {}
    for language in LANGUAGES:
        text = data.get(language)
        if not isinstance(text, str) or not text.strip():
            raise RuleError("a text in %s is required" % language, [language])
        if len(text) > MAX_TEXT:
            raise RuleError("texts are at most %d characters" % MAX_TEXT, [language])
        templates[language] = _parse(text, frozenset(names), [language])
    return Texts(templates)
