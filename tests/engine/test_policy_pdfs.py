"""Policy PDFs are made after the commit that issues the policy (a job), not inside it: accepting 30
enrolments at once does not wait for 30 renders (issue 19). Before the job ran a download makes it."""
import pytest

from engine import db, documents, enrolments, gdpr, policies, work_queue
from engine.errors import NotFound
from engine.models import Document, Employee, Policy
from tests.conftest import log_in
from tests.journey import enrolled_case, running_contract_with_sent_enrolments


@pytest.fixture
def renders(monkeypatch):
    """Every PDF rendered, as (template, inside a transaction?); the real WeasyPrint renders it."""
    made, real = [], documents.render_pdf

    def render(template, **context):
        made.append((template, db.database.obj.in_transaction()))
        return real(template, **context)
    monkeypatch.setattr(documents, "render_pdf", render)
    return made


@pytest.fixture
def no_job(monkeypatch):
    """As in production before the worker took the job: nothing makes the PDF at the commit."""
    monkeypatch.setattr(documents, "_later", None)


def test_a_bulk_accept_commits_the_policies_and_their_pdfs_are_made_after_the_commit(app, make_user, renders):
    with app.app_context():
        _, staff, contract, sent = running_contract_with_sent_enrolments(make_user, "auxilia", 3, tag="bulk")
        renders.clear()
        results = work_queue.decide_all(staff, "auxilia", "enrolments", [e.id for e in sent])
        assert [r["done"] for r in results] == [True, True, True]
        assert renders == [("policy.html", False)] * 3  # none inside the accepting transaction
        issued = list(Policy.select().where(Policy.contract == contract.id))
        assert len(issued) == 3 and all(documents.read(p.document).startswith(b"%PDF") for p in issued)
        assert {p.document.filename for p in issued} == {f"Police-{p.number}-v1.pdf" for p in issued}


def test_the_job_is_idempotent(app, make_user, renders, no_job):
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        case = enrolled_case("lumen", staff, tag="twice")
        renders.clear()
        enrolments.accept(staff, case["enrolment"])
        policy = policies.first_of_enrolment(case["enrolment"])
        assert policy.document_id is None and renders == []
        made = policies.make_pdf(policy.id)
        again = policies.make_pdf(policy.id)
        assert made.document_id == again.document_id is not None
        assert renders == [("policy.html", False)] and Document.select().where(Document.kind == "policy").count() == 1


def test_an_uploaded_policy_is_stored_with_the_acceptance_and_nothing_is_rendered(app, make_user, renders):
    staff = make_user("insurer", tenant="lumen")
    upload = b"%PDF-1.7\n% the insurer's own policy\n%%EOF\n"
    with app.app_context():
        case = enrolled_case("lumen", staff, tag="upload")
        renders.clear()
        enrolments.accept(staff, case["enrolment"], pdf=upload)
        policy = policies.first_of_enrolment(case["enrolment"])
        assert documents.read(policy.document) == upload and renders == []


def test_the_employer_downloads_a_policy_whose_job_has_not_run(app, make_user, client, no_job):
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        case = enrolled_case("lumen", staff, tag="early")
        enrolments.accept(staff, case["enrolment"])
        policy = policies.first_of_enrolment(case["enrolment"])
        assert policy.document_id is None
    log_in(client, case["employer_user"])
    page = client.get(f"/m/lumen/contracts/{case['contract'].id}/employees/{case['employee'].id}").get_data(as_text=True)
    link = f"/m/lumen/contracts/{case['contract'].id}/employees/{case['employee'].id}/policies/{policy.id}.pdf"
    assert f'href="{link}"' in page
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with app.app_context():
        stored = Policy.get_by_id(policy.id)
        assert documents.read(stored.document) == pdf.data  # kept: the next download is the same file
    page = client.get(f"/m/lumen/contracts/{case['contract'].id}/employees/{case['employee'].id}").get_data(as_text=True)
    assert f'/m/lumen/documents/{stored.document_id}"' in page
    assert client.get(link).data == pdf.data


def test_an_anonymised_persons_policy_pdf_is_not_made_again(app, make_user, no_job):
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        case = enrolled_case("lumen", staff, tag="erased")
        enrolments.accept(staff, case["enrolment"])
        policy = policies.first_of_enrolment(case["enrolment"])
        gdpr.anonymise(None, Employee.get_by_id(case["employee"].id))
        assert policies.make_pdf(policy.id).document_id is None
        with pytest.raises(NotFound):
            policies.document(policy)
        assert Document.select().where(Document.kind == "policy").count() == 0


def test_the_data_export_holds_a_policy_whose_job_has_not_run(app, make_user, no_job):
    import io
    import zipfile
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        case = enrolled_case("lumen", staff, tag="export")
        enrolments.accept(staff, case["enrolment"])
        archive = zipfile.ZipFile(io.BytesIO(gdpr.export(None, Employee.get_by_id(case["employee"].id))))
        [pdf] = [name for name in archive.namelist() if name.startswith("policen/")]
        assert archive.read(pdf).startswith(b"%PDF")
