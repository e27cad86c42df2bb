"""A large employer's staff list and counts (issue #19): a page of everyone is read in the order of
(contract, name_key, id) instead of sorting all 50,000 people, and the headcounts by state and tariff
group and the count of those ready for enrolment read an index of (contract, state, tariff_group,
eligible_from) instead of every row."""


def up(migrator, db):
    migrator.migrate(migrator.add_index('employee', ('contract_id', 'name_key', 'id'), False),
                     migrator.add_index('employee', ('contract_id', 'state', 'tariff_group', 'eligible_from'), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('employee', 'employee_contract_id_name_key_id'),
                     migrator.drop_index('employee', 'employee_contract_id_state_tariff_group_eligible_from'))
