"""The database connection is lost and comes back: requests fail cleanly (the platform's error page,
no traceback) and the app recovers without a restart."""
import os

import pytest

from engine import db
from tests.conftest import log_in


def kill_connections(database_name):
    """Terminate every server connection to the test database, as a database restart does."""
    import psycopg2
    admin = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()", (database_name,))
    admin.close()


@pytest.mark.skipif(os.environ.get("BKV_TEST_DB") != "postgresql", reason="a server connection to lose exists only on PostgreSQL; SQLite is a file in-process")
def test_killed_connections_fail_cleanly_and_the_app_recovers(app, make_user):
    user = make_user("broker")
    client = app.test_client()
    log_in(client, user)
    assert client.get("/advisor/").status_code == 200
    name = db.database.obj.database


    # a connection held open across the outage (as a long request would) breaks mid-way
    db.database.connect(reuse_if_open=True)
    kill_connections(name)
    with pytest.raises(Exception):
        db.database.execute_sql("SELECT 1")
    db.database.close()
    # the next requests open fresh connections: they work, nothing to restart
    for _ in range(3):
        assert client.get("/advisor/").status_code == 200


@pytest.mark.skipif(os.environ.get("BKV_TEST_DB") != "postgresql", reason="a server connection to lose exists only on PostgreSQL; SQLite is a file in-process")
def test_the_worker_delivers_the_next_mail_after_its_connection_was_killed(app, mailbox):
    """A worker thread keeps running across a database restart: its next job opens a fresh connection."""
    import concurrent.futures
    from engine import mail
    from engine.db import transaction
    jobs = app.extensions["bkv_jobs"]
    name = db.database.obj.database

    def queued(address):  # as a request does: its own connection, returned at its end
        with app.app_context(), db.database.connection_context(), transaction():
            mail.queue(address, "Hallo", "Text")


    if not db.database.is_closed():
        db.database.close()
    mail.set_delivery_hook(None)  # the worker below delivers, as `bkv worker` does
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as worker:  # one long-lived worker thread
            queued("before@example.org")
            assert worker.submit(jobs.deliver_mail.call_local).result() == (1, 0)
            kill_connections(name)
            queued("after@example.org")
            assert worker.submit(jobs.deliver_mail.call_local).result() == (1, 0)
    finally:
        mail.set_delivery_hook(jobs.enqueue_mail_delivery)
    assert mailbox.to("before@example.org") and mailbox.to("after@example.org")
