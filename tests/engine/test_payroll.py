"""The payroll export (engine/payroll.py): a month's employer-paid premiums per person with wage type
and the 50 EUR sum, as CSV (read back as numbers), XLSX (number cells) and a DATEV LODAS file that a
small parser of its published format reads back."""
import csv
import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from engine import benefit_limit, payroll, payroll_settings
from engine.errors import DomainError
from engine.models import AuditEntry
from tests.engine.test_statements import contract_with_staff

D = datetime.date
APRIL = D(2027, 4, 1)
# auxilia "alle" in April 2027: Anna (1, 46) 28.50, Ben (2, 41) 24.10, Cora (3, 34) 22.20, Dirk (4, 40) 24.10


def parse_lodas(data):
    """The sections of a LODAS ASCII file as {section: [lines]}, and its movement data as dicts keyed by
    the field names its record description ([Satzbeschreibung]) gives for each record number."""
    text = data.decode("cp1252")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    sections, current = {}, None
    for line in text.split("\r\n"):
        if not line.strip() or line.startswith("*"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        else:
            current.append(line)
    general = dict(line.split("=", 1) for line in sections["Allgemein"])
    separator = general["Feldtrennzeichen"]
    described = {}
    for line in sections["Satzbeschreibung"]:
        number, table, *fields = [f for f in line.split(separator) if f]
        described[number] = (table, [f.split("#")[0] for f in fields])
    records = []
    for line in sections["Bewegungsdaten"]:
        number, *values = line.rstrip(separator).split(separator)
        table, fields = described[number]
        records.append({"table": table, **dict(zip(fields, values, strict=True))})
    return general, records


def staffed(make_user, tag):
    case = contract_with_staff("auxilia", make_user("insurer", tenant="auxilia"), tag)
    benefit_limit.record(case["employer_user"], case["contract"],
                         {"label": "Jobticket", "amount": "25.89", "from_month": "2027-01"})
    benefit_limit.record(case["employer_user"], case["contract"],
                         {"label": "Gutschein", "amount": "1.91", "from_month": "2027-01",
                          "employee": case["people"]["4"].id})
    return case


def test_the_lodas_file_reads_back_with_each_persons_amount_and_wage_type(app, make_user):
    with app.app_context():
        case = staffed(make_user, "p1")
        contract, user = case["contract"], case["employer_user"]
        with pytest.raises(DomainError) as missing:
            payroll.download(contract, APRIL, "lodas")
        assert missing.value.field == "consultant_number"
        payroll_settings.save(user, contract, {"treatment": "benefit_in_kind", "wage_type": "4711",
                                               "consultant_number": "1234567", "client_number": "12345"})
        assert AuditEntry.get(AuditEntry.action == "payroll_settings.saved").after["wage_type"] == "4711"
        name, data, mime = payroll.download(contract, APRIL, "lodas")
        assert name.endswith("-2027-04-LODAS.txt") and mime.startswith("text/plain")
        general, records = parse_lodas(data)
        assert (general["Ziel"], general["BeraterNr"], general["MandantenNr"], general["Zahlenkomma"]) == (
            "LODAS", "1234567", "12345", ",")
        assert {r["table"] for r in records} == {"u_lod_bwd_buchung_standard"}
        booked = {r["pnr"]: (Decimal(r["bs_wert_butab"].replace(",", ".")), r["la_eigene"], r["abrechnung_zeitraum"])
                  for r in records}
        assert booked == {"1": (Decimal("28.50"), "4711", "01.04.2027"), "2": (Decimal("24.10"), "4711", "01.04.2027"),
                          "3": (Decimal("22.20"), "4711", "01.04.2027"), "4": (Decimal("24.10"), "4711", "01.04.2027")}


def test_the_csv_and_xlsx_carry_numbers_and_the_list_over_the_limit(app, make_user, tmp_path):
    with app.app_context():
        case = staffed(make_user, "p2")
        contract = case["contract"]
        found = payroll.rows(contract, APRIL)
        assert [r.personnel_number for r in payroll.over_limit(found)] == ["1", "4"]   # Anna, and Dirk after his age step
        name, data, _ = payroll.download(contract, APRIL, "csv")
        assert data.startswith("\ufeff".encode())
        table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        dirk = next(r for r in table if r["Personalnummer"] == "4")
        assert Decimal(dirk["Arbeitgeberanteil EUR"].replace(",", ".")) == Decimal("24.10")
        assert dirk["Sachbezüge gesamt EUR"] == "51,90" and dirk["Über Freigrenze"] == "ja"
        ben = next(r for r in table if r["Personalnummer"] == "2")
        assert ben["Sachbezüge gesamt EUR"] == "49,99" and ben["Über Freigrenze"] == "nein"
        assert dirk["Behandlung"] == "Sachbezug"

        book = load_workbook(io.BytesIO(payroll.download(contract, APRIL, "xlsx")[1]))
        rows = list(book["Lohnexport"].iter_rows(min_row=2, values_only=True))
        column = payroll.HEADER.index("Arbeitgeberanteil EUR")
        assert all(isinstance(row[column], (int, float)) for row in rows)
        assert sorted(round(row[column], 2) for row in rows) == [22.2, 24.1, 24.1, 28.5]
        assert [row[0] for row in book["Über Freigrenze"].iter_rows(min_row=2, values_only=True)] == ["1", "4"]

        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        assert soffice, "LibreOffice Calc is part of the test setup (make test installs libreoffice-calc-nogui)"
        source = tmp_path / name
        source.write_bytes(data)
        # German locale (1031), ';' (59), '"' (34), UTF-8 (76), from line 1
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--infilter=CSV:59,34,76,1,,1031",
                        "--convert-to", "xlsx", "--outdir", str(tmp_path), str(source)], check=True, timeout=120,
                       capture_output=True)
        converted = load_workbook(tmp_path / name.replace(".csv", ".xlsx")).active
        values = [row[column] for row in converted.iter_rows(min_row=2, values_only=True)]
        assert all(isinstance(v, (int, float)) for v in values) and round(sum(values), 2) == 98.9


def test_taxable_pay_and_unknown_format(app, make_user):
    with app.app_context():
        case = staffed(make_user, "p3")
        contract = case["contract"]
        assert payroll_settings.of(contract).treatment == "benefit_in_kind"     # the tenant's default
        payroll_settings.save(case["employer_user"], contract, {"treatment": "taxable_pay", "wage_type": "200"})
        found = payroll.rows(contract, APRIL)
        assert {r.treatment for r in found} == {"taxable_pay"} and payroll.over_limit(found) == []
        with pytest.raises(DomainError) as bad:
            payroll_settings.save(case["employer_user"], contract, {"wage_type": "47-11"})
        assert bad.value.field == "wage_type"
        with pytest.raises(DomainError):
            payroll.download(contract, APRIL, "exe")
