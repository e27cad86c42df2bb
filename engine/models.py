"""Peewee models: the platform's persistent state. Domain logic lives in the modules that use them."""
import json

from peewee import (BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    TextField)

from engine.clock import utcnow  # noqa: F401  (column defaults; engine modules import it from here)
from engine.db import database


def json_default(value):
    """Dates and times as ISO text, anything else (Decimal) as its text."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class JSONText(TextField):
    """JSON stored as text: identical on SQLite and PostgreSQL, no driver-specific types."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, sort_keys=True, default=json_default)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Tenant(BaseModel):
    """An insurer. Its content lives in TenantVersion snapshots; which one is live on a day is decided by
    its TenantRelease rows (engine/registry.in_force), never by a copy kept here."""
    slug = CharField(primary_key=True, max_length=40)
    name = CharField()
    active = BooleanField(default=True)
    problems = JSONText(default=list)  # the last `check` of its folder; empty when it loaded cleanly
    checked_at = DateTimeField(default=utcnow)


class TenantVersion(BaseModel):
    """Each distinct content of a tenant, stored once; offers and policies point at the one they used."""
    tenant = ForeignKeyField(Tenant, backref="versions", on_delete="CASCADE")
    digest = CharField(max_length=64)
    snapshot = JSONText()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "digest"), True),)


class TenantFile(BaseModel):
    """The bytes of a tenant's product document (a PDF named by a tariff), stored once per content:
    offers and mails find it by its SHA-256, whichever version named it."""
    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    sha256 = CharField(max_length=64)
    size = IntegerField()
    data = TextField()  # base64: the same on SQLite and PostgreSQL
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "sha256"), True),)


class TenantRelease(BaseModel):
    """A version put in force from `valid_from` (bkv tenants activate, or an insurer administrator in the
    back office). On a day the release with the latest valid_from up to that day is live; of two with the
    same day, the later. A scheduled release may be withdrawn before its day."""
    tenant = ForeignKeyField(Tenant, backref="releases", on_delete="CASCADE")
    version = ForeignKeyField(TenantVersion, on_delete="CASCADE")
    valid_from = DateField()
    created_at = DateTimeField(default=utcnow)
    withdrawn_at = DateTimeField(null=True)


class User(BaseModel):
    email = CharField(unique=True, max_length=254)
    name = CharField(default="")
    password_hash = CharField()
    email_verified_at = DateTimeField(null=True)
    session_token = CharField(max_length=64)
    locale = CharField(max_length=5, default="de")
    is_admin = BooleanField(default=False)
    digest = CharField(max_length=10, default="batch")  # decision mails: batch (as they come) | daily
    created_at = DateTimeField(default=utcnow)


class Employer(BaseModel):
    """An employer company (Arbeitgeber): a broker's client and, later, the policyholder."""
    broker = ForeignKeyField(User, backref="clients", null=True, on_delete="SET NULL")
    company_name = CharField()
    street = CharField(default="")
    postal_code = CharField(max_length=10, default="")
    city = CharField(default="")
    industry = CharField(default="")
    employees_count = IntegerField(default=0)
    contact_name = CharField(default="")
    contact_email = CharField(default="", max_length=254)
    created_at = DateTimeField(default=utcnow)


class Role(BaseModel):
    """What a user may do: broker; employer member (of one employer); insurer staff (of one tenant)."""
    user = ForeignKeyField(User, backref="roles", on_delete="CASCADE")
    kind = CharField(max_length=20)  # broker | employer | insurer
    tenant = ForeignKeyField(Tenant, null=True, on_delete="CASCADE")
    employer = ForeignKeyField(Employer, null=True, backref="members", on_delete="CASCADE")

    class Meta:
        indexes = ((("user", "kind", "tenant", "employer"), True),)


class Invitation(BaseModel):
    """An invitation of an address, taken up once, by that address: to act for an employer (a member
    invites; role "employer"), or to work in an insurer's back office (role "insurer" = staff or
    "insurer_admin" = administrator of that tenant; the platform admin or the insurer's administrators
    invite)."""
    employer = ForeignKeyField(Employer, null=True, backref="invitations", on_delete="CASCADE")
    tenant = ForeignKeyField(Tenant, null=True, backref="+", on_delete="CASCADE")
    role = CharField(max_length=20, default="employer")
    email = CharField(max_length=254)
    invited_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    accepted_at = DateTimeField(null=True)
    accepted_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


class Outbox(BaseModel):
    """A mail written in the same transaction as the change that causes it; delivered by a job."""
    recipient = CharField(max_length=254)
    subject = CharField(max_length=300)
    body = TextField()
    attachments = JSONText(default=list)  # [{filename, tenant, sha256}]: product documents (TenantFile)
    status = CharField(max_length=10, default="pending", index=True)  # pending | sent | failed
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow, index=True)
    last_error = TextField(null=True)
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)


class AuditEntry(BaseModel):
    """Append-only record of a state change or a sensitive read: who, when, what, before/after."""
    at = DateTimeField(default=utcnow, index=True)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    action = CharField(max_length=80)
    object_type = CharField(max_length=40)
    object_id = CharField(max_length=64)
    tenant = ForeignKeyField(Tenant, null=True, on_delete="SET NULL")
    employer = ForeignKeyField(Employer, null=True, on_delete="SET NULL", index=True)
    before = JSONText(null=True)
    after = JSONText(null=True)

    class Meta:
        # a case's timeline reads the newest entries first, a run's end from the index (migration 0033)
        indexes = ((("object_type", "object_id"), False),
                   (("employer", "at", "id", "action", "actor", "tenant"), False))


class Document(BaseModel):
    """A stored file (PDF, upload): bytes in the document store, metadata and checksum here."""
    kind = CharField(max_length=40)
    filename = CharField()
    mime = CharField(max_length=100)
    sha256 = CharField(max_length=64)
    size = IntegerField()
    storage_key = CharField(unique=True)
    employer = ForeignKeyField(Employer, null=True, on_delete="SET NULL")
    tenant = ForeignKeyField(Tenant, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)


class BrokerProfile(BaseModel):
    """The broker's own data (forms/broker_profile.yaml): name, firm, address, §34d number."""
    user = ForeignKeyField(User, unique=True, backref="broker_profile", on_delete="CASCADE")
    data = JSONText(default=dict)
    updated_at = DateTimeField(default=utcnow)


class BrokerNumber(BaseModel):
    """The broker's agency number (Vermittlernummer) at one insurer; needed to send its offers."""
    broker = ForeignKeyField(User, backref="broker_numbers", on_delete="CASCADE")
    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    number = CharField(max_length=60)
    created_at = DateTimeField(default=utcnow)
    # Set by the insurer's back office once it has checked the number; a changed number is unchecked again.
    confirmed_at = DateTimeField(null=True)
    confirmed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("broker", "tenant"), True),)


class Consultation(BaseModel):
    """A documented advice session (§§ 61, 62 VVG): what was presented, answered, recommended."""
    broker = ForeignKeyField(User, on_delete="CASCADE")
    employer = ForeignKeyField(Employer, backref="consultations", on_delete="CASCADE")
    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    tenant_version = ForeignKeyField(TenantVersion, on_delete="RESTRICT")
    tariffs = JSONText(default=list)
    modules = JSONText(default=list)
    answers = JSONText(default=dict)
    recommendation = TextField(default="")
    state = CharField(max_length=20, default="open")
    lock_version = IntegerField(default=0)
    document = ForeignKeyField(Document, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    completed_at = DateTimeField(null=True)


class Comparison(BaseModel):
    """Several insurers side by side for one client with the same inputs (issue #18): the inputs, the insurers
    and what the broker was shown (`shown`, kept for the consultation record, § 61 VVG). Offers made from it
    point at it (`Offer.comparison`) and are sent to the employer together, who accepts one of them."""
    broker = ForeignKeyField(User, on_delete="CASCADE")
    employer = ForeignKeyField(Employer, backref="comparisons", on_delete="CASCADE")
    consultation = ForeignKeyField(Consultation, null=True, backref="comparisons", on_delete="SET NULL")
    inputs = JSONText(default=dict)
    insurers = JSONText(default=list)
    shown = JSONText(default=list)
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    sent_to = CharField(max_length=254, null=True)


class Offer(BaseModel):
    """An offer to an employer: tariff groups priced by the tenant's formulas; versioned by `revision`."""
    broker = ForeignKeyField(User, on_delete="CASCADE")
    employer = ForeignKeyField(Employer, backref="offers", on_delete="CASCADE")
    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    tenant_version = ForeignKeyField(TenantVersion, on_delete="RESTRICT")
    consultation = ForeignKeyField(Consultation, null=True, on_delete="SET NULL")
    supersedes = ForeignKeyField("self", null=True, on_delete="SET NULL")
    comparison = ForeignKeyField(Comparison, null=True, backref="offers", on_delete="SET NULL")
    revision = IntegerField(default=1)
    state = CharField(max_length=20, default="draft", index=True)
    lock_version = IntegerField(default=0)
    start_date = DateField()
    valid_until = DateField(null=True)
    groups = JSONText(default=list)
    figures = JSONText(default=dict)
    warnings = JSONText(default=list)
    decline_reason = TextField(null=True)
    document = ForeignKeyField(Document, null=True, on_delete="SET NULL")
    product_documents = JSONText(default=list)  # [{tariff, title, version, file, sha256, size}] as offered
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    sent_to = CharField(max_length=254, null=True)  # the contact address the offer was mailed to (its addressee)
    decided_at = DateTimeField(null=True)


class Application(BaseModel):
    """The group-contract application made from an accepted offer, filled by broker and employer."""
    offer = ForeignKeyField(Offer, unique=True, backref="applications", on_delete="CASCADE")
    broker = ForeignKeyField(User, on_delete="CASCADE")
    employer = ForeignKeyField(Employer, backref="applications", on_delete="CASCADE")
    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    tenant_version = ForeignKeyField(TenantVersion, on_delete="RESTRICT")
    state = CharField(max_length=20, default="draft", index=True)
    lock_version = IntegerField(default=0)
    data = JSONText(default=dict)
    comment = TextField(null=True)
    created_at = DateTimeField(default=utcnow)
    submitted_at = DateTimeField(null=True)


class GroupContract(BaseModel):
    """The group contract an insurer accepted: policy number, start, offered groups, policy PDF."""
    application = ForeignKeyField(Application, unique=True, backref="contracts", on_delete="CASCADE")
    employer = ForeignKeyField(Employer, backref="contracts", on_delete="CASCADE")
    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    tenant_version = ForeignKeyField(TenantVersion, on_delete="RESTRICT")
    policy_number = CharField(max_length=60)
    start_date = DateField()
    groups = JSONText(default=list)  # a group's "levels": [{from, level}] are its level changes at anniversaries
    document = ForeignKeyField(Document, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    state = CharField(max_length=20, default="in_force")  # in_force | cancelled | ended (workflows/contract.yaml)
    lock_version = IntegerField(default=0)
    end_date = DateField(null=True)  # the last day of cover once notice was given
    cancelled_by = CharField(max_length=20, default="")  # employer | insurer
    cancellation_reason = TextField(default="")
    below_minimum_since = DateField(null=True)  # the day the insured count fell below min_insured (told once)

    @property
    def broker_id(self):
        """The client's broker is the contract's (workflow.roles_of reads it)."""
        return self.employer.broker_id


class Employee(BaseModel):
    """An employee of an employer under one group contract (the insured person)."""
    contract = ForeignKeyField(GroupContract, backref="employees", on_delete="CASCADE")
    personnel_number = CharField(max_length=60)
    first_name = CharField()
    last_name = CharField()
    name_key = CharField(default="", index=True)  # engine.names.sort_key: the staff list's order and search
    birth_date = DateField()
    gender = CharField(max_length=1, default="")
    email = CharField(max_length=254, default="")
    street = CharField(default="")
    postal_code = CharField(max_length=10, default="")
    city = CharField(default="")
    employment_start = DateField()
    employment_type = CharField(max_length=20)
    leaving_date = DateField(null=True)  # Austrittsdatum from the file or the form; cover is not ended by it
    weekly_hours = CharField(max_length=10, default="")
    tariff_group_requested = CharField(default="")
    tariff_group = CharField(max_length=60, null=True)
    # versicherbar ab: the first 1st of a month the group's requirements hold (waiting periods from the
    # person's own entry); None when never. Re-computed with the group whenever the person's data change.
    eligible_from = DateField(null=True)
    eligible_reminded_at = DateTimeField(null=True)  # when the employer was told (or the system enrolled) on that date
    group_proposal = JSONText(null=True)  # {from, to (None: no group), date}: the rules' group after a data change
    explanation = JSONText(default=dict)
    row_digest = CharField(max_length=64, default="")
    state = CharField(max_length=20, default="new", index=True)  # new | enrolled | insured | left | deceased
    lock_version = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        # the staff list's order, and its counts by state and group (migration 0034)
        indexes = ((("contract", "personnel_number"), True), (("contract", "name_key", "id"), False),
                   (("contract", "state", "tariff_group", "eligible_from"), False))


class ImportBatch(BaseModel):
    """One uploaded employee file: the original kept, every row's result, what was imported."""
    contract = ForeignKeyField(GroupContract, backref="imports", on_delete="CASCADE")
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    document = ForeignKeyField(Document, on_delete="RESTRICT")
    # checking | previewed | importing | imported | unusable | interrupted (a job died too often; retry by hand)
    status = CharField(max_length=20, default="previewed")
    total = IntegerField(default=0)
    valid = IntegerField(default=0)
    progress = IntegerField(default=0)
    report = JSONText(default=dict)  # see engine.employees.check: the first problems in full, counts of all
    created_at = DateTimeField(default=utcnow)
    imported_at = DateTimeField(null=True)
    heartbeat_at = DateTimeField(null=True)  # last sign of life of the job checking or importing it
    attempts = IntegerField(default=0)       # times a stalled job was started again


class ColumnMapping(BaseModel):
    """How an employer's files of one layout (the set of their headers) map to the employee's fields, as the
    employer confirmed it: the next file of that layout maps itself (engine/column_mapping.py)."""
    employer = ForeignKeyField(Employer, backref="column_mappings", on_delete="CASCADE")
    layout_key = CharField(max_length=64)  # sha256 of the file's header keys, sorted
    columns = JSONText(default=dict)       # header as written -> field name, or "" for ignored
    confirmed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    confirmed_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("employer", "layout_key"), True),)


class EnrolmentRun(BaseModel):
    """"Enrol all" as a job: the employees ready for enrolment are sent in chunks, from `cursor` (the
    last employee id handled) on, so a run that died continues where it stopped."""
    contract = ForeignKeyField(GroupContract, backref="enrolment_runs", on_delete="CASCADE")
    requested_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    status = CharField(max_length=20, default="running")  # running | done | interrupted
    total = IntegerField(default=0)
    progress = IntegerField(default=0)
    sent = IntegerField(default=0)
    skipped = IntegerField(default=0)
    cursor = IntegerField(default=0)
    report = JSONText(default=dict)  # skipped: the first ones as {employee: id, reason: {de, en}}
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
    heartbeat_at = DateTimeField(null=True)
    attempts = IntegerField(default=0)


class Enrolment(BaseModel):
    """An employee's enrolment (Anmeldung) sent to the insurer."""
    employee = ForeignKeyField(Employee, backref="enrolments", on_delete="CASCADE")
    contract = ForeignKeyField(GroupContract, backref="enrolments", on_delete="CASCADE")
    state = CharField(max_length=20, default="sent", index=True)  # sent | accepted | rejected
    lock_version = IntegerField(default=0)
    tariff_group = CharField(max_length=60)
    tariffs = JSONText(default=list)
    start_date = DateField()
    premium = CharField(max_length=20)
    reason = TextField(null=True)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    decided_at = DateTimeField(null=True)


class BusinessEvent(BaseModel):
    """A business event (Geschäftsvorfall) filed by the employer for an employee."""
    contract = ForeignKeyField(GroupContract, backref="events", on_delete="CASCADE")
    employee = ForeignKeyField(Employee, backref="events", on_delete="CASCADE")
    type = CharField(max_length=40)
    data = JSONText(default=dict)
    state = CharField(max_length=20, default="submitted", index=True)  # submitted | accepted | rejected
    lock_version = IntegerField(default=0)
    reason = TextField(null=True)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    decided_at = DateTimeField(null=True)
    applied_at = DateTimeField(null=True)  # when its effects reached the cover ledger (engine/cover.py)


class ContinuationCase(BaseModel):
    """The leaver's right to continue privately without health questions (Fortführung), handed to the
    insurer with a due date (engine/continuation.py)."""
    employee = ForeignKeyField(Employee, backref="continuations", on_delete="CASCADE")
    contract = ForeignKeyField(GroupContract, backref="+", on_delete="CASCADE")
    event = ForeignKeyField(BusinessEvent, unique=True, backref="+", on_delete="CASCADE")  # the leaving
    due_date = DateField()  # the last day the person can take it up
    email = CharField(max_length=254, default="")  # the private address the event collected, if any
    state = CharField(max_length=20, default="open", index=True)  # open | offered | declined | lapsed
    lock_version = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    decided_at = DateTimeField(null=True)


class Policy(BaseModel):
    """An individual policy of an employee; a new version after an event, the old one kept."""
    employee = ForeignKeyField(Employee, backref="policies", on_delete="CASCADE")
    contract = ForeignKeyField(GroupContract, on_delete="CASCADE")
    enrolment = ForeignKeyField(Enrolment, null=True, on_delete="SET NULL")
    event = ForeignKeyField(BusinessEvent, null=True, on_delete="SET NULL")
    version = IntegerField(default=1)
    number = CharField(max_length=60)
    start_date = DateField()
    end_date = DateField(null=True)
    tariff_group = CharField(max_length=60)
    tariffs = JSONText(default=list)
    premium = CharField(max_length=20)
    status = CharField(max_length=20, default="active")  # active | suspended | ended | replaced
    document = ForeignKeyField(Document, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("contract", "status", "tariff_group", "premium"), False),)  # exports.summary (0038)


class FamilyMember(BaseModel):
    """A family member (spouse or child) insured through an employee, priced by their own age
    (engine/family.py); created when the insurer accepts the event that adds them, their cover is
    periods in the ledger like the employee's."""
    employee = ForeignKeyField(Employee, backref="family_members", on_delete="CASCADE")
    event = ForeignKeyField(BusinessEvent, null=True, on_delete="SET NULL")  # the family_member_added event
    role = CharField(max_length=20)  # spouse | child
    first_name = CharField()
    last_name = CharField()
    birth_date = DateField()
    payer = CharField(max_length=20, default="employee")  # employer | employee (settings.family_payer)
    created_at = DateTimeField(default=utcnow)

    @property
    def contract(self):
        return self.employee.contract


class CoverPeriod(BaseModel):
    """One dated period of an insured person's cover (engine/cover.py): append-only; a change closes the
    open period (sets `valid_to`, inclusive) and opens a new one."""
    employee = ForeignKeyField(Employee, backref="cover_periods", on_delete="CASCADE")
    contract = ForeignKeyField(GroupContract, backref="cover_periods", on_delete="CASCADE")
    valid_from = DateField()
    valid_to = DateField(null=True)  # the last covered day (inclusive); null while open
    cover = CharField(max_length=20)  # insured | suspended (ruhend) | premium_free
    tariff_group = CharField(max_length=60)
    tariffs = JSONText(default=list)
    premium = CharField(max_length=20)  # monthly, Decimal as text
    payer = CharField(max_length=20, default="employer")  # employer | employee | shared
    reason = CharField(max_length=20)  # enrolment | event | age_step | resumption | price_change
    enrolment = ForeignKeyField(Enrolment, null=True, on_delete="SET NULL")
    event = ForeignKeyField(BusinessEvent, null=True, on_delete="SET NULL")
    event_kind = CharField(max_length=40, default="")
    # a family member's period (None: the employee's own)
    family_member = ForeignKeyField(FamilyMember, null=True, backref="cover_periods", on_delete="CASCADE")
    tenant_version = ForeignKeyField(TenantVersion, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("employee", "valid_from"), False),
                   (("contract", "family_member", "valid_from", "valid_to", "tariff_group"), False))  # cover.spans


class PremiumChangeNotice(BaseModel):
    """An employer told of the insurer's dated premium change for its contract, once per contract and
    change (engine/price_changes.py)."""
    contract = ForeignKeyField(GroupContract, backref="+", on_delete="CASCADE")
    change = CharField(max_length=64)  # tenants.premium_changes.key: tariff, valid_from and figures
    tariff = CharField(max_length=64)
    valid_from = DateField()
    takes_effect = DateField()  # the day it reaches this contract (notice period)
    tenant_version = ForeignKeyField(TenantVersion, on_delete="RESTRICT")  # the live version that brought it
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("contract", "change"), True),)


class Statement(BaseModel):
    """A monthly premium statement (Beitragsrechnung) of a group contract, read from the cover ledger
    (engine/statements.py). Immutable once issued: a later change is a correction line in a later one."""
    contract = ForeignKeyField(GroupContract, backref="statements", on_delete="CASCADE")
    month = DateField()  # the 1st of the month it bills
    number = CharField(max_length=80)
    issued_at = DateTimeField(default=utcnow)
    tenant_version = ForeignKeyField(TenantVersion, on_delete="RESTRICT")  # its branding and settings
    total = CharField(max_length=20)  # Decimal as text, EUR
    employer_total = CharField(max_length=20)
    employee_total = CharField(max_length=20)
    document = ForeignKeyField(Document, null=True, on_delete="SET NULL")  # the PDF

    class Meta:
        indexes = ((("contract", "month"), True),)


class StatementLine(BaseModel):
    """One person's amount in a statement: for its month (regular, addition, removal) or, as a
    correction, the difference for an earlier month the ledger now says otherwise about."""
    statement = ForeignKeyField(Statement, backref="lines", on_delete="CASCADE")
    position = IntegerField()
    employee = ForeignKeyField(Employee, null=True, on_delete="SET NULL")
    family_member = ForeignKeyField(FamilyMember, null=True, on_delete="SET NULL")  # a family member's line
    role = CharField(max_length=20, default="")  # spouse | child for a family member's line
    person = CharField()  # the name as billed
    personnel_number = CharField(max_length=60, default="")
    kind = CharField(max_length=20)  # regular | addition | removal | correction
    for_month = DateField()  # the month the amount is for (earlier than the statement's for a correction)
    period_from = DateField(null=True)  # the days covered within that month
    period_to = DateField(null=True)
    cover = CharField(max_length=20, default="")  # insured | suspended | premium_free ('' for a removal)
    tariff_group = CharField(max_length=60, default="")
    tariffs = JSONText(default=list)
    payer = CharField(max_length=20, default="employer")  # employer | employee | shared
    amount = CharField(max_length=20)  # Decimal as text, EUR
    employer_amount = CharField(max_length=20)
    employee_amount = CharField(max_length=20)

    class Meta:
        indexes = ((("statement", "position"), True),)


class Mandate(BaseModel):
    """A SEPA direct-debit mandate (Lastschriftmandat): the employer's for its contract's statements, or an
    employee's for the amounts the employee pays (engine/mandates.py). Replaced, never edited: a new
    one revokes the old (revoked_on)."""
    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")  # the creditor
    contract = ForeignKeyField(GroupContract, null=True, backref="+", on_delete="CASCADE")  # the employer's
    employee = ForeignKeyField(Employee, null=True, backref="+", on_delete="CASCADE")  # or an employee's
    holder = CharField(max_length=140)
    iban = CharField(max_length=34)
    bic = CharField(max_length=11, null=True)
    reference = CharField(max_length=35)  # Mandatsreferenz, unique per creditor
    signed_on = DateField()
    first_collected_on = DateField(null=True)  # None: the next debit is FRST, afterwards RCUR
    revoked_on = DateField(null=True)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "reference"), True),)


class CollectionRun(BaseModel):
    """One SEPA direct-debit file (pain.008) of a tenant for a collection date (engine/collections.py).
    Immutable once made; its items say which statement amounts it collects."""
    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    collection_date = DateField()
    message_id = CharField(max_length=35)
    transactions = IntegerField()
    total = CharField(max_length=20)  # Decimal as text, EUR
    document = ForeignKeyField(Document, null=True, on_delete="SET NULL")  # the XML file
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "collection_date"), True),)


class CollectionItem(BaseModel):
    """A statement's amount of one debtor (the employer, or an employee with an own mandate) in a run;
    `sequence` FRST/RCUR, or '' when it was not debited (a credit or no mandate)."""
    run = ForeignKeyField(CollectionRun, backref="items", on_delete="CASCADE")
    statement = ForeignKeyField(Statement, backref="+", on_delete="CASCADE")
    debtor = CharField(max_length=40)  # "employer" | "employee:<id>": a statement's part is collected once
    mandate = ForeignKeyField(Mandate, null=True, on_delete="SET NULL")
    amount = CharField(max_length=20)
    end_to_end_id = CharField(max_length=35, default="")
    sequence = CharField(max_length=4, default="")

    class Meta:
        indexes = ((("statement", "debtor"), True),)


class ApiKey(BaseModel):
    """An insurer system's key for /api/v1: stored hashed, sees only its tenant."""
    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    name = CharField(max_length=100)
    prefix = CharField(max_length=16, unique=True)
    key_hash = CharField(max_length=128)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)


class IdempotencyRecord(BaseModel):
    """The stored answer to a write made with an Idempotency-Key, replayed on a repeat."""
    api_key = ForeignKeyField(ApiKey, on_delete="CASCADE")
    key = CharField(max_length=200)
    request_hash = CharField(max_length=64)
    status_code = IntegerField()
    body = TextField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("api_key", "key"), True),)


class Webhook(BaseModel):
    """Where an insurer wants to hear of new items; deliveries are signed with HMAC-SHA256."""
    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    url = CharField(max_length=500)
    secret = CharField(max_length=100)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)


class WebhookDelivery(BaseModel):
    webhook = ForeignKeyField(Webhook, backref="deliveries", on_delete="CASCADE")
    event = CharField(max_length=60)
    payload = JSONText()
    status = CharField(max_length=10, default="pending", index=True)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    last_error = TextField(null=True)
    created_at = DateTimeField(default=utcnow)
    delivered_at = DateTimeField(null=True)


class FormSubmission(BaseModel):
    """One submitted HTML form (its one-time id): a repeated submit replays the first answer."""
    owner = CharField(max_length=80)  # the user (or the anonymous session) that submitted
    submission_id = CharField(max_length=64)
    location = CharField(max_length=500, null=True)  # where the first submit led; null while running
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("owner", "submission_id"), True),)


class HeldDecision(BaseModel):
    """A decision's line held for a digest mail, written with the decision: a bulk action's (batch)
    is mailed at its end, a daily reader's (batch null) by the daily job; mailed_at once it is."""
    recipient = CharField(max_length=254)
    batch = CharField(max_length=32, null=True)
    line = JSONText()  # {de, en}
    link = CharField(max_length=500, default="")
    created_at = DateTimeField(default=utcnow)
    mailed_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("mailed_at", "batch"), False),)


class Notification(BaseModel):
    """What happened on a person's cases, for their in-app list; read_at once they looked."""
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    text = JSONText()  # {de, en}
    link = CharField(max_length=500, default="")
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "read_at"), False),)


class PayrollSettings(BaseModel):
    """How the employer's payroll books a contract's employer-paid premiums (engine/payroll.py): as a
    benefit in kind (Sachbezug) or as taxable pay, under which wage type (Lohnart), and the DATEV
    consultant and client numbers the LODAS import file names."""
    contract = ForeignKeyField(GroupContract, unique=True, backref="+", on_delete="CASCADE")
    treatment = CharField(max_length=20, default="")  # benefit_in_kind | taxable_pay | '' (the tenant's default)
    wage_type = CharField(max_length=10, default="")  # Lohnart, digits
    consultant_number = CharField(max_length=10, default="")  # DATEV Beraternummer
    client_number = CharField(max_length=10, default="")  # DATEV Mandantennummer
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    updated_at = DateTimeField(default=utcnow)


class OtherBenefit(BaseModel):
    """A benefit in kind the employer gives besides the bKV (job ticket, vouchers, meals): it shares the
    monthly 50 EUR limit (engine/benefit_limit.py). For one employee, or for all (employee null)."""
    contract = ForeignKeyField(GroupContract, backref="+", on_delete="CASCADE")
    employee = ForeignKeyField(Employee, null=True, backref="+", on_delete="CASCADE")
    label = CharField(max_length=120)
    amount = CharField(max_length=20)  # monthly, Decimal as text, EUR
    from_month = DateField()  # the 1st of the first month
    to_month = DateField(null=True)  # the 1st of the last month; null: open
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)


class Reconciliation(BaseModel):
    """An uploaded statement or payroll result compared per person with the platform's figures for a month
    (engine/reconciliation.py): kept with its file to be looked at again; it never changes a statement."""
    contract = ForeignKeyField(GroupContract, backref="+", on_delete="CASCADE")
    month = DateField()  # the 1st of the month reconciled
    document = ForeignKeyField(Document, null=True, on_delete="SET NULL")  # the uploaded file
    side = CharField(max_length=20)  # employer | insurer: who uploaded it
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    summary = JSONText(default=dict)  # the result: lines, counts, totals (reconciliation.compare)


ALL_MODELS = [Tenant, TenantVersion, TenantFile, TenantRelease, User, Employer, Role, Invitation, Outbox, AuditEntry, Document, BrokerProfile,
              BrokerNumber, Consultation, Comparison, Offer, Application, GroupContract, Employee, ImportBatch, ColumnMapping, EnrolmentRun,
              Enrolment, BusinessEvent, ContinuationCase, Policy, FamilyMember, CoverPeriod, PremiumChangeNotice, Statement, StatementLine, Mandate, CollectionRun, CollectionItem, ApiKey, IdempotencyRecord, Webhook, WebhookDelivery,
              FormSubmission, HeldDecision, Notification, PayrollSettings, OtherBenefit, Reconciliation]
