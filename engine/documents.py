"""Documents: PDFs rendered from HTML templates (WeasyPrint) and a folder store with checksums.

The store keeps bytes outside the web root under a random key; the `Document` row holds name,
type, size and SHA-256, which is checked again on every read.
"""
import hashlib
import logging
import pathlib
import re
import uuid

import jinja2

from engine import formatting
from engine.errors import DomainError
from engine.models import Document

logger = logging.getLogger(__name__)

_store = {"root": None}
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(pathlib.Path(__file__).with_name("templates"))),
    autoescape=jinja2.select_autoescape(["html"]))
_templates.filters.update(money=formatting.money, date=formatting.date, t=formatting.text)


def init_store(root):
    path = pathlib.Path(root)
    path.mkdir(parents=True, exist_ok=True)
    _store["root"] = path


def _path(key):
    if _store["root"] is None:
        raise RuntimeError("document store not initialised: call documents.init_store(path)")
    return _store["root"] / key[:2] / key


def store(kind, filename, mime, data, employer=None, tenant=None):
    """Keep `data` and return its Document row (call inside the transaction that uses it)."""
    key = uuid.uuid4().hex
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Document.create(kind=kind, filename=filename, mime=mime, sha256=hashlib.sha256(data).hexdigest(),
                           size=len(data), storage_key=key, employer=employer, tenant=tenant)


def read(document):
    data = _path(document.storage_key).read_bytes()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise DomainError("Das Dokument ist beschädigt (Prüfsumme stimmt nicht).",
                          "The document is damaged (its checksum does not match).")
    return data


# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a name or a number
# they make a PDF show text in reverse ("GV-321" for "GV-123"); our templates never need them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def render_pdf(template, **context):
    """Render `engine/templates/pdf/<template>` to PDF bytes, bidi control characters removed."""
    from weasyprint import HTML
    html = BIDI_CONTROLS.sub("", _templates.get_template(f"pdf/{template}").render(**context))
    return HTML(string=html, base_url=str(pathlib.Path(__file__).parent)).write_pdf()


def delete(document):
    """Remove a document's bytes and its row (data protection erasure)."""
    path = _path(document.storage_key)
    if path.exists():
        path.unlink()
    document.delete_instance()
