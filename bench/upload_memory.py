"""Benchmark of an employee upload's memory: a 50,000-row file checked (the preview) and imported,
each case in a fresh process whose peak RSS is reported; prints JSON.

    python -m bench.upload_memory --employees 50000

Cases: a valid CSV and a valid XLSX (preview and import), and a CSV whose every row has two problems
(preview: the report keeps the first problems and counts the rest). The target is a peak under 200 MB.
"""
import argparse
import json
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

CASES = {"csv": ("csv", False, True), "xlsx": ("xlsx", False, True), "invalid_csv": ("csv", True, False)}


def _peak_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def run_case(name, path):
    """In this process: set up, then check and import the file at `path`; returns the figures."""
    from bench.scratch import app_and_contract
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="bkv-bench-"))
    app, user, contract = app_and_contract(workdir)
    from engine import employees
    from engine.models import Employee
    data = pathlib.Path(path).read_bytes()
    kind, _, do_import = CASES[name]
    with app.app_context(), app.test_request_context():
        before = _peak_mb()
        started = time.perf_counter()
        batch = employees.preview(user, contract, f"bench.{kind}", data)
        checked = time.perf_counter() - started
        figures = {"case": name, "file_mb": round(len(data) / 2**20, 1), "rows": batch.total, "valid": batch.valid,
                   "status": batch.status, "report_kb": round(len(json.dumps(batch.report)) / 1024, 1),
                   "preview_s": round(checked, 2)}
        if do_import:
            started = time.perf_counter()
            employees.start(user, batch)
            employees.run_import(batch.id)
            figures.update(import_s=round(time.perf_counter() - started, 2), imported=Employee.select().count())
        figures.update(rss_before_mb=before, peak_rss_mb=_peak_mb())
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50000)
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)  # the child's part
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case, args.file)))
        return 0
    from bench.scratch import make_file
    results = []
    with tempfile.TemporaryDirectory(prefix="bkv-bench-files-") as folder:
        for name, (kind, invalid, _) in CASES.items():
            path = pathlib.Path(folder) / f"{name}.{kind}"
            path.write_bytes(make_file(args.employees, invalid=invalid, kind=kind))
            child = subprocess.run([sys.executable, "-m", "bench.upload_memory", "--case", name, "--file", str(path)],
                                   capture_output=True, text=True, check=True)
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    print(json.dumps({"employees": args.employees, "target_peak_rss_mb": 200, "database": "sqlite",
                      "cases": results}, indent=2))
    return 0 if all(case["peak_rss_mb"] < 200 for case in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
