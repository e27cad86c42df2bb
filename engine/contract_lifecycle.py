"""A group contract's term (engine/workflows/contract.yaml): contract years from its start, notice to a
year's end after the minimum term, cancellation by either side, its withdrawal, and the end."""
import datetime
import logging

from engine import clock, registry, start_window, workflow
from engine.formatting import date as date_de
from engine.errors import Conflict, DomainError
from engine.models import Employee, GroupContract, utcnow

logger = logging.getLogger(__name__)

DAY = datetime.timedelta(days=1)
SHOWN_ENDS = 3  # how many possible end dates a cancellation form offers


def settings_of(contract):
    return registry.version(contract.tenant_version_id).settings


def anniversary(contract, years):
    """The first day of contract year `years` + 1: the start plus `years` years."""
    return start_window.add_months(contract.start_date, 12 * years)


def is_anniversary(contract, day):
    return day > contract.start_date and day == anniversary(contract, (day.year - contract.start_date.year))


def next_anniversary(contract, today=None):
    """The first anniversary after `today`."""
    today = today or clock.today()
    years = max(1, today.year - contract.start_date.year)
    while anniversary(contract, years) <= today:
        years += 1
    return anniversary(contract, years)


def notice_deadline(contract, day):
    """The last day on which notice for a change on `day` (an anniversary) can be given: the day before
    the tenant's cancellation_notice_months ahead of it."""
    return start_window.add_months(day, -settings_of(contract).cancellation_notice_months) - DAY


def possible_ends(contract, today=None, count=SHOWN_ENDS):
    """The next `count` days the contract can end on if notice is given `today`: the last day of a
    contract year, not before the minimum term (contract_term_months) is over, notice kept."""
    today = today or clock.today()
    minimum = start_window.add_months(contract.start_date, settings_of(contract).contract_term_months)
    ends, years = [], 1
    while len(ends) < count:
        day = anniversary(contract, years)
        if day >= minimum and notice_deadline(contract, day) >= today:
            ends.append(day - DAY)
        years += 1
    return ends


def terms(contract, today=None):
    """What the contract pages show of the term: {state, start, term_months, minimum_until,
    next_anniversary, notice_months, ends (possible end dates now), deadline (to give notice for the
    first of them), end_date, cancelled_by, reason}."""
    today = today or clock.today()
    settings, ends = settings_of(contract), possible_ends(contract, today)
    return {"state": contract.state, "start": contract.start_date, "term_months": settings.contract_term_months,
            "minimum_until": start_window.add_months(contract.start_date, settings.contract_term_months) - DAY,
            "next_anniversary": next_anniversary(contract, today),
            "notice_months": settings.cancellation_notice_months, "ends": ends,
            "deadline": notice_deadline(contract, ends[0] + DAY), "end_date": contract.end_date,
            "cancelled_by": contract.cancelled_by, "reason": contract.cancellation_reason}


def cancel(actor, contract, reason, end_date=None):
    """Notice by the employer or the insurer, with a reason, to `end_date` (default: the earliest
    possible end); refused when that is not the end of a contract year the notice still reaches."""
    end_date = end_date or possible_ends(contract)[0]
    reason = (reason or "").strip()[:2000]
    return workflow.fire(contract, "contract", "cancel", actor, data={"comment": reason, "end_date": end_date},
                         changes={"end_date": end_date, "cancellation_reason": reason})


def withdraw_cancellation(actor, contract):
    """The side that gave notice takes it back before the end date: the contract runs on."""
    return workflow.fire(contract, "contract", "withdraw_cancellation", actor,
                         changes={"end_date": None, "cancelled_by": "", "cancellation_reason": ""})


def end_due(today=None):
    """The daily job: contracts whose end date has passed end, and their people leave (idempotent).
    Returns how many ended."""
    today = today or clock.today()
    ended = 0
    for contract in (GroupContract.select().where((GroupContract.state == "cancelled")
                                                  & (GroupContract.end_date < today)).order_by(GroupContract.id)):
        try:
            workflow.fire(contract, "contract", "end", None, data={"today": today})
            ended += 1
        except Conflict:
            logger.warning("contract %s was changed concurrently", contract.id)
    return ended


@workflow.guard("notice_kept")
def _notice_kept(contract, ctx):
    end = ctx.data["end_date"]
    ends = possible_ends(contract, count=SHOWN_ENDS + 10)
    if end not in ends:
        first = ends[0]
        deadline = notice_deadline(contract, first + DAY)
        raise DomainError(
            f"Der Vertrag kann frühestens zum {date_de(first)} gekündigt werden (Kündigung bis zum "
            f"{date_de(deadline)}), jeweils zum Ende eines Vertragsjahres.",
            f"The contract can be cancelled to {date_de(first)} at the earliest (notice by "
            f"{date_de(deadline)}), always to the end of a contract year.", field="end_date")


@workflow.effect("note_cancelling_side")
def _note_cancelling_side(contract, ctx):
    GroupContract.update(cancelled_by=ctx.role).where(GroupContract.id == contract.id).execute()
    contract.cancelled_by = ctx.role


@workflow.guard("own_notice_before_end")
def _own_notice_before_end(contract, ctx):
    if ctx.role != contract.cancelled_by:
        raise DomainError("Nur wer gekündigt hat, kann die Kündigung zurücknehmen.",
                          "Only the side that gave notice can withdraw it.")
    if clock.today() > contract.end_date:
        raise DomainError(f"Der Vertrag ist am {date_de(contract.end_date)} geendet.",
                          f"The contract ended on {date_de(contract.end_date)}.")


@workflow.guard("end_date_passed")
def _end_date_passed(contract, ctx):
    if not contract.end_date or contract.end_date >= ctx.data.get("today", clock.today()):
        raise DomainError("Das Vertragsende ist noch nicht erreicht.", "The contract's end date has not passed yet.")


@workflow.effect("people_leave")
def _people_leave(contract, ctx):
    """Everyone still in the contract leaves with it (their cover ended on the end date in the ledger)."""
    ids = [row[0] for row in Employee.select(Employee.id).where(
        (Employee.contract == contract.id)
        & Employee.state.in_(workflow.get("employee").transitions["leave"].sources)).tuples()]
    if ids:
        workflow.move(Employee, "employee", "leave", None, ids, scope=contract, changes={"updated_at": utcnow()})
