"""Security review II: invitations to an employer, the addressee an offer was mailed to, and the
insurer's confirmation of a broker number."""
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

    class Invitation(Model):
        employer = ForeignKeyField(Employer, on_delete='CASCADE')
        email = CharField(max_length=254)
        invited_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        expires_at = DateTimeField()
        accepted_at = DateTimeField(null=True)
        accepted_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'invitation'
    db.create_tables([Invitation])

    migrator.migrate(migrator.add_column('offer', 'sent_to', CharField(null=True, max_length=254)))
    # Offers mailed before: their addressee was the contact address they were mailed to, as far as known.
    db.execute_sql("UPDATE offer SET sent_to = (SELECT contact_email FROM employer WHERE employer.id = offer.employer_id) "
                   "WHERE sent_at IS NOT NULL")
    migrator.migrate(migrator.add_column('broker_number', 'confirmed_at', DateTimeField(null=True)))
    migrator.migrate(migrator.add_column('broker_number', 'confirmed_by_id', ForeignKeyField(User, field=User.id, null=True, on_delete='SET NULL')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('broker_number', 'broker_number_confirmed_by_id'))
    migrator.migrate(migrator.drop_column('broker_number', 'confirmed_by_id'))
    migrator.migrate(migrator.drop_column('broker_number', 'confirmed_at'))
    migrator.migrate(migrator.drop_column('offer', 'sent_to'))
    migrator.migrate(migrator.drop_table('invitation'))
