"""The employee's leaving date (Austrittsdatum) from an upload or the form, and the column mappings an
employer confirmed for a file layout (engine/column_mapping.py)."""
from peewee import *


def up(migrator, db):
    class Employer(Model):
        class Meta:
            database = db
            table_name = 'employer'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class ColumnMapping(Model):
        employer = ForeignKeyField(Employer, on_delete='CASCADE')
        layout_key = CharField(max_length=64)
        columns = TextField()
        confirmed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        confirmed_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'column_mapping'
            indexes = ((('employer', 'layout_key'), True),)
    db.create_tables([ColumnMapping])
    migrator.migrate(migrator.add_column('employee', 'leaving_date', DateField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('employee', 'leaving_date'))
    db.execute_sql('DROP TABLE IF EXISTS "column_mapping"')
