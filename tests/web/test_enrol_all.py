"""Review II, item 15: "enrol all" runs as a job with progress. 50,000 employees answered 500 after
30 s and enrolled nobody; a run sends chunk after chunk, the page shows how far it is, and a run
whose worker died goes on where it stopped without enrolling anyone twice."""
import datetime

from engine import clock as platform_clock, enrolment_runs
from engine.models import Enrolment, Employee, EnrolmentRun
from tests.web.test_manager_journey import employer_at_staff_list, post


def test_enrol_all_runs_as_a_job_in_chunks_and_shows_its_outcome(app, make_user):
    count = enrolment_runs.CHUNK * 2 + 17  # three chunks
    case, contract, employer, url = employer_at_staff_list(app, make_user, count)

    sent = post(employer, f"{url}/enrol", {"scope": "all_ready"}, page=url)
    assert sent.status_code == 302 and "/enrolment-runs/" in sent.headers["Location"]
    run_url = sent.headers["Location"]
    with app.app_context():
        run = EnrolmentRun.get()
        assert (run.status, run.total, run.progress, run.sent, run.skipped) == ("done", count, count, count, 0)
        assert Enrolment.select().count() == count
        assert not Employee.select().where(Employee.state == "new").count()
    page = employer.get(run_url).get_data(as_text=True)
    assert f"{count} Anmeldungen an" in page
    progress = employer.get(run_url + "/progress").get_json()
    assert progress == {"status": "done", "progress": count, "total": count, "running": False}

    again = post(employer, f"{url}/enrol", {"scope": "all_ready"}, page=url)  # nobody is left
    assert again.headers["Location"].endswith(url)


def test_a_run_whose_worker_died_goes_on_where_it_stopped(app, make_user, clock):
    count = enrolment_runs.CHUNK + 5
    case, contract, employer, url = employer_at_staff_list(app, make_user, count)
    jobs = app.extensions["bkv_jobs"]
    with app.app_context():
        run = enrolment_runs.start(case["employer_user"], contract)  # the job was never run: its worker died
        page = employer.get(url).get_data(as_text=True)
        assert "werden gesendet: 0 von" in page  # the contract page points to the running job

        jobs.resume_stalled()
        assert EnrolmentRun.get_by_id(run.id).status == "running"  # still within its heartbeat
        clock.shift(datetime.timedelta(minutes=11))
        jobs.resume_stalled()
        run = EnrolmentRun.get_by_id(run.id)
        assert (run.status, run.sent, run.attempts) == ("done", count, 1)
        assert Enrolment.select().count() == count


def test_a_run_that_keeps_dying_is_shown_as_interrupted_and_continued_by_hand(app, make_user, clock):
    case, contract, employer, url = employer_at_staff_list(app, make_user, 3)
    with app.app_context():
        run = enrolment_runs.start(case["employer_user"], contract)
        for _ in range(enrolment_runs.MAX_ATTEMPTS + 1):  # claimed and started again, and died each time
            clock.shift(datetime.timedelta(minutes=11))
            enrolment_runs.stalled(platform_clock.utcnow() - datetime.timedelta(minutes=10))
        assert EnrolmentRun.get_by_id(run.id).status == "interrupted"
    run_url = f"{url}/enrolment-runs/{run.id}"
    page = employer.get(run_url).get_data(as_text=True)
    assert "Senden fortsetzen" in page
    assert post(employer, run_url, {}).status_code == 302
    with app.app_context():
        assert EnrolmentRun.get_by_id(run.id).status == "done" and Enrolment.select().count() == 3
