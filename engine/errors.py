"""Domain errors: messages people can act on, in German and English, with the field they concern."""

LANGUAGES = ("de", "en")


class DomainError(Exception):
    """`text` is {de, en}, like every text for people: the web shows the reader's language.
    `message` is the German text (the JSON API's language, and the logs')."""

    def __init__(self, de, en, *, field=None):
        super().__init__(de)
        self.text = {"de": de, "en": en}
        self.field = field

    @property
    def message(self):
        return self.text["de"]


class NotFound(DomainError):
    """The object does not exist or the actor may not know of it (404)."""


class Forbidden(DomainError):
    """The actor knows of the object but may not do this (403)."""


class Conflict(DomainError):
    """The object changed under the actor (someone else was faster)."""


def joined(texts, separator="\n"):
    """Several {de, en} texts as one, e.g. the texts of the rules that refused an action: one per
    line (pages show messages with `white-space: pre-line`)."""
    texts = list(texts)
    return {language: separator.join(text[language] for text in texts) for language in LANGUAGES}
