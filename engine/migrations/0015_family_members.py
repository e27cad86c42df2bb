"""Family members as insured persons (engine/family.py): their own table, their periods in the cover
ledger and their lines in the monthly statements."""
from peewee import *


def up(migrator, db):
    class Employee(Model):
        class Meta:
            database = db
            table_name = 'employee'

    class BusinessEvent(Model):
        class Meta:
            database = db
            table_name = 'business_event'

    class FamilyMember(Model):
        employee = ForeignKeyField(Employee, on_delete='CASCADE')
        event = ForeignKeyField(BusinessEvent, null=True, on_delete='SET NULL')
        role = CharField(max_length=20)
        first_name = CharField()
        last_name = CharField()
        birth_date = DateField()
        payer = CharField(max_length=20, default='employee')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'family_member'
    db.create_tables([FamilyMember])
    migrator.migrate(
        migrator.add_column('cover_period', 'family_member_id',
                            ForeignKeyField(FamilyMember, null=True, on_delete='CASCADE', field=FamilyMember.id)),
        migrator.add_column('statement_line', 'family_member_id',
                            ForeignKeyField(FamilyMember, null=True, on_delete='SET NULL', field=FamilyMember.id)),
        migrator.add_column('statement_line', 'role', CharField(max_length=20, default='')),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column('statement_line', 'role'),
                     migrator.drop_column('statement_line', 'family_member_id'),
                     migrator.drop_column('cover_period', 'family_member_id'))
    db.execute_sql('DROP TABLE IF EXISTS "family_member"')
