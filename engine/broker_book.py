"""The broker's book (Bestand): per group contract of a client what a broker needs at a glance —
the people with cover and the premium volume from the cover ledger, the commission basis as the
insurer defines it (settings.commission_basis_months), the next renewal and the open tasks."""
from dataclasses import dataclass
from decimal import Decimal

from engine import clients, clock, contract_lifecycle, cover, min_insured, registry, start_window
from engine.models import BusinessEvent, Enrolment, GroupContract, Tenant

YEAR = 12


@dataclass(frozen=True)
class ContractFigures:
    contract: GroupContract
    insurer: str
    covered: int              # people with cover today
    monthly: Decimal          # premium due for this month
    yearly: Decimal           # premiums due for this month and the eleven after, as the ledger sees them now
    commission_basis: Decimal  # the insurer's basis: this many monthly premiums (of this month)
    renewal: object           # the next anniversary (a date)
    open_enrolments: int      # sent, not yet decided by the insurer
    open_events: int          # filed, not yet decided by the insurer

    @property
    def open_tasks(self):
        return self.open_enrolments + self.open_events


def figures(contract, today=None):
    """The broker's figures of one contract."""
    today = today or clock.today()
    months = [start_window.add_months(today.replace(day=1), n) for n in range(YEAR)]
    totals = cover.month_totals(contract, months)
    live = registry.version(contract.tenant_version_id)
    return ContractFigures(
        contract=contract, insurer=registry.get(contract.tenant_id).name,
        covered=min_insured.covered_on(contract, today), monthly=totals[months[0]], yearly=sum(totals.values(), cover.ZERO),
        commission_basis=totals[months[0]] * live.settings.commission_basis_months,
        renewal=contract_lifecycle.next_anniversary(contract, today),
        open_enrolments=Enrolment.select().where((Enrolment.contract == contract) & (Enrolment.state == "sent")).count(),
        open_events=BusinessEvent.select().where((BusinessEvent.contract == contract)
                                                 & (BusinessEvent.state == "submitted")).count())


def of_client(broker, client_id):
    """The figures of every group contract of one of the broker's clients (NotFound for another's)."""
    client = clients.get_for(broker, client_id)
    found = GroupContract.select(GroupContract, Tenant).join(Tenant).where(GroupContract.employer == client.id)
    return [figures(contract) for contract in found.order_by(GroupContract.id)]
