"""People over time (issue #15): when the employer was reminded that a person's eligible-from date came,
the group the rules propose after a data change, and the leaver's continuation right (Fortführung) as a
case with a due date for the insurer."""
from peewee import *


def up(migrator, db):
    class Employee(Model):
        class Meta:
            database = db
            table_name = 'employee'

    class GroupContract(Model):
        class Meta:
            database = db
            table_name = 'group_contract'

    class BusinessEvent(Model):
        class Meta:
            database = db
            table_name = 'business_event'

    class ContinuationCase(Model):
        employee = ForeignKeyField(Employee, on_delete='CASCADE')
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        event = ForeignKeyField(BusinessEvent, unique=True, on_delete='CASCADE')
        due_date = DateField()
        email = CharField(max_length=254, default='')
        state = CharField(max_length=20, default='open', index=True)
        lock_version = IntegerField(default=0)
        created_at = DateTimeField()
        decided_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'continuation_case'
    db.create_tables([ContinuationCase])
    migrator.migrate(migrator.add_column('employee', 'eligible_reminded_at', DateTimeField(null=True)),
                     migrator.add_column('employee', 'group_proposal', TextField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('employee', 'group_proposal'),
                     migrator.drop_column('employee', 'eligible_reminded_at'))
    db.execute_sql('DROP TABLE IF EXISTS "continuation_case"')
