"""A case's timeline reads its newest audit entries first, a window at a time (engine/audit.py,
issue #19): an index on (employer, at, id) walks them in that order instead of sorting all of an
employer's entries (150,000 after importing and enrolling 50,000 people) on every contract page;
with the action, actor and tenant in it, finding where a long run ends reads the index alone."""


def up(migrator, db):
    migrator.migrate(migrator.add_index('audit_entry', ('employer_id', 'at', 'id', 'action', 'actor_id', 'tenant_id'), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('audit_entry', 'audit_entry_employer_id_at_id_action_actor_id_tenant_id'))
