"""Monthly premium statements (Beitragsrechnung) of group contracts and their lines."""
from peewee import *


def up(migrator, db):
    class Document(Model):
        class Meta:
            database = db
            table_name = 'document'

    class Employee(Model):
        class Meta:
            database = db
            table_name = 'employee'

    class GroupContract(Model):
        class Meta:
            database = db
            table_name = 'group_contract'

    class TenantVersion(Model):
        class Meta:
            database = db
            table_name = 'tenant_version'

    class Statement(Model):
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        month = DateField()
        number = CharField(max_length=80)
        issued_at = DateTimeField()
        tenant_version = ForeignKeyField(TenantVersion, on_delete='RESTRICT')
        total = CharField(max_length=20)
        employer_total = CharField(max_length=20)
        employee_total = CharField(max_length=20)
        document = ForeignKeyField(Document, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'statement'
            indexes = ((('contract', 'month'), True),)

    class StatementLine(Model):
        statement = ForeignKeyField(Statement, on_delete='CASCADE')
        position = IntegerField()
        employee = ForeignKeyField(Employee, null=True, on_delete='SET NULL')
        person = CharField()
        personnel_number = CharField(max_length=60, default='')
        kind = CharField(max_length=20)
        for_month = DateField()
        period_from = DateField(null=True)
        period_to = DateField(null=True)
        cover = CharField(max_length=20, default='')
        tariff_group = CharField(max_length=60, default='')
        tariffs = TextField(default=list)
        payer = CharField(max_length=20, default='employer')
        amount = CharField(max_length=20)
        employer_amount = CharField(max_length=20)
        employee_amount = CharField(max_length=20)
        class Meta:
            database = db
            table_name = 'statement_line'
            indexes = ((('statement', 'position'), True),)
    db.create_tables([Statement, StatementLine])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('statement_line'))
    migrator.migrate(migrator.drop_table('statement'))
