"""A tenant's settings as a typed value with the platform's defaults, built once per version
(instead of `settings.get(name, default)` spread over the engine)."""
from dataclasses import dataclass
from decimal import Decimal

from rules.platform import platform_settings


@dataclass(frozen=True)
class TenantSettings:
    age_method: str
    offer_validity_days: int
    min_insured: int
    employer_release_required: bool
    contract_term_months: int
    max_backdating_months: int
    max_future_start_months: int
    benefit_in_kind_limit: Decimal  # the tenant's own, else the platform's (rules/platform.yaml)
    statement_day: int = 1  # the day of the month the monthly premium statements are issued
    creditor_id: str = ""  # SEPA Gläubiger-ID; '' when the insurer collects no direct debits here
    creditor_iban: str = ""  # the account the direct debits are paid into
    creditor_bic: str = ""
    collection_day: int = 1  # the day of the month the statements' direct debits are due
    premium_change_notice_weeks: int = 6  # a dated premium change reaches contracts in force this much later
    commission_basis_months: int = 12  # the broker's commission basis: this many monthly premiums
    auto_enrol_when_eligible: bool = False  # the daily job enrols a person once eligible, instead of reminding
    cancellation_notice_months: int = 3  # notice before a contract year's end (cancellation, level change)
    payroll_treatment: str = "benefit_in_kind"  # how payroll books employer-paid premiums unless the employer chooses
    family_payer: str = "employee"  # who pays family members' premiums: employee | employer

    def get(self, name, default=None):
        """Also readable by name, as the document's mapping was."""
        return getattr(self, name, default)

    def __getitem__(self, name):
        return getattr(self, name)

    @classmethod
    def of(cls, raw):
        """From the `settings` mapping of a tenant document (checked against the schema)."""
        raw = raw or {}
        own_limit = raw.get("benefit_in_kind_limit")
        return cls(age_method=raw.get("age_method", "age_at_start"),
                   offer_validity_days=int(raw.get("offer_validity_days", 30)),
                   min_insured=int(raw.get("min_insured", 1)),
                   employer_release_required=bool(raw.get("employer_release_required", True)),
                   contract_term_months=int(raw.get("contract_term_months", 24)),
                   max_backdating_months=int(raw.get("max_backdating_months", 0)),
                   max_future_start_months=int(raw.get("max_future_start_months", 6)),
                   benefit_in_kind_limit=Decimal(str(own_limit)) if own_limit is not None
                   else platform_settings()["benefit_in_kind_limit"],
                   creditor_id=raw.get("creditor_id", ""), creditor_iban=raw.get("creditor_iban", ""),
                   creditor_bic=raw.get("creditor_bic", ""), collection_day=int(raw.get("collection_day", 1)),
                   premium_change_notice_weeks=int(raw.get("premium_change_notice_weeks", 6)),
                   statement_day=int(raw.get("statement_day", 1)),
                   commission_basis_months=int(raw.get("commission_basis_months", 12)),
                   auto_enrol_when_eligible=bool(raw.get("auto_enrol_when_eligible", False)),
                   payroll_treatment=raw.get("payroll_treatment", "benefit_in_kind"),
                   cancellation_notice_months=int(raw.get("cancellation_notice_months", 3)),
                   family_payer=raw.get("family_payer", "employee"))
