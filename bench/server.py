"""What the HTTP benchmarks share: a scratch PostgreSQL database, gunicorn serving an app until it
answers, and percentiles."""
import contextlib
import http.client
import os
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG = "postgresql://postgres@127.0.0.1:5432"


def _psql(sql):
    import psycopg2
    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


@contextlib.contextmanager
def scratch_database(prefix):
    """A new PostgreSQL database's URL, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    _psql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG}/{name}"
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def serving(app_spec, env, port, workers):
    """gunicorn (sync workers) serving `app_spec` on 127.0.0.1:port, once it answers."""
    process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", str(workers),
                                "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec], env=env, cwd=ROOT)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
