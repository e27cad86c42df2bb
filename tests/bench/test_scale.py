"""bench.scale runs its whole path for a small employer (`--quick`): upload, "enrol all" as a job,
the contract page, a search, the export and two months of statements with the floor beside them.
It asserts what the figures must say, never how long anything took."""
import json
import os
import pathlib
import subprocess
import sys
from decimal import Decimal

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_quick_scale_run_prints_every_figure():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "bench.scale", "--quick"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["employees"] == 200 and report["import"]["imported"] > 0
    assert report["enrol_all_job"]["status"] == "done"
    assert report["enrol_all_job"]["sent"] == report["insured"] > 0
    for page in ("contract_page", "staff_search", "export_csv"):
        assert report[page]["runs"] >= 1 and report[page]["median_ms"] > 0
    assert report["staff_search"]["found"] == 1          # the one person searched for, on the rendered page
    assert report["export_csv"]["bytes"] > 0
    first, second = report["statements"]
    for month in (first, second):
        # the statement bills what the floor's one query sums: every insured person, the same total
        assert month["lines"] == month["floor_people"] == report["insured"]
        assert Decimal(month["total"]) == Decimal(month["floor_total"]) > 0
    assert report["statement_pdf_job"]["bytes"] > 0
