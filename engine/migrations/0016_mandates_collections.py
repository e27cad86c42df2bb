"""SEPA direct-debit mandates (employer's and employees') and the collection runs (pain.008 files)."""
from peewee import *


def up(migrator, db):
    class Tenant(Model):
        slug = CharField(primary_key=True, max_length=40)

        class Meta:
            database = db
            table_name = 'tenant'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Document(Model):
        class Meta:
            database = db
            table_name = 'document'

    class GroupContract(Model):
        class Meta:
            database = db
            table_name = 'group_contract'

    class Employee(Model):
        class Meta:
            database = db
            table_name = 'employee'

    class Statement(Model):
        class Meta:
            database = db
            table_name = 'statement'

    class Mandate(Model):
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        contract = ForeignKeyField(GroupContract, null=True, on_delete='CASCADE')
        employee = ForeignKeyField(Employee, null=True, on_delete='CASCADE')
        holder = CharField(max_length=140)
        iban = CharField(max_length=34)
        bic = CharField(max_length=11, null=True)
        reference = CharField(max_length=35)
        signed_on = DateField()
        first_collected_on = DateField(null=True)
        revoked_on = DateField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'mandate'
            indexes = ((('tenant', 'reference'), True),)

    class CollectionRun(Model):
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        collection_date = DateField()
        message_id = CharField(max_length=35)
        transactions = IntegerField()
        total = CharField(max_length=20)
        document = ForeignKeyField(Document, null=True, on_delete='SET NULL')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'collection_run'
            indexes = ((('tenant', 'collection_date'), True),)

    class CollectionItem(Model):
        run = ForeignKeyField(CollectionRun, on_delete='CASCADE')
        statement = ForeignKeyField(Statement, on_delete='CASCADE')
        debtor = CharField(max_length=40)
        mandate = ForeignKeyField(Mandate, null=True, on_delete='SET NULL')
        amount = CharField(max_length=20)
        end_to_end_id = CharField(max_length=35, default='')
        sequence = CharField(max_length=4, default='')

        class Meta:
            database = db
            table_name = 'collection_item'
            indexes = ((('statement', 'debtor'), True),)
    db.create_tables([Mandate, CollectionRun, CollectionItem])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('collection_item'))
    migrator.migrate(migrator.drop_table('collection_run'))
    migrator.migrate(migrator.drop_table('mandate'))
