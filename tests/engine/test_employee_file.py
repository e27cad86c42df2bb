"""The employee file as employers bring it from payroll software or Excel: every container variant,
every problem with the row number Excel shows and the column as written. No database."""
import datetime
import pathlib
import zipfile
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from engine import employee_file
from engine.employee_file import FileUnusable, parse

TODAY = datetime.date(2026, 1, 15)
FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
HEADER = "Personalnummer;Nachname;Vorname;Geburtsdatum;Geschlecht;E-Mail;Straße;PLZ;Ort;Eintrittsdatum;" \
         "Beschäftigungsart;Wochenstunden;Tarifgruppe"
ANNA = "1001;Becker;Anna;12.03.1985;w;anna.becker@example.de;Lindenweg 3;01067;Dresden;01.02.2015;Vollzeit;40;"
BEN = "1002;Schulz;Ben;1979-07-30;m;;Am Markt 9;04109;Leipzig;01.06.2010;Teilzeit;20,5;fuehrung"


def write(tmp_path, text, name="mitarbeitende.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path, rows, name="mitarbeitende.xlsx"):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def read(path, **kwargs):
    return parse(path.name, path.read_bytes(), today=TODAY, **kwargs)


def problems(parsed):
    return [(e.row, e.column) for e in parsed.errors]


XLSX_HEADER = ["Personalnummer", "Nachname", "Vorname", "Geburtsdatum", "Straße", "PLZ", "Ort", "Eintrittsdatum",
               "Beschäftigungsart", "Wochenstunden"]


# --------------------------------------------------------------------------- containers

def test_a_semicolon_csv_with_german_headers_gives_typed_rows_numbered_as_in_excel(tmp_path):
    parsed = read(write(tmp_path, "\n".join([HEADER, ANNA, BEN]) + "\n"))
    assert parsed.total == 2 and parsed.errors == [] and parsed.warnings == []
    anna, ben = parsed.rows
    assert anna.row == 2 and ben.row == 3
    assert anna.birth_date == datetime.date(1985, 3, 12) and anna.employment_start == datetime.date(2015, 2, 1)
    assert anna.postal_code == "01067" and anna.employment_type == "fulltime" and anna.weekly_hours == Decimal(40)
    assert anna.email == "anna.becker@example.de" and anna.tariff_group == ""
    assert ben.birth_date == datetime.date(1979, 7, 30) and ben.weekly_hours == Decimal("20.5")
    assert ben.employment_type == "parttime" and ben.tariff_group == "fuehrung" and ben.email == ""
    assert parsed.columns["street"] == "Straße"


def test_a_comma_csv_with_english_headers_in_any_order_and_spelling(tmp_path):
    text = ("City, Postal-Code ,EMPLOYMENT_TYPE,personnel number,Last Name,first_name,Birth-Date,street,"
            "employment start,gender,weekly hours\n"
            'Berlin,10115,working_student,A-7,Nguyen,Minh,2001-01-22,"Bautzner Str. 45, Hinterhaus",2024-09-01,F,'
            '"18,5"\n')
    [row] = read(write(tmp_path, text)).rows
    assert (row.personnel_number, row.city, row.postal_code) == ("A-7", "Berlin", "10115")
    assert row.street == "Bautzner Str. 45, Hinterhaus"
    assert row.employment_type == "working_student" and row.gender == "w" and row.weekly_hours == Decimal("18.5")


def test_employment_types_and_genders_are_normalised_case_insensitively(tmp_path):
    kinds = ["VOLLZEIT", "fulltime", "Teilzeit", "parttime", "MiniJob", "Azubi", "trainee", "Werkstudent",
             "working_student"]
    lines = [HEADER] + [f"{n};N;V;01.01.1990;{g};;Weg 1;10115;Berlin;01.01.2015;{kind};;"
                        for n, (kind, g) in enumerate(zip(kinds, "mwdxfMWDX"), start=1)]
    parsed = read(write(tmp_path, "\n".join(lines)))
    assert [r.employment_type for r in parsed.rows] == [
        "fulltime", "fulltime", "parttime", "parttime", "minijob", "trainee", "trainee", "working_student",
        "working_student"]
    assert [r.gender for r in parsed.rows] == ["m", "w", "d", "x", "w", "m", "w", "d", "x"]


def test_utf8_with_bom_and_windows_1252_read_the_same(tmp_path):
    text = "\r\n".join([HEADER, "1001;Müller;Jürgen;03.04.1961;m;;Königsbrücker Straße 12;01099;Dresden;"
                                "01.04.1998;Vollzeit;40;Führung"]) + "\r\n"
    with_bom = read(write(tmp_path, "\ufeff" + text, "bom.csv"))
    windows = read(write(tmp_path, text, "excel.csv", encoding="cp1252"))
    assert with_bom.errors == windows.errors == []
    assert with_bom.rows == windows.rows
    [row] = windows.rows
    assert (row.last_name, row.first_name, row.street, row.tariff_group) == (
        "Müller", "Jürgen", "Königsbrücker Straße 12", "Führung")
    assert windows.columns["employment_type"] == "Beschäftigungsart"


def test_quoted_cells_with_line_breaks_are_one_row_as_in_excel(tmp_path):
    text = "\n".join([
        HEADER,
        '1001;Becker;Anna;12.03.1985;w;;"Lindenweg 3\nHinterhaus\n3. Etage";01067;Dresden;01.02.2015;Vollzeit;40;',
        "1002;Schulz;Ben;1979-07-30;m;;Am Markt 9;04109;Leipzig;kein Datum;Teilzeit;30;",
        "",
        '1003;"Kaya; geb. Yilmaz";Dana;31.02.1991;w;;"Hafenstr. ""Am Kai"" 2";20095;Hamburg;01.01.2020;Vollzeit;40;',
    ])
    parsed = read(write(tmp_path, text))
    assert problems(parsed) == [(3, "Eintrittsdatum"), (5, "Geburtsdatum")]  # the empty line is row 4 in Excel
    assert parsed.rows[0].street == "Lindenweg 3 Hinterhaus 3. Etage"
    assert parsed.total == 3


def test_excel_separator_hint_line_is_not_a_row(tmp_path):
    parsed = read(write(tmp_path, "sep=,\n" + "\n".join([HEADER.replace(";", ","), BEN.replace(";", ",")
                                                          .replace("20,5", '"20,5"')])))
    [ben] = parsed.rows
    assert ben.row == 2 and ben.weekly_hours == Decimal("20.5")


def test_xlsx_first_sheet_with_excel_dates_numbers_and_text(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(XLSX_HEADER)
    sheet.append([1001, "Becker", "Anna", datetime.datetime(1985, 3, 12), "Lindenweg 3", 1067, "Dresden",
                  datetime.date(2015, 2, 1), "Vollzeit", 38.5])
    sheet.append(["1002", "Schulz", "Ben", "30.07.1979", "Am Markt 9", "04109", "Leipzig", "2010-06-01",
                  "teilzeit", "20,5"])
    sheet.append([1003, "Wagner", "Cem", 33182, "Ringstr. 1", 10115, "Berlin", 43466, "Minijob", 8])
    other = book.create_sheet("Notizen")
    other.append(["nicht lesen"])
    path = tmp_path / "personal.xlsx"
    book.save(path)
    parsed = read(path)
    assert parsed.errors == []
    anna, ben, cem = parsed.rows
    assert (anna.personnel_number, anna.birth_date, anna.employment_start) == (
        "1001", datetime.date(1985, 3, 12), datetime.date(2015, 2, 1))
    assert anna.postal_code == "01067" and anna.weekly_hours == Decimal("38.5")
    assert ben.birth_date == datetime.date(1979, 7, 30) and ben.postal_code == "04109"
    # a date cell without a date format arrives as Excel's serial number
    assert cem.birth_date == datetime.date(1990, 11, 5) and cem.employment_start == datetime.date(2019, 1, 1)
    assert [r.row for r in parsed.rows] == [2, 3, 4]
    assert any("01067" in w["de"] or "führende 0" in w["de"] for w in parsed.warnings)


def test_the_header_may_stand_below_title_rows(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "Mitarbeiterliste Muster GmbH, Stand Januar"
    sheet.append([])
    sheet.append(XLSX_HEADER)
    sheet.append(["1", "Becker", "Anna", "12.03.1985", "Lindenweg 3", "01067", "Dresden", "01.02.2015",
                  "Vollzeit", None])
    sheet.append([])
    sheet.append(["2", "Schulz", "Ben", "30.07.1979", "Am Markt 9", "04109", "Leipzig", "01.06.2010",
                  "Urlaub", None])
    path = tmp_path / "liste.xlsx"
    book.save(path)
    parsed = read(path)
    assert [r.row for r in parsed.rows] == [4] and problems(parsed) == [(6, "Beschäftigungsart")]
    assert parsed.warnings == [{"de": "Zeile(n) 1 über der Kopfzeile (Zeile 3) werden ignoriert.",
                                "en": "Row(s) 1 above the header row (row 3) are ignored."}]

    csv_text = "Mitarbeiterliste Muster GmbH, Stand Januar\n\n" + HEADER + "\n" + ANNA + "\n"
    parsed = read(write(tmp_path, csv_text))
    assert [r.row for r in parsed.rows] == [4]


def test_unknown_and_unnamed_columns_are_ignored_with_a_warning(tmp_path):
    text = HEADER + ";Abteilung;\n" + ANNA + ";Vertrieb;x\n"
    parsed = read(write(tmp_path, text))
    assert len(parsed.rows) == 1
    assert [w["de"] for w in parsed.warnings] == ["Unbekannte Spalte „Abteilung“ (N) wird ignoriert.",
                                                 "Spalte O hat keine Überschrift und wird ignoriert."]


def test_optional_columns_may_be_left_out(tmp_path):
    text = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart\n" \
           "1;Becker;Anna;12.03.1985;Lindenweg 3;01067;Dresden;01.02.2015;Vollzeit\n"
    [row] = read(write(tmp_path, text)).rows
    assert (row.gender, row.email, row.weekly_hours, row.tariff_group) == ("", "", None, "")


# --------------------------------------------------------------------------- row problems

def test_every_kind_of_row_problem_names_row_and_column(tmp_path):
    good = ANNA.split(";")

    def line(number, **changes):
        cells = list(good)
        cells[0] = str(number)
        for index, value in changes.items():
            cells[int(index[1:])] = value
        return ";".join(cells)

    lines = [HEADER,
             line(1, c1=""),                       # 2 Nachname missing
             line(2, c3="1985-13-01"),             # 3 no such day
             line(3, c3="12.03.85"),               # 4 two-digit year
             line(4, c3="12.03.2027"),             # 5 birth in the future
             line(5, c3="01.01.1920"),             # 6 100 or older
             line(6, c9="01.01.1995"),             # 7 employment before the 14th birthday
             line(7, c7="123"),                    # 8 postal code
             line(8, c4="q"),                      # 9 gender
             line(9, c5="anna@@example"),          # 10 e-mail
             line(10, c10="Praktikant"),           # 11 employment type
             line(11, c11="viel"),                 # 12 weekly hours, not a number
             line(12, c11="385"),                  # 13 weekly hours, implausible
             line("X" * 61),                       # 14 personnel number too long
             line(14, c8="#NV"),                   # 15 an Excel error value
             line(15, c6="", c8=""),               # 16 two problems in one row
             ]
    parsed = read(write(tmp_path, "\n".join(lines)))
    assert problems(parsed) == [
        (2, "Nachname"), (3, "Geburtsdatum"), (4, "Geburtsdatum"), (5, "Geburtsdatum"), (6, "Geburtsdatum"),
        (7, "Eintrittsdatum"), (8, "PLZ"), (9, "Geschlecht"), (10, "E-Mail"), (11, "Beschäftigungsart"),
        (12, "Wochenstunden"), (13, "Wochenstunden"), (14, "Personalnummer"), (15, "Ort"), (16, "Straße"),
        (16, "Ort")]
    messages = {(e.row, e.column): e.message for e in parsed.errors}
    assert messages[(2, "Nachname")] == "Pflichtangabe fehlt"
    assert "gültiges Datum" in messages[(3, "Geburtsdatum")]
    assert "vierstellig" in messages[(4, "Geburtsdatum")]
    assert "darf nicht nach dem" in messages[(5, "Geburtsdatum")]
    assert "100 Jahre" in messages[(6, "Geburtsdatum")]
    assert "14. Geburtstag" in messages[(7, "Eintrittsdatum")]
    assert "5 Ziffern" in messages[(8, "PLZ")]
    assert "E-Mail-Adresse" in messages[(10, "E-Mail")]
    assert "Vollzeit, Teilzeit" in messages[(11, "Beschäftigungsart")]
    assert "#NV" in messages[(15, "Ort")]
    assert all(e.message_en and e.field for e in parsed.errors)
    assert parsed.total == 15 and parsed.rows == []


def test_a_missing_optional_column_is_named_in_english_and_short_rows_lack_cells(tmp_path):
    text = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart\n" \
           "1;Becker;Anna;12.03.1985;Lindenweg 3\n"
    parsed = read(write(tmp_path, text))
    assert problems(parsed) == [(2, "PLZ"), (2, "Ort"), (2, "Eintrittsdatum"), (2, "Beschäftigungsart")]


def test_every_duplicate_personnel_number_is_an_error_naming_the_first_row(tmp_path):
    other = ANNA.replace("Becker", "Berger")
    text = "\n".join([HEADER, ANNA, BEN, other, other.replace("12.03.1985", "kaputt")])
    parsed = read(write(tmp_path, text))
    assert [r.row for r in parsed.rows] == [2, 3]
    assert problems(parsed) == [(4, "Personalnummer"), (5, "Personalnummer"), (5, "Geburtsdatum")]
    assert parsed.errors[0].message == "Personalnummer 1001 kommt schon in Zeile 2 vor"
    assert parsed.errors[1].message == "Personalnummer 1001 kommt schon in Zeile 2 vor"


def test_postal_codes_keep_their_leading_zero(tmp_path):
    text = "\n".join([HEADER, ANNA, ANNA.replace("1001;", "1002;").replace("01067", "1067")])
    parsed = read(write(tmp_path, text))
    assert [r.postal_code for r in parsed.rows] == ["01067", "01067"]
    assert [w["de"] for w in parsed.warnings] == [
        "Postleitzahlen mit 4 Ziffern wurden um die führende 0 ergänzt (Excel entfernt sie), Zeile(n) 3."]
    path = write_xlsx(tmp_path, [XLSX_HEADER, ["1", "B", "A", "12.03.1985", "Weg 1", 1067, "Dresden", "01.02.2015",
                                               "Vollzeit"],
                                 ["2", "B", "A", "12.03.1985", "Weg 1", "01067", "Dresden", "01.02.2015", "Vollzeit"],
                                 ["3", "B", "A", "12.03.1985", "Weg 1", 123, "Dresden", "01.02.2015", "Vollzeit"]])
    parsed = read(path)
    assert [r.postal_code for r in parsed.rows] == ["01067", "01067"] and problems(parsed) == [(4, "PLZ")]


def test_the_digest_changes_with_the_values_not_with_the_row(tmp_path):
    first = read(write(tmp_path, "\n".join([HEADER, ANNA]))).rows[0]
    moved = read(write(tmp_path, "\n".join([HEADER, BEN, ANNA.replace(";40;", ";40,0;")]))).rows[1]
    changed = read(write(tmp_path, "\n".join([HEADER, ANNA.replace("Lindenweg 3", "Allee 7")]))).rows[0]
    assert first.row != moved.row and first.digest() == moved.digest()
    assert changed.digest() != first.digest()


def test_the_demo_file_parses_cleanly():
    parsed = parse("employees-demo.csv", (FIXTURES / "employees-demo.csv").read_bytes(), today=TODAY)
    assert parsed.total == 20 and len(parsed.rows) == 20 and parsed.errors == [] and parsed.warnings == []
    kinds = [r.employment_type for r in parsed.rows]
    assert {"fulltime", "parttime", "minijob", "trainee", "working_student"} <= set(kinds)
    assert any(r.employment_type == "parttime" and r.weekly_hours < 15 for r in parsed.rows)


# --------------------------------------------------------------------------- unusable files

def _unusable(tmp_path, data, name="datei.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(FileUnusable) as caught:
        read(path)
    return caught.value


def test_files_that_are_not_employee_tables_are_unusable_with_a_reason(tmp_path):
    assert "leer" in _unusable(tmp_path, b"").message
    assert "leer" in _unusable(tmp_path, b"\xef\xbb\xbf \r\n\r\n").message
    assert "PDF" in _unusable(tmp_path, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "liste.pdf").message
    assert "keine Textdatei" in _unusable(tmp_path, bytes(range(256)) * 10).message
    assert "UTF-16" in _unusable(tmp_path, "Personalnummer;Nachname\n".encode("utf-16")).message
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert "Passwort" in _unusable(tmp_path, ole + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64,
                                   "geheim.xlsx").message
    assert ".xls" in _unusable(tmp_path, ole + b"\x00" * 64, "alt.xls").message
    assert "ZIP" in _unusable(tmp_path, b"PK\x03\x04kaputt", "kaputt.xlsx").message


def test_an_archive_that_is_no_workbook_is_unusable(tmp_path):
    path = tmp_path / "dokument.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(FileUnusable, match="ohne Excel-Tabelle"):
        read(path)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("xl/workbook.xml", "<kein xml")
    with pytest.raises(FileUnusable, match="lässt sich nicht lesen"):
        read(broken)


def test_a_header_without_the_required_columns_says_which_are_missing(tmp_path):
    error = _unusable(tmp_path, b"Name;Vorname;Geboren am\nBecker;Anna;12.03.1985\n")
    assert error.row == 1
    assert "Personalnummer" in error.message and "Geburtsdatum" in error.message and "Straße" in error.message
    assert "personnel_number" in error.text["en"]


def test_a_column_given_twice_makes_the_file_unusable(tmp_path):
    error = _unusable(tmp_path, (HEADER + ";Stadt;City\n" + ANNA + ";Dresden;Dresden\n").encode())
    assert "Ort" in error.message and "I und O" in error.message


def test_an_unclosed_quote_is_reported_where_it_starts(tmp_path):
    text = "\n".join([HEADER, ANNA, '1002;"Schulz;Ben;1979-07-30;m;;Am Markt 9;04109;Leipzig;01.06.2010;Vollzeit;40;',
                      BEN.replace("1002", "1003")])
    error = _unusable(tmp_path, text.encode())
    assert error.row == 3 and "Anführungszeichen" in error.message


def test_a_header_without_rows_is_unusable(tmp_path):
    assert "nur die Kopfzeile" in _unusable(tmp_path, (HEADER + "\n;;;\n\n").encode()).message


def test_an_empty_first_sheet_is_unusable(tmp_path):
    book = Workbook()
    book.create_sheet("Daten").append(XLSX_HEADER)
    path = tmp_path / "leer.xlsx"
    book.save(path)
    with pytest.raises(FileUnusable, match="keine Zeilen"):
        read(path)


def test_size_and_row_count_are_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(employee_file, "MAX_BYTES", 2000)
    big = "\n".join([HEADER] + [ANNA.replace("1001", str(n)) for n in range(40)])
    assert "größer als" in _unusable(tmp_path, big.encode()).message
    monkeypatch.setattr(employee_file, "MAX_BYTES", 20 * 2**20)
    monkeypatch.setattr(employee_file, "MAX_ROWS", 5)
    assert "mehr als 5 Datenzeilen" in _unusable(tmp_path, big.encode()).message
    assert len(read(write(tmp_path, "\n".join(big.split("\n")[:6]))).rows) == 5


def test_ten_thousand_rows_parse(tmp_path):
    lines = [f"{n};Nach{n};Vor{n};01.01.{1950 + n % 40};Weg {n};{10115 + n % 80:05d};Berlin;01.01.2010;"
             f"{'Vollzeit' if n % 3 else 'Teilzeit'};{20 + n % 20}" for n in range(10_000)]
    header = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;" \
             "Wochenstunden"
    parsed = read(write(tmp_path, "\n".join([header] + lines)))
    assert parsed.total == 10_000 and len(parsed.rows) == 10_000 and parsed.rows[-1].row == 10_001



def test_a_large_workbook_is_read_row_by_row(tmp_path):
    rows = [XLSX_HEADER] + [[n, f"Nach{n}", f"Vor{n}", datetime.date(1950 + n % 40, 1, 1), f"Weg {n}", 10115,
                             "Berlin", datetime.date(2010, 1, 1), "Vollzeit", 40] for n in range(2_000)]
    parsed = read(write_xlsx(tmp_path, rows))
    assert parsed.total == 2_000 and len(parsed.rows) == 2_000 and parsed.errors == []


# --------------------------------------------------------------------------- never a traceback

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_raise_anything_but_file_unusable(data):
    for name in ("x.csv", "x.xlsx"):
        try:
            parse(name, data, today=TODAY)
        except FileUnusable:
            pass
        try:
            parse(name, b"PK\x03\x04" + data, today=TODAY)
        except FileUnusable:
            pass


_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(_cell, max_size=15), max_size=8), separator=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), header_first=st.booleans())
def test_random_csv_text_never_raises_anything_but_file_unusable(rows, separator, encoding, header_first):
    lines = [separator.join(cells) for cells in rows]
    if header_first:
        lines.insert(0, HEADER.replace(";", separator))
    data = "\n".join(lines).encode(encoding, errors="replace")
    try:
        parsed = parse("zufall.csv", data, today=TODAY)
    except FileUnusable:
        return
    assert len(parsed.rows) + len({e.row for e in parsed.errors}) == parsed.total
