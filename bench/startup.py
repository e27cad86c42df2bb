"""Startup with many insurers: 20 tenants (the demo tenants copied with new ids) loaded, stored as
versions, and compiled (formulas, rulesets, forms) as a fresh web process does; prints JSON.

    python -m bench.startup --tenants 20
"""
import argparse
import json
import pathlib
import re
import shutil
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def copy_tenants(target, count):
    demos = sorted(p for p in (ROOT / "tenants").iterdir() if (p / "tenant.yaml").exists())
    for n in range(count):
        source = demos[n % len(demos)]
        slug = f"{source.name}{n:02d}"
        shutil.copytree(source, target / slug)
        path = target / slug / "tenant.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^id: .*$", f"id: {slug}", text, count=1, flags=re.M), encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=20)
    args = parser.parse_args(argv)
    work = pathlib.Path(tempfile.mkdtemp(prefix="bkv-startup-"))
    copy_tenants(work / "tenants", args.tenants)
    from web import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{work / 'b.db'}",
                      "JOBS_BACKEND": "immediate", "INSTANCE_DIR": str(work), "DOCUMENTS_DIR": str(work / "docs"),
                      "BASE_URL": "http://127.0.0.1"})
    from engine import migrate, registry
    with app.app_context():
        migrate.upgrade()
        started = time.perf_counter()
        report = registry.sync(str(work / "tenants"))
        sync_s = time.perf_counter() - started
        registry.clear_cache()
        started = time.perf_counter()
        app2 = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{work / 'b.db'}",
                           "JOBS_BACKEND": "immediate", "INSTANCE_DIR": str(work), "DOCUMENTS_DIR": str(work / "docs"),
                           "BASE_URL": "http://127.0.0.1"})
        with app2.app_context():
            live = registry.live_tenants()
        startup_s = time.perf_counter() - started
    print(json.dumps({"tenants": len(live), "valid": sum(1 for _, status, _ in report if status != "invalid"),
                      "check_and_store_s": round(sync_s, 3),
                      "process_start_with_compile_s": round(startup_s, 3)}, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
