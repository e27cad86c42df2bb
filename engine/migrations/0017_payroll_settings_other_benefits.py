"""Payroll settings per group contract (treatment, wage type, DATEV numbers) and the employer's other
benefits in kind that share the monthly 50 EUR limit (engine/payroll.py, engine/benefit_limit.py)."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class GroupContract(Model):
        class Meta:
            database = db
            table_name = 'group_contract'

    class Employee(Model):
        class Meta:
            database = db
            table_name = 'employee'

    class PayrollSettings(Model):
        contract = ForeignKeyField(GroupContract, unique=True, on_delete='CASCADE')
        treatment = CharField(max_length=20, default='')
        wage_type = CharField(max_length=10, default='')
        consultant_number = CharField(max_length=10, default='')
        client_number = CharField(max_length=10, default='')
        updated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'payroll_settings'

    class OtherBenefit(Model):
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        employee = ForeignKeyField(Employee, null=True, on_delete='CASCADE')
        label = CharField(max_length=120)
        amount = CharField(max_length=20)
        from_month = DateField()
        to_month = DateField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'other_benefit'
    db.create_tables([PayrollSettings, OtherBenefit])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "other_benefit"')
    db.execute_sql('DROP TABLE IF EXISTS "payroll_settings"')
