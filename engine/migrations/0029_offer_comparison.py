"""Offers made from one comparison point at it (issue #18): they are sent together and the employer
accepts one of them, which closes the others."""
from peewee import *


def up(migrator, db):
    class Comparison(Model):
        class Meta:
            database = db
            table_name = 'comparison'
    migrator.migrate(migrator.add_column('offer', 'comparison_id', ForeignKeyField(
        Comparison, field=Comparison.id, null=True, on_delete='SET NULL')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('offer', 'comparison_id'))
