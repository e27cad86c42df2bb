"""File downloads: every document and export leaves the app through here, as an attachment."""
from flask import Response

from engine import documents


def send_bytes(filename, data, mime):
    response = Response(data, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def send_document(document):
    """A stored document (its checksum is verified on read)."""
    return send_bytes(document.filename, documents.read(document), document.mime)
