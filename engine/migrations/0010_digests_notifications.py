"""Bulk work and quiet mail: a person's digest choice, decisions held for a digest mail, and the
in-app notifications."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class HeldDecision(Model):
        recipient = CharField(max_length=254)
        batch = CharField(max_length=32, null=True)
        line = TextField()
        link = CharField(max_length=500, default='')
        created_at = DateTimeField()
        mailed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'held_decision'
            indexes = ((('mailed_at', 'batch'), False),)

    class Notification(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        text = TextField()
        link = CharField(max_length=500, default='')
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'notification'
            indexes = ((('user', 'read_at'), False),)
    db.create_tables([HeldDecision, Notification])

    migrator.migrate(migrator.add_column('user', 'digest', CharField(max_length=10, default='batch')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('user', 'digest'))
    migrator.migrate(migrator.drop_table('notification'), migrator.drop_table('held_decision'))
