"""A tariff's product documents (AVB, Produktinformationsblatt): PDF files of the tenant folder, named
per tariff in tenant.yaml with title and version. An offer records the ones of its tariffs as they were
(so a later version of a document does not change what was offered); the mail that sends it carries
them as attachments; the bytes are kept once per content (TenantFile)."""
import base64

from engine.db import prepared
from engine.errors import NotFound
from engine.models import Application, Offer, TenantFile


def of_tariffs(doc, tariff_ids):
    """[{tariff, tariff_name, title, version, file, sha256, size}] of the documents of `tariff_ids` in a
    tenant document, in the document's order; a file two tariffs share is listed once."""
    wanted, found, seen = set(tariff_ids), [], set()
    for tariff in doc["tariffs"]:
        if tariff["id"] not in wanted:
            continue
        for entry in tariff.get("documents", []):
            if entry["sha256"] in seen:
                continue
            seen.add(entry["sha256"])
            found.append({"tariff": tariff["id"], "tariff_name": tariff["name"], "title": entry["title"],
                          "version": entry["version"], "file": entry["file"], "sha256": entry["sha256"],
                          "size": entry["size"]})
    return found


@prepared
def _of_application(application_id):
    return (Offer.select(Offer.product_documents).join(Application, on=(Application.offer == Offer.id))
            .where(Application.id == application_id).tuples())


def of_contract(contract):
    """The documents recorded with the offer a group contract was made from (one query: the contract
    page does not load the application and the offer with their forms for this)."""
    return next((documents for (documents,) in _of_application(contract.application_id)), None)


def filename(entry, lang="de"):
    """The name a document is downloaded or attached under: its title and version."""
    return f"{entry['title'][lang]} {entry['version']}.pdf".replace("/", "-")


def read(tenant_slug, sha256):
    """The bytes of one of the tenant's product documents; NotFound for any other."""
    row = TenantFile.get_or_none((TenantFile.tenant == tenant_slug) & (TenantFile.sha256 == sha256))
    if row is None:
        raise NotFound("Dokument nicht gefunden.", "Document not found.")
    return base64.b64decode(row.data)


def attachments(tenant_slug, entries, lang="de"):
    """The outbox's attachment entries for the documents (engine/mail reads them when sending)."""
    return [{"filename": filename(entry, lang), "tenant": tenant_slug, "sha256": entry["sha256"]} for entry in entries]
