"""What a person does in the browser, shared by the browser tests: log in, fill a form drawn by
forms/templates/forms/_fields.html (ids "field-<name>"), build the employee file an employer uploads."""
import datetime
import io
import re
import time

from playwright.sync_api import expect


def log_in(page, email, password):
    page.goto("/auth/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(password)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Willkommen")


def iso(value):
    """A date as <input type=date> takes it: ISO, whatever the test data's spelling (dd.mm.yyyy)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    day = re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4})", value)
    return f"{day[3]}-{day[2]}-{day[1]}" if day else value


def fill_form(page, form, values, only=None):
    """Type `values` (strings, lists for multiselect, "on" for a ticked box) into the drawn fields of
    `form`, in form order, as a person would: fields that the page's script hides are left alone."""
    for field in form.fields:
        if field.name not in values or (only is not None and field.name not in only):
            continue
        value = values[field.name]
        if field.type == "multiselect":
            for option in field.options:
                box = page.locator(f'input[name="{field.name}"][value="{option.value}"]')
                box.set_checked(option.value in value)
            continue
        control = page.locator(f"#field-{field.name}")
        if not control.is_visible():
            continue
        if field.type == "select":
            control.select_option(value)
        elif field.type == "checkbox":
            control.set_checked(value in ("on", "true", True))
        elif field.type == "date":
            control.fill(iso(value))
        else:
            control.fill(str(value))


def wait_for_mail(mailbox, address, count=1, timeout=5.0):
    """The mails to `address` once at least `count` have arrived (delivery runs beside the request)."""
    deadline = time.monotonic() + timeout
    while len(mailbox.to(address)) < count:
        assert time.monotonic() < deadline, f"no mail to {address} within {timeout} s: {mailbox.messages}"
        time.sleep(0.05)
    return mailbox.to(address)


EMPLOYEES = [  # (personnel number, last, first, born, gender, street, postal code, city, joined, type, hours, group)
    ("2001", "Becker", "Anna", datetime.date(1985, 3, 12), "w", "Lindenweg 3", "01067", "Dresden",
     datetime.date(2015, 2, 1), "Vollzeit", 40, None),
    ("2002", "Schulz", "Ben", datetime.date(1979, 7, 30), "m", "Am Markt 9", "04109", "Leipzig",
     datetime.date(2010, 6, 1), "Teilzeit", 30, None),
    ("2003", "Wagner", "Cem", datetime.date(1990, 11, 5), "m", "Ringstr. 1", "10115", "Berlin",
     datetime.date(2019, 1, 1), "Minijob", 8, None),
    ("2004", "Kaya", "Dana", datetime.date(1991, 5, 31), "w", "Hafenstr. 2", "20095", "Hamburg",
     datetime.date(2020, 1, 1), "Vollzeit", 40, None),
    ("2005", "Yilmaz", "Emre", datetime.date(1975, 9, 14), "m", "Domplatz 4", "50667", "Köln",
     datetime.date(2012, 4, 1), "Vollzeit", 40, None),
]
HEADER = ["Personalnummer", "Nachname", "Vorname", "Geburtsdatum", "Geschlecht", "Straße", "PLZ", "Ort",
          "Eintrittsdatum", "Beschäftigungsart", "Wochenstunden", "Tarifgruppe"]


def employee_xlsx(rows=EMPLOYEES):
    """The employee file as Excel writes it: real date cells, postal codes as text."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "Mitarbeitende"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        for index in (3, 8):
            cells[index].number_format = "DD.MM.YYYY"
        cells[6].number_format = "@"
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()
