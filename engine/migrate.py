"""Versioned schema migrations (engine/migrations/NNNN_name.py), applied by `bkv db upgrade`.

Built on peewee's own runner: each file has `up(migrator, db)` with frozen table definitions, and
the applied names are kept in the `schema_migration` table, so SQLite and PostgreSQL both work.
"""
import logging
import pathlib

from peewee import sort_models
from playhouse.migrations import Runner, template
from playhouse.schema_diff import diff_models

from engine.db import database
from engine.models import ALL_MODELS

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = pathlib.Path(__file__).with_name("migrations")


def runner():
    return Runner(database.obj, str(MIGRATIONS_DIR))


def upgrade():
    """Apply every migration not yet applied; returns their names. Safe to run on every start."""
    applied = runner().up()
    for name in applied:
        logger.info("applied migration %s", name)
    return applied


def status():
    return [(m.name, m.applied) for m in runner().status()]


def pending_changes():
    """How the models differ from the migrated database (empty when migrations are complete)."""
    return diff_models(database.obj, sort_models(ALL_MODELS))


def revision(name):
    """Write a new migration file holding what the models add over the current database."""
    diff = pending_changes()
    body = template(diff).replace("from engine.models import JSONText\n", "").replace("JSONText(", "TextField(")
    # Python-side defaults (utcnow) live in the models; the DDL needs none of them.
    body = "\n".join(line for line in body.splitlines() if "must be added by hand" not in line) + "\n"
    return runner().create(name, body=body)
