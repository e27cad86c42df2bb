"""Accessibility in the browser: the login and client forms work with the keyboard alone, every form
control of the main pages has a label, and axe-core (vendored, no network) finds nothing serious or
critical on them."""
import pathlib
import re

import pytest
from playwright.sync_api import expect

from engine import contracts, employees, enrolments
from engine.models import Application
from tests.browser.actions import employee_xlsx, log_in
from tests.journey import submitted_application

AXE = pathlib.Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")

UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter(el => el.type !== "hidden")
  .filter(el => {
    const text = node => (node && node.textContent || "").trim();
    const byLabel = [...(el.labels || [])].some(label => text(label));
    const byAria = (el.getAttribute("aria-label") || "").trim();
    const byIds = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
      .some(id => text(document.getElementById(id)));
    return !(byLabel || byAria || byIds);
  })
  .map(el => el.outerHTML.slice(0, 160))"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), impact: n.impact}))}));
}"""


def focused(page):
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def tab_to(page, element_id, limit=25):
    """Press Tab until the element with this id has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == element_id:
            return
    pytest.fail(f"#{element_id} cannot be reached with Tab within {limit} presses on {page.url}")


def focus_is_visible(page):
    return page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 || s.boxShadow !== "none"; }""")


def test_login_form_by_keyboard(open_page, make_user):
    broker = make_user("broker")
    page = open_page("keyboard")
    page.goto("/auth/login")
    tab_to(page, "f-email")
    assert focus_is_visible(page), "the focused e-mail field shows no focus indicator"
    page.keyboard.type(broker.email)
    page.keyboard.press("Tab")
    assert focused(page) == "f-password"
    page.keyboard.type(broker.plain_password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/advisor/$"))
    expect(page.locator(".flash-success")).to_contain_text("Willkommen")


def test_client_form_by_keyboard(open_page, make_user):
    broker = make_user("broker")
    page = open_page("keyboard")
    log_in(page, broker.email, broker.plain_password)
    page.goto("/advisor/clients/new")
    typed = [("company_name", "Tastatur & Söhne GmbH"), ("street", "Hauptstr. 1"), ("postal_code", "10115"),
             ("city", "Berlin"), ("industry", "Bau"), ("employees_count", "25"), ("contact_name", "Karl Taste"),
             ("contact_email", "karl@example.org")]
    tab_to(page, "field-company_name")
    for index, (name, text) in enumerate(typed):
        if index:
            page.keyboard.press("Tab")
        assert focused(page) == f"field-{name}", f"Tab after the previous field went to #{focused(page)}, not {name}"
        page.keyboard.type(text)  # in a closed select, typing picks the option that starts so
    expect(page.locator("#field-industry")).to_have_value("construction")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tastatur & Söhne GmbH")
    expect(page.locator("main")).to_contain_text("karl@example.org")


@pytest.fixture
def main_pages(app, make_user, open_page):
    """main_pages(**context_options) -> [(name, page at it)]: the pages every role works on most, with
    a case behind them (a group contract with imported employees and enrolments waiting)."""
    def arrange(**options):
        staff = make_user("insurer", tenant="auxilia")
        with app.app_context():
            case = submitted_application("auxilia", tag="a11y")
            contracts.release(case["employer_user"], case["application"])
            contracts.accept(staff, contracts.application_for_insurer("auxilia", case["application"].id), "GV-A11Y")
            contract = contracts.contracts_for_employer(case["employer_user"], "auxilia")[0]
            batch = employees.preview(case["employer_user"], contract, "mitarbeitende.xlsx", employee_xlsx())
            employees.start(case["employer_user"], batch)
            employees.run_import(batch.id)
            people = [e for e in employees.for_contract(contract) if e.tariff_group]
            enrolments.send(case["employer_user"], contract, [people[0].id])
            assert Application.get_by_id(case["application"].id).state == "accepted"
        client_id = case["client"].id
        pages = []
        anonymous = open_page("anonymous", **options)
        for name, url in (("login", "/auth/login"), ("register", "/auth/register")):
            pages.append((name, anonymous, url))
        broker = open_page("broker", **options)
        log_in(broker, case["broker"].email, case["broker"].plain_password)
        pages += [("advisor dashboard", broker, "/advisor/"),
                  ("client form", broker, "/advisor/clients/new"),
                  ("offer form", broker, f"/advisor/clients/{client_id}/offers/new?tenant=auxilia")]
        employer = open_page("employer", **options)
        log_in(employer, case["employer_user"].email, case["employer_user"].plain_password)
        pages += [("manager contract page", employer, f"/m/auxilia/contracts/{contract.id}"),
                  ("manager SEPA mandate", employer, f"/m/auxilia/contracts/{contract.id}/mandate")]
        office = open_page("staff", **options)
        log_in(office, staff.email, staff.plain_password)
        pages += [("office inbox", office, "/m/auxilia/office/"),
                  ("office direct debits", office, "/m/auxilia/office/collections/")]
        return pages
    return arrange


def test_every_form_control_has_a_label(main_pages):
    missing = {}
    for name, page, url in main_pages():
        page.goto(url)
        expect(page.locator("main h1")).to_be_visible()
        unlabelled = page.evaluate(UNLABELLED)
        if unlabelled:
            missing[f"{name} ({url})"] = unlabelled
    assert not missing, missing


def test_axe_finds_nothing_serious(main_pages):
    """axe-core runs in the page; the app's CSP forbids foreign scripts, so these contexts bypass it."""
    found = {}
    for name, page, url in main_pages(bypass_csp=True):
        page.goto(url)
        page.add_script_tag(path=AXE)
        blocking = [v for v in page.evaluate(AXE_RUN) if v["impact"] in BLOCKING]
        if blocking:
            found[f"{name} ({url})"] = [f"{v['impact']} {v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']]}"
                                       for v in blocking]
    assert not found, "\n".join(f"{page}:\n  " + "\n  ".join(items) for page, items in found.items())


def test_employer_views_fit_a_phone(app, make_user, open_page):
    """At 390 px wide the employer's pages scroll vertically only; tables scroll inside themselves."""
    staff = make_user("insurer", tenant="auxilia")
    with app.app_context():
        case = submitted_application("auxilia", tag="phone")
        contracts.release(case["employer_user"], case["application"])
        contracts.accept(staff, contracts.application_for_insurer("auxilia", case["application"].id), "GV-PHONE")
        contract = contracts.contracts_for_employer(case["employer_user"], "auxilia")[0]
        batch = employees.preview(case["employer_user"], contract, "mitarbeitende.xlsx", employee_xlsx())
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
        person = employees.for_contract(contract)[0]
    page = open_page("employer", viewport={"width": 390, "height": 844})
    log_in(page, case["employer_user"].email, case["employer_user"].plain_password)
    for url in ("/m/auxilia/", f"/m/auxilia/applications/{case['application'].id}",
                f"/m/auxilia/contracts/{contract.id}", f"/m/auxilia/contracts/{contract.id}/mandate",
                f"/m/auxilia/contracts/{contract.id}/employees/{person.id}",
                f"/m/auxilia/contracts/{contract.id}/employees/{person.id}/events/address_change"):
        page.goto(url)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, f"{url} is {width}px wide at 390px"
        page.screenshot(path=str(pathlib.Path(__file__).parent / "screens" / f"phone-{url.strip('/').replace('/', '-')}.png"),
                        full_page=True)
