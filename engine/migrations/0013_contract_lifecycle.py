"""The group contract's lifecycle (engine/workflows/contract.yaml): its state, lock version, the end
date of a cancellation with who gave notice and why, and the day its insured count last fell below
the tenant's minimum (so the daily job tells broker and insurer once per drop)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('group_contract', 'state', CharField(max_length=20, default='in_force')),
        migrator.add_column('group_contract', 'lock_version', IntegerField(default=0)),
        migrator.add_column('group_contract', 'end_date', DateField(null=True)),
        migrator.add_column('group_contract', 'cancelled_by', CharField(max_length=20, default='')),
        migrator.add_column('group_contract', 'cancellation_reason', TextField(default='')),
        migrator.add_column('group_contract', 'below_minimum_since', DateField(null=True)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('group_contract', 'below_minimum_since'),
        migrator.drop_column('group_contract', 'cancellation_reason'),
        migrator.drop_column('group_contract', 'cancelled_by'),
        migrator.drop_column('group_contract', 'end_date'),
        migrator.drop_column('group_contract', 'lock_version'),
        migrator.drop_column('group_contract', 'state'),
    )
