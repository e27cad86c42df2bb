"""Load test: concurrent brokers and employers against gunicorn + PostgreSQL on 127.0.0.1, bounded
in time; prints JSON (requests, errors, latency percentiles, throughput).

    python -m bench.load --users 100 --seconds 120
    python -m bench.load --users 100 --seconds 60 --think 0 --hosts 2

It creates (and drops) its own PostgreSQL database, seeds one broker with a client and one
employer with a group contract per simulated user pair, logs everyone in before the clock starts,
then each user loops through the pages of their journey, reading each page for a random think
time (default 1-3 s, as a person would; `--think 0` runs a closed loop that measures capacity).
The first `--warmup` seconds (default 5) run the same load before the clock starts and are reported
apart: in a closed loop all users arrive at a just-started server in the same instant, and every
worker renders every user's pages once before it can keep them.

`--hosts 2` runs two gunicorn instances on two ports as two app hosts would (docs/operations.md):
one PostgreSQL, a Redis started for the run (rate limits and the job queue), each instance behind
one proxy (BKV_PROXY_COUNT=1, every simulated user its own address). Each user's requests alternate
between the hosts, so every session crosses them. After the load it checks what one process could
get wrong: a kept page on one host after another process changed the database, and the login
limit counted across both hosts (`cross_host_checks`).
"""
import argparse
import contextlib
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

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
    """A person at a browser: the session cookie, requests to `bases` in turn (one host, or several
    behind a balancer), from `address` (sent as X-Forwarded-For where the hosts trust one proxy).
    Requests go out through http.client with the cookies kept by hand: urllib's opener and cookie jar
    cost the load generator, which shares the 2 cores with the hosts, about as much CPU per request as a
    kept page costs the server, and with 100 threads the waits for the generator's GIL counted as
    latency."""

    def __init__(self, bases, email, address=None):
        self.bases, self.email, self.turn = [urllib.parse.urlsplit(base) for base in bases], email, 0
        self.headers = {"X-Forwarded-For": address} if address else {}
        self.cookies = {}

    def _base(self):
        self.turn += 1
        return self.bases[self.turn % len(self.bases)]

    def _send(self, method, path, body=None):
        """(status, text) after following redirects as a browser does (a POST's redirect is fetched)."""
        for _ in range(5):
            base = self._base()
            headers = dict(self.headers)
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode()
            finally:
                conn.close()
            for cookie in response.headers.get_all("Set-Cookie") or ():
                name, _, rest = cookie.partition("=")
                value, _, attributes = rest.partition(";")
                if "max-age=0" in attributes.lower() or "1970" in attributes:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
            if response.status not in (301, 302, 303) or not response.getheader("Location"):
                return response.status, text
            target = urllib.parse.urlsplit(response.getheader("Location"))
            method, body, path = "GET", None, target.path + (f"?{target.query}" if target.query else "")
        return response.status, text

    def get(self, path):
        return self._send("GET", path)

    def post(self, path, values):
        return self._send("POST", path, urllib.parse.urlencode(values))

    def login(self, password="load-password-1"):
        _, page = self.get("/auth/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.post("/auth/login", {"email": self.email, "password": password, "csrf_token": token})[0]


def run(users, seconds, think=(0.0, 0.0), warmup=0.0):
    """Each user loops through their pages for `warmup` + `seconds`; returns the requests started after the
    warm-up as [(seconds taken, path, started at, error or None)], those of the warm-up, and the measured
    time. Errors count in both parts."""
    records, lock = [], threading.Lock()
    began = time.monotonic()
    stop = began + warmup + seconds

    def loop(user, paths):
        time.sleep(random.uniform(0, think[1]))  # users arrive spread over one think time, not all at once
        while time.monotonic() < stop:
            for path in paths:
                if time.monotonic() >= stop:
                    break
                at, start = time.monotonic() - began, time.perf_counter()
                try:
                    status, _ = user.get(path)
                    error = None if status == 200 else f"{path}: {status}"
                except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                    error = f"{path}: {exc!r}"
                with lock:
                    records.append((time.perf_counter() - start, path, round(at, 1), error))
                time.sleep(random.uniform(*think))
    threads = [threading.Thread(target=loop, args=pair) for pair in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    measured = [r for r in records if r[2] >= warmup]
    return measured, [r for r in records if r[2] < warmup], time.monotonic() - began - warmup


def figures(records, seconds):
    """Requests, errors, throughput and latency percentiles of `records` (see run)."""
    if not records:
        return {"requests": 0, "errors": 0}
    took = [r[0] for r in records]
    errors = [r[3] for r in records if r[3]]
    return {"requests": len(records), "errors": len(errors), "error_examples": errors[:5],
            "throughput_rps": round(len(records) / seconds, 1), "p50_ms": round(statistics.median(took) * 1000, 1),
            "p95_ms": round(percentile(took, 0.95) * 1000, 1), "p99_ms": round(percentile(took, 0.99) * 1000, 1)}


LOGIN_LIMIT = 20  # per minute, per address and per account, in --hosts mode (each user its own address)


@contextlib.contextmanager
def redis_server(port):
    """A Redis server for the run (no persistence), stopped afterwards."""
    process = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def cross_host_checks(url, bases, employer_email, contract_id):
    """What a single process could get wrong, checked across the hosts: (1) a page kept by one host
    while another process changed the database, (2) the login limit counted over both hosts."""
    import psycopg2
    employer = User(bases, employer_email, address="10.9.0.1")
    employer.login()
    path = f"/m/auxilia/contracts/{contract_id}"
    for _ in range(4):  # both hosts render and keep the page
        employer.get(path)
    mark = f"Umbenannt{random.randint(1000, 9999)}"
    with psycopg2.connect(url) as conn, conn.cursor() as cur:  # another process changes the database
        cur.execute("UPDATE employer SET company_name = company_name || %s WHERE id = "
                    "(SELECT employer_id FROM group_contract WHERE id = %s)", (" " + mark, contract_id))
    seen = [mark in employer.get(path)[1] for _ in range(4)]
    prober = User(bases, f"nobody{random.randint(1000, 9999)}@load.test", address="10.9.0.2")  # counts start at 0
    statuses = [prober.login(password="wrong-password") for _ in range(LOGIN_LIMIT + 6)]
    refused_from = next((n for n, status in enumerate(statuses, 1) if status == 429), None)
    return {"kept_page_shows_another_process_change_on_every_host": all(seen), "views_after_change": seen,
            "login_limit_per_minute": LOGIN_LIMIT, "wrong_logins_tried_alternating_hosts": len(statuses),
            "first_refused_attempt": refused_from,
            "login_limit_shared_by_hosts": refused_from == LOGIN_LIMIT + 1}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100, help="concurrent users (half brokers, half employers)")
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per host")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--hosts", type=int, default=1, help="app hosts (gunicorn instances on port, port+1, ...)")
    parser.add_argument("--think", default="1-3", help="seconds a user reads a page, as low-high (0: closed loop)")
    parser.add_argument("--warmup", type=float, default=5.0,
                        help="seconds of the same load before the clock starts (reported apart): every user's "
                             "pages rendered once in each worker, as on a server that has been running")
    args = parser.parse_args(argv)
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))
    with scratch_database("bkv_load") as url, contextlib.ExitStack() as stack:
        pairs = seed(url, max(1, args.users // 2))
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="load", BKV_JOBS="immediate", SMTP_PORT="1",
                   RATELIMIT_STORAGE_URI="memory://", BKV_LOGIN_RATE_LIMIT="100000 per minute",
                   BKV_BASE_URL="http://127.0.0.1")
        if args.hosts > 1:
            redis = stack.enter_context(redis_server(args.port + 100))
            env.update(REDIS_URL=f"{redis}/0", BKV_JOBS="redis", RATELIMIT_STORAGE_URI=f"{redis}/1",
                       BKV_PROXY_COUNT="1", BKV_LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per minute")
        bases = [stack.enter_context(serving("web:create_app()", env, args.port + n, args.workers))
                 for n in range(args.hosts)]
        users = []
        for n, (broker, employer, client_id, contract_id, offer_id, application_id) in enumerate(pairs):
            b = User(bases, broker, address=f"10.8.{n // 200}.{n % 200 + 1}" if args.hosts > 1 else None)
            e = User(bases, employer, address=f"10.7.{n // 200}.{n % 200 + 1}" if args.hosts > 1 else None)
            b.login()
            e.login()
            users.append((b, ["/advisor/", "/advisor/clients", f"/advisor/clients/{client_id}",
                              f"/advisor/offers/{offer_id}"]))
            users.append((e, ["/m/auxilia/", f"/m/auxilia/applications/{application_id}",
                              f"/m/auxilia/contracts/{contract_id}"]))
        measured, warming, elapsed = run(users[:args.users], args.seconds, think, args.warmup)
        report = {"users": len(users[:args.users]), "seconds": round(elapsed, 1), "hosts": args.hosts,
                  "workers_per_host": args.workers, "think_seconds": args.think, "warmup_seconds": args.warmup,
                  **figures(measured, elapsed),
                  "slowest": [{"ms": round(took * 1000), "path": path, "at_s": at}
                              for took, path, at, _ in sorted(measured, reverse=True)[:5]],
                  "warmup": figures(warming, args.warmup) if args.warmup else None}
        if args.hosts > 1:
            report["cross_host_checks"] = cross_host_checks(url, bases, pairs[0][1], pairs[0][3])
        print(json.dumps(report, indent=2))
    checks = report.get("cross_host_checks", {})
    failed = checks and not (checks["kept_page_shows_another_process_change_on_every_host"]
                             and checks["login_limit_shared_by_hosts"])
    errors = report["errors"] + (report["warmup"] or {}).get("errors", 0)
    return 0 if not errors and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
