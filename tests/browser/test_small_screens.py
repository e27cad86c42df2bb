"""The manager's contract page on a phone (issue #18): at 390 px the staff list is a stack of cards that
show name, personnel number, status, tariff group and premium, and the cost chart's figures are whole."""
import pytest

from engine import enrolments
from tests.browser.actions import log_in
from tests.journey import enrolled_case

CARD = """() => [...document.querySelectorAll("table.cards tbody tr")].map(row => ({
  display: getComputedStyle(row).display,
  right: Math.max(...[...row.querySelectorAll("td")].map(cell => cell.getBoundingClientRect().right)),
  shown: [...row.querySelectorAll("td")].filter(cell => cell.getBoundingClientRect().width > 0)
    .map(cell => cell.innerText.trim() && ((cell.dataset.label || "") + ": " + cell.innerText.trim()))
    .filter(Boolean)}))"""

CLIPPED = """() => [...document.querySelectorAll("figure.chart svg")].flatMap(svg => {
  const box = svg.viewBox.baseVal;
  return [...svg.querySelectorAll("text")].filter(text => {
    const b = text.getBBox(); return b.x < box.x || b.x + b.width > box.x + box.width; })
    .map(text => text.textContent); })"""

WIDEST = """() => [...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > innerWidth)
  .slice(0, 5).map(el => el.tagName + "." + el.className + " " + Math.round(el.getBoundingClientRect().right))"""


@pytest.fixture
def contract_page(app, make_user):
    staff = make_user("insurer", tenant="auxilia")
    with app.app_context():
        case = enrolled_case("auxilia", staff, tag="cards")
        enrolments.accept(staff, case["enrolment"])  # a policy: the cost chart has a bar
    return case, f"/m/auxilia/contracts/{case['contract'].id}"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_staff_list_and_cost_chart_fit_the_screen(open_page, shot, contract_page, width):
    case, url = contract_page
    page = open_page("employer", viewport={"width": width, "height": 844})
    log_in(page, case["employer_user"].email, case["employer_user"].plain_password)
    page.goto(url)
    shot(page, f"contract-{width}")
    assert page.evaluate(CLIPPED) == [], "a label of the cost chart is cut off"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, page.evaluate(WIDEST)
    [card] = page.evaluate(CARD)
    person = case["employee"]
    if width == 390:
        assert card["display"] != "table-row" and card["right"] <= width, card
        shown = " | ".join(card["shown"])
        for label, value in (("Personalnummer", person.personnel_number), ("Status", "angenommen"),
                             ("Tarifgruppe", "Alle Mitarbeitenden")):
            assert f"{label}: {value}" in shown, shown
        assert f"{person.last_name}, {person.first_name}" in shown, shown
    else:
        assert card["display"] == "table-row"


def test_a_disabled_button_looks_disabled(open_page, contract_page):
    """The stylesheet greys out a button that cannot be used and says so to the pointer (issue #18)."""
    case, url = contract_page
    page = open_page("employer")
    log_in(page, case["employer_user"].email, case["employer_user"].plain_password)
    page.goto(url)
    looks = page.evaluate("""() => [false, true].map(disabled => {
        const button = document.createElement("button"); button.textContent = "Senden"; button.disabled = disabled;
        document.querySelector("main").appendChild(button);
        const style = getComputedStyle(button);
        return {background: style.backgroundColor, cursor: style.cursor}; })""")
    enabled, disabled = looks
    assert disabled["background"] != enabled["background"] and disabled["cursor"] == "not-allowed", looks
