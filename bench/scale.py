"""A large employer: N employees of one employer at one insurer, from the upload to the monthly
statements; prints JSON.

    python -m bench.scale --employees 50000 [--database postgresql] [--months 6]
    python -m bench.scale --quick        (200 employees: a smoke test of the whole path)

Measured: the import (time, peak RSS of the process), "enrol all" as a job, the contract page, a
staff search and the page of other benefits in kind rendered in-process (test client, page cache off), the employee export, and the
statement run for each of `--months` months against a floor that sums the same periods with one
SQL query in the same run. On PostgreSQL the tables are vacuumed and analysed after the set-up, as
autovacuum does within a minute of such a bulk change (with the statistics of the empty tables the case
timeline's plan sorts all 150,000 audit entries). Between "enrol all" and the statements the insurer's acceptance is
stood in for: the bench writes every sent enrolment's first cover period (from the contract's
start, so that earlier months are billed) and moves the people to insured with the engine's bulk
transition, and writes the individual policies (their PDFs are a job's); issuing 50,000 policies through the
insurer's pages is not what is measured.
"""
import argparse
import contextlib
import json
import pathlib
import re
import resource
import shutil
import statistics
import tempfile
import time
from decimal import Decimal

from bench.scratch import app_and_contract, make_file
from rules.platform import platform_settings

TARGETS = {"import_s": 20, "import_peak_rss_mb": 300, "contract_page_ms": 50, "statement_s": 10,
           "statement_to_floor": 5}


def _peak_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def _ms(samples):
    return {"median_ms": round(statistics.median(samples) * 1000, 1), "min_ms": round(min(samples) * 1000, 1),
            "max_ms": round(max(samples) * 1000, 1), "runs": len(samples)}


def _pages(client, path, repeat):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return samples, response


def _login(app, email):
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": email, "password": "correct-horse-42", "csrf_token": token})
    assert response.status_code in (302, 303), response.status_code
    return client


def _insure_all(contract, start):
    """The insurer's acceptance stood in for: each sent enrolment's first period from `start` and its
    individual policy (without its PDF, which a job makes), and the people moved to insured by the
    engine's bulk transition (chunks: SQLite's bound on parameters)."""
    from engine import cover, workflow
    from engine.db import insert_rows, transaction
    from engine.models import CoverPeriod, Employee, Enrolment, Policy
    enrolments = list(Enrolment.select().where(Enrolment.contract == contract.id))
    policies = [{"employee": e.employee_id, "contract": contract.id, "enrolment": e.id, "version": 1,
                 "number": f"EP-{e.id}", "start_date": start, "tariff_group": e.tariff_group,
                 "tariffs": list(e.tariffs), "premium": str(e.premium), "status": "active"} for e in enrolments]
    rows = [{"employee": e.employee_id, "contract": contract.id, "valid_from": start, "valid_to": None,
             "cover": "insured", "tariff_group": e.tariff_group, "tariffs": list(e.tariffs), "premium": e.premium,
             "payer": cover.payer_of(contract, e.tariff_group), "reason": "enrolment", "enrolment": e.id,
             "tenant_version": contract.tenant_version_id}
            for e in enrolments]
    with transaction():
        insert_rows(CoverPeriod, rows)
        insert_rows(Policy, policies)
    ids = [row["employee"] for row in rows]
    for first in range(0, len(ids), 5000):
        workflow.move(Employee, "employee", "insure", None,
                      ids[first:first + 5000], scope=contract)
    return len(rows)


def _floor(contract, month):
    """One SQL query summing the premiums due for `month` of the contract's people with cover on its 1st."""
    from peewee import fn, Cast
    from engine.models import CoverPeriod
    first = month
    cents = Cast(fn.REPLACE(CoverPeriod.premium, ".", ""), "INTEGER")  # stored with two decimals: exact sums
    query = (CoverPeriod.select(fn.COUNT(CoverPeriod.id), fn.SUM(cents))
             .where((CoverPeriod.contract == contract.id) & (CoverPeriod.cover == "insured")
                    & (CoverPeriod.valid_from <= first)
                    & (CoverPeriod.valid_to.is_null() | (CoverPeriod.valid_to >= first))).tuples())
    [(count, cents)] = list(query)
    return count, Decimal(cents or 0) / 100


def run(employees, months, database_url=None, repeat=5, workdir=None):
    from engine import clock, documents, enrolment_runs, mail, start_window, statements
    from engine.models import Employee, GroupContract
    workdir = workdir or pathlib.Path(tempfile.mkdtemp(prefix="bkv-bench-scale-"))
    app, user, contract = app_and_contract(workdir, database_url)
    app.config["PAGE_CACHE"] = False  # every page rendered, as after any change
    mail.set_delivery_hook(None)
    documents.set_later_hook(None)  # the PDFs are a job of their own (timed below for a small one)
    report = {"employees": employees, "database": "postgresql" if database_url else "sqlite", "targets": TARGETS}
    data = make_file(employees)
    this_month = clock.today().replace(day=1)
    start = start_window.add_months(this_month, -(months - 1))
    with app.app_context(), app.test_request_context():
        from engine import employees as staff
        # the contract runs since `start`, so that its earlier months are billed too
        GroupContract.update(start_date=start).where(GroupContract.id == contract.id).execute()
        contract = GroupContract.get_by_id(contract.id)
        before = _peak_mb()

        def upload():
            batch = staff.preview(user, contract, "scale.csv", data)
            staff.start(user, batch)
            return staff.run_import(batch.id)
        imported, seconds = _timed(upload)
        report["import"] = {"rows": employees, "imported": imported, "seconds": round(seconds, 2),
                            "rss_before_mb": before, "peak_rss_mb": _peak_mb()}

        def enrol_all():
            job = enrolment_runs.start(user, contract)
            app.extensions["bkv_jobs"].enqueue_enrol_run(job.id)  # JOBS_BACKEND immediate: the job runs here
            return enrolment_runs.for_contract(contract, job.id)
        job, seconds = _timed(enrol_all)
        report["enrol_all_job"] = {"status": job.status, "sent": job.sent, "skipped": job.skipped,
                                   "seconds": round(seconds, 2), "peak_rss_mb": _peak_mb()}
        report["insured"] = _insure_all(contract, start)
        if database_url:  # as autovacuum does within a minute of a bulk change: plans for 150,000 new rows,
            # and the visibility map that lets counts read the index alone
            from engine.db import database
            connection = database.connection()
            connection.autocommit, was = True, connection.autocommit  # VACUUM runs outside a transaction
            try:
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            finally:
                connection.autocommit = was
        contract = GroupContract.get_by_id(contract.id)
        someone = Employee.select().where(Employee.contract == contract.id).order_by(Employee.id.desc()).first()

    client = _login(app, user.email)
    path = f"/m/auxilia/contracts/{contract.id}"
    _pages(client, path, 1)  # warm: templates compiled, statements prepared
    samples, page = _pages(client, path, repeat)
    report["contract_page"] = {**_ms(samples), "bytes": len(page.get_data()), "peak_rss_mb": _peak_mb()}
    samples, page = _pages(client, f"{path}?q={someone.last_name}", repeat)
    report["staff_search"] = {**_ms(samples), "found": page.get_data(as_text=True).count('class="card-title"')}
    samples, page = _pages(client, f"{path}/benefits", repeat)
    report["benefits_page"] = {**_ms(samples), "bytes": len(page.get_data()),
                               "choices": page.get_data().count(b"<option")}
    samples, page = _pages(client, f"{path}/export.csv", max(1, repeat // 2))
    report["export_csv"] = {**_ms(samples), "bytes": len(page.get_data()), "peak_rss_mb": _peak_mb()}

    with app.app_context(), app.test_request_context():
        contract = GroupContract.get_by_id(contract.id)
        runs = []
        for n in range(months):
            month = start_window.add_months(start, n)
            floors = []
            for _ in range(3):
                (count, total), seconds = _timed(lambda: _floor(contract, month))
                floors.append(seconds)
            (statement, created), seconds = _timed(lambda: statements.issue(contract, month))
            assert created
            runs.append({"month": f"{month:%Y-%m}", "lines": statement.lines.count(), "total": statement.total,
                         "seconds": round(seconds, 3), "floor_s": round(min(floors), 4),
                         "floor_total": str(total), "floor_people": count,
                         "ratio": round(seconds / min(floors), 1), "peak_rss_mb": _peak_mb()})
        report["statements"] = runs
        # the job that makes the last statement's PDF (WeasyPrint): every line, or a summary above the platform's
        # statement_pdf_max_lines
        made, seconds = _timed(lambda: statements.make_pdf(statement.id))
        lines = made.lines.count()
        report["statement_pdf_job"] = {"lines": lines, "seconds": round(seconds, 2), "bytes": made.document.size,
                                       "summary": lines > int(platform_settings()["statement_pdf_max_lines"])}
    report["peak_rss_mb"] = _peak_mb()
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50000)
    parser.add_argument("--months", type=int, default=6, help="statement months, the last one this month")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="200 employees, 2 months, 2 runs: a smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        args.employees, args.months, args.repeat = 200, 2, 2
    with contextlib.ExitStack() as stack:
        url = None
        if args.database == "postgresql":
            from bench.server import scratch_database
            url = stack.enter_context(scratch_database("bkv_scale"))
        workdir = pathlib.Path(tempfile.mkdtemp(prefix="bkv-bench-scale-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)  # a 50,000-person SQLite file is 120 MB
        report = run(args.employees, args.months, url, args.repeat, workdir)
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
