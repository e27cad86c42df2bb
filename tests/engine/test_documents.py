"""Review II, item 10: a stored file and its document row are one unit. A failed upload leaves no
file that no erasure could reach, names are stored as names (no NUL, no path, at most 255 characters),
and the sweep removes what a killed process left behind."""
import io
import os

import pytest

from engine import clock, documents, employees
from engine.db import transaction
from engine.models import Document, ImportBatch
from tests.conftest import log_in
from tests.engine.test_employees import contract_with_staff, rows


def stored_files():
    return sorted(path for path in documents._store["root"].rglob("*") if path.is_file())


def make_old(path, hours=2):
    stamp = clock.now().timestamp() - hours * 3600
    os.utime(path, (stamp, stamp))


def test_a_rolled_back_transaction_leaves_no_file_and_a_committed_one_leaves_exactly_its_own(app):
    with app.app_context():
        before = stored_files()
        with pytest.raises(RuntimeError):
            with transaction():
                documents.store("employee_upload", "liste.csv", "text/csv", b"Personalnummer\n1\n")
                raise RuntimeError("the row's transaction fails after the file was written")
        assert stored_files() == before and not Document.select().count()

        with transaction():
            document = documents.store("employee_upload", "liste.csv", "text/csv", b"Personalnummer\n1\n")
            assert documents._path(document.storage_key) not in stored_files()  # not before the commit
        assert stored_files() == sorted(before + [documents._path(document.storage_key)])
        assert documents.read(document) == b"Personalnummer\n1\n"

        with transaction():
            documents.delete(document)
        assert stored_files() == before


def test_an_upload_with_a_hostile_name_is_stored_with_a_plain_name(app, make_user):
    """A name over 255 characters or with NUL failed on PostgreSQL after the file was written."""
    case, contract, data = contract_with_staff(app, make_user, rows(2))
    before = stored_files()
    client = app.test_client()
    log_in(client, case["employer_user"])
    from tests.web.test_manager_journey import post
    contract_url = f"/m/lumen/contracts/{contract.id}"
    names = {"x" * 300 + ".csv": "x" * 251 + ".csv", "../../chef/li\x00ste.csv": "li ste.csv"}
    for sent, kept in names.items():
        response = post(client, contract_url + "/upload", {"file": (io.BytesIO(data), sent)}, page=contract_url,
                        content_type="multipart/form-data")
        assert response.status_code == 302
        with app.app_context():
            batch = ImportBatch.select().order_by(ImportBatch.id.desc()).first()
            assert batch.document.filename == kept and batch.status == "previewed"
    with app.app_context():
        uploads = Document.select().where(Document.kind == "employee_upload")
        assert sorted(set(stored_files()) - set(before)) == sorted(documents._path(d.storage_key) for d in uploads)


def test_the_sweep_removes_files_without_a_row_and_keeps_young_ones(app, make_user):
    case, contract, data = contract_with_staff(app, make_user, rows(1))
    with app.app_context():
        batch = employees.preview(case["employer_user"], contract, "a.csv", data)
        kept = documents._path(batch.document.storage_key)
        make_old(kept)
        orphan = documents._path("ab" + "0" * 30)  # a killed worker's file: no row ever committed
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(b"personal data")
        make_old(orphan)
        killed = orphan.with_name("ab" + "1" * 30 + documents.TEMP_SUFFIX)
        killed.write_bytes(b"personal data")
        make_old(killed)
        young = orphan.with_name("ab" + "2" * 30)
        young.write_bytes(b"being written")
        make_old(young, hours=0.5)
        # committed, but the process stopped before the rename: put in place, not removed
        committed = documents.store("employee_upload", "b.csv", "text/csv", b"rows")
        final = documents._path(committed.storage_key)
        os.replace(final, final.with_name(final.name + documents.TEMP_SUFFIX))
        make_old(final.with_name(final.name + documents.TEMP_SUFFIX))

        found = documents.sweep(dry_run=True)
        assert {orphan, killed} <= set(found) and orphan.exists()
        assert not {kept, young, final, final.with_name(final.name + documents.TEMP_SUFFIX)} & set(found)

    from web.cli import documents_cli
    result = app.test_cli_runner().invoke(documents_cli, ["sweep"])
    assert result.exit_code == 0 and f"removed: {orphan}" in result.output
    assert not orphan.exists() and not killed.exists()
    assert kept.exists() and young.exists() and final.exists()
    with app.app_context():
        assert documents.read(Document.get_by_id(committed.id)) == b"rows"
