"""The insurer's dated premium changes: which employer was told of which change for its contract, so
that each is told once (engine/price_changes.py)."""
from peewee import *


def up(migrator, db):
    class GroupContract(Model):
        class Meta:
            database = db
            table_name = 'group_contract'

    class TenantVersion(Model):
        class Meta:
            database = db
            table_name = 'tenant_version'

    class PremiumChangeNotice(Model):
        contract = ForeignKeyField(GroupContract, on_delete='CASCADE')
        change = CharField(max_length=64)
        tariff = CharField(max_length=64)
        valid_from = DateField()
        takes_effect = DateField()
        tenant_version = ForeignKeyField(TenantVersion, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'premium_change_notice'
            indexes = ((('contract', 'change'), True),)
    db.create_tables([PremiumChangeNotice])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('premium_change_notice'))
