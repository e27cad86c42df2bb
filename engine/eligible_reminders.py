"""A person's eligible-from date (versicherbar ab) has come: the daily job finds the people who were still
waiting when they were added, can be enrolled now (cover sent today could begin on their date) and are not
enrolled. Each once (Employee.eligible_reminded_at): the employer is reminded (in-app notification and
mail, one digest per employer for the run), or, with the tenant's `auto_enrol_when_eligible`, the
enrolment is sent by the system (engine.enrolments.send, audited without a user) and the employer told."""
import logging

from engine import audit, clock, digests, enrolments, registry, signals
from engine.db import transaction
from engine.models import Employee, utcnow

logger = logging.getLogger(__name__)


def _waiting_then(employee, contract):
    """Not yet eligible on the day they were added (else the employer saw them ready then)."""
    return employee.eligible_from > enrolments.opens(contract, employee.created_at.date())


def due(today=None):
    """The people whose date has come and who were not yet reminded: [(employee, contract)]."""
    today = today or clock.today()
    found = []
    query = Employee.select().where((Employee.state == "new") & Employee.tariff_group.is_null(False)
                                    & (Employee.tariff_group != "") & Employee.eligible_from.is_null(False)
                                    & Employee.eligible_reminded_at.is_null()).order_by(Employee.id)
    contracts = {}
    for employee in query:
        contract = contracts.setdefault(employee.contract_id, employee.contract)
        if employee.eligible_from > enrolments.opens(contract, today) or not _waiting_then(employee, contract):
            continue
        start = enrolments.start_for(contract, employee, today)
        if employee.leaving_date is not None and employee.leaving_date < start:
            continue  # leaves before cover could begin: not enrolled (the person page says why)
        found.append((employee, contract))
    return found


def remind_due(today=None):
    """Remind (or enrol) each person found by `due`, each in its own transaction; one digest mail per
    employer for the run. Returns {reminded: n, enrolled: n}."""
    done = {"reminded": 0, "enrolled": 0}
    with digests.batch():
        for employee, contract in due(today):
            with transaction():
                claimed = (Employee.update(eligible_reminded_at=utcnow())
                           .where((Employee.id == employee.id) & Employee.eligible_reminded_at.is_null()).execute())
                if claimed != 1:
                    continue  # another run took this person
                enrolment, skipped = None, None
                if registry.version(contract.tenant_version_id).settings.auto_enrol_when_eligible:
                    sent, refused = enrolments.send(None, contract, [employee.id])
                    enrolment = sent[0] if sent else None
                    skipped = refused[0][1] if refused else None
                audit.record(None, "employee.eligible_reached", "employee", employee.id, tenant=contract.tenant_id,
                             after={"eligible_from": employee.eligible_from, "enrolment": enrolment and enrolment.id,
                                    "not_sent": skipped}, employer=contract.employer_id)
                signals.eligible_reached.send(contract, employee=employee, enrolment=enrolment)
                done["enrolled" if enrolment else "reminded"] += 1
    if done["reminded"] or done["enrolled"]:
        logger.info("eligible: %s reminded, %s enrolled by the system", done["reminded"], done["enrolled"])
    return done
