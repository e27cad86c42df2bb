"""Product documents per tariff (AVB, Produktinformationsblatt): the broker sees them in the consultation,
the offer records their titles and versions and its mail carries the PDFs, the employer downloads them
from the offer page and the contract page, and a later version of a document changes nothing that was
offered."""
import re
import shutil

from engine import consultations, contracts, offers, registry
from engine.models import Offer
from tests.conftest import log_in
from tests.formfill import pdf_text
from tests.journey import first_start, staffed_case, tariff_choice
from tests.tenant_versions import load_live
from tests.web.test_offers import make_sent_offer

AVB = "Allgemeine Versicherungsbedingungen (AVB)"


def document_links(page):
    """(title, href) of each product document a page links."""
    return re.findall(r'<a href="(/products/[^"]+)">([^<]+)</a>', page)


def test_the_offer_records_its_documents_mails_them_and_the_employer_downloads_them(app, make_user, mailbox):
    broker, employer, client, offer, token = make_sent_offer(app, make_user, slug="nordhafen")
    with app.app_context():
        offer = Offer.get_by_id(offer.id)
    assert [(d["tariff"], d["title"]["de"], d["version"]) for d in offer.product_documents] == [
        ("kompakt", AVB, "01/2026"), ("kompakt", "Produktinformationsblatt", "01/2026")]

    [mail] = mailbox.to("offen@example.org")
    assert [(name, kind) for name, kind, _ in mail["attachments"]] == [
        (f"{AVB} 01-2026.pdf", "application/pdf"), ("Produktinformationsblatt 01-2026.pdf", "application/pdf")]
    assert "Nordhafen Versicherung AG" in pdf_text(mail["attachments"][0][2])
    assert "Produktinformationsblatt Nordhafen Budget Kompakt" in pdf_text(mail["attachments"][1][2])
    assert "- Produktinformationsblatt, Version 01/2026" in mail["body"]
    with app.app_context():
        _, offer_pdf = offers.pdf(offer)
    assert "Produktinformationsblatt, Stand 01/2026 (Nordhafen Budget Kompakt)" in pdf_text(offer_pdf)

    browser = app.test_client()
    log_in(browser, employer)
    page = browser.get(f"/offer/{token}").text
    assert "Produktdokumente" in page and "Version 01/2026" in page
    links = document_links(page)
    assert [title for _, title in links] == [AVB, "Produktinformationsblatt"]
    download = browser.get(links[1][0])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "Produktinformationsblatt Nordhafen Budget Kompakt" in pdf_text(download.data)
    assert app.test_client().get(links[1][0]).status_code == 302  # to the login: for people logged in

    with browser.session_transaction() as session:
        session["lang"] = "en"
    english = browser.get(f"/offer/{token}").text
    assert "Product documents" in english and "Product information sheet" in english and "version 01/2026" in english


def test_a_later_version_of_a_document_changes_nothing_that_was_offered(app, make_user, tmp_path):
    broker, employer, client, offer, token = make_sent_offer(app, make_user, slug="nordhafen")
    folder = tmp_path / "tenants" / "nordhafen"
    shutil.copytree("tenants/nordhafen", folder)
    tenant_yaml = folder / "tenant.yaml"
    tenant_yaml.write_text(tenant_yaml.read_text(encoding="utf-8").replace(
        '{file: documents/pib-kompakt.pdf, version: "01/2026"', '{file: documents/pib-kompakt.pdf, version: "07/2026"'),
        encoding="utf-8")
    pib = folder / "documents" / "pib-kompakt.pdf"
    pib.write_bytes(pib.read_bytes() + b"\n% revised in July\n")
    with app.app_context():
        load_live(folder.parent)
        live = registry.get("nordhafen")
        group = live.doc["tariff_groups"][0]
        later = offers.create(broker, client, live, {
            "start_date": first_start(), "other_benefits_in_kind": 0, f"{group['id']}__include": True,
            **tariff_choice(live, group), f"{group['id']}__employer_share": 100, f"{group['id']}__headcount": 10,
            f"{group['id']}__average_age": 40})
        assert [d["version"] for d in later.product_documents] == ["01/2026", "07/2026"]
        first = Offer.get_by_id(offer.id)
        assert [d["version"] for d in first.product_documents] == ["01/2026", "01/2026"]
    browser = app.test_client()
    log_in(browser, employer)
    page = browser.get(f"/offer/{token}").text
    [_, (old_link, _)] = document_links(page)
    assert not browser.get(old_link).data.endswith(b"% revised in July\n")  # the file as it was offered


def test_the_consultation_and_the_contract_page_list_the_documents(app, make_user, client):
    staff = make_user("insurer", tenant="nordhafen")
    with app.app_context():
        case = staffed_case("nordhafen", staff, tag="docs")
        live = registry.get("nordhafen")
        consultation = consultations.start(case["broker"], case["client"], live, ["komfort"],
                                           [module["id"] for module in consultations.modules_of(live)])
        contract = contracts.contracts_for_employer(case["employer_user"], "nordhafen")[0]
    log_in(client, case["broker"])
    figures = client.get(f"/advisor/consultations/{consultation.id}?step=99").text
    assert [title for _, title in document_links(figures)] == [AVB, "Produktinformationsblatt"]
    assert "Nordhafen Budget Komfort" in figures and "Nordhafen Budget Kompakt" not in figures.split("Produktdokumente")[1]

    manager = app.test_client()
    log_in(manager, case["employer_user"])
    page = manager.get(f"/m/nordhafen/contracts/{contract.id}").text
    assert "Produktdokumente" in page
    links = document_links(page)
    assert [title for _, title in links] == [AVB, "Produktinformationsblatt"]
    assert manager.get(links[0][0]).status_code == 200
