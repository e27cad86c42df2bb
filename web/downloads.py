"""File downloads: every document and export leaves the app through here, as an attachment."""
import re
import unicodedata
from urllib.parse import quote

from flask import Response

from engine import documents

_UNSAFE_ASCII = re.compile(r'[^A-Za-z0-9 ._()+,=@-]')
_SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def content_disposition(filename):
    """`attachment` with the name as a plain ASCII `filename` (umlauts spelled out, € as EUR, anything
    else that could break the header or a file system replaced) and the exact name, UTF-8, as RFC 5987
    `filename*`. A stored name with `€` or CR/LF made every download of its document fail."""
    name = documents.safe_filename(filename, default="download")
    stem, dot, extension = name.rpartition(".")
    stem, extension = (stem, _ascii(extension)) if dot else (name, "")
    plain = (_ascii(stem) or "download") + (f".{extension}" if extension else "")
    if plain == name:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii(text):
    text = text.replace("€", "EUR").translate(_SPELLED)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"_+", "_", _UNSAFE_ASCII.sub("_", text)).strip(" ._")


def send_bytes(filename, data, mime):
    response = Response(data, mimetype=mime)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def send_document(document):
    """A stored document (its checksum is verified on read)."""
    return send_bytes(document.filename, documents.read(document), document.mime)
