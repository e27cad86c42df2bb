"""Invitations to an insurer's back office: an invitation names a tenant and a role (staff or
administrator) instead of an employer."""
from peewee import *

def up(migrator, db):
    class Tenant(Model):
        slug = CharField(primary_key=True, max_length=40)
        class Meta:
            database = db
            table_name = 'tenant'

    migrator.migrate(migrator.add_column('invitation', 'tenant_id', ForeignKeyField(Tenant, field=Tenant.slug, null=True, on_delete='CASCADE')))
    migrator.migrate(migrator.add_column('invitation', 'role', CharField(max_length=20, default='employer')))
    migrator.migrate(migrator.drop_not_null('invitation', 'employer_id'))


def down(migrator, db):
    db.execute_sql("DELETE FROM invitation WHERE employer_id IS NULL")
    migrator.migrate(migrator.add_not_null('invitation', 'employer_id'))
    migrator.migrate(migrator.drop_index('invitation', 'invitation_tenant_id'))
    migrator.migrate(migrator.drop_column('invitation', 'role'))
    migrator.migrate(migrator.drop_column('invitation', 'tenant_id'))
