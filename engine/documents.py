"""Documents: PDFs rendered from HTML templates (WeasyPrint) and a folder store with checksums.

The store keeps bytes outside the web root under a random key; the `Document` row holds name,
type, size and SHA-256, which is checked again on every read. A file and its row are one unit: the
bytes go to a temporary file that is renamed into place when the row's transaction commits and
removed when it rolls back; `sweep` removes what a killed process left (files without a row).
"""
import datetime
import hashlib
import logging
import os
import pathlib
import re
import unicodedata
import uuid

import jinja2

from engine import clock, formatting, richtext
from engine.db import after_commit, after_rollback
from engine.errors import DomainError
from engine.models import Document
from tenants.module_kinds import module_label

logger = logging.getLogger(__name__)

_store = {"root": None}
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(pathlib.Path(__file__).with_name("templates"))),
    autoescape=jinja2.select_autoescape(["html"]))
_templates.filters.update(money=formatting.money, date=formatting.date, t=formatting.text, markdown=richtext.html)
_templates.globals.update(module_label=module_label)


def init_store(root):
    path = pathlib.Path(root)
    path.mkdir(parents=True, exist_ok=True)
    _store["root"] = path


def _path(key):
    if _store["root"] is None:
        raise RuntimeError("document store not initialised: call documents.init_store(path)")
    return _store["root"] / key[:2] / key


MAX_FILENAME = 255
TEMP_SUFFIX = ".part"
SWEEP_AFTER = datetime.timedelta(hours=1)  # older files without a row are left over, not in a transaction
_KEY = re.compile(r"[0-9a-f]{32}")


def safe_filename(filename, default="datei"):
    """A stored file name: the last part of a path, no control or format characters (NUL, CR/LF,
    bidi overrides), spaces collapsed, at most MAX_FILENAME characters with the extension kept."""
    name = unicodedata.normalize("NFC", str(filename or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in name
                   if unicodedata.category(char) not in ("Cf", "Cs", "Co", "Cn"))
    name = re.sub(r"\s+", " ", name).strip(" .") or default
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[:MAX_FILENAME - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_FILENAME].rstrip(" .")
    return name


def store(kind, filename, mime, data, employer=None, tenant=None):
    """Keep `data` and return its Document row (call inside the transaction that uses it). The bytes
    take their place when the transaction commits; if it rolls back, no file is left behind."""
    key = uuid.uuid4().hex
    path = _path(key)
    temp = path.with_name(key + TEMP_SUFFIX)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp.write_bytes(data)
    try:
        document = Document.create(kind=kind, filename=safe_filename(filename), mime=mime,
                                   sha256=hashlib.sha256(data).hexdigest(), size=len(data), storage_key=key,
                                   employer=employer, tenant=tenant)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    after_rollback(lambda: temp.unlink(missing_ok=True))
    after_commit(lambda: _settle(key))
    return document


def _settle(key):
    """Put a committed document's temporary file in place; a file whose row is not there (rolled
    back in a savepoint) is removed."""
    path = _path(key)
    temp = path.with_name(key + TEMP_SUFFIX)
    if not temp.exists():
        return  # settled already (read inside its own transaction)
    if Document.select().where(Document.storage_key == key).exists():
        os.replace(temp, path)
    else:
        temp.unlink(missing_ok=True)


def read(document):
    path = _path(document.storage_key)
    if not path.exists() and path.with_name(path.name + TEMP_SUFFIX).exists():
        _settle(document.storage_key)  # the process stopped between commit and rename
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise DomainError("Das Dokument ist beschädigt (Prüfsumme stimmt nicht).",
                          "The document is damaged (its checksum does not match).")
    return data


# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a name or a number
# they make a PDF show text in reverse ("GV-321" for "GV-123"); our templates never need them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _html(template, **context):
    from weasyprint import HTML
    html = BIDI_CONTROLS.sub("", _templates.get_template(f"pdf/{template}").render(**context))
    return HTML(string=html, base_url=str(pathlib.Path(__file__).parent))


_later = None  # the job layer's hook(kind, record id) that makes a record's PDF (set_later_hook)


def make_later(kind, record_id):
    """Have a record's PDF ("statement" or "policy": its module's make_pdf) made by a job once this
    transaction commits; without a job layer it is made when first downloaded. Rendering takes a quarter
    second a page: accepting 30 enrolments or a statement run does not wait for it."""
    if _later is not None:
        after_commit(lambda: _later(kind, record_id))


def set_later_hook(hook):
    """The job layer registers how a record's PDF is made after the commit (hook(kind, record id))."""
    global _later
    _later = hook


def render_pdf(template, **context):
    """Render `engine/templates/pdf/<template>` to PDF bytes, bidi control characters removed."""
    return _html(template, **context).write_pdf()


def layout(template, **context):
    """The laid-out pages (WeasyPrint's Document) of what render_pdf would print: tests measure them."""
    return _html(template, **context).render()


def delete(document):
    """Remove a document's row and, once that is committed, its bytes (data protection erasure)."""
    path = _path(document.storage_key)
    document.delete_instance()
    after_commit(lambda: [file.unlink(missing_ok=True) for file in (path, path.with_name(path.name + TEMP_SUFFIX))])


def sweep(dry_run=False):
    """Remove stored files that no document row refers to (left by a killed process or before files
    and rows were one unit), and put committed temporary files in place. Files younger than
    SWEEP_AFTER are left alone: their transaction may still be running. Returns the paths removed."""
    if _store["root"] is None:
        raise RuntimeError("document store not initialised: call documents.init_store(path)")
    cutoff = clock.now().timestamp() - SWEEP_AFTER.total_seconds()
    removed = []
    for folder in sorted(p for p in _store["root"].iterdir() if p.is_dir()):
        files = {p: p.name.removesuffix(TEMP_SUFFIX) for p in folder.iterdir()
                 if p.is_file() and _KEY.fullmatch(p.name.removesuffix(TEMP_SUFFIX))}  # only what `store` writes
        keys = sorted(set(files.values()))
        known = {key for start in range(0, len(keys), 500) for (key,) in Document.select(Document.storage_key)
                 .where(Document.storage_key.in_(keys[start:start + 500])).tuples()}
        for path, key in sorted(files.items()):
            if path.stat().st_mtime > cutoff:
                continue
            if key in known:
                if path.name.endswith(TEMP_SUFFIX) and not dry_run:
                    _settle(key)
                continue
            removed.append(path)
            if not dry_run:
                path.unlink(missing_ok=True)
    if removed:
        logger.info("document store: %s %d file(s) without a document row", "found" if dry_run else "removed",
                    len(removed))
    return removed
