"""What the engine benchmarks share: a scratch app on a SQLite file with the Auxilia group contract,
and generated employee files (CSV or XLSX) of any size."""
import csv
import datetime as dt
import io
import pathlib
import random
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADER = ["Personalnummer", "Nachname", "Vorname", "Geburtsdatum", "Straße", "PLZ", "Ort", "Eintrittsdatum",
          "Beschäftigungsart", "Wochenstunden"]


def rows(count, seed=5, invalid=False):
    """Employee rows as an employer's payroll export has them; `invalid`: every row has a day that does
    not exist and an unknown employment type (two problems a row)."""
    rng = random.Random(seed)
    for n in range(count):
        yield [str(100000 + n), f"Nachname{n}", f"Vorname{n}",
               "31.02.1980" if invalid else
               dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)).strftime("%d.%m.%Y"),
               f"Weg {n % 200}", f"{rng.randint(1067, 99998):05d}", "Berlin",
               dt.date(rng.randint(2000, 2025), rng.randint(1, 12), 1).strftime("%d.%m.%Y"),
               "Hausmeister" if invalid else rng.choice(["Vollzeit"] * 6 + ["Teilzeit", "Minijob", "Azubi"]),
               str(rng.randint(10, 40))]


def make_file(count, seed=5, invalid=False, kind="csv"):
    """A CSV (semicolons, UTF-8) or XLSX employee file of `count` rows, as bytes."""
    if kind == "xlsx":
        from openpyxl import Workbook
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(HEADER)
        for row in rows(count, seed, invalid):
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows(count, seed, invalid))
    return out.getvalue().encode("utf-8")


def app_and_contract(workdir, database_url=None):
    """The app on a fresh SQLite database in `workdir` (or the empty database at `database_url`), the
    demo tenants loaded, and an accepted Auxilia group contract with its employer user: (app,
    employer_user, contract). Call inside nothing; the caller enters `app.app_context()` and
    `app.test_request_context()` itself."""
    from web import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                      "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.db'}",
                      "JOBS_BACKEND": "immediate", "SMTP_PORT": 1, "SERVER_NAME": "bench.local",
                      "BASE_URL": "http://bench.local",
                      "INSTANCE_DIR": str(workdir), "DOCUMENTS_DIR": str(workdir / "documents")})
    from engine import accounts, contracts, mail, migrate, registry
    from engine.models import GroupContract, Tenant
    mail.set_delivery_hook(None)
    with app.app_context(), app.test_request_context():
        migrate.upgrade()
        registry.sync(str(ROOT / "tenants"))
        sys.path.insert(0, str(ROOT))
        from tests.journey import submitted_application
        case = submitted_application("auxilia", tag="bench")
        staff = accounts.register("staff@bench.local", "bench-password", role="insurer",
                                  tenant=Tenant.get_by_id("auxilia"), verified=True)
        contracts.release(case["employer_user"], case["application"])
        contracts.accept(staff, contracts.application_for_insurer("auxilia", case["application"].id), "GV-B")
        return app, case["employer_user"], GroupContract.get()
