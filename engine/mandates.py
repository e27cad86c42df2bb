"""SEPA direct-debit mandates (Lastschriftmandate): the employer's for its contract's statements, an
employee's for the amounts the employee pays. A mandate is replaced, never edited: recording a new one
revokes the owner's active one; each is audited. The collection files read them (engine/collections.py)."""
import datetime
import logging
import re

from schwifty import BIC, IBAN
from schwifty import exceptions as iban_errors

from engine import audit, clock
from engine.db import prepared, transaction
from engine.errors import DomainError
from engine.models import AuditEntry, GroupContract, Mandate
from forms.messages import MESSAGES
from rules import catalogue

logger = logging.getLogger(__name__)

# The mandate's wording and the refund note, the application's own (rules/catalogues/application.yaml)
CONSENT = next({"text": f.form["label"], "note": f.form.get("help")} for f in catalogue.load("application")
               if f.name == "sepa_mandate")

# SEPA's restricted character set for a mandate reference (EPC: Latin letters, digits and + ? / - : ( ) . , ')
REFERENCE = re.compile(r"[A-Za-z0-9+?/\-:().,']{1,35}")


def checked_iban(text):
    """The IBAN in its compact form; DomainError(field="iban") with the forms' texts when it is not one."""
    def refuse(code, **params):
        message = MESSAGES[code]
        raise DomainError(message["de"].format(**params), message["en"].format(**params), field="iban") from None
    raw = (text or "").strip()
    try:
        return IBAN(raw).compact
    except iban_errors.InvalidChecksumDigits:
        refuse("iban_checksum")
    except iban_errors.InvalidLength:
        refuse("iban_length", country=raw[:2].upper())
    except iban_errors.InvalidCountryCode:
        refuse("iban_country")
    except ValueError:  # schwifty's other structure errors
        refuse("iban")


def checked_bic(text):
    """A BIC in its compact form, None when not given; DomainError(field="bic") when it is not one."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return BIC(raw).compact
    except ValueError:
        raise DomainError("Bitte geben Sie eine gültige BIC an, z. B. COBADEFFXXX.",
                          "Please enter a valid BIC, such as COBADEFFXXX.", field="bic") from None


def checked_consent(given):
    """A mandate given on a form needs its consent box ticked (CONSENT); DomainError(field="consent") otherwise."""
    if not given:
        message = MESSAGES["required_checkbox"]
        raise DomainError(message["de"], message["en"], field="consent")


def _checked_holder(holder):
    holder = " ".join((holder or "").split())
    if not holder:
        raise DomainError("Bitte geben Sie den Kontoinhaber an.", "Please enter the account holder.", field="holder")
    return holder[:140]


def masked(iban):
    """An IBAN as pages show it: country, check digits and the last four, e.g. DE89 **** **** **** **30 00."""
    hidden = iban[:4] + "*" * (len(iban) - 8) + iban[-4:]
    return " ".join(hidden[i:i + 4] for i in range(0, len(hidden), 4))


def _reference(tenant, prefix, owner_id):
    """A new reference unique for the creditor: BKV-<AG|AN><owner id>-<n>, within SEPA's charset."""
    number = 1 + Mandate.select().where((Mandate.tenant == tenant)
                                        & (Mandate.reference.startswith(f"BKV-{prefix}{owner_id}-"))).count()
    reference = f"BKV-{prefix}{owner_id}-{number}"
    assert REFERENCE.fullmatch(reference), reference
    return reference


def _record(tenant, owner, holder, iban, signed_on, actor, bic=None, employer=None):
    """owner: ("contract" | "employee", id). Revokes the owner's active mandate, records the new one."""
    iban, bic, holder = checked_iban(iban), checked_bic(bic), _checked_holder(holder)
    if signed_on is None or signed_on > clock.today():
        raise DomainError("Das Datum der Unterschrift darf nicht in der Zukunft liegen.",
                          "The date of signature cannot be in the future.", field="signed_on")
    kind, owner_id = owner
    column = Mandate.contract if kind == "contract" else Mandate.employee
    with transaction():
        previous = Mandate.get_or_none((column == owner_id) & Mandate.revoked_on.is_null())
        if previous is not None:
            Mandate.update(revoked_on=clock.today()).where(Mandate.id == previous.id).execute()
            audit.record(actor, "mandate.revoked", "mandate", previous.id, tenant=tenant,
                         after={"revoked_on": clock.today(), "replaced": True}, employer=employer)
        mandate = Mandate.create(tenant=tenant, holder=holder, iban=iban, bic=bic, signed_on=signed_on,
                                 reference=_reference(tenant, "AG" if kind == "contract" else "AN", owner_id),
                                 created_by=actor, **{kind: owner_id})
        audit.record(actor, "mandate.recorded", "mandate", mandate.id, tenant=tenant, employer=employer,
                     after={kind: owner_id, "reference": mandate.reference, "iban": masked(iban),
                            "signed_on": signed_on, "replaces": previous.reference if previous else None})
    return mandate


def record_for_contract(contract, holder, iban, signed_on, actor, bic=None):
    """The employer's mandate for a group contract's statements (revokes its active one)."""
    return _record(contract.tenant_id, ("contract", contract.id), holder, iban, signed_on, actor, bic,
                   employer=contract.employer_id)


def record_for_employee(employee, holder, iban, signed_on, actor, bic=None):
    """An employee's own mandate for the amounts the employee pays (family members' premiums)."""
    contract = GroupContract.get_by_id(employee.contract_id)
    return _record(contract.tenant_id, ("employee", employee.id), holder, iban, signed_on, actor, bic,
                   employer=contract.employer_id)


def active_for_contract(contract):
    return Mandate.get_or_none((Mandate.contract == contract.id) & Mandate.revoked_on.is_null())


def active_for_employee(employee):
    return Mandate.get_or_none((Mandate.employee == employee.id) & Mandate.revoked_on.is_null())


def active_for_employees(employee_ids):
    """{employee id: active mandate} of several employees in one query."""
    if not employee_ids:
        return {}
    return {m.employee_id: m for m in Mandate.select().where(Mandate.employee.in_(list(employee_ids))
                                                             & Mandate.revoked_on.is_null())}


@prepared
def _of_contract(contract_id):
    return Mandate.select().where(Mandate.contract == contract_id).order_by(Mandate.id.desc())


def of_contract(contract):
    """The contract's employer mandates, the active one first, as dicts for pages (IBAN masked)."""
    found = _of_contract(contract.id)
    return [view(m) for m in sorted(found, key=lambda m: m.revoked_on is not None)]


def view(mandate):
    return {"id": mandate.id, "holder": mandate.holder, "iban": masked(mandate.iban), "bic": mandate.bic,
            "reference": mandate.reference, "signed_on": mandate.signed_on, "revoked_on": mandate.revoked_on,
            "sequence": "RCUR" if mandate.first_collected_on else "FRST"}


def _local_date(moment):
    return moment.replace(tzinfo=datetime.timezone.utc).astimezone(clock.ZONE).date()


def _signed_on(application):
    """The day the employer gave the mandate: its release of the application (or the submission when the
    insurer needs no release), the day the form's mandate consent became binding."""
    released = (AuditEntry.select(AuditEntry.at).where((AuditEntry.object_type == "application")
                                                      & (AuditEntry.object_id == str(application.id))
                                                      & (AuditEntry.action == "application.release"))
                .order_by(AuditEntry.id.desc()).first())
    if released is not None:
        return _local_date(released.at)
    return _local_date(application.submitted_at) if application.submitted_at else clock.today()


def record_from_application(application, contract, actor):
    """On acceptance, as the group contract is made (before its policy PDF, which names the mandate):
    the employer's mandate from the application's SEPA answers (payment=sepa); None otherwise."""
    data = application.data or {}
    if data.get("payment") != "sepa" or not data.get("iban") or not data.get("sepa_mandate"):
        return None
    return record_for_contract(contract, data.get("account_holder") or contract.employer.company_name, data["iban"],
                               min(_signed_on(application), clock.today()), actor)
