"""Benchmark of the employee import: the whole import (parse, validate, rules, premiums, store) of
N employees vs the floor (parse the CSV and insert_many the same rows), in one run; prints JSON.

    python -m bench.import --employees 10000
"""
import argparse
import json
import pathlib
import tempfile
import time

from bench.scratch import app_and_contract, make_file


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10000)
    args = parser.parse_args(argv)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="bkv-bench-"))
    app, user, contract = app_and_contract(workdir)
    from engine import employee_file, employees
    from engine.models import Employee
    data = make_file(args.employees)
    with app.app_context(), app.test_request_context():
        started = time.perf_counter()
        batch = employees.preview(user, contract, "bench.csv", data)
        employees.start(user, batch)
        imported = employees.run_import(batch.id)
        whole = time.perf_counter() - started
        assigned = Employee.select().where(Employee.tariff_group.is_null(False)).count()

        Employee.delete().execute()
        started = time.perf_counter()
        parsed = employee_file.parse("bench.csv", data)
        rows = [dict(contract=contract.id, **employees.values_of(r)) for r in parsed.rows]
        from engine.db import transaction
        with transaction():
            for start in range(0, len(rows), 500):
                Employee.insert_many(rows[start:start + 500]).execute()
        floor = time.perf_counter() - started
    report = {"employees": args.employees, "imported": imported, "assigned_a_group": assigned,
              "whole_import_s": round(whole, 3), "floor_parse_and_insert_s": round(floor, 3),
              "ratio": round(whole / floor, 2), "database": "sqlite"}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
