"""Browser tests: the app on a real threaded HTTP server, driven by Debian's Chromium through
Playwright's sync API (pytest-playwright is not used), one browser context per role.

Database choice: the live server serves the session `app` fixture of tests/conftest.py, so it uses
that fixture's database (SQLite file, or the fresh PostgreSQL database with BKV_TEST_DB=postgresql).
engine.db.database is a process-global proxy bound by create_app; a second app with its own database
would rebind it under every other test of the session. What a browser test writes is wiped by the
autouse `clean_database` fixture after each test, as for any other test.

The mails carry links built on BASE_URL, which the `app` fixture sets to http://bkv.test; `base_url`
sets it to the live host:port (and trusts that host) only while a browser test runs.

Every step's screenshot goes to tests/browser/screens/ (ignored by git); when a test fails, each
open page of it is kept there too, as FAILED-<test>-<role>.png and .html.
"""
import pathlib
import re
import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = pathlib.Path("/usr/bin/chromium")
SCREENS = pathlib.Path(__file__).resolve().parent / "screens"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000  # a page of this app answers in well under a second; fail fast, not after 30 s


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures know in teardown whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(node):
    return any(getattr(node, f"report_{when}", None) is not None and getattr(node, f"report_{when}").failed
               for when in ("setup", "call"))


class QuietHandler(WSGIRequestHandler):
    """Logs only the requests that went wrong (the 200s and 302s of a journey are noise)."""

    def log_request(self, code="-", size="-"):
        if str(code).isdigit() and int(code) >= 400:
            super().log_request(code, size)


@pytest.fixture(scope="session")
def live_server(app):
    """The session app on 127.0.0.1 and a free port, in a daemon thread; yields its port."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def base_url(app, live_server):
    """http://127.0.0.1:<port>, a trusted host; mails sent meanwhile link there (settings restored after the test)."""
    host = f"127.0.0.1:{live_server}"
    kept = {key: app.config[key] for key in ("SERVER_NAME", "BASE_URL", "TRUSTED_HOSTS")}
    app.config.update(SERVER_NAME=host, BASE_URL=f"http://{host}", TRUSTED_HOSTS=["127.0.0.1"])
    yield f"http://{host}"
    app.config.update(kept)


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make chromium` installs Debian's Chromium")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    for stale in SCREENS.glob("FAILED-*"):  # what an earlier run left must not pass for this run's
        stale.unlink()
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
    yield browser
    browser.close()


def _slug(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:80]


@pytest.fixture
def dialogs():
    """The confirmations the pages asked, as (role, message), in order; every one is answered OK,
    as a person who clicked the button meant to (tests assert that the question was asked)."""
    return []


@pytest.fixture
def open_page(request, browser, base_url, dialogs):
    """open_page("broker") -> a page in a fresh context for that role (own cookies), German, 1280x800.
    Extra keyword arguments go to browser.new_context (e.g. bypass_csp=True)."""
    opened = []

    def open_(role, **options):
        context = browser.new_context(**{"base_url": base_url, "viewport": VIEWPORT, "locale": "de-DE",
                                         "accept_downloads": True, **options})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()

        def answer(dialog):
            dialogs.append((role, dialog.message))
            dialog.accept()
        page.on("dialog", answer)
        opened.append((role, context, page))
        return page

    yield open_
    for role, context, page in opened:
        if _failed(request.node):
            SCREENS.mkdir(exist_ok=True)
            stem = SCREENS / f"FAILED-{_slug(request.node.name)}-{role}"
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
                pathlib.Path(f"{stem}.html").write_text(f"<!-- {page.url} -->\n{page.content()}", encoding="utf-8")
            except Exception as exc:  # noqa: BLE001 - a closed page must not hide the test's own failure
                print(f"could not keep the {role} page: {exc}")
        context.close()


@pytest.fixture
def broker_page(open_page):
    return open_page("broker")


@pytest.fixture
def employer_page(open_page):
    return open_page("employer")


@pytest.fixture
def staff_page(open_page):
    return open_page("staff")


@pytest.fixture
def shot():
    """shot(page, "05-offer-sent"): a full-page screenshot of a step, kept whether or not the test passes."""
    SCREENS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=SCREENS / f"{name}.png", full_page=True)
    return take
