"""German is complete: every text of the UI has a German translation, and the compiled catalog is current."""
import io
import pathlib

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = pathlib.Path(__file__).resolve().parents[2]
PO = ROOT / "web/translations/de/LC_MESSAGES/messages.po"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2"), ("**/templates/**.txt", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def ui_texts():
    for folder in ("web", "engine"):
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, METHODS, keywords=KEYWORDS):
            yield message[0] if isinstance(message, tuple) else message


def test_every_ui_text_has_a_german_translation():
    catalog = read_po(PO.open("rb"), locale="de")
    missing = sorted({text for text in ui_texts() if not (catalog.get(text) and catalog.get(text).string
                                                           and all(catalog.get(text).string if isinstance(catalog.get(text).string, tuple) else [catalog.get(text).string]))})
    assert missing == [], "run `make translations` and translate: " + "; ".join(missing)


def test_compiled_catalog_matches_the_po_file():
    po = read_po(PO.open("rb"), locale="de")
    mo = read_mo(io.BytesIO(PO.with_suffix(".mo").read_bytes()))
    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value
    assert {key(m.id): key(m.string) for m in po if m.id} == {key(m.id): key(m.string) for m in mo if m.id}
