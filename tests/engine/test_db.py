"""The database layer: prepared queries bind new values into SQL rendered once; the live tenant a
process serves follows the database within registry.LIVE_CHECK_SECONDS."""
import peewee
import pytest

from engine import db, registry
from engine.db import prepared
from engine.errors import NotFound
from engine.models import Role, Tenant, User


@prepared
def _users_named(pattern, limit):
    return User.select(User.email).where(User.email ** pattern).order_by(User.email).limit(limit).tuples()


def test_a_prepared_query_answers_like_the_query_it_was_built_from(app, make_user):
    for name in ("ada", "anna", "bert"):
        make_user("broker", email=f"{name}@example.org")
    with app.app_context():
        rendered = []
        original = peewee.Query.sql

        def counting(self):
            rendered.append(1)
            return original(self)
        peewee.Query.sql = counting
        try:
            assert [e for (e,) in _users_named("a%", 10)] == ["ada@example.org", "anna@example.org"]
            assert [e for (e,) in _users_named("%b%", 1)] == ["bert@example.org"]
            assert list(_users_named("nobody%", 10)) == []
        finally:
            peewee.Query.sql = original
        assert len(rendered) <= 1  # rendered at most once (not at all if an earlier test did)


def test_a_prepared_query_renders_again_for_another_database(app):
    in_use = db.database.obj
    other = peewee.SqliteDatabase(":memory:")
    try:
        db.database.initialize(other)
        with other.connection_context():
            other.create_tables([User, Role])
            User.create(email="x@example.org", password_hash="-", session_token="t")
            assert [e for (e,) in _users_named("%", 5)] == ["x@example.org"]
    finally:
        db.database.initialize(in_use)
    with app.app_context():
        assert all(e != "x@example.org" for (e,) in _users_named("%", 100))


def test_the_live_tenant_follows_the_database_within_the_check_interval(app, monkeypatch):
    monkeypatch.setattr(registry, "LIVE_CHECK_SECONDS", 3600)
    with app.app_context():
        assert registry.get("auxilia").slug == "auxilia"
        try:
            Tenant.update(active=False).where(Tenant.slug == "auxilia").execute()  # as another process would
            assert registry.get("auxilia").slug == "auxilia"  # this process has not looked again yet
            monkeypatch.setattr(registry, "LIVE_CHECK_SECONDS", 0)
            with pytest.raises(NotFound):
                registry.get("auxilia")
        finally:
            Tenant.update(active=True).where(Tenant.slug == "auxilia").execute()
        assert registry.get("auxilia").slug == "auxilia"


def test_on_postgresql_a_prepared_query_is_prepared_on_each_connection_once(app, make_user):
    if not db.is_postgres():
        pytest.skip("server-side statements are PostgreSQL's (SQLite's driver caches its own)")
    make_user("broker", email="ada@example.org")
    with app.app_context():
        assert [e for (e,) in _users_named("ada%", 5)] == ["ada@example.org"]
        statements = [s for (s,) in db.database.execute_sql("SELECT statement FROM pg_prepared_statements").fetchall()]
        assert any('FROM "user"' in s and "ILIKE $1" in s and "LIMIT $2" in s for s in statements), statements
        db.database.close()
    db.database.obj.close_all()  # the pool's connections are gone: the next one prepares it again
    with app.app_context():
        assert [e for (e,) in _users_named("ada%", 5)] == ["ada@example.org"]
