"""The payroll export of a month (Lohnexport): per insured person the employer-paid premium, booked
as a benefit in kind (Sachbezug) or as taxable pay under the employer's wage type (Lohnart), with
the month's benefit-in-kind sum against the limit; as CSV, XLSX and a DATEV LODAS ASCII import file
(docs/contracts.md, "Payroll export"). Read from the cover ledger, like the premium statement."""
import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from engine import benefit_limit, cover, payroll_settings, statements
from engine.errors import DomainError, NotFound
from engine.exports import inert
from engine.models import Employee

ZERO = Decimal("0.00")
HEADER = ["Personalnummer", "Name", "Monat", "Tarifgruppe", "Arbeitgeberanteil EUR", "Arbeitnehmeranteil EUR",
          "Behandlung", "Lohnart", "Sonstige Sachbezüge EUR", "Sachbezüge gesamt EUR", "Freigrenze EUR",
          "Über Freigrenze"]
OVER_HEADER = ["Personalnummer", "Name", "Monat", "bKV-Beitrag (Sachbezug) EUR", "Sonstige Sachbezüge EUR",
               "Sachbezüge gesamt EUR", "Freigrenze EUR"]
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "lodas": "text/plain; charset=windows-1252"}
# DATEV LODAS, record type u_lod_bwd_buchung_standard (standard movement data): the fields in the
# order our lines carry them; bs_nr 4 is the processing key for an amount (Betrag) - docs/contracts.md
LODAS_FIELDS = ["abrechnung_zeitraum", "pnr", "la_eigene", "bs_nr", "bs_wert_butab"]
LODAS_AMOUNT_KEY = "4"


@dataclass(frozen=True)
class Row:
    employee_id: int
    personnel_number: str
    person: str
    month: datetime.date
    tariff_group: str
    employer_amount: Decimal
    employee_amount: Decimal
    treatment: str
    wage_type: str
    limit: benefit_limit.MonthSum

    @property
    def over(self):
        return self.limit.over


def rows(contract, month):
    """The payroll rows of `month`: every person with cover on its 1st, by personnel number."""
    month = month.replace(day=1)
    settings = payroll_settings.of(contract)
    sums = benefit_limit.month_sums(contract, month)
    ledger = cover.overview(contract, month)
    people = {e.id: e for e in Employee.select().where(Employee.id.in_([i for i, r in ledger.items() if r["period"]]))}
    found = []
    for employee_id, entry in ledger.items():
        period = entry["period"]
        if period is None:
            continue
        person = people[employee_id]
        employer, employee = statements.split(contract, period.tariff_group, period.payer, period.due_premium)
        found.append(Row(employee_id, person.personnel_number, f"{person.last_name}, {person.first_name}", month,
                         period.tariff_group, employer, employee, settings.treatment, settings.wage_type,
                         sums[employee_id]))
    return sorted(found, key=lambda r: (r.personnel_number.zfill(20), r.person))


def over_limit(found):
    """The rows whose month is over the benefit-in-kind limit (the list "über 50 EUR")."""
    return [r for r in found if r.over]


def _cells(row):
    return [row.personnel_number, row.person, f"{row.month:%Y-%m}", row.tariff_group, row.employer_amount,
            row.employee_amount, payroll_settings.TREATMENT_TEXT[row.treatment]["de"], row.wage_type,
            row.limit.other, row.limit.total, row.limit.limit, "ja" if row.over else "nein"]


def _over_cells(row):
    return [row.personnel_number, row.person, f"{row.month:%Y-%m}", row.limit.premium, row.limit.other,
            row.limit.total, row.limit.limit]


def as_csv(found):
    """`;`, UTF-8 with BOM, amounts with a decimal comma (24,10) as German LibreOffice and Excel read
    numbers, texts made inert for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in found:
        writer.writerow([f"{cell:.2f}".replace(".", ",") if isinstance(cell, Decimal) else inert(cell)
                         for cell in _cells(row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(found):
    """Two sheets: Lohnexport (every row) and "Über 50 EUR" (the rows over the limit); amounts as
    number cells (format 0.00)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    book = Workbook(write_only=True)
    for title, header, cells, selected in (("Lohnexport", HEADER, _cells, found),
                                           ("Über Freigrenze", OVER_HEADER, _over_cells, over_limit(found))):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in selected:
            line = []
            for value in cells(row):
                if isinstance(value, Decimal):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "0.00"
                    line.append(cell)
                else:
                    line.append(inert(value))
            sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_lodas(found, settings, month):
    """The DATEV LODAS ASCII import file (movement data) of the employer-paid amounts: one line per
    person with an amount, the contract's wage type; Windows-1252, CRLF. DomainError naming the field
    when the consultant or client number or the wage type is missing."""
    for name in ("consultant_number", "client_number", "wage_type"):
        if not getattr(settings, name):
            de, en = payroll_settings.LABELS[name]
            raise DomainError(f"Für die LODAS-Datei fehlt die {de} in den Lohnexport-Einstellungen.",
                              f"The LODAS file needs the {en.lower()} in the payroll export settings.", field=name)
    unusable = [r.personnel_number for r in found if r.employer_amount and not r.personnel_number.isdigit()]
    if unusable:
        raise DomainError("LODAS nimmt nur Personalnummern aus Ziffern an; bitte ändern Sie: " + ", ".join(unusable),
                          "LODAS takes personnel numbers of digits only; please change: " + ", ".join(unusable),
                          field="personnel_number")
    month = month.replace(day=1)
    lines = ["[Allgemein]", "Ziel=LODAS", "Version_SST=1.0", f"BeraterNr={settings.consultant_number}",
             f"MandantenNr={settings.client_number}", "Feldtrennzeichen=;", "Zahlenkomma=,",
             "Datumsformat=TT.MM.JJJJ", "Kommentarzeichen=*", "",
             f"* bKV-Arbeitgeberbeitrag {month:%m/%Y} als {payroll_settings.TREATMENT_TEXT[settings.treatment]['de']}",
             "", "[Satzbeschreibung]", "1;u_lod_bwd_buchung_standard;" + "".join(f"{f}#bwd;" for f in LODAS_FIELDS),
             "", "[Bewegungsdaten]"]
    for row in found:
        if row.employer_amount == 0:
            continue
        amount = f"{row.employer_amount:.2f}".replace(".", ",")
        lines.append(f"1;{month:%d.%m.%Y};{row.personnel_number};{settings.wage_type};{LODAS_AMOUNT_KEY};{amount};")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252", errors="replace")


def download(contract, month, fmt):
    """(filename, bytes, mime) of the payroll export of `contract` for `month` as csv, xlsx or lodas."""
    if fmt not in FORMATS:
        raise NotFound("Unbekanntes Format.", "Unknown format.")
    found = rows(contract, month)
    name = f"Lohnexport-{contract.policy_number}-{month:%Y-%m}"
    if fmt == "lodas":
        return f"{name}-LODAS.txt", as_lodas(found, payroll_settings.of(contract), month), FORMATS[fmt]
    return f"{name}.{fmt}", (as_csv if fmt == "csv" else as_xlsx)(found), FORMATS[fmt]
