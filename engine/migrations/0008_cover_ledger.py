# Generated from a schema diff on 2026-12-02 06:59.
from peewee import *


def up(migrator, db):
    class BusinessEvent(Model):
        class Meta:
            database = db
            table_name = 'business_event'

    class Employee(Model):
        class Meta:
            database = db
            table_name = 'employee'

    class Enrolment(Model):
        class Meta:
            database = db
            table_name = 'enrolment'

    class GroupContract(Model):
        class Meta:
            database = db
            table_name = 'group_contract'

    class TenantVersion(Model):
        class Meta:
            database = db
            table_name = 'tenant_version'

    class CoverPeriod(Model):
        employee = ForeignKeyField(Employee, on_delete='CASCADE')
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        valid_from = DateField()
        valid_to = DateField(null=True)
        cover = CharField(max_length=20)
        tariff_group = CharField(max_length=60)
        tariffs = TextField(default=list)
        premium = CharField(max_length=20)
        payer = CharField(max_length=20, default='employer')
        reason = CharField(max_length=20)
        enrolment = ForeignKeyField(Enrolment, null=True, on_delete='SET NULL')
        event = ForeignKeyField(BusinessEvent, null=True, on_delete='SET NULL')
        event_kind = CharField(max_length=40, default='')
        tenant_version = ForeignKeyField(TenantVersion, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'cover_period'
            indexes = ((('employee', 'valid_from'), False),)
    db.create_tables([CoverPeriod])

    migrator.migrate(migrator.add_column('business_event', 'applied_at', DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('business_event', 'applied_at'))
    migrator.migrate(migrator.drop_table('cover_period'))
