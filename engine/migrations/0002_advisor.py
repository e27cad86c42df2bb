"""Advisor: documents, broker profiles and numbers, consultations, offers, applications."""
from peewee import *


def up(migrator, db):
    class Employer(Model):
        class Meta:
            database = db
            table_name = 'employer'

    class Tenant(Model):
        slug = CharField(primary_key=True, max_length=40)
        class Meta:
            database = db
            table_name = 'tenant'

    class TenantVersion(Model):
        class Meta:
            database = db
            table_name = 'tenant_version'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Document(Model):
        kind = CharField(max_length=40)
        filename = CharField()
        mime = CharField(max_length=100)
        sha256 = CharField(max_length=64)
        size = IntegerField()
        storage_key = CharField(unique=True)
        employer = ForeignKeyField(Employer, null=True, on_delete='SET NULL')
        tenant = ForeignKeyField(Tenant, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'document'
    db.create_tables([Document])

    class Consultation(Model):
        broker = ForeignKeyField(User, on_delete='CASCADE')
        employer = ForeignKeyField(Employer, on_delete='CASCADE')
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        tenant_version = ForeignKeyField(TenantVersion, on_delete='RESTRICT')
        tariffs = TextField(default=list)
        modules = TextField(default=list)
        answers = TextField(default=dict)
        recommendation = TextField(default='')
        state = CharField(max_length=20, default='open')
        lock_version = IntegerField(default=0)
        document = ForeignKeyField(Document, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        completed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'consultation'
    db.create_tables([Consultation])

    class Offer(Model):
        broker = ForeignKeyField(User, on_delete='CASCADE')
        employer = ForeignKeyField(Employer, on_delete='CASCADE')
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        tenant_version = ForeignKeyField(TenantVersion, on_delete='RESTRICT')
        consultation = ForeignKeyField(Consultation, null=True, on_delete='SET NULL')
        supersedes = ForeignKeyField('self', null=True, on_delete='SET NULL')
        revision = IntegerField(default=1)
        state = CharField(index=True, max_length=20, default='draft')
        lock_version = IntegerField(default=0)
        start_date = DateField()
        valid_until = DateField(null=True)
        groups = TextField(default=list)
        figures = TextField(default=dict)
        warnings = TextField(default=list)
        decline_reason = TextField(null=True)
        document = ForeignKeyField(Document, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        decided_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'offer'
    db.create_tables([Offer])

    class Application(Model):
        offer = ForeignKeyField(Offer, unique=True, on_delete='CASCADE')
        broker = ForeignKeyField(User, on_delete='CASCADE')
        employer = ForeignKeyField(Employer, on_delete='CASCADE')
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        tenant_version = ForeignKeyField(TenantVersion, on_delete='RESTRICT')
        state = CharField(index=True, max_length=20, default='draft')
        lock_version = IntegerField(default=0)
        data = TextField(default=dict)
        comment = TextField(null=True)
        created_at = DateTimeField()
        submitted_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'application'
    db.create_tables([Application])

    class BrokerNumber(Model):
        broker = ForeignKeyField(User, on_delete='CASCADE')
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        number = CharField(max_length=60)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'broker_number'
            indexes = ((('broker', 'tenant'), True),)
    db.create_tables([BrokerNumber])

    class BrokerProfile(Model):
        user = ForeignKeyField(User, unique=True, on_delete='CASCADE')
        data = TextField(default=dict)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'broker_profile'
    db.create_tables([BrokerProfile])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('broker_profile'))
    migrator.migrate(migrator.drop_table('broker_number'))
    migrator.migrate(migrator.drop_table('application'))
    migrator.migrate(migrator.drop_table('offer'))
    migrator.migrate(migrator.drop_table('consultation'))
    migrator.migrate(migrator.drop_table('document'))
