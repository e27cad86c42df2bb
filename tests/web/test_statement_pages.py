"""Employer, broker and insurer each see a contract's premium statements and download them."""
import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from engine import clock as platform_clock, enrolments, statements
from tests.conftest import log_in
from tests.formfill import pdf_text
from tests.journey import enrolled_case


def test_each_party_lists_and_downloads_the_statement(app, make_user, clock):
    with app.app_context():
        staff = make_user("insurer", tenant="auxilia")
        case = enrolled_case("auxilia", staff, tag="w1")
        enrolments.accept(staff, case["enrolment"])
        clock.move_to(datetime.datetime(2027, 1, 2, 9, 0, tzinfo=platform_clock.ZONE))
        statement, _ = statements.issue(case["contract"], datetime.date(2027, 1, 1))
        total = statements.view(statement)["total"]
        contract_id, client_id = case["contract"].id, case["client"].id
    shown = f"{total:.2f}".replace(".", ",")
    pages = [(case["employer_user"], f"/m/auxilia/contracts/{contract_id}/statements",
              f"/m/auxilia/contracts/{contract_id}/statements/{statement.id}"),
             (case["broker"], f"/advisor/clients/{client_id}/statements",
              f"/advisor/clients/{client_id}/contracts/{contract_id}/statements/{statement.id}"),
             (staff, f"/m/auxilia/office/contracts/{contract_id}/statements",
              f"/m/auxilia/office/contracts/{contract_id}/statements/{statement.id}")]
    for user, listing, download in pages:
        client = app.test_client()
        log_in(client, user)
        page = client.get(listing)
        assert page.status_code == 200 and statement.number in page.text and shown in page.text
        pdf = client.get(download + ".pdf")
        assert pdf.mimetype == "application/pdf" and shown in pdf_text(pdf.data)
        sheet = load_workbook(io.BytesIO(client.get(download + ".xlsx").data)).active
        amounts = [row[statements.CSV_HEADER.index("Betrag EUR")] for row in sheet.iter_rows(min_row=2, values_only=True)
                   if row and isinstance(row[0], int)]
        assert Decimal(str(sum(amounts))).quantize(Decimal("0.01")) == total
        assert client.get(download + ".exe").status_code == 404
