"""Load test: concurrent brokers and employers against gunicorn + PostgreSQL on 127.0.0.1, bounded
in time; prints JSON (requests, errors, latency percentiles, throughput).

    python -m bench.load --users 100 --seconds 120

It creates (and drops) its own PostgreSQL database, seeds one broker with a client and one
employer with a group contract per simulated user pair, logs everyone in before the clock starts,
then each user loops through the pages of their journey, reading each page for a random think
time (default 1-3 s, as a person would; `--think 0` runs a closed loop that measures capacity).
"""
import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

from bench.server import ROOT, percentile, scratch_database, serving

def seed(url, pairs):
    """Brokers with a client and employers with a contract; returns
    [(broker_email, employer_email, client_id, contract_id, offer_id, application_id)]."""
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="load", BKV_JOBS="immediate", SMTP_PORT="1",
               BKV_BASE_URL="http://127.0.0.1")
    code = f"""
import json, sys
sys.path.insert(0, {ROOT!r})
from web import create_app
from engine import migrate, registry, contracts
app = create_app({{"SERVER_NAME": "127.0.0.1"}})
from engine import mail
mail.set_delivery_hook(None)
with app.app_context(), app.test_request_context():
    migrate.upgrade(); registry.sync({ROOT!r} + "/tenants")
    from tests.journey import submitted_application
    from engine import accounts
    staff = accounts.register("staff@load.test", "load-password-1", role="insurer",
                              tenant=__import__("engine.models", fromlist=["Tenant"]).Tenant.get_by_id("auxilia"), verified=True)
    out = []
    for n in range({pairs}):
        case = submitted_application("auxilia", tag=f"l{{n}}", password="load-password-1")
        contracts.release(case["employer_user"], case["application"])
        contracts.accept(staff, contracts.application_for_insurer("auxilia", case["application"].id), f"GV-L{{n}}")
        contract = contracts.contracts_for_employer(case["employer_user"], "auxilia")[0]
        out.append([case["broker"].email, case["employer_user"].email, case["client"].id, contract.id,
                    case["offer"].id, case["application"].id])
    print(json.dumps(out))
"""
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


class User:
    def __init__(self, base, email):
        self.base, self.email = base, email
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def login(self):
        _, page = self.get("/auth/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"email": self.email, "password": "load-password-1", "csrf_token": token})
        with self.opener.open(self.base + "/auth/login", data=data.encode(), timeout=30) as response:
            response.read()


def run(base, users, seconds, think=(0.0, 0.0)):
    samples, errors, slowest, lock = [], [], [], threading.Lock()
    stop = time.monotonic() + seconds

    def loop(user, paths):
        time.sleep(random.uniform(0, think[1]))  # users arrive spread over one think time, not all at once
        while time.monotonic() < stop:
            for path in paths:
                if time.monotonic() >= stop:
                    break
                start = time.perf_counter()
                try:
                    status, _ = user.get(path)
                    ok = status == 200
                except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                    ok, status = False, repr(exc)
                took = time.perf_counter() - start
                with lock:
                    samples.append(took)
                    slowest.append((took, path, round(time.monotonic() - began, 1)))
                    if not ok:
                        errors.append(f"{path}: {status}")
                time.sleep(random.uniform(*think))
    threads = [threading.Thread(target=loop, args=pair) for pair in users]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    slowest.sort(reverse=True)
    return samples, errors, time.monotonic() - began, slowest[:5]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100, help="concurrent users (half brokers, half employers)")
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--think", default="1-3", help="seconds a user reads a page, as low-high (0: closed loop)")
    args = parser.parse_args(argv)
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))
    with scratch_database("bkv_load") as url:
        pairs = seed(url, max(1, args.users // 2))
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="load", BKV_JOBS="immediate", SMTP_PORT="1",
                   RATELIMIT_STORAGE_URI="memory://", BKV_LOGIN_RATE_LIMIT="100000 per minute",
                   BKV_BASE_URL="http://127.0.0.1")
        with serving("web:create_app()", env, args.port, args.workers) as base:
            users = []
            for broker, employer, client_id, contract_id, offer_id, application_id in pairs:
                b, e = User(base, broker), User(base, employer)
                b.login()
                e.login()
                users.append((b, ["/advisor/", "/advisor/clients", f"/advisor/clients/{client_id}",
                                  f"/advisor/offers/{offer_id}"]))
                users.append((e, ["/m/auxilia/", f"/m/auxilia/applications/{application_id}",
                                  f"/m/auxilia/contracts/{contract_id}"]))
            samples, errors, elapsed, slowest = run(base, users[:args.users], args.seconds, think)
            report = {"users": len(users[:args.users]), "seconds": round(elapsed, 1), "workers": args.workers,
                      "think_seconds": args.think,
                      "requests": len(samples), "errors": len(errors), "error_examples": errors[:5],
                      "throughput_rps": round(len(samples) / elapsed, 1),
                      "p50_ms": round(statistics.median(samples) * 1000, 1),
                      "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
                      "p99_ms": round(percentile(samples, 0.99) * 1000, 1),
                      "slowest": [{"ms": round(took * 1000), "path": path, "at_s": at} for took, path, at in slowest]}
            print(json.dumps(report, indent=2))
    return 0 if not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
