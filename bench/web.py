"""Web throughput: gunicorn (sync workers) serving the employee list of a 200-person employer and
the offer page, logged in, against a bare Flask page with one query, on 127.0.0.1; prints JSON.
Each page is measured as served (kept in memory until the database changes, web/pagecache.py) and
rendered every time (BKV_PAGE_CACHE=0), which is what a first view or a view after a change costs.
`logged_in_layout_only` is the floor of every logged-in page: a "not found" page of a logged-in broker.

    python -m bench.web --seconds 20 --connections 8
"""
import argparse
import contextlib
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

from bench.server import ROOT, percentile, scratch_database, serving

def seed(url):
    code = f"""
import json, sys
sys.path.insert(0, {ROOT!r})
from web import create_app
from engine import migrate, registry, contracts, employees, mail, accounts
from engine.models import Tenant
app = create_app({{"SERVER_NAME": "127.0.0.1"}})
mail.set_delivery_hook(None)
with app.app_context(), app.test_request_context():
    migrate.upgrade(); registry.sync({ROOT!r} + "/tenants")
    from tests.journey import submitted_application
    case = submitted_application("auxilia", tag="web", password="bench-password-1")
    staff = accounts.register("staff@web.test", "bench-password-1", role="insurer", tenant=Tenant.get_by_id("auxilia"), verified=True)
    contracts.release(case["employer_user"], case["application"])
    contracts.accept(staff, contracts.application_for_insurer("auxilia", case["application"].id), "GV-W")
    contract = contracts.contracts_for_employer(case["employer_user"], "auxilia")[0]
    header = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart\\n"
    rows = "".join(f"{{n}};Nach{{n}};Vor{{n}};01.01.1980;Weg {{n}};10115;Berlin;01.01.2010;Vollzeit\\n" for n in range(200))
    batch = employees.preview(case["employer_user"], contract, "e.csv", (header + rows).encode())
    employees.start(case["employer_user"], batch); employees.run_import(batch.id)
    print(json.dumps([case["employer_user"].email, case["broker"].email, contract.id, case["offer"].id]))
"""
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", BKV_JOBS="immediate", SMTP_PORT="1",
               BKV_BASE_URL="http://127.0.0.1")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def login(port, email):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/auth/login")
    response = conn.getresponse()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    body = urllib.parse.urlencode({"email": email, "password": "bench-password-1", "csrf_token": token})
    conn.request("POST", "/auth/login", body=body, headers={"Cookie": cookie,
                                                             "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    # Follow the redirect as a browser would: the page after login shows the welcome message and
    # sends the session without it.
    conn.request("GET", response.getheader("Location"), headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    return (response.getheader("Set-Cookie") or cookie).split(";")[0]


def hammer(port, path, cookie, connections, seconds, expect=200):
    samples, errors, lock = [], [], threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port)
        while time.monotonic() < stop:
            start = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            with lock:
                samples.append(time.perf_counter() - start)
                if response.status != expect:
                    errors.append(response.status)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port)
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    return {"requests": len(samples), "errors": len(errors), "rps": round(len(samples) / elapsed, 1),
            "p50_ms": round(statistics.median(samples) * 1000, 2), "p99_ms": round(percentile(samples, 0.99) * 1000, 2)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with scratch_database("bkv_web") as url:
        employer, broker, contract_id, offer_id = seed(url)
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", BKV_JOBS="immediate", SMTP_PORT="1",
                   BKV_BASE_URL="http://127.0.0.1", BKV_LOGIN_RATE_LIMIT="100000 per minute")
        with contextlib.ExitStack() as servers:
            servers.enter_context(serving("web:create_app()", env, 8771, args.workers))
            servers.enter_context(serving("bench.bare_app:create_app()", env, 8772, args.workers))
            # the same app rendering every page (no kept pages): what a first view or a change costs
            servers.enter_context(serving("web:create_app()", dict(env, BKV_PAGE_CACHE="0"), 8773, args.workers))
            report = {"workers": args.workers, "connections": args.connections, "seconds": args.seconds,
                      "bare_page": hammer(8772, "/", None, args.connections, args.seconds)}
            pages = {"employee_list_200": (employer, f"/m/auxilia/contracts/{contract_id}"),
                     "offer_page": (broker, f"/advisor/offers/{offer_id}")}
            for port, suffix in ((8771, ""), (8773, "_rendered_every_time")):
                for page, (email, path) in pages.items():
                    result = report[page + suffix] = hammer(port, path, login(port, email), args.connections,
                                                            args.seconds)
                    result["share_of_bare_rps"] = round(result["rps"] / report["bare_page"]["rps"], 2)
            # The least any logged-in page costs here: the session, the user with their roles, the language
            # and the layout around a "not found" text, nothing of a page's own. A page that does more work
            # cannot get a larger share of the bare page than this one.
            result = report["logged_in_layout_only"] = hammer(8773, "/advisor/no-such-page", login(8773, broker),
                                                              args.connections, args.seconds, expect=404)
            result["share_of_bare_rps"] = round(result["rps"] / report["bare_page"]["rps"], 2)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
