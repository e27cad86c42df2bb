"""Releases of a tenant (issue #17): a loaded version is a draft until it is activated from a day
(tenant_release). Each tenant's live version so far becomes a release from the day it was stored."""
import datetime

from peewee import *


def up(migrator, db):
    class Tenant(Model):
        slug = CharField(primary_key=True, max_length=40)

        class Meta:
            database = db
            table_name = 'tenant'

    class TenantVersion(Model):
        class Meta:
            database = db
            table_name = 'tenant_version'

    class TenantRelease(Model):
        tenant = ForeignKeyField(Tenant, on_delete='CASCADE')
        version = ForeignKeyField(TenantVersion, on_delete='CASCADE')
        valid_from = DateField()
        created_at = DateTimeField()
        withdrawn_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'tenant_release'
    db.create_tables([TenantRelease])
    param = db.param
    rows = db.execute_sql('SELECT t.slug, v.id, v.created_at FROM tenant t JOIN tenant_version v '
                          'ON v.tenant_id = t.slug AND v.digest = t.current_digest').fetchall()
    for slug, version_id, created_at in rows:
        stored = created_at if isinstance(created_at, datetime.datetime) else \
            datetime.datetime.fromisoformat(str(created_at))
        db.execute_sql(f'INSERT INTO tenant_release (tenant_id, version_id, valid_from, created_at) '
                       f'VALUES ({param}, {param}, {param}, {param})', (slug, version_id, stored.date(), stored))


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "tenant_release"')
