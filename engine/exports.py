"""The employee list with monthly premiums for payroll, as CSV or XLSX. Cells that a spreadsheet
would run as a formula (= + - @, tab, CR) are made inert with a leading apostrophe."""
import csv
import io
from decimal import Decimal

from engine import policies

HEADER = ["Personalnummer", "Nachname", "Vorname", "Tarifgruppe", "Status", "Police", "Monatsbeitrag EUR"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def rows(contract, employees):
    current = policies.current_for(contract)
    for employee in employees:
        policy = current.get(employee.id)
        premium = Decimal(policy.premium) if policy and policy.status != "ended" else Decimal("0.00")
        yield [employee.personnel_number, employee.last_name, employee.first_name, employee.tariff_group or "",
               employee.state, policy.number if policy else "", f"{premium:.2f}".replace(".", ",")]


def as_csv(contract, employees):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows(contract, employees):
        writer.writerow([inert(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def as_xlsx(contract, employees):
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Mitarbeitende")
    sheet.append(HEADER)
    for row in rows(contract, employees):
        sheet.append([inert(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def summary(contract, employees):
    """Headcount per tariff group and state, monthly cost per group and in total (active policies)."""
    groups = {}
    total = Decimal("0.00")
    current = policies.current_for(contract)
    for employee in employees:
        entry = groups.setdefault(employee.tariff_group or "", {"states": {}, "monthly": Decimal("0.00")})
        entry["states"][employee.state] = entry["states"].get(employee.state, 0) + 1
        policy = current.get(employee.id)
        if policy is not None and policy.status == "active":
            entry["monthly"] += Decimal(policy.premium)
            total += Decimal(policy.premium)
    return {"groups": groups, "monthly": total, "yearly": total * 12}
