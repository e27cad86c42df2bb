"""SEPA direct-debit files (pain.008.001.08) per tenant and collection date, made with sepaxml from the
issued statements not yet collected: one debit per statement from the employer's mandate, and one per
employee whose part (family premiums) the employee pays by an own mandate. The amounts are the
statements' own; a run is stored once (CollectionRun + its XML as a Document) and never changed."""
import datetime
import logging
import re
from collections import defaultdict
from decimal import Decimal

from peewee import JOIN, IntegrityError

from engine import audit, clock, documents, mandates, registry
from engine.db import transaction
from engine.errors import DomainError, NotFound
from engine.models import (CollectionItem, CollectionRun, Document, Employee, Employer, GroupContract, Mandate, Statement,
                           StatementLine, Tenant, User)

logger = logging.getLogger(__name__)

SCHEMA = "pain.008.001.08"  # the version German banks take since November 2023 (DK Anlage 3); BIC optional
MIME = "application/xml"
ZERO = Decimal("0.00")
EMPLOYER = "employer"


def _cents(amount):
    return int((amount * 100).to_integral_value())


def due(tenant_slug, collection_date):
    """The tenant's statements issued by `collection_date`, for a month that has begun by then, of which
    nothing was collected yet, oldest first."""
    collected = CollectionItem.select(CollectionItem.statement)
    return list(Statement.select(Statement, GroupContract).join(GroupContract)
                .where((GroupContract.tenant == tenant_slug) & (Statement.month <= collection_date)
                       & (Statement.issued_at < _day_after(collection_date))
                       & Statement.id.not_in(collected))
                .order_by(Statement.month, Statement.id))


def _day_after(day):
    """The first moment after `day` in stored (naive UTC) time, a bound for `issued_at`."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=clock.ZONE)
    return midnight.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def parts(statement):
    """[(debtor, mandate or None, amount, lines' person)] of a statement: each employee part with an own
    active mandate and a positive sum on its own, all else (employer amounts, employee parts without an
    own mandate, which the employer withholds from pay) as the employer's part."""
    by_employee = defaultdict(lambda: ZERO)
    names = {}
    for line in statement.lines.order_by(StatementLine.position):
        if line.employee_id is not None and Decimal(line.employee_amount):
            by_employee[line.employee_id] += Decimal(line.employee_amount)
            names[line.employee_id] = line.person
    own = mandates.active_for_employees([i for i, amount in by_employee.items() if amount > 0])
    found, employer = [], Decimal(statement.total)
    for employee_id, mandate in sorted(own.items()):
        found.append((f"employee:{employee_id}", mandate, by_employee[employee_id], names[employee_id]))
        employer -= by_employee[employee_id]
    contract = statement.contract
    found.insert(0, (EMPLOYER, mandates.active_for_contract(contract), employer, contract.employer.company_name))
    return found


def _end_to_end(statement, debtor):
    suffix = "AG" if debtor == EMPLOYER else "AN" + debtor.split(":", 1)[1]
    return f"S{statement.id}-{statement.month:%Y%m}-{suffix}"


def run(tenant_slug, collection_date, actor=None):
    """The tenant's direct-debit run for `collection_date`: the one made before, or a new one of the due
    statements. Returns (run or None when nothing is due, created)."""
    existing = CollectionRun.get_or_none((CollectionRun.tenant == tenant_slug)
                                         & (CollectionRun.collection_date == collection_date))
    if existing is not None:
        return existing, False
    settings = registry.get(tenant_slug).settings
    if not settings.creditor_id or not settings.creditor_iban:
        raise DomainError("Für diesen Versicherer ist keine Gläubiger-ID mit Konto hinterlegt (creditor_id, "
                          "creditor_iban).", "This insurer has no creditor identifier with an account "
                          "(creditor_id, creditor_iban).")
    try:
        with transaction():
            statements = due(tenant_slug, collection_date)
            if not statements:
                return None, False
            return _create(tenant_slug, collection_date, statements, actor), True
    except IntegrityError:  # made at the same moment by another worker
        return CollectionRun.get((CollectionRun.tenant == tenant_slug)
                                 & (CollectionRun.collection_date == collection_date)), False


def _create(tenant_slug, collection_date, statements, actor):
    items = []
    first_used = set()
    for statement in statements:
        for debtor, mandate, amount, person in parts(statement):
            debited = mandate is not None and amount > 0
            sequence = ("RCUR" if mandate.first_collected_on else "FRST") if debited else ""
            if sequence == "FRST":
                first_used.add(mandate.id)
            items.append({"statement": statement, "debtor": debtor, "mandate": mandate, "amount": amount,
                          "person": person, "sequence": sequence,
                          "end_to_end_id": _end_to_end(statement, debtor) if debited else ""})
    debits = [item for item in items if item["sequence"]]
    total = sum((item["amount"] for item in debits), ZERO)
    message_id, xml = (pain008(tenant_slug, collection_date, debits) if debits else ("", None))
    document = None
    if xml is not None:
        document = documents.store("direct_debits", f"Lastschriften-{tenant_slug}-{collection_date:%Y-%m-%d}.xml",
                                   MIME, xml, tenant=tenant_slug)
    collection = CollectionRun.create(tenant=tenant_slug, collection_date=collection_date, message_id=message_id,
                                      transactions=len(debits), total=str(total), document=document,
                                      created_by=actor, created_at=clock.utcnow())
    for item in items:
        CollectionItem.create(run=collection.id, statement=item["statement"].id, debtor=item["debtor"],
                              mandate=item["mandate"].id if item["mandate"] else None, amount=str(item["amount"]),
                              end_to_end_id=item["end_to_end_id"], sequence=item["sequence"])
    if first_used:
        Mandate.update(first_collected_on=collection_date).where(Mandate.id.in_(sorted(first_used))).execute()
    audit.record(actor, "collection.created", "collection_run", collection.id, tenant=tenant_slug,
                 after={"collection_date": collection_date, "statements": len(statements),
                        "transactions": len(debits), "total": str(total), "message_id": message_id})
    return CollectionRun.get_by_id(collection.id)


def pain008(tenant_slug, collection_date, debits):
    """(message id, XML bytes) of the debits, made by sepaxml and checked against the pain.008 schema it
    ships. sepaxml stamps the creation time from the system clock; the platform's clock replaces it."""
    from sepaxml import SepaDD
    from sepaxml.validation import try_valid_xml
    live = registry.get(tenant_slug)
    config = {"name": live.doc.get("legal_name") or live.doc["name"], "IBAN": live.settings.creditor_iban,
              "batch": True, "creditor_id": live.settings.creditor_id, "currency": "EUR"}
    if live.settings.creditor_bic:
        config["BIC"] = live.settings.creditor_bic
    file = SepaDD(config, schema=SCHEMA)
    for item in debits:
        mandate, statement = item["mandate"], item["statement"]
        payment = {"name": mandate.holder, "IBAN": mandate.iban, "amount": _cents(item["amount"]),
                   "type": item["sequence"], "collection_date": collection_date, "mandate_id": mandate.reference,
                   "mandate_date": mandate.signed_on, "endtoend_id": item["end_to_end_id"],
                   "description": f"Beitragsrechnung {statement.number} {statement.month:%m/%Y}"
                                  + ("" if item["debtor"] == EMPLOYER else f" Arbeitnehmeranteil {item['person']}")}
        if mandate.bic:
            payment["BIC"] = mandate.bic
        file.add_payment(payment)
    xml = file.export(validate=False)
    xml = re.sub(rb"<CreDtTm>[^<]*</CreDtTm>", clock.now().strftime("<CreDtTm>%Y-%m-%dT%H:%M:%S</CreDtTm>").encode(),
                 xml, count=1)
    try_valid_xml(xml, SCHEMA)
    return file.msg_id, xml


def run_due(today=None):
    """The daily job: for each active tenant with a creditor id whose `collection_day` has come this
    month, the run for that day, once. Returns {runs: n, existing: n}."""
    today = today or clock.today()
    done = {"runs": 0, "existing": 0}
    for tenant in Tenant.select().where(Tenant.active):
        try:
            settings = registry.get(tenant.slug).settings
        except NotFound:  # no version in force (never released, or every release withdrawn)
            continue
        if not settings.creditor_id or today.day < settings.collection_day:
            continue
        collection, created = run(tenant.slug, today.replace(day=settings.collection_day))
        if collection is not None:
            done["runs" if created else "existing"] += 1
    return done


# --- reads (scoped by tenant: the back office and the API) ---------------------------------------------

def runs_of(tenant_slug):
    """The tenant's runs, newest collection date first, as dicts with who made them (the back office)."""
    return [{**summary(r), "created_by": _maker(r)} for r in CollectionRun.select(CollectionRun, User)
            .join(User, JOIN.LEFT_OUTER, on=(CollectionRun.created_by == User.id))
            .where(CollectionRun.tenant == tenant_slug).order_by(CollectionRun.collection_date.desc())]


def summary(collection):
    return {"id": collection.id, "collection_date": collection.collection_date, "message_id": collection.message_id,
            "transactions": collection.transactions, "total": Decimal(collection.total),
            "created_at": collection.created_at, "document_id": collection.document_id}


def _maker(collection):
    """Who made a run (name or e-mail); None for the daily job."""
    maker = collection.created_by if collection.created_by_id else None
    return (maker.name or maker.email) if maker else None


def of_tenant(tenant_slug, run_id):
    """A run of the tenant's; NotFound for another's."""
    found = CollectionRun.get_or_none((CollectionRun.id == run_id) & (CollectionRun.tenant == tenant_slug))
    if found is None:
        raise NotFound("Lastschriftlauf nicht gefunden.", "Direct-debit run not found.")
    return found


def not_debited(sequence, mandate_id):
    """Why an item was not debited: "" (it was), "no_mandate" (the debtor pays by transfer) or
    "nothing_due" (its amount is nil or a credit, which is paid out, not collected)."""
    if sequence:
        return ""
    return "no_mandate" if mandate_id is None else "nothing_due"


def view(collection):
    """A run with its items (contract, statement, debtor and its name, masked IBAN, amount, sequence, why an
    item was not debited) for pages and the API."""
    items = []
    query = (CollectionItem.select(CollectionItem, Statement, GroupContract, Employer, Mandate)
             .join(Statement).join(GroupContract).join(Employer)
             .switch(CollectionItem).join(Mandate, on=(CollectionItem.mandate == Mandate.id), join_type=JOIN.LEFT_OUTER)
             .where(CollectionItem.run == collection.id).order_by(CollectionItem.id))
    found = list(query)
    employee_ids = [int(item.debtor.split(":", 1)[1]) for item in found if item.debtor != EMPLOYER]
    people = {f"employee:{e.id}": f"{e.first_name} {e.last_name}"
              for e in Employee.select().where(Employee.id.in_(employee_ids))} if employee_ids else {}
    for item in found:
        mandate = item.mandate if item.mandate_id else None
        contract = item.statement.contract
        items.append({"statement_id": item.statement_id, "statement_number": item.statement.number,
                      "contract_id": contract.id, "policy_number": contract.policy_number or "",
                      "debtor": item.debtor, "debtor_name": contract.employer.company_name if item.debtor == EMPLOYER
                      else people.get(item.debtor, ""), "holder": mandate.holder if mandate else "",
                      "iban": mandates.masked(mandate.iban) if mandate else "",
                      "mandate_reference": mandate.reference if mandate else "", "amount": Decimal(item.amount),
                      "sequence": item.sequence, "end_to_end_id": item.end_to_end_id,
                      "not_debited": not_debited(item.sequence, item.mandate_id)})
    return {**summary(collection), "created_by": _maker(collection), "items": items}


def xml_file(collection):
    """(filename, bytes, mime) of a run's pain.008 file; NotFound when it debited nothing."""
    if collection.document_id is None:
        raise NotFound("Dieser Lauf hat keine Lastschriften und daher keine Datei.",
                       "This run has no debits and therefore no file.")
    document = Document.get_by_id(collection.document_id)
    return document.filename, documents.read(document), MIME


def runs_after(tenant_slug, after=0, limit=100):
    """The tenant's runs in id order after `after` (the API's list)."""
    return list(CollectionRun.select().where((CollectionRun.tenant == tenant_slug) & (CollectionRun.id > after))
                .order_by(CollectionRun.id).limit(limit))
