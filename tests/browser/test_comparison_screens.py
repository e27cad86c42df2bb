"""Insurers side by side on a laptop and a phone (issue #18): the broker's comparison and the employer's
offers sent together. At 390 px the page itself does not overflow: the table scrolls sideways inside
its frame while the column of labels stays in place."""
import pytest

from engine import comparisons
from tests.browser.actions import log_in
from tests.engine.test_comparisons import asked, broker_with_numbers, new_client
from web import links

WIDEST = """() => [...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > innerWidth)
  .slice(0, 8).map(el => el.tagName + "." + el.className + " " + Math.round(el.getBoundingClientRect().right))"""
FITS = "() => document.scrollingElement.scrollWidth"
STICKY = """() => { const wrap = document.querySelector(".compare-wrap"); const label = wrap.querySelector("th[scope=row]");
  const before = label.getBoundingClientRect().left; wrap.scrollLeft = 400;
  return {scrolls: wrap.scrollWidth > wrap.clientWidth, moved: wrap.scrollLeft, label: label.getBoundingClientRect().left - before}; }"""


@pytest.fixture
def sent_comparison(app, make_user):
    broker = broker_with_numbers(make_user)
    with app.app_context():
        client = new_client(broker)
        kept = comparisons.record(broker, client, comparisons.read_inputs(broker, asked()))
        comparisons.make_offers(broker, kept)
        kept = comparisons.send(broker, kept)
        with app.test_request_context():
            token = links.comparison_token(kept)
    employer = make_user("employer", email="chefin@vergleich.example", employer=client)
    return broker, employer, client, kept, token


@pytest.mark.parametrize("width", [1280, 390])
def test_the_comparison_pages_fit_the_screen(open_page, shot, sent_comparison, width):
    broker, employer, client, kept, token = sent_comparison
    query = "&".join(f"{k}={v}" for k, v in asked().items(multi=True))
    for role, user, url, name in (
            ("broker", broker, f"/advisor/clients/{client.id}/compare?{query}", "compare"),
            ("broker", broker, f"/advisor/comparisons/{kept.id}", "comparison"),
            ("employer", employer, f"/offer/compare/{token}", "offers-compared")):
        page = open_page(role, viewport={"width": width, "height": 900})
        log_in(page, user.email, user.plain_password)
        page.goto(url)
        shot(page, f"{name}-{width}")
        assert page.evaluate(FITS) <= width, (name, page.evaluate(WIDEST))
        if width == 390:
            moved = page.evaluate(STICKY)
            assert moved["scrolls"] and moved["moved"] > 0 and abs(moved["label"]) < 1, (name, moved)
