"""Reconciliations (Abgleich): an uploaded statement or payroll result compared per person with the
platform's figures for a month, kept with its file and result (engine/reconciliation.py)."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Document(Model):
        class Meta:
            database = db
            table_name = 'document'

    class GroupContract(Model):
        class Meta:
            database = db
            table_name = 'group_contract'

    class Reconciliation(Model):
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        month = DateField()
        document = ForeignKeyField(Document, null=True, on_delete='SET NULL')
        side = CharField(max_length=20)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        summary = TextField(default=dict)

        class Meta:
            database = db
            table_name = 'reconciliation'
    db.create_tables([Reconciliation])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "reconciliation"')
