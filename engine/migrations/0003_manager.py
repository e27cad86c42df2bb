"""Manager: group contracts, employees and imports, enrolments, events, policies, API keys, webhooks."""
from peewee import *


def up(migrator, db):
    class Application(Model):
        class Meta:
            database = db
            table_name = 'application'

    class Document(Model):
        class Meta:
            database = db
            table_name = 'document'

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

    class ApiKey(Model):
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        name = CharField(max_length=100)
        prefix = CharField(unique=True, max_length=16)
        key_hash = CharField(max_length=128)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'api_key'
    db.create_tables([ApiKey])

    class GroupContract(Model):
        application = ForeignKeyField(Application, unique=True, on_delete='CASCADE')
        employer = ForeignKeyField(Employer, on_delete='CASCADE')
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        tenant_version = ForeignKeyField(TenantVersion, on_delete='RESTRICT')
        policy_number = CharField(max_length=60)
        start_date = DateField()
        groups = TextField(default=list)
        document = ForeignKeyField(Document, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'group_contract'
    db.create_tables([GroupContract])

    class Employee(Model):
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        personnel_number = CharField(max_length=60)
        first_name = CharField()
        last_name = CharField()
        birth_date = DateField()
        gender = CharField(max_length=1, default='')
        email = CharField(max_length=254, default='')
        street = CharField(default='')
        postal_code = CharField(max_length=10, default='')
        city = CharField(default='')
        employment_start = DateField()
        employment_type = CharField(max_length=20)
        weekly_hours = CharField(max_length=10, default='')
        tariff_group_requested = CharField(default='')
        tariff_group = CharField(null=True, max_length=60)
        explanation = TextField(default=dict)
        row_digest = CharField(max_length=64, default='')
        state = CharField(index=True, max_length=20, default='new')
        lock_version = IntegerField(default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'employee'
            indexes = ((('contract', 'personnel_number'), True),)
    db.create_tables([Employee])

    class BusinessEvent(Model):
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        employee = ForeignKeyField(Employee, on_delete='CASCADE')
        type = CharField(max_length=40)
        data = TextField(default=dict)
        state = CharField(index=True, max_length=20, default='submitted')
        lock_version = IntegerField(default=0)
        reason = TextField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        decided_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'business_event'
    db.create_tables([BusinessEvent])

    class Enrolment(Model):
        employee = ForeignKeyField(Employee, on_delete='CASCADE')
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        state = CharField(index=True, max_length=20, default='sent')
        lock_version = IntegerField(default=0)
        tariff_group = CharField(max_length=60)
        tariffs = TextField(default=list)
        start_date = DateField()
        premium = CharField(max_length=20)
        reason = TextField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        decided_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'enrolment'
    db.create_tables([Enrolment])

    class IdempotencyRecord(Model):
        api_key = ForeignKeyField(ApiKey, on_delete='CASCADE')
        key = CharField(max_length=200)
        request_hash = CharField(max_length=64)
        status_code = IntegerField()
        body = TextField()
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'idempotency_record'
            indexes = ((('api_key', 'key'), True),)
    db.create_tables([IdempotencyRecord])

    class ImportBatch(Model):
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        uploaded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        document = ForeignKeyField(Document, on_delete='RESTRICT')
        status = CharField(max_length=20, default='previewed')
        total = IntegerField(default=0)
        valid = IntegerField(default=0)
        progress = IntegerField(default=0)
        report = TextField(default=dict)
        created_at = DateTimeField()
        imported_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'import_batch'
    db.create_tables([ImportBatch])

    class Policy(Model):
        employee = ForeignKeyField(Employee, on_delete='CASCADE')
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        enrolment = ForeignKeyField(Enrolment, null=True, on_delete='SET NULL')
        event = ForeignKeyField(BusinessEvent, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        number = CharField(max_length=60)
        start_date = DateField()
        end_date = DateField(null=True)
        tariff_group = CharField(max_length=60)
        tariffs = TextField(default=list)
        premium = CharField(max_length=20)
        status = CharField(max_length=20, default='active')
        document = ForeignKeyField(Document, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'policy'
    db.create_tables([Policy])

    class Webhook(Model):
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        url = CharField(max_length=500)
        secret = CharField(max_length=100)
        active = BooleanField(default=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'webhook'
    db.create_tables([Webhook])

    class WebhookDelivery(Model):
        webhook = ForeignKeyField(Webhook, on_delete='CASCADE')
        event = CharField(max_length=60)
        payload = TextField()
        status = CharField(index=True, max_length=10, default='pending')
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        last_error = TextField(null=True)
        created_at = DateTimeField()
        delivered_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'webhook_delivery'
    db.create_tables([WebhookDelivery])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('webhook_delivery'))
    migrator.migrate(migrator.drop_table('webhook'))
    migrator.migrate(migrator.drop_table('policy'))
    migrator.migrate(migrator.drop_table('import_batch'))
    migrator.migrate(migrator.drop_table('idempotency_record'))
    migrator.migrate(migrator.drop_table('enrolment'))
    migrator.migrate(migrator.drop_table('business_event'))
    migrator.migrate(migrator.drop_table('employee'))
    migrator.migrate(migrator.drop_table('group_contract'))
    migrator.migrate(migrator.drop_table('api_key'))
