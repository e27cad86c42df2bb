"""Review II, item 17: a killed worker no longer leaves an import "importing" (or a file "being
checked") until someone clicks again. The worker's periodic task starts a job again once its
heartbeat is older than the configured minutes; one that keeps dying is shown as interrupted, and
the employer continues it with one click. The killed worker is played by a job that never ran."""
import datetime

from engine import clock as platform_clock, employees
from engine.models import Employee, ImportBatch
from tests.conftest import log_in
from tests.engine.test_employees import contract_with_staff, rows
from tests.web.test_manager_journey import post


def later(clock, minutes):
    clock.shift(datetime.timedelta(minutes=minutes))


def test_an_import_whose_worker_died_is_started_again_by_the_worker(app, make_user, clock):
    case, contract, data = contract_with_staff(app, make_user, rows(3))
    jobs = app.extensions["bkv_jobs"]
    with app.app_context():
        batch = employees.preview(case["employer_user"], contract, "a.csv", data)
        employees.start(case["employer_user"], batch)  # enqueued, then the worker was killed
        later(clock, 5)
        jobs.resume_stalled()
        assert ImportBatch.get_by_id(batch.id).status == "importing"  # 5 minutes: it may still be running
        later(clock, 6)
        jobs.resume_stalled()
        batch = ImportBatch.get_by_id(batch.id)
        assert (batch.status, batch.progress, batch.attempts) == ("imported", 3, 1)
        assert Employee.select().count() == 3


def test_a_check_whose_worker_died_is_started_again(app, make_user, clock):
    case, contract, data = contract_with_staff(app, make_user, rows(3))
    with app.app_context():
        batch = employees.upload(case["employer_user"], contract, "a.csv", data)  # the check job never ran
        assert batch.status == "checking"
        later(clock, 11)
        app.extensions["bkv_jobs"].resume_stalled()
        batch = ImportBatch.get_by_id(batch.id)
        assert (batch.status, batch.total, batch.valid) == ("previewed", 3, 3)


def test_an_import_that_keeps_dying_is_interrupted_and_continued_by_the_employer(app, make_user, clock):
    case, contract, data = contract_with_staff(app, make_user, rows(3))
    with app.app_context():
        batch = employees.preview(case["employer_user"], contract, "a.csv", data)
        employees.start(case["employer_user"], batch)
        for _ in range(employees.MAX_ATTEMPTS + 1):  # each new start died as well
            later(clock, 11)
            employees.stalled(platform_clock.utcnow() - datetime.timedelta(minutes=10))
        assert ImportBatch.get_by_id(batch.id).status == "interrupted"
    employer = app.test_client()
    log_in(employer, case["employer_user"])
    batch_url = f"/m/lumen/contracts/{contract.id}/imports/{batch.id}"
    page = employer.get(batch_url).get_data(as_text=True)
    assert "Import fortsetzen" in page and "unterbrochen" in page
    assert post(employer, batch_url, {}).status_code == 302
    with app.app_context():
        assert ImportBatch.get_by_id(batch.id).status == "imported" and Employee.select().count() == 3
