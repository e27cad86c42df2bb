"""Benchmark of the employee import: the whole import (parse, validate, rules, premiums, store) of
N employees vs the floor (parse the CSV and insert_many the same rows), in one run; prints JSON.

    python -m bench.import --employees 10000
"""
import argparse
import csv
import datetime as dt
import io
import json
import pathlib
import random
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADER = ["Personalnummer", "Nachname", "Vorname", "Geburtsdatum", "Straße", "PLZ", "Ort", "Eintrittsdatum",
          "Beschäftigungsart", "Wochenstunden"]


def make_file(count, seed=5):
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    for n in range(count):
        writer.writerow([str(100000 + n), f"Nachname{n}", f"Vorname{n}",
                         dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)).strftime("%d.%m.%Y"),
                         f"Weg {n % 200}", f"{rng.randint(1067, 99998):05d}", "Berlin",
                         dt.date(rng.randint(2000, 2025), rng.randint(1, 12), 1).strftime("%d.%m.%Y"),
                         rng.choice(["Vollzeit"] * 6 + ["Teilzeit", "Minijob", "Azubi"]), str(rng.randint(10, 40))])
    return out.getvalue().encode("utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10000)
    args = parser.parse_args(argv)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="bkv-bench-"))
    from web import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
                      "JOBS_BACKEND": "immediate", "SMTP_PORT": 1, "SERVER_NAME": "bench.local",
                      "BASE_URL": "http://bench.local",
                      "INSTANCE_DIR": str(workdir), "DOCUMENTS_DIR": str(workdir / "documents")})
    from engine import contracts, employee_file, employees, mail, migrate, registry
    from engine.models import Employee, GroupContract
    mail.set_delivery_hook(None)
    data = make_file(args.employees)
    with app.app_context(), app.test_request_context():
        migrate.upgrade()
        registry.sync(str(ROOT / "tenants"))
        import sys
        sys.path.insert(0, str(ROOT))
        from tests.journey import submitted_application
        from engine import accounts
        from engine.models import Tenant
        case = submitted_application("auxilia", tag="bench")
        staff = accounts.register("staff@bench.local", "bench-password", role="insurer",
                                  tenant=Tenant.get_by_id("auxilia"), verified=True)
        contracts.release(case["employer_user"], case["application"])
        contracts.accept(staff, contracts.application_for_insurer("auxilia", case["application"].id), "GV-B")
        contract = GroupContract.get()

        started = time.perf_counter()
        batch = employees.preview(case["employer_user"], contract, "bench.csv", data)
        employees.start(case["employer_user"], batch)
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
