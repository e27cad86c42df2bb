"""The database connection is lost and comes back: requests fail cleanly (the platform's error page,
no traceback) and the app recovers without a restart."""
import os

import pytest

from engine import db
from tests.conftest import log_in


@pytest.mark.skipif(os.environ.get("BKV_TEST_DB") != "postgresql", reason="a server connection to lose exists only on PostgreSQL; SQLite is a file in-process")
def test_killed_connections_fail_cleanly_and_the_app_recovers(app, make_user):
    import psycopg2
    user = make_user("broker")
    client = app.test_client()
    log_in(client, user)
    assert client.get("/advisor/").status_code == 200
    name = db.database.obj.database

    def kill_connections():
        admin = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        admin.close()

    # a connection held open across the outage (as a long request would) breaks mid-way
    db.database.connect(reuse_if_open=True)
    kill_connections()
    with pytest.raises(Exception):
        db.database.execute_sql("SELECT 1")
    db.database.close()
    # the next requests open fresh connections: they work, nothing to restart
    for _ in range(3):
        assert client.get("/advisor/").status_code == 200
