"""Monthly premium statements (Beitragsrechnung) per group contract, read from the cover ledger only
(engine/cover.py). An issued statement is never changed: what the ledger says differently later
about a billed month becomes a correction line in the next statement (docs/contracts.md)."""
import collections
import csv
import datetime
import io
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from peewee import IntegrityError

from engine import audit, clock, clients, contracts, cover, documents, family, registry, start_window
from engine.db import database, insert_rows, transaction
from engine.errors import DomainError, NotFound
from engine.models import Document, Employee, FamilyMember, GroupContract, Statement, StatementLine, Tenant
from rules.platform import platform_settings

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
KINDS = ("regular", "addition", "removal", "correction")
CSV_HEADER = ["Position", "Art", "Personalnummer", "Name", "Rolle", "Monat", "Von", "Bis", "Deckung", "Tarifgruppe",
              "Tarife", "Zahler", "Betrag EUR", "Arbeitgeber EUR", "Arbeitnehmer EUR"]


@dataclass(frozen=True)
class Line:
    """A statement line before it is stored (see StatementLine for the fields)."""
    employee_id: int
    person: str
    personnel_number: str
    kind: str
    for_month: datetime.date
    period_from: datetime.date | None
    period_to: datetime.date | None
    cover: str
    tariff_group: str
    tariffs: tuple
    payer: str
    amount: Decimal
    employer_amount: Decimal
    employee_amount: Decimal
    family_member_id: int | None = None  # a family member's line (employee_id: the employee insuring them)
    role: str = ""                       # spouse | child on a family member's line


def first_of(month):
    return month.replace(day=1)


def split(contract, group_id, payer, amount):
    """(employer part, employee part) of an amount: a shared group's employer share, rounded half-up."""
    if payer == "employer":
        return amount, ZERO
    if payer == "employee":
        return ZERO, amount
    share = next((Decimal(str(g.get("employer_share", 100))) for g in contract.groups if g["id"] == group_id),
                 Decimal(100))
    employer = (amount * share / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return employer, amount - employer


class _Billed(collections.namedtuple("_Billed", "id kind cover")):
    """A billed line as a later statement needs it: a removal's or a credit's group and payer are read
    from the line (`last_line`) only when one is made."""
    __slots__ = ()


def _billed(contract):
    """{((employee id, family member id or None), month): (amount billed, last line)} over every issued
    statement of a contract. Read from the driver's rows (a contract of 50,000 people bills that many
    lines a month; the months, few, are converted once each)."""
    billed, months = {}, {}
    query = (StatementLine.select(StatementLine.employee, StatementLine.family_member, StatementLine.for_month,
                                  StatementLine.amount, StatementLine.id, StatementLine.kind, StatementLine.cover)
             .join(Statement).where(Statement.contract == contract.id)
             .order_by(Statement.month, StatementLine.position))
    for employee_id, member_id, raw_month, amount, *line in database.execute(query).fetchall():
        for_month = months.get(raw_month)
        if for_month is None:
            for_month = months[raw_month] = StatementLine.for_month.python_value(raw_month)
        key = ((employee_id, member_id), for_month)
        was = billed.get(key)
        billed[key] = ((was[0] if was else ZERO) + Decimal(amount), _Billed(*line))
    return billed


_Named = collections.namedtuple("_Named", "id first_name last_name personnel_number")


def _who(people, members, key):
    """(name as billed, personnel number, role) of an insured person, or None when gone."""
    employee_id, member_id = key
    person = people.get(employee_id)
    if person is None:
        return None
    if member_id is None:
        return f"{person.last_name}, {person.first_name}", person.personnel_number, ""
    member = members.get(member_id)
    if member is None:
        return None
    return f"{member.last_name}, {member.first_name}", person.personnel_number, member.role


def _line(contract, who, key, kind, month, period, amount=None):
    if period is None:
        return None
    amount = period.due_premium if amount is None else amount
    last = cover.end_of_month(month)
    employer, employee = split(contract, period.tariff_group, period.payer, amount)
    name, number, role = who
    return Line(key[0], name, number, kind, month, max(period.valid_from, month), min(period.valid_to or last, last),
                period.cover, period.tariff_group, tuple(period.tariffs), period.payer, amount, employer, employee,
                key[1], role)


def _empty_line(contract, who, key, kind, month, billed_line, amount):
    """A line without cover: a removal (nothing due), or a correction crediting what was billed."""
    last_line = StatementLine.get_by_id(billed_line.id)
    employer, employee = split(contract, last_line.tariff_group, last_line.payer, amount)
    name, number, role = who
    return Line(key[0], name, number, kind, month, None, None, "", last_line.tariff_group, tuple(last_line.tariffs),
                last_line.payer, amount, employer, employee, key[1], role)


def compute(contract, month):
    """The lines a statement of `contract` for `month` would have now: every person with cover on its
    1st (regular, or addition when not billed last month), removals (billed last month, no cover now)
    and corrections for earlier billed months whose ledger amount differs from what was billed. The
    ledger is projected once for this month and every earlier billed one (cover.in_force)."""
    month = first_of(month)
    billed = _billed(contract)
    earlier_months = sorted({m for (_, m) in billed if m < month})
    periods_on = cover.in_force(contract, [month, *earlier_months])
    ledger = periods_on[month]
    people = {row[0]: _Named(*row) for row in Employee.select(  # tuples: 50,000 model instances cost 0.3 s
        Employee.id, Employee.first_name, Employee.last_name, Employee.personnel_number).where(
        Employee.contract == contract.id).tuples()}
    members = {m.id: m for m in FamilyMember.select().join(Employee).where(Employee.contract == contract.id)}
    previous = start_window.add_months(month, -1)
    billed_last = {key for (key, for_month), (_, line) in billed.items()
                   if for_month == previous and line.kind != "removal" and line.cover}
    lines = []
    for key, period in ledger.items():
        who = _who(people, members, key)
        if who is not None:
            kind = "regular" if key in billed_last else "addition"
            lines.append(_line(contract, who, key, kind, month, period))
    for key in sorted(billed_last - set(ledger), key=_order):
        who, (_, last_line) = _who(people, members, key), billed[(key, previous)]
        if who is not None:
            lines.append(_empty_line(contract, who, key, "removal", month, last_line, ZERO))
    for earlier in earlier_months:
        then = periods_on[earlier]
        for key in sorted({k for (k, m) in billed if m == earlier} | set(then), key=_order):
            period = then.get(key)
            was, last_line = billed.get((key, earlier), (ZERO, None))
            difference = (period.due_premium if period else ZERO) - was
            if difference == 0:
                continue
            who = _who(people, members, key)
            if who is None:
                continue
            if period is None:  # no cover that month after all: the billed amount is credited
                lines.append(_empty_line(contract, who, key, "correction", earlier, last_line, difference))
            else:
                lines.append(_line(contract, who, key, "correction", earlier, period, difference))
    order = {kind: i for i, kind in enumerate(KINDS)}
    # family members' lines after the employees' of the same kind and month
    return sorted(lines, key=lambda l: (order[l.kind], l.for_month, l.family_member_id is not None, l.person,
                                        l.employee_id, l.family_member_id or 0))


def _order(key):
    return key[0], key[1] or 0


def totals(lines):
    """{total, employer, employee} of lines, Decimal."""
    return {"total": sum((l.amount for l in lines), ZERO), "employer": sum((l.employer_amount for l in lines), ZERO),
            "employee": sum((l.employee_amount for l in lines), ZERO)}


def issue(contract, month, actor=None):
    """Issue the statement of `contract` for `month` once: the existing one when it was issued before.
    Returns (statement, created). Refuses a month after the next one (a statement may be issued ahead
    for the coming month; what changes after that is corrected in a later statement)."""
    month = first_of(month)
    if month > start_window.first_of_next_month(clock.today()):
        raise DomainError(f"Die Beitragsrechnung für {month:%m.%Y} kann noch nicht erstellt werden.",
                          f"The statement for {month:%Y-%m} cannot be issued yet.")
    existing = Statement.get_or_none((Statement.contract == contract.id) & (Statement.month == month))
    if existing is not None:
        return existing, False
    try:
        with transaction():
            created = _create(contract, month, actor)
        return Statement.get_by_id(created.id), True  # with its PDF when the job ran at the commit
    except IntegrityError:  # issued at the same moment by another worker
        return Statement.get((Statement.contract == contract.id) & (Statement.month == month)), False


def _create(contract, month, actor):
    lines = compute(contract, month)
    sums = totals(lines)
    live = registry.get(contract.tenant_id)
    statement = Statement.create(contract=contract.id, month=month, number=f"{contract.policy_number}-{month:%Y-%m}",
                                 issued_at=clock.utcnow(), tenant_version=live.version_id, total=str(sums["total"]),
                                 employer_total=str(sums["employer"]), employee_total=str(sums["employee"]))
    insert_rows(StatementLine, [
        {"statement": statement.id, "position": position, "employee": line.employee_id,
         "family_member": line.family_member_id, "role": line.role, "person": line.person,
         "personnel_number": line.personnel_number, "kind": line.kind, "for_month": line.for_month,
         "period_from": line.period_from, "period_to": line.period_to, "cover": line.cover,
         "tariff_group": line.tariff_group, "tariffs": list(line.tariffs), "payer": line.payer,
         "amount": str(line.amount), "employer_amount": str(line.employer_amount),
         "employee_amount": str(line.employee_amount)} for position, line in enumerate(lines, 1)])
    audit.record(actor, "statement.issued", "statement", statement.id, tenant=contract.tenant_id,
                 after={"contract": contract.id, "month": month, "total": str(sums["total"]),
                        "employer_total": str(sums["employer"]), "employee_total": str(sums["employee"]),
                        "lines": len(lines)}, employer=contract.employer_id)
    documents.make_later("statement", statement.id)  # the statement run does not wait for its PDF
    return Statement.get_by_id(statement.id)


def make_pdf(statement_id):
    """Make and store a statement's PDF from its stored lines, unless it has one (the job; idempotent).
    Returns the statement with its document."""
    statement = Statement.get_by_id(statement_id)
    if statement.document_id is None:
        _store_pdf(statement, statement.contract, registry.version(statement.tenant_version_id))
        statement = Statement.get_by_id(statement_id)
    return statement


def render_pdf(statement, contract, live, max_lines=None):
    """The statement's PDF: every line up to `max_lines` (the platform's statement_pdf_max_lines), above it
    a summary (totals per tariff group, payer and kind) - the lines are in the CSV and XLSX downloads."""
    if max_lines is None:
        max_lines = int(platform_settings()["statement_pdf_max_lines"])
    count = statement.lines.count()
    data = view(statement) if count <= max_lines else {**_summary(statement), "summary": _totals_by(statement),
                                                        "line_count": count}
    return documents.render_pdf("statement.html", statement=data, contract=contract, tenant=live.doc,
                                groups=live.groups, tariffs=live.tariffs)


def _totals_by(statement):
    """{"tariff_group"|"payer"|"kind": [{key, lines, total, employer, employee}]} of the stored lines, read
    as tuples (tens of thousands of lines) and summed exactly as Decimal."""
    sums = {name: {} for name in ("tariff_group", "payer", "kind")}
    rows = (StatementLine.select(StatementLine.tariff_group, StatementLine.payer, StatementLine.kind,
                                 StatementLine.amount, StatementLine.employer_amount, StatementLine.employee_amount)
            .where(StatementLine.statement == statement.id).tuples())
    for group, payer, kind, amount, employer, employee in rows:
        for name, key in (("tariff_group", group), ("payer", payer), ("kind", kind)):
            row = sums[name].setdefault(key, {"key": key, "lines": 0, "total": ZERO, "employer": ZERO,
                                              "employee": ZERO})
            row["lines"] += 1
            row["total"] += Decimal(amount)
            row["employer"] += Decimal(employer)
            row["employee"] += Decimal(employee)
    by_kind = sorted(sums["kind"].values(), key=lambda row: KINDS.index(row["key"]))
    return {"tariff_group": sorted(sums["tariff_group"].values(), key=lambda row: row["key"]),
            "payer": sorted(sums["payer"].values(), key=lambda row: row["key"]), "kind": by_kind}


def _store_pdf(statement, contract, live):
    """Render the statement's PDF and make it the statement's document (a PDF made at the same moment by
    another worker is kept instead of this one)."""
    pdf = render_pdf(statement, contract, live)
    with transaction():
        document = documents.store("statement", f"Beitragsrechnung-{statement.number}.pdf", "application/pdf", pdf,
                                   employer=contract.employer_id, tenant=contract.tenant_id)
        same = Statement.id == statement.id
        if statement.document_id is None:
            same &= Statement.document.is_null()
        if not Statement.update(document=document).where(same).execute():
            documents.delete(document)


def anonymise_person(employee):
    """After the retention period (engine/gdpr.py): the person's and their family members' names in
    the statements that list them become "anonymisiert #id" and those statements' PDFs are made
    again from the lines; amounts and everything else stay as issued."""
    listed = StatementLine.select().where(StatementLine.employee == employee)
    touched = {line.statement_id for line in listed}
    for line in listed:
        StatementLine.update(person=f"anonymisiert #{line.family_member_id or employee.id}").where(
            StatementLine.id == line.id).execute()
    for statement in Statement.select().where(Statement.id.in_(list(touched))):
        old = Document.get_or_none(Document.id == statement.document_id)
        if old is None:
            continue  # not made yet: it will be made from the anonymised lines
        _store_pdf(statement, statement.contract, registry.version(statement.tenant_version_id))
        documents.delete(old)


def issue_month(month, actor=None, tenant_slug=None):
    """Issue the missing statements of `month` for every contract that has begun by its end and has
    cover in the ledger (of one tenant, or all). Returns {issued: n, existing: n}."""
    month = first_of(month)
    done = {"issued": 0, "existing": 0}
    query = GroupContract.select().where((GroupContract.start_date <= cover.end_of_month(month))
                                         & _not_ended_before(month))
    if tenant_slug:
        query = query.where(GroupContract.tenant == tenant_slug)
    for contract in query.order_by(GroupContract.id):
        if not contract.cover_periods.exists():
            continue
        _, created = issue(contract, month, actor)
        done["issued" if created else "existing"] += 1
    return done


def _not_ended_before(month):
    """A contract ended by cancellation gets one statement after its end date (removals, corrections)
    and none later: the ledger has no cover after the end."""
    return GroupContract.end_date.is_null() | (GroupContract.end_date >= month - datetime.timedelta(days=1))


def issue_due(today=None):
    """The daily job: for each active tenant whose `statement_day` has come this month, this month's
    missing statements. Idempotent."""
    today = today or clock.today()
    done = {"issued": 0, "existing": 0}
    for tenant in Tenant.select().where(Tenant.active):
        try:
            live = registry.get(tenant.slug)
        except NotFound:  # no version in force (never released, or every release withdrawn)
            continue
        if today.day >= live.settings.statement_day:
            for key, count in issue_month(today, tenant_slug=tenant.slug).items():
                done[key] += count
    return done


# --- reads ------------------------------------------------------------------------------------------

def for_contract(contract):
    """The contract's statements, newest first, as dicts for lists."""
    return [_summary(s) for s in Statement.select().where(Statement.contract == contract.id)
            .order_by(Statement.month.desc())]


def _summary(statement):
    return {"id": statement.id, "number": statement.number, "month": statement.month, "issued_at": statement.issued_at,
            "total": Decimal(statement.total), "employer_total": Decimal(statement.employer_total),
            "employee_total": Decimal(statement.employee_total), "document_id": statement.document_id}


FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# Who may see a contract's statements: the one scoping per door (manager, advisor, back office, API).

def contract_for_employer(user, tenant_slug, contract_id):
    return contracts.contract_for_employer(user, tenant_slug, contract_id)


def contract_for_insurer(tenant_slug, contract_id):
    return contracts.for_insurer(tenant_slug, contract_id)


def of_tenant(tenant_slug, statement_id):
    """A statement of the insurer's contracts; NotFound for anyone else's (the API)."""
    found = (Statement.select(Statement, GroupContract).join(GroupContract)
             .where((Statement.id == statement_id) & (GroupContract.tenant == tenant_slug)).first())
    if found is None:
        raise NotFound("Beitragsrechnung nicht gefunden.", "Statement not found.")
    return found


def for_tenant(tenant_slug, contract_id=None, month=None, after=0, limit=100):
    """The insurer's statements in id order after `after`, of one contract or month if given (the API's list)."""
    query = (Statement.select(Statement, GroupContract).join(GroupContract)
             .where((GroupContract.tenant == tenant_slug) & (Statement.id > after)))
    if contract_id:
        query = query.where(Statement.contract == contract_id)
    if month:
        query = query.where(Statement.month == first_of(month))
    return list(query.order_by(Statement.id).limit(limit))


def contracts_of_client(broker, client_id):
    """(client, [(contract, its statements)]) of a broker's client; NotFound for another broker's."""
    client = clients.get_for(broker, client_id)
    found = GroupContract.select().where(GroupContract.employer == client.id).order_by(GroupContract.id)
    return client, [(contract, for_contract(contract)) for contract in found]


def contract_for_broker(broker, client_id, contract_id):
    client = clients.get_for(broker, client_id)
    contract = GroupContract.get_or_none((GroupContract.id == contract_id) & (GroupContract.employer == client.id))
    if contract is None:
        raise NotFound("Vertrag nicht gefunden.", "Group contract not found.")
    return contract


def download(contract, statement_id, fmt):
    """(filename, bytes, mime) of a statement of `contract` as pdf, csv or xlsx."""
    if fmt not in FORMATS:
        raise NotFound("Unbekanntes Format.", "Unknown format.")
    statement = of_contract(contract, statement_id)
    data = {"pdf": pdf, "csv": as_csv, "xlsx": as_xlsx}[fmt](statement)
    return f"Beitragsrechnung-{statement.number}.{fmt}", data, FORMATS[fmt]


def of_contract(contract, statement_id):
    """A statement of `contract` (already scoped by the caller); NotFound for another's."""
    statement = Statement.get_or_none((Statement.id == statement_id) & (Statement.contract == contract.id))
    if statement is None:
        raise NotFound("Beitragsrechnung nicht gefunden.", "Statement not found.")
    return statement


def view(statement):
    """A statement and its lines as dicts with Decimal amounts (templates, exports, tests)."""
    lines = [{"position": l.position, "kind": l.kind, "employee_id": l.employee_id, "person": l.person,
              "family_member_id": l.family_member_id, "role": l.role,
              "personnel_number": l.personnel_number, "for_month": l.for_month, "period_from": l.period_from,
              "period_to": l.period_to, "cover": l.cover, "tariff_group": l.tariff_group, "tariffs": list(l.tariffs),
              "payer": l.payer, "amount": Decimal(l.amount), "employer_amount": Decimal(l.employer_amount),
              "employee_amount": Decimal(l.employee_amount)}
             for l in statement.lines.order_by(StatementLine.position)]
    return {**_summary(statement), "lines": lines}


def pdf(statement):
    """The statement's PDF, made from its lines after it was issued (now, if the job has not yet)."""
    if statement.document_id is None:
        statement = make_pdf(statement.id)
    return documents.read(Document.get_by_id(statement.document_id))


def _row(line):
    return [line["position"], line["kind"], line["personnel_number"], line["person"],
            family.ROLES[line["role"]]["de"] if line["role"] else "", f"{line['for_month']:%Y-%m}",
            line["period_from"].isoformat() if line["period_from"] else "",
            line["period_to"].isoformat() if line["period_to"] else "", line["cover"], line["tariff_group"],
            " ".join(line["tariffs"]), line["payer"], line["amount"], line["employer_amount"], line["employee_amount"]]


def as_csv(statement):
    """The lines as CSV (`;`, UTF-8 with BOM); amounts as numbers with a decimal point (24.10), dates ISO."""
    from engine.exports import inert
    data = view(statement)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in data["lines"]:
        writer.writerow([cell if isinstance(cell, (int, Decimal)) else inert(cell) for cell in _row(line)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(statement):
    """The lines as XLSX with amounts as number cells (format 0.00) and the totals below."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from engine.exports import inert
    data = view(statement)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Beitragsrechnung")
    sheet.append(CSV_HEADER)

    def cells(row):
        for value in row:
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "0.00"
                yield cell
            else:
                yield value if isinstance(value, int) else inert(value)
    for line in data["lines"]:
        sheet.append(list(cells(_row(line))))
    sheet.append([])
    sheet.append(list(cells(["", "Summe"] + [""] * (len(CSV_HEADER) - 5)
                            + [data["total"], data["employer_total"], data["employee_total"]])))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
