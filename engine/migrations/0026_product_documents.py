"""Product documents per tariff (issue #17): their bytes stored once per content (tenant_file), what an
offer offered (offer.product_documents) and the attachments of a mail (outbox.attachments)."""
from peewee import *


def up(migrator, db):
    class Tenant(Model):
        slug = CharField(primary_key=True, max_length=40)

        class Meta:
            database = db
            table_name = 'tenant'

    class TenantFile(Model):
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        sha256 = CharField(max_length=64)
        size = IntegerField()
        data = TextField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'tenant_file'
            indexes = ((('tenant', 'sha256'), True),)
    db.create_tables([TenantFile])
    migrator.migrate(migrator.add_column('offer', 'product_documents', TextField(default='[]')),
                     migrator.add_column('outbox', 'attachments', TextField(default='[]')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('offer', 'product_documents'), migrator.drop_column('outbox', 'attachments'))
    db.execute_sql('DROP TABLE IF EXISTS "tenant_file"')
