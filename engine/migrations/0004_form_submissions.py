"""One-time ids of submitted HTML forms, so a double submit is answered once."""
from peewee import *


def up(migrator, db):
    class FormSubmission(Model):
        owner = CharField(max_length=80)
        submission_id = CharField(max_length=64)
        location = CharField(null=True, max_length=500)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'form_submission'
            indexes = ((('owner', 'submission_id'), True),)
    db.create_tables([FormSubmission])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('form_submission'))
