"""The employer and the insurer's back office upload a file for a month and see the differences per person
with the ledger's reason and the totals; a bad file names its rows; someone else's contract is not found."""
import datetime
import io

from engine import cover, statements
from tests.conftest import csrf_from, log_in
from tests.engine.test_statements import contract_with_staff, file_and_accept, move_to
from tests.journey import released_application

D = datetime.date
MAY = D(2027, 5, 1)


def _case(app, make_user, clock, tag):
    with app.app_context():
        case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), tag)
        move_to(clock, D(2027, 2, 10))
        file_and_accept(case, "3", "parental_leave", {"start_date": D(2027, 4, 1), "end_date": D(2027, 8, 31),
                                                      "mode": "suspend"})
        move_to(clock, MAY)
        cover.apply_due()
        statement, _ = statements.issue(case["contract"], MAY)
        billed = {line["personnel_number"]: line["amount"] for line in statements.view(statement)["lines"]}
    return case, statement, billed


def _upload(client, url, month, data, filename="versicherer.csv"):
    token = csrf_from(client.get(url))
    return client.post(url, data={"csrf_token": token, "month": month, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_the_employer_sees_each_difference_with_its_reason_and_earlier_ones(app, make_user, clock):
    case, statement, billed = _case(app, make_user, clock, "rw1")
    url = f"/m/auxilia/contracts/{case['contract'].id}/reconciliations"
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    assert "reconciliations" in employer.get(f"/m/auxilia/contracts/{case['contract'].id}").text  # the link
    file = (f"Personalnummer;Name;Betrag\n1;Anders, Anna;{billed['1']}\n2;Berg, Ben;{billed['2']}\n"
            f"3;Christ, Cora;{billed['4']}\n").encode()   # 4 missing; 3 is suspended (0) but listed

    answer = _upload(employer, url, "2027-05", file)

    assert answer.status_code == 302
    page = employer.get(answer.headers["Location"])
    assert page.status_code == 200
    text = page.text
    assert "Dorn, Dirk" in text and "fehlt in der Datei" in text
    assert "Christ, Cora" in text and "anderer Betrag" in text and "Elternzeit" in text and "01.04.2027" in text
    assert "Anders, Anna" not in text                             # agrees: not a difference
    assert statement.number in text
    shown = f"{sum(billed.values()):.2f}".replace(".", ",")
    assert shown in text                                          # the platform's total
    listing = employer.get(url).text
    assert "05/2027" in listing and answer.headers["Location"].split("/")[-1] in listing


def test_a_bad_file_names_its_rows_and_keeps_nothing(app, make_user, clock):
    case, _, _ = _case(app, make_user, clock, "rw2")
    url = f"/m/auxilia/contracts/{case['contract'].id}/reconciliations"
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    answer = _upload(employer, url, "2027-05", "Personalnummer;Betrag\n1;zwölf\n".encode())
    assert answer.status_code == 422
    assert "„zwölf“: Bitte geben Sie eine Zahl an" in answer.text and 'id="row-problems"' in answer.text
    assert "Es wurde noch keine Datei abgeglichen." in answer.text
    assert _upload(employer, url, "Mai", b"Personalnummer;Betrag\n1;1\n").status_code == 422


def test_the_back_office_reconciles_and_others_are_refused(app, make_user, clock):
    case, statement, billed = _case(app, make_user, clock, "rw3")
    contract_id = case["contract"].id
    office = app.test_client()
    log_in(office, case["staff"])
    url = f"/m/auxilia/office/contracts/{contract_id}/reconciliations"
    assert "reconciliations" in office.get(f"/m/auxilia/office/contracts/{contract_id}/statements").text
    with app.app_context():
        own = statements.as_csv(statements.Statement.get_by_id(statement.id))
    answer = _upload(office, url, "2027-05", own, "statement.csv")
    assert answer.status_code == 302
    page = office.get(answer.headers["Location"]).text
    assert "Keine Unterschiede" in page and f"{sum(billed.values()):.2f}".replace(".", ",") in page
    reconciliation_page = answer.headers["Location"]

    stranger = app.test_client()                                  # another insurer's staff
    log_in(stranger, make_user("insurer", tenant="lumen"))
    assert stranger.get(reconciliation_page.replace("/auxilia/", "/lumen/")).status_code == 404
    assert stranger.get(reconciliation_page).status_code == 403
    other_employer = app.test_client()                            # the employer of another client
    with app.app_context():
        other = released_application("auxilia", tag="rw4")
    log_in(other_employer, other["employer_user"])
    assert other_employer.get(f"/m/auxilia/contracts/{contract_id}/reconciliations").status_code == 404
    assert other_employer.get(f"/m/auxilia/contracts/{contract_id}/reconciliations/1").status_code == 404
