"""Security review II: imports carry their job's heartbeat (a stalled one is started again), and
"enrol all" runs as a job with its own progress row."""
from peewee import *


def up(migrator, db):
    class GroupContract(Model):
        class Meta:
            database = db
            table_name = 'group_contract'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class EnrolmentRun(Model):
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        requested_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        status = CharField(max_length=20, default='running')
        total = IntegerField(default=0)
        progress = IntegerField(default=0)
        sent = IntegerField(default=0)
        skipped = IntegerField(default=0)
        cursor = IntegerField(default=0)
        report = TextField(default=dict)
        created_at = DateTimeField()
        finished_at = DateTimeField(null=True)
        heartbeat_at = DateTimeField(null=True)
        attempts = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'enrolment_run'
    db.create_tables([EnrolmentRun])

    migrator.migrate(
        migrator.add_column('import_batch', 'heartbeat_at', DateTimeField(null=True)),
        migrator.add_column('import_batch', 'attempts', IntegerField(default=0)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('import_batch', 'attempts'),
        migrator.drop_column('import_batch', 'heartbeat_at'),
        migrator.drop_table('enrolment_run'),
    )
