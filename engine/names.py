"""How names are sorted and found as a German reader expects (DIN 5007, variant 1): "Böhm" before "Braun",
"Özdemir" with the O's; a search for "Schroder", "Schroeder" or "Schröder" finds all three spellings."""
import unicodedata

from peewee import fn

_SPELLED = (("ae", "a"), ("oe", "o"), ("ue", "u"))  # Schroeder is Schröder spelled without umlauts


def fold(text):
    """A text as it is sorted: case-folded, ß = ss, accents and umlauts dropped (ö = o, é = e)."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def sort_key(first_name, last_name):
    """A person's stored sort key (employee.name_key): last name, then first name, folded."""
    return f"{fold(last_name)} {fold(first_name)}".strip()


def searched(text):
    """A folded text or search term with ae/oe/ue read as the umlaut they spell (see `spelled_sql`)."""
    text = fold(text)
    for spelled, plain in _SPELLED:
        text = text.replace(spelled, plain)
    return text


def spelled_sql(column):
    """`searched` in SQL, over a column that already holds `fold`ed text (the same on SQLite and PostgreSQL)."""
    for spelled, plain in _SPELLED:
        column = fn.REPLACE(column, spelled, plain)
    return column


def matches(term, *texts):
    """Whether a search term occurs in any of the texts, folded as `searched` folds it."""
    term = searched(term)
    return any(term in searched(text) for text in texts)


def keyed(changes, person=None):
    """Changes to a person's columns with the sort key they imply, when they change a name (`person`: the
    stored person, whose other name stays)."""
    if "first_name" not in changes and "last_name" not in changes:
        return changes
    first = changes.get("first_name", getattr(person, "first_name", ""))
    last = changes.get("last_name", getattr(person, "last_name", ""))
    return dict(changes, name_key=sort_key(first, last))
