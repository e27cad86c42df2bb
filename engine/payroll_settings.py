"""How an employer's payroll books a contract's employer-paid premiums: treatment (benefit in kind or
taxable pay; the tenant's `settings.payroll_treatment` unless the employer chose), wage type
(Lohnart) and the DATEV consultant and client numbers of the LODAS file. Changes are audited."""
import re
from dataclasses import dataclass

from engine import audit, clock, registry
from engine.db import prepared, transaction
from engine.errors import DomainError
from engine.models import PayrollSettings

TREATMENTS = ("benefit_in_kind", "taxable_pay")
TREATMENT_TEXT = {"benefit_in_kind": {"de": "Sachbezug", "en": "Benefit in kind"},
                  "taxable_pay": {"de": "Steuerpflichtiger Arbeitslohn", "en": "Taxable pay"}}
# DATEV: Beraternummer up to 7 digits, Mandantennummer up to 5, an own wage type (Lohnart) up to 4
LIMITS = {"wage_type": 4, "consultant_number": 7, "client_number": 5}
LABELS = {"wage_type": ("Lohnart", "Wage type"), "consultant_number": ("Beraternummer", "Consultant number"),
          "client_number": ("Mandantennummer", "Client number")}


@dataclass(frozen=True)
class Settings:
    treatment: str         # in force: the employer's choice, else the tenant's default
    chosen: str            # the employer's choice, '' when it follows the tenant
    tenant_default: str
    wage_type: str
    consultant_number: str
    client_number: str

def _default(contract):
    return registry.get(contract.tenant_id).settings.get("payroll_treatment", "benefit_in_kind")


@prepared
def _settings_of(contract_id):
    return PayrollSettings.select().where(PayrollSettings.contract == contract_id).limit(1)


def of(contract):
    """The contract's payroll settings (defaults when the employer set none)."""
    row = next(iter(_settings_of(contract.id)), None)
    default = _default(contract)
    chosen = row.treatment if row else ""
    return Settings(chosen or default, chosen, default, row.wage_type if row else "",
                    row.consultant_number if row else "", row.client_number if row else "")


def _digits(values, name):
    text = str(values.get(name) or "").strip()
    if text and not re.fullmatch(r"[0-9]{1,%d}" % LIMITS[name], text):
        de, en = LABELS[name]
        raise DomainError(f"{de}: bitte nur Ziffern, höchstens {LIMITS[name]}.",
                          f"{en}: digits only, at most {LIMITS[name]}.", field=name)
    return text


def save(user, contract, values):
    """Store the employer's payroll settings (values: treatment '' | one of TREATMENTS, wage_type,
    consultant_number, client_number); audited with before and after."""
    treatment = str(values.get("treatment") or "")
    if treatment and treatment not in TREATMENTS:
        raise DomainError("Bitte wählen Sie, wie die Lohnabrechnung den Beitrag bucht.",
                          "Please choose how payroll books the premium.", field="treatment")
    after = {"treatment": treatment, **{name: _digits(values, name) for name in LIMITS}}
    with transaction():
        row = PayrollSettings.get_or_none(PayrollSettings.contract == contract.id)
        before = {name: getattr(row, name) for name in after} if row else None
        if before == after:
            return of(contract)
        if row is None:
            row = PayrollSettings.create(contract=contract.id, updated_by=user, updated_at=clock.utcnow(), **after)
        else:
            PayrollSettings.update(updated_by=user, updated_at=clock.utcnow(), **after).where(
                PayrollSettings.id == row.id).execute()
        audit.record(user, "payroll_settings.saved", "group_contract", contract.id, tenant=contract.tenant_id,
                     before=before, after=after, employer=contract.employer_id)
    return of(contract)
