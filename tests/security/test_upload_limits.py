"""Review II, item 9: uploads that exhausted the server within the old limits now end with a reason.
A zip bomb posing as XLSX, a CSV row of countless columns, a sheet row reaching column XFD and a file
of thousands of invalid rows are real files built here; limits are the configured ones (a small
configured limit stands in for a big file where the test would otherwise be slow)."""
import io
import json
import zipfile

import pytest
from openpyxl import Workbook

from engine import employee_file, employees
from engine.employee_file import FileUnusable
from tests.conftest import log_in
from tests.engine.test_employees import HEADER, contract_with_staff, rows

ROW = "1;Nach1;Vor1;01.01.1980;Weg 1;10115;Berlin;01.01.2010;Vollzeit"


def workbook(rows_, pad_sheet=None, sheet_xml=None):
    """A real XLSX (openpyxl) with `rows_`; `pad_sheet` adds that many bytes of blanks inside the sheet's
    data (what a zip bomb unpacks to), `sheet_xml(text)` may rewrite the sheet's XML."""
    book = Workbook()
    for row in rows_:
        book.active.append(row)
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, data)
                continue
            head, tail = data.decode().split("</sheetData>")
            if sheet_xml:
                head = sheet_xml(head)
            with target.open(info.filename, "w", force_zip64=True) as member:
                member.write(head.encode())
                for _ in range((pad_sheet or 0) // 2**20):
                    member.write(b" " * 2**20)
                member.write(("</sheetData>" + tail).encode())
    return out.getvalue()


XLSX_HEADER = HEADER.strip().split(";")
XLSX_ROW = [1, "Nach1", "Vor1", "01.01.1980", "Weg 1", "10115", "Berlin", "01.01.2010", "Vollzeit"]


def test_an_xlsx_that_unpacks_to_190_mb_is_refused_before_it_is_unpacked():
    bomb = workbook([XLSX_HEADER, XLSX_ROW], pad_sheet=190 * 2**20)
    assert len(bomb) < 400_000  # the review's file: about 200 KB
    with pytest.raises(FileUnusable, match="entpackt 190 MB"):
        employee_file.parse("bombe.xlsx", bomb)


def test_a_csv_row_of_countless_columns_is_refused_before_it_is_split(app, make_user):
    """The review's file had 2 million columns in one row (2.2 GB); this one has 200,000."""
    data = (HEADER + ROW + "\n" + "x;" * 200_000 + "\n").encode()
    case, contract, _ = contract_with_staff(app, make_user, [])
    with app.app_context():
        batch = employees.preview(case["employer_user"], contract, "breit.csv", data)
    assert batch.status == "unusable"
    assert "Zeile 3 ist länger als 100.000 Zeichen" in batch.report["unusable"]["de"]
    assert len(json.dumps(batch.report)) < 1000  # no warning per column


def test_columns_per_row_and_cells_in_all_are_bounded(monkeypatch):
    wide = HEADER + ROW + "\n" + ";".join(["x"] * 201) + "\n"
    with pytest.raises(FileUnusable, match="Zeile 3 hat mehr als 200 Spalten") as caught:
        employee_file.parse("breit.csv", wide.encode())
    assert caught.value.row == 3
    trailing = HEADER + ROW + ";" * 5000 + "\n"  # empty cells after the last value are no columns
    assert len(employee_file.parse("leer.csv", trailing.encode()).rows) == 1

    monkeypatch.setattr(employee_file, "MAX_CELLS", 1000)
    empty_rows = HEADER + ROW + "\n" + "\n" * 2000  # empty rows count too
    with pytest.raises(FileUnusable, match="mehr als 1.000 Zellen"):
        employee_file.parse("leer.csv", empty_rows.encode())


def test_a_sheet_value_past_the_column_limit_is_refused_but_an_empty_cell_there_is_ignored():
    far = workbook([XLSX_HEADER, XLSX_ROW], sheet_xml=lambda xml: xml + (
        '<row r="3"><c r="A3" t="inlineStr"><is><t>2</t></is></c>'
        '<c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>'))
    with pytest.raises(FileUnusable, match="Zeile 3 hat einen Wert in Spalte 16384") as caught:
        employee_file.parse("weit.xlsx", far)
    assert caught.value.row == 3
    styled = workbook([XLSX_HEADER, XLSX_ROW], sheet_xml=lambda xml: xml + '<row r="3"><c r="XFD3" s="0"/></row>')
    assert len(employee_file.parse("format.xlsx", styled).rows) == 1

    many = workbook([XLSX_HEADER, XLSX_ROW], sheet_xml=lambda xml: xml + (
        '<row r="3">' + '<c t="inlineStr"><is><t>x</t></is></c>' * 250 + '</row>'))
    with pytest.raises(FileUnusable, match="Zeile 3 hat einen Wert in Spalte 201"):
        employee_file.parse("viele.xlsx", many)


def test_a_tag_longer_than_excel_writes_is_refused_before_it_is_held_whole():
    huge = workbook([XLSX_HEADER, XLSX_ROW], sheet_xml=lambda xml: xml + (
        '<row r="3"><c r="A3" x="' + "a" * (2 * 2**20) + '"/></row>'))
    assert len(huge) < 100_000
    with pytest.raises(FileUnusable, match="länger als 1 MB"):
        employee_file.parse("lang.xlsx", huge)


def test_a_workbook_with_a_dtd_is_refused():
    laughs = workbook([XLSX_HEADER, XLSX_ROW])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(laughs)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + data
            target.writestr(info.filename, data)
    with pytest.raises(FileUnusable, match="DTD"):
        employee_file.parse("dtd.xlsx", out.getvalue())


def test_thousands_of_invalid_rows_give_a_bounded_report_and_a_paged_import_page(app, make_user, monkeypatch):
    """The review's 50,000 invalid rows gave a 56 MB report and a 26.8 MB page; here 300 rows with a
    configured report limit of 120 problems stand in for them."""
    monkeypatch.setattr(employees, "REPORT_PROBLEMS", 120)
    invalid = [f"{n};Nach{n};Vor{n};31.02.1980;Weg {n};10115;Berlin;01.01.2010;Vollzeit\n" for n in range(1, 301)]
    case, contract, data = contract_with_staff(app, make_user, invalid + rows(2, start=1000))
    client = app.test_client()
    log_in(client, case["employer_user"])
    from tests.web.test_manager_journey import post
    contract_url = f"/m/lumen/contracts/{contract.id}"
    uploaded = post(client, contract_url + "/upload", {"file": (io.BytesIO(data), "fehler.csv")},
                    page=contract_url, content_type="multipart/form-data")
    batch_url = uploaded.headers["Location"]
    with app.app_context():
        batch = employees.batch_for(contract, int(batch_url.rsplit("/", 1)[1]))
    report = batch.report
    assert (batch.status, batch.total, batch.valid) == ("previewed", 302, 2)
    assert len(report["errors"]) == 120 and report["problems"] == 300 and report["problem_rows"] == 300
    assert report["new_count"] == 2

    first = client.get(batch_url).get_data(as_text=True)
    assert "302 Zeilen, 2 gültig, 300 mit Problemen" in first
    assert "Die ersten 120 von 300 Problemen" in first
    assert "<td>2</td>" in first and "<td>51</td>" in first and "<td>52</td>" not in first  # rows 2-51
    assert "Seite 1 von 3" in first
    last = client.get(batch_url + "?page=3").get_data(as_text=True)
    assert "<td>121</td>" in last and "<td>122</td>" not in last and "Seite 3 von 3" in last
    assert client.get(batch_url + "?page=999").status_code == 200
