"""Issue #18: the employer decides with the facts in view. The offer link page (accept/decline) and the
release page of the application show per group the tariffs with premiums and their benefits (tenant
Markdown as lists) and link the offer PDF, which downloads."""
import html
import re

import pytest

from engine import formatting, registry
from tests.conftest import log_in
from tests.formfill import pdf_text
from tests.journey import submitted_application
from tests.web.test_offers import make_sent_offer


def benefit_items(live, tariff_ids):
    return [line.strip()[2:].strip() for t in tariff_ids for line in live.tariffs[t]["benefits"]["de"].splitlines()
            if line.strip().startswith("- ")]


def assert_shows_benefits_and_pdf(client, page, live, offer):
    text = html.unescape(page)
    chosen = [line["tariff"] for group in offer.figures["groups"] for line in group["tariffs"]]
    for tariff in chosen:
        assert live.tariffs[tariff]["name"]["de"] in text
    items = benefit_items(live, chosen)
    assert items, "the demo tariffs list their benefits"
    for item in items:
        assert f"<li>{item}</li>" in text, item  # a list item, not "- " text
    for group in offer.figures["groups"]:  # the monthly premium per person and its shares
        shares = " · ".join(f"{label}: {formatting.money(group[key])}" for label, key in
                            (("Beitrag je Person und Monat", "premium"), ("davon Arbeitgeber", "employer"),
                             ("davon Arbeitnehmer", "employee")))
        assert shares in text, shares
    link = re.search(r'href="([^"]+/documents/\d+)"[^>]*>[^<]*PDF', page)
    assert link, "the offer PDF is linked"
    pdf = client.get(link.group(1))
    assert pdf.status_code == 200 and f"Angebot Nr. {offer.id}" in pdf_text(pdf.data)


@pytest.mark.parametrize("slug", ["lumen", "auxilia"])
def test_the_offer_link_page_shows_benefits_premiums_and_the_pdf(app, make_user, slug):
    broker, employer, client, offer, token = make_sent_offer(app, make_user, slug=slug)
    c = app.test_client()
    log_in(c, employer)
    page = c.get(f"/offer/{token}")
    assert page.status_code == 200 and "Angebot annehmen" in page.text
    with app.app_context():
        assert_shows_benefits_and_pdf(c, page.text, registry.get(slug), offer)


@pytest.mark.parametrize("slug", ["auxilia", "lumen"])
def test_the_release_page_shows_the_offer_it_releases(app, slug):
    with app.app_context():
        case = submitted_application(slug, tag="rel")
        if not case["live"].settings.get("employer_release_required", True):
            pytest.skip("this insurer needs no release")
        application, offer, live = case["application"], case["offer"], case["live"]
    c = app.test_client()
    log_in(c, case["employer_user"])
    page = c.get(f"/m/{slug}/applications/{application.id}")
    assert page.status_code == 200 and "Antrag freigeben" in page.text
    with app.app_context():
        assert_shows_benefits_and_pdf(c, page.text, live, offer)
