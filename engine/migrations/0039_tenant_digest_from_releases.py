"""Which version of an insurer is in force is read from its releases (registry.in_force); the copy
`tenant.current_digest` went stale when a release was withdrawn, and the daily statement and collection
jobs read it as "has been live"."""
from peewee import CharField


def up(migrator, db):
    migrator.migrate(migrator.drop_column('tenant', 'current_digest'))


def down(migrator, db):
    migrator.migrate(migrator.add_column('tenant', 'current_digest', CharField(max_length=64, null=True)))
