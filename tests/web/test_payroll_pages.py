"""The employer records other benefits in kind, sees who goes over the 50 EUR limit (staff list,
benefits page, before enrolling) and downloads the month's payroll export as CSV, XLSX and LODAS;
nobody else reaches these pages."""
import io
from decimal import Decimal

from openpyxl import load_workbook

from engine import employees
from tests.conftest import csrf_from, log_in
from tests.engine.test_payroll import parse_lodas
from tests.engine.test_statements import HEADER, contract_with_staff


def test_benefits_warnings_and_payroll_downloads(app, make_user):
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), "wp1")
        contract, people = case["contract"], case["people"]
        employees.save_by_hand(case["employer_user"], contract, {
            "personnel_number": "5", "last_name": "Eck", "first_name": "Emil", "birth_date": "1975-04-01",
            "street": "Weg 1", "postal_code": "10115", "city": "Berlin", "employment_start": "2010-01-01",
            "employment_type": "Vollzeit"})
        outsider = make_user("employer")
    base = f"/m/auxilia/contracts/{contract.id}"
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    token = csrf_from(employer.get(f"{base}/benefits"))
    assert employer.post(f"{base}/benefits", data={"label": "Jobticket", "amount": "25,89", "from_month": "2027-01",
                                                   "employee": ""}).status_code == 400          # no CSRF token
    refused = employer.post(f"{base}/benefits", data={"csrf_token": token, "label": "Jobticket", "amount": "0",
                                                      "from_month": "2027-01"})
    assert refused.status_code == 200 and 'class="error"' in refused.text
    for values in ({"label": "Jobticket", "amount": "25,89", "from_month": "2027-01", "employee": ""},
                   {"label": "Tankgutschein", "amount": "1,91", "from_month": "2027-01", "employee": people["4"].id}):
        assert employer.post(f"{base}/benefits", data={"csrf_token": token, **values}).status_code == 302
    page = employer.get(f"{base}/benefits").text
    assert "Jobticket" in page and "Tankgutschein" in page and "04/2027" in page and "51,90 EUR" in page

    staff_list = employer.get(base).text
    assert staff_list.count("limit-warning") >= 2 and "04/2027" in staff_list   # Dirk from April, Anna, Emil (ready)
    assert "enrol-warnings" in staff_list and "Eck, Emil" in staff_list
    emil = employees.for_contract(contract)
    emil = next(p for p in emil if p.personnel_number == "5")
    sent = employer.post(f"{base}/enrol", data={"csrf_token": csrf_from(employer.get(base)), "employee": emil.id},
                         follow_redirects=True).text
    assert "Emil Eck: " in sent and "54,39 EUR" in sent                        # 28.50 + 25.89, listed when enrolling

    assert employer.get(f"{base}/payroll/2027-04.lodas").status_code == 302     # consultant number missing
    saved = employer.post(f"{base}/payroll?month=2027-04", data={
        "csrf_token": csrf_from(employer.get(f"{base}/payroll?month=2027-04")), "treatment": "benefit_in_kind",
        "wage_type": "4711", "consultant_number": "1234567", "client_number": "12345"})
    assert saved.status_code == 302
    page = employer.get(f"{base}/payroll?month=2027-04").text
    assert "over-limit" in page and "Dorn, Dirk" in page
    _, records = parse_lodas(employer.get(f"{base}/payroll/2027-04.lodas").data)
    assert {r["pnr"]: r["la_eigene"] for r in records} == {"1": "4711", "2": "4711", "3": "4711", "4": "4711"}
    csv_file = employer.get(f"{base}/payroll/2027-04.csv")
    assert csv_file.mimetype == "text/csv" and "attachment" in csv_file.headers["Content-Disposition"]
    assert ";51,90;" in csv_file.data.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(employer.get(f"{base}/payroll/2027-04.xlsx").data))
    assert [r[0] for r in book["Über Freigrenze"].iter_rows(min_row=2, values_only=True)] == ["1", "4"]
    assert Decimal(str(book["Lohnexport"]["E2"].value)) == Decimal("28.5")
    assert employer.get(f"{base}/payroll/2027-04.exe").status_code == 404
    assert employer.get(f"{base}/payroll/april.csv").status_code == 404

    stranger = app.test_client()
    log_in(stranger, outsider)
    for url in (f"{base}/payroll", f"{base}/benefits", f"{base}/payroll/2027-04.csv"):
        assert stranger.get(url).status_code in (403, 404)
    broker = app.test_client()
    log_in(broker, case["broker"])
    assert broker.get(f"{base}/payroll").status_code == 403


def test_a_large_staff_is_chosen_by_search_and_pages_and_warned_about_per_page(app, make_user):
    """The benefits page of a contract with more people than a page lists one page of them to choose from,
    finds the others by name, and projects the limit warnings of the people listed only."""
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), "wp2")
        contract, people = case["contract"], case["people"]
        rows = "".join(f"{100 + n};Zeller{n:02d};Zora;01.01.1990;Weg 1;10115;Berlin;01.01.2010;Vollzeit;40\n"
                       for n in range(60))
        batch = employees.preview(case["employer_user"], contract, "more.csv", (HEADER + rows).encode())
        employees.start(case["employer_user"], batch)
        employees.run_import(batch.id)
    base = f"/m/auxilia/contracts/{contract.id}"
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    token = csrf_from(employer.get(f"{base}/benefits"))
    assert employer.post(f"{base}/benefits", data={"csrf_token": token, "label": "Tankgutschein", "amount": "40,00",
                                                   "from_month": "2027-01", "employee": people["4"].id}).status_code == 302
    first = employer.get(f"{base}/benefits").text
    assert first.count("<option") == 1 + employees.PAGE_SIZE and "Zeller45" in first and "Zeller46" not in first
    assert 'rel="next"' in first and "1–50 von 64" in first
    assert "limit-warnings" in first and "Dorn, Dirk: " in first                    # listed: warned about
    second = employer.get(f"{base}/benefits?page=2").text
    assert "Zeller46" in second and "Zeller59" in second and "Dorn, Dirk: " not in second
    assert "limit-warnings" not in second                                         # nobody listed is over it
    found = employer.get(f"{base}/benefits?q=dorn").text
    assert found.count("<option") == 2 and "Dorn, Dirk: " in found and "Zeller" not in found
    zeller = next(p for p in employees.for_contract(contract) if p.last_name == "Zeller59")
    refused = employer.post(f"{base}/benefits", data={"csrf_token": token, "label": "Jobticket", "amount": "0",
                                                      "from_month": "2027-01", "employee": zeller.id})
    assert refused.status_code == 200 and f'<option value="{zeller.id}" selected' in refused.text  # still chosen
