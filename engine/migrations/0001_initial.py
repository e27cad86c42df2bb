"""Initial schema: tenants and versions, users and roles, employers, mail outbox, audit log."""
from peewee import *


def up(migrator, db):
    class User(Model):
        email = CharField(unique=True, max_length=254)
        name = CharField(default='')
        password_hash = CharField()
        email_verified_at = DateTimeField(null=True)
        session_token = CharField(max_length=64)
        locale = CharField(max_length=5, default='de')
        is_admin = BooleanField(default=False)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class Tenant(Model):
        slug = CharField(primary_key=True, max_length=40)
        name = CharField()
        current_digest = CharField(null=True, max_length=64)
        active = BooleanField(default=True)
        problems = TextField(default=list)
        checked_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'tenant'
    db.create_tables([Tenant])

    class Employer(Model):
        broker = ForeignKeyField(User, null=True, on_delete='SET NULL')
        company_name = CharField()
        street = CharField(default='')
        postal_code = CharField(max_length=10, default='')
        city = CharField(default='')
        industry = CharField(default='')
        employees_count = IntegerField(default=0)
        contact_name = CharField(default='')
        contact_email = CharField(max_length=254, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'employer'
    db.create_tables([Employer])

    class AuditEntry(Model):
        at = DateTimeField(index=True)
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        action = CharField(max_length=80)
        object_type = CharField(max_length=40)
        object_id = CharField(max_length=64)
        tenant = ForeignKeyField(Tenant, null=True, on_delete='SET NULL')
        employer = ForeignKeyField(Employer, null=True, on_delete='SET NULL')
        before = TextField(null=True)
        after = TextField(null=True)
        class Meta:
            database = db
            table_name = 'audit_entry'
            indexes = ((('object_type', 'object_id'), False),)
    db.create_tables([AuditEntry])

    class Outbox(Model):
        recipient = CharField(max_length=254)
        subject = CharField(max_length=300)
        body = TextField()
        status = CharField(index=True, max_length=10, default='pending')
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField(index=True)
        last_error = TextField(null=True)
        created_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'outbox'
    db.create_tables([Outbox])

    class Role(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=20)
        tenant = ForeignKeyField(Tenant, null=True, on_delete='CASCADE')
        employer = ForeignKeyField(Employer, null=True, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'role'
            indexes = ((('user', 'kind', 'tenant', 'employer'), True),)
    db.create_tables([Role])

    class TenantVersion(Model):
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        digest = CharField(max_length=64)
        snapshot = TextField()
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'tenant_version'
            indexes = ((('tenant', 'digest'), True),)
    db.create_tables([TenantVersion])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('tenant_version'))
    migrator.migrate(migrator.drop_table('role'))
    migrator.migrate(migrator.drop_table('outbox'))
    migrator.migrate(migrator.drop_table('audit_entry'))
    migrator.migrate(migrator.drop_table('employer'))
    migrator.migrate(migrator.drop_table('tenant'))
    migrator.migrate(migrator.drop_table('user'))
