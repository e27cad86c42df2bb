"""Comparisons (issue #18): several insurers side by side for one client with the same inputs, what was
shown kept for the consultation record (engine/comparisons.py)."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Employer(Model):
        class Meta:
            database = db
            table_name = 'employer'

    class Consultation(Model):
        class Meta:
            database = db
            table_name = 'consultation'

    class Comparison(Model):
        broker = ForeignKeyField(User, on_delete='CASCADE')
        employer = ForeignKeyField(Employer, on_delete='CASCADE')
        consultation = ForeignKeyField(Consultation, null=True, on_delete='SET NULL')
        inputs = TextField(default=dict)
        insurers = TextField(default=list)
        shown = TextField(default=list)
        created_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        sent_to = CharField(max_length=254, null=True)

        class Meta:
            database = db
            table_name = 'comparison'
    db.create_tables([Comparison])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "comparison"')
