"""Eligibility per person: each employee's "eligible from" date (versicherbar ab). Employees assigned a
group before were assigned it at the contract's start, so that is their date."""
from peewee import *

def up(migrator, db):
    migrator.migrate(migrator.add_column('employee', 'eligible_from', DateField(null=True)))
    db.execute_sql("UPDATE employee SET eligible_from = (SELECT start_date FROM group_contract "
                   "WHERE group_contract.id = employee.contract_id) "
                   "WHERE tariff_group IS NOT NULL AND tariff_group <> ''")


def down(migrator, db):
    migrator.migrate(migrator.drop_column('employee', 'eligible_from'))
