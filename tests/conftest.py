"""Fixtures that build real things: a database (SQLite, or PostgreSQL with BKV_TEST_DB=postgresql),
a real SMTP server on 127.0.0.1, the demo tenants loaded, and the Flask app."""
import datetime
import os
import pathlib
import re
import threading
import uuid

import pytest
import time_machine

from tests import audit_watch

ROOT = pathlib.Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BKV_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _create_pg_database():
    import psycopg2
    name = f"bkv_test_{uuid.uuid4().hex[:10]}"
    try:
        conn = psycopg2.connect(PG_ADMIN_URL, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        pytest.exit(f"BKV_TEST_DB=postgresql but no PostgreSQL answers at {PG_ADMIN_URL}: {exc}", returncode=3)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(name):
    import psycopg2
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    kind = os.environ.get("BKV_TEST_DB", "sqlite")
    if kind == "postgresql":
        name, url = _create_pg_database()
        yield url
        from engine.db import database
        if database.obj is not None and not database.is_closed():
            database.close()
        _drop_pg_database(name)
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'bkv.db'}"
    else:
        raise pytest.UsageError(f"BKV_TEST_DB must be sqlite or postgresql, not {kind!r}")


class Mailbox:
    """What the test SMTP server received."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append({"to": envelope.rcpt_tos, "subject": str(message["subject"]),
                                  "body": message.get_body(preferencelist=("plain",)).get_content(),
                                  "id": str(message["message-id"]),
                                  "attachments": [(part.get_filename(), part.get_content_type(), part.get_content())
                                                  for part in message.iter_attachments()]})
        return "250 OK"

    def clear(self):
        with self.lock:
            self.messages.clear()

    def to(self, address):
        return [m for m in self.messages if address in m["to"]]

    def link(self, address, pattern=r"http://\S+"):
        """The last link mailed to `address`."""
        found = re.findall(pattern, self.to(address)[-1]["body"])
        assert found, f"no link in mail to {address}"
        return found[-1]


def free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller
    mailbox = Mailbox()
    mailbox.port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    mailbox.controller = controller
    yield mailbox
    controller.stop()


@pytest.fixture(scope="session")
def app(database_url, smtp_server, tmp_path_factory):
    from web import create_app
    from engine import migrate, registry
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
        "JOBS_BACKEND": "immediate", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server.port,
        "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")), "SERVER_NAME": "bkv.test",
        "BASE_URL": "http://bkv.test",  # links in mails; requests for other hosts than bkv.test get 400
        "DOCUMENTS_DIR": str(tmp_path_factory.mktemp("documents")),
        "LOGIN_RATE_LIMIT": "100000 per minute",  # test_login_attempts_are_rate_limited sets the real one
    })
    with app.app_context():
        migrate.upgrade()
        registry.sync(str(ROOT / "tenants"))
        _released.update(_releases_now())
    audit_watch.install(app)
    return app


TABLES_KEPT = {"tenant", "tenant_version", "tenant_file", "tenant_release", "schema_migration"}
_released = {}  # what the demo tenants' releases were after loading: each test ends with them again


def _releases_now():
    from engine.models import Tenant, TenantRelease
    return {"last": TenantRelease.select(TenantRelease.id).order_by(TenantRelease.id.desc()).scalar() or 0,
            "tenants": {row.slug: row.name for row in Tenant.select()}}


def _restore_releases():
    """Releases a test made (tests/tenant_versions.load_live, the releases page) are taken out again."""
    from engine import registry
    from engine.models import Tenant, TenantRelease
    TenantRelease.delete().where(TenantRelease.id > _released["last"]).execute()
    TenantRelease.update(withdrawn_at=None).where(TenantRelease.withdrawn_at.is_null(False)).execute()
    for slug, name in _released["tenants"].items():
        Tenant.update(name=name).where(Tenant.slug == slug).execute()
    registry.forget_live()

# The platform day every test runs on, whatever the machine's date (CI runs on any day). A test
# that needs another day moves the clock: `clock.move_to(...)` or time_machine.travel(...).
TODAY = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))


@pytest.fixture(autouse=True)
def clock():
    """The platform clock (engine.clock reads the system time) set to TODAY; it keeps ticking."""
    with time_machine.travel(TODAY, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def every_change_audited(request):
    """Fails a test whose HTTP requests changed the case without an audit entry (tests/audit_watch.py)."""
    del audit_watch.unaudited[:]
    yield
    assert not audit_watch.unaudited, f"changed without an audit entry: {audit_watch.unaudited}"


@pytest.fixture(autouse=True)
def clean_database(request):
    """Each test starts with the tenants loaded and nothing else."""
    yield
    if "app" not in request.fixturenames:
        return
    from engine.db import database
    from engine.models import ALL_MODELS
    from peewee import sort_models
    from web import pagecache
    pagecache.clear()  # ids start again in the emptied database: a kept page could look current
    with database.connection_context():
        for model in reversed(sort_models(ALL_MODELS)):
            if model._meta.table_name not in TABLES_KEPT:
                model.delete().execute()
        _restore_releases()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.clear()
    return smtp_server


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Create a verified user with a role: make_user("broker"), make_user("insurer", tenant="lumen")."""
    from engine import accounts
    from engine.models import Employer, Tenant

    def make(kind=None, email=None, password="correct-horse-42", tenant=None, employer=None, admin=False):
        with app.app_context():
            email = email or f"{kind or 'user'}-{uuid.uuid4().hex[:6]}@example.org"
            if kind == "employer" and employer is None:
                employer = Employer.create(company_name="Test GmbH")
            user = accounts.register(email, password, name=email.split("@")[0], role=kind,
                                     tenant=Tenant.get_by_id(tenant) if tenant else None,
                                     employer=employer, verified=True, is_admin=admin)
            user.plain_password = password
            return user
    return make


def log_in(client, user, password=None):
    token = csrf_from(client.get("/auth/login"))
    return client.post("/auth/login", data={"email": user.email, "password": password or user.plain_password,
                                            "csrf_token": token})


@pytest.fixture
def login(client):
    return lambda user, password=None: log_in(client, user, password)


def csrf_from(response):
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token in page"
    return match.group(1)
