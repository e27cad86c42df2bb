"""Background jobs on huey: SQLite storage by default, Redis when configured, immediate in tests."""
import datetime
import functools
import logging
import pathlib

from engine import clock, documents, mail, webhooks
from engine.db import database

logger = logging.getLogger(__name__)


def make_huey(config):
    """Build the huey instance for a config dict (JOBS_BACKEND: immediate | sqlite | redis)."""
    backend = config.get("JOBS_BACKEND", "sqlite")
    if backend == "immediate":
        from huey import MemoryHuey
        return MemoryHuey("bkv", immediate=True)
    if backend == "redis":
        try:
            from huey import RedisHuey
        except ImportError as exc:  # pragma: no cover
            raise RuntimeError("JOBS_BACKEND=redis needs the redis package: pip install redis") from exc
        return RedisHuey("bkv", url=config.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    if backend == "sqlite":
        from huey import SqliteHuey
        path = pathlib.Path(config.get("JOBS_SQLITE_PATH", "instance/jobs.db"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("bkv", filename=str(path))
    raise RuntimeError(f"Unknown JOBS_BACKEND {backend!r}: use immediate, sqlite or redis")


def own_connection(job):
    """A job borrows a database connection as a request does: taken from the pool at its start (the
    pool checks it, so one the server dropped is replaced) and given back at its end. A worker thread
    that kept its first connection would fail every job after the database restarted.
    Run inline (immediate mode, inside a request) it uses the caller's open connection."""
    @functools.wraps(job)
    def run(*args, **kwargs):
        if not database.is_closed():
            return job(*args, **kwargs)
        with database.connection_context():
            return job(*args, **kwargs)
    return run


class Jobs:
    """The tasks of the platform, registered on one huey instance. Long jobs (checking and importing an
    employee file, "enrol all") write a heartbeat; one silent for `stalled_after` lost its worker and
    is started again by the periodic `resume_stalled`."""

    def __init__(self, huey, smtp_settings, stalled_after=datetime.timedelta(minutes=10)):
        from huey import crontab
        self.huey = huey
        self.smtp = smtp_settings
        self.stalled_after = stalled_after
        deliver_mail, deliver_webhooks = own_connection(self._deliver_mail), own_connection(webhooks.deliver_due)
        self.deliver_mail = huey.task(name="deliver_mail")(deliver_mail)
        self.deliver_webhooks = huey.task(name="deliver_webhooks")(deliver_webhooks)
        self.import_employees = huey.task(name="import_employees")(own_connection(self._import_employees))
        self.check_import = huey.task(name="check_import")(own_connection(self._check_import))
        self.enrol_run = huey.task(name="enrol_run")(own_connection(self._enrol_run))
        # a statement's or policy's PDF after the commit that made it; a failed render is tried again (and
        # made on download)
        self.make_pdf = huey.task(name="make_pdf", retries=3, retry_delay=60)(own_connection(self._make_pdf))
        huey.periodic_task(crontab(minute="*"), name="resume_stalled")(own_connection(self.resume_stalled))
        huey.periodic_task(crontab(minute="40", hour="3"), name="sweep_documents")(own_connection(documents.sweep))
        # 00:10 UTC is after midnight in Germany, summer and winter: the day's due cover changes apply
        huey.periodic_task(crontab(minute="10", hour="0"), name="apply_due_cover")(
            own_connection(self.apply_due_cover))
        # after the cover job: cancelled contracts whose end date passed end; a fall below min_insured is told
        huey.periodic_task(crontab(minute="20", hour="0"), name="contract_days")(own_connection(self.contract_days))
        # after the cover job: people whose cover began, whose eligible-from date came, continuation cases due
        huey.periodic_task(crontab(minute="20", hour="0"), name="follow_people")(own_connection(self.follow_people))
        # 05:00 UTC is 06:00 or 07:00 in Germany: the daily digest of decisions is there in the morning
        huey.periodic_task(crontab(minute="0", hour="5"), name="send_daily_digests")(
            own_connection(self.send_daily_digests))
        # after the cover job: each tenant's statements of the month from its `statement_day`, once
        huey.periodic_task(crontab(minute="40", hour="0"), name="issue_statements")(
            own_connection(self.issue_statements))
        # after the statements: each tenant's direct-debit file on its `collection_day`, once
        huey.periodic_task(crontab(minute="50", hour="0"), name="collect_direct_debits")(
            own_connection(self.collect_direct_debits))
        huey.periodic_task(crontab(minute="*"), name="retry_mail")(deliver_mail)
        huey.periodic_task(crontab(minute="*"), name="retry_webhooks")(deliver_webhooks)
        mail.set_delivery_hook(lambda: self._enqueue(self.deliver_mail))
        webhooks.set_delivery_hook(lambda: self._enqueue(self.deliver_webhooks))
        documents.set_later_hook(lambda kind, record_id: self._enqueue(self.make_pdf, kind, record_id))

    def _deliver_mail(self):
        return mail.deliver_due(self.smtp)

    @staticmethod
    def _import_employees(batch_id):
        from engine import employees
        return employees.run_import(batch_id)

    @staticmethod
    def _check_import(batch_id):
        from engine import employees
        employees.check(batch_id)

    @staticmethod
    def _enrol_run(run_id):
        from engine import enrolment_runs
        return enrolment_runs.run(run_id)

    @staticmethod
    def _make_pdf(kind, record_id):
        from engine import policies, statements
        {"statement": statements, "policy": policies}[kind].make_pdf(record_id)

    @staticmethod
    def apply_due_cover():
        """Events whose day has come and age steps reach the cover ledger (idempotent); employers are
        told of the insurer's premium changes that will reach their contracts, once."""
        from engine import cover, price_changes
        done = cover.apply_due()
        done["announced"] = price_changes.announce()
        logger.info("cover: %s contracts told of a premium change, %s price changes applied", done["announced"],
                    done.get("price_changes", 0))
        logger.info("cover: %s people backfilled, %s events, %s age steps and %s unpaid steps applied",
                    done["backfilled"], done["events"], done["age_steps"], done["unpaid_steps"])
        return done

    @staticmethod
    def contract_days():
        """Contracts whose end date has passed end (their people leave); a contract whose insured count
        fell below the tenant's minimum is told to broker and insurer, once per drop; on the day a group
        added at an anniversary counts, the people not yet enrolled are assigned again (idempotent)."""
        from engine import contract_groups, contract_lifecycle, min_insured
        done = {"ended": contract_lifecycle.end_due(), "below_minimum": min_insured.check_due(),
                "regrouped": contract_groups.open_due()}
        logger.info("contracts: %s ended, %s newly below their minimum, %s people in a group added today",
                    done["ended"], done["below_minimum"], done["regrouped"])
        return done

    @staticmethod
    def follow_people():
        """People over time (idempotent): a policy issued for a later start becomes insured on it, an
        eligible-from date that came is reminded (or enrolled), open continuation cases past due lapse."""
        from engine import continuation, eligible_reminders, enrolments
        done = {"insured": enrolments.insure_started(), **eligible_reminders.remind_due(),
                "lapsed": continuation.lapse_due()}
        logger.info("people: %s insured from their start, %s reminded, %s enrolled when eligible, %s continuation "
                    "cases lapsed", done["insured"], done["reminded"], done["enrolled"], done["lapsed"])
        return done

    @staticmethod
    def send_daily_digests():
        """One mail per person who chose the daily digest, with the decisions held for them."""
        from engine import digests
        sent = digests.send_daily()
        logger.info("digests: %s daily mails written", sent)
        return sent

    @staticmethod
    def collect_direct_debits():
        """The SEPA direct-debit files of tenants whose collection day has come (idempotent)."""
        from engine import direct_debits
        done = direct_debits.run_due()
        logger.info("direct debits: %s run(s) made, %s existed", done["runs"], done["existing"])
        return done

    @staticmethod
    def issue_statements():
        """The month's premium statements of tenants whose statement day has come (idempotent)."""
        from engine import statements
        done = statements.issue_due()
        logger.info("statements: %s issued, %s existed", done["issued"], done["existing"])
        return done

    def resume_stalled(self):
        """Start again the long jobs whose worker died (no heartbeat for `stalled_after`)."""
        from engine import employees, enrolment_runs
        cutoff = clock.utcnow() - self.stalled_after
        for batch_id, status in employees.stalled(cutoff):
            self._enqueue(self.check_import if status == "checking" else self.import_employees, batch_id)
        for run_id in enrolment_runs.stalled(cutoff):
            self._enqueue(self.enrol_run, run_id)

    @staticmethod
    def _enqueue(task, *args):
        try:
            task(*args)
        except Exception:  # the periodic retry picks the work up; a queue hiccup loses nothing
            logger.exception("could not enqueue %s", task)

    def enqueue_mail_delivery(self):
        self._enqueue(self.deliver_mail)

    def enqueue_import(self, batch_id):
        self._enqueue(self.import_employees, batch_id)

    def enqueue_check(self, batch_id):
        self._enqueue(self.check_import, batch_id)

    def enqueue_enrol_run(self, run_id):
        self._enqueue(self.enrol_run, run_id)


def run_worker(jobs, workers=2):
    """Run the huey consumer in this process (the `bkv worker` command)."""
    from huey.consumer import Consumer
    Consumer(jobs.huey, workers=workers, worker_type="thread", periodic=True).run()
