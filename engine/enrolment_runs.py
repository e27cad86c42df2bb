""""Enrol all" as a job: every employee of a contract who is ready is sent, CHUNK at a time.

One request for 50,000 enrolments would run past any worker timeout and send nobody. A run is a row
(`EnrolmentRun`) the page shows progress from; the job sends chunk after chunk through
`enrolments.send` (each chunk one transaction with its audit entries), keeping its place in `cursor`,
so a run whose worker died is continued by the periodic task (`stalled`) without sending anyone twice.
"""
import logging

from engine import audit, enrolments, workflow
from engine.db import prepared, transaction
from engine.errors import DomainError, NotFound
from engine.models import Employee, EnrolmentRun, utcnow

logger = logging.getLogger(__name__)

CHUNK = 200
REPORT_SKIPPED = 200   # skipped employees listed with their reason; all are counted
MAX_ATTEMPTS = 3       # times a stalled run is started again before it is shown as interrupted


@prepared
def _running(contract_id):
    return (EnrolmentRun.select().where((EnrolmentRun.contract == contract_id) & (EnrolmentRun.status == "running"))
            .order_by(EnrolmentRun.id.desc()).limit(1))


def active(contract):
    """The contract's run that is still sending, or None."""
    return next(iter(_running(contract.id)), None)


def start(user, contract):
    """Start enrolling everyone ready (the caller enqueues `run`); a run already going is returned
    instead of a second one. DomainError when nobody is ready."""
    with transaction():
        running = active(contract)
        if running is not None:
            return running
        total = len(enrolments.ready_ids(contract))
        waiting = enrolments.ready_ids(contract, waiting=True)  # skipped: eligible only later, with their date
        if not total:
            later = (f" {len(waiting)} Person(en) sind erst später versicherbar." if waiting else "",
                     f" {len(waiting)} person(s) will be eligible only later." if waiting else "")
            raise DomainError("Niemand ist bereit zur Anmeldung." + later[0], "Nobody is ready for enrolment." + later[1])
        skipped = [{"employee": person.id, "reason": enrolments.not_yet_eligible(person)}
                   for person in Employee.select(Employee.id, Employee.eligible_from)
                   .where(Employee.id.in_(waiting[:REPORT_SKIPPED])).order_by(Employee.id)]
        run = EnrolmentRun.create(contract=contract, requested_by=user, total=total, heartbeat_at=utcnow(),
                                  skipped=len(waiting), report={"skipped": skipped})
        audit.record(user, "enrolment_run.started", "enrolment_run", run.id, tenant=contract.tenant_id,
                     after={"ready": total}, employer=contract.employer_id)
    return run


def retry(user, run):
    """Continue an interrupted run where it stopped."""
    if not workflow.move(EnrolmentRun, "enrolment_run", "resumed", user, [run.id], scope=run.contract,
                         changes={"attempts": 0, "heartbeat_at": utcnow()}):
        raise DomainError("Diese Anmeldung aller läuft noch oder ist abgeschlossen.",
                          "This enrol-all run is still going or has finished.")
    return EnrolmentRun.get_by_id(run.id)


class _Overtaken(Exception):
    """Another worker moved the run on (it was claimed as stalled while this one still ran)."""


def run(run_id):
    """Send the run's enrolments chunk by chunk (the job). Returns the number sent in all."""
    current = EnrolmentRun.get_by_id(run_id)
    if current.status != "running":
        return current.sent
    contract, user = current.contract, current.requested_by
    try:
        while ids := enrolments.ready_ids(contract, after=current.cursor, limit=CHUNK):
            with transaction():
                sent, skipped = enrolments.send(user, contract, ids)
                report = dict(current.report or {})
                listed = report.setdefault("skipped", [])
                listed.extend({"employee": person.id, "reason": reason}
                              for person, reason in skipped[:max(0, REPORT_SKIPPED - len(listed))])
                if not EnrolmentRun.update(
                        cursor=ids[-1], progress=current.progress + len(ids), sent=current.sent + len(sent),
                        skipped=current.skipped + len(skipped), report=report, heartbeat_at=utcnow()).where(
                        (EnrolmentRun.id == run_id) & (EnrolmentRun.cursor == current.cursor)
                        & (EnrolmentRun.status == "running")).execute():
                    raise _Overtaken  # this chunk is rolled back; the run goes on in the other worker
            current = EnrolmentRun.get_by_id(run_id)
    except _Overtaken:
        logger.info("enrolment run %s: continued by another worker", run_id)
        return current.sent
    workflow.move(EnrolmentRun, "enrolment_run", "finished", None, [run_id], scope=contract,
                  changes={"finished_at": utcnow(), "total": max(current.total, current.progress)},
                  after={"sent": current.sent, "skipped": current.skipped})
    return current.sent


def stalled(cutoff, max_attempts=MAX_ATTEMPTS):
    """Ids of running runs silent since `cutoff` (naive UTC), each claimed by a conditional update so
    that it is continued once; after `max_attempts` a run is shown as interrupted instead."""
    again = []
    for current in EnrolmentRun.select().where((EnrolmentRun.status == "running") & (
            EnrolmentRun.heartbeat_at.is_null() | (EnrolmentRun.heartbeat_at < cutoff))):
        same = ((EnrolmentRun.id == current.id) & (EnrolmentRun.status == "running")
                & (EnrolmentRun.heartbeat_at == current.heartbeat_at if current.heartbeat_at
                   else EnrolmentRun.heartbeat_at.is_null()))
        if current.attempts < max_attempts:
            if EnrolmentRun.update(heartbeat_at=utcnow(), attempts=EnrolmentRun.attempts + 1).where(same).execute():
                logger.warning("enrolment run %s: no sign of life since %s, continued", current.id,
                               current.heartbeat_at)
                again.append(current.id)
            continue
        workflow.move(EnrolmentRun, "enrolment_run", "interrupted", None, [current.id], scope=current.contract,
                      where=same, after={"attempts": current.attempts})
    return again


def for_contract(contract, run_id):
    found = EnrolmentRun.get_or_none((EnrolmentRun.id == run_id) & (EnrolmentRun.contract == contract))
    if found is None:
        raise NotFound("Anmeldung aller nicht gefunden.", "Enrol-all run not found.")
    return found


def skipped_page(found):
    """The skipped employees the run lists: (id, name, reason {de, en}), names as they are now."""
    listed = (found.report or {}).get("skipped", [])
    names = {row[0]: f"{row[1]} {row[2]}" for row in Employee.select(Employee.id, Employee.first_name,
                                                                       Employee.last_name)
             .where(Employee.id.in_([entry["employee"] for entry in listed])).tuples()} if listed else {}
    return [(entry["employee"], names.get(entry["employee"], "–"), entry["reason"]) for entry in listed]
