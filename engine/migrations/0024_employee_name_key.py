"""German order and search of names (issue #18): employee.name_key holds the folded last and first name
(engine/names.py, DIN 5007: Böhm before Braun), indexed; existing rows are given theirs here."""
from peewee import *

from engine.names import sort_key


def up(migrator, db):
    migrator.migrate(migrator.add_column('employee', 'name_key', CharField(default='', index=True)))
    rows = db.execute_sql('SELECT id, first_name, last_name FROM employee').fetchall()
    param = db.param
    for row_id, first_name, last_name in rows:
        db.execute_sql(f'UPDATE employee SET name_key = {param} WHERE id = {param}',
                       (sort_key(first_name, last_name), row_id))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('employee', 'name_key'))
