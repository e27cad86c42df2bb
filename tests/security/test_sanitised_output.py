"""Text that users or tenants write cannot turn into something else on the way out: a policy number
is no path in a GDPR ZIP, bidi control characters do not reverse text in a PDF, and a tenant's
Markdown makes no javascript: link."""
import io
import pathlib
import re
import zipfile

from pypdf import PdfReader

from engine import consultations, contracts, documents, enrolments, gdpr
from engine.models import Employee, GroupContract
from tests.journey import enrolled_case, released_application


def test_gdpr_zip_entries_stay_in_their_folder_whatever_the_policy_number(app, make_user):
    with app.app_context():
        staff = make_user("insurer", tenant="lumen")
        case = enrolled_case("lumen", staff, tag="zip")
        enrolments.accept(staff, case["enrolment"], "../../../../home/bkv/.bashrc")
        archive = zipfile.ZipFile(io.BytesIO(gdpr.export(case["employer_user"],
                                                         Employee.get_by_id(case["employee"].id))))
    policies = [name for name in archive.namelist() if name != "data.json"]
    assert len(policies) == 1
    for name in policies:
        folder, file = name.split("/", 1)
        assert folder == "policen" and "/" not in file and "\\" not in file and not file.startswith(".")
        assert ".." not in pathlib.PurePosixPath(name).parts
        assert archive.read(name).startswith(b"%PDF")


def test_bidi_controls_do_not_reverse_text_in_a_pdf(app, make_user):
    with app.app_context():
        staff = make_user("insurer", tenant="lumen")
        case = released_application("lumen", tag="bidi")
        contracts.accept(staff, contracts.application_for_insurer("lumen", case["application"].id),
                         "GV-\u202eabc-123\u202c")
        contract = GroupContract.get(GroupContract.application == case["application"].id)
        text = PdfReader(io.BytesIO(documents.read(contract.document))).pages[0].extract_text()
    assert "GV-abc-123" in text and "321-cba" not in text


def test_tenant_markdown_links_only_to_web_pages_mail_and_relative_paths():
    markdown = "\n\n".join([
        "[plain](javascript:alert(1))", "[upper](JaVaScRiPt:alert(2))", "[tab](java\tscript:alert(3))",
        "[data](data:text/html;base64,PHNjcmlwdD4=)", "[vb](vbscript:msgbox(4))", "![img](javascript:alert(5))",
        "[reference][evil]", "[evil]: javascript:alert(6)", "[entity](&#106;avascript:alert(7))",
        "[web](https://example.org/tarif)", "[mail](mailto:service@example.org)", "[page](/m/lumen)",
        "[anchor](#leistungen)"])
    html = consultations.module_html({"markdown": markdown})
    targets = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert targets == ["https://example.org/tarif", "mailto:service@example.org", "/m/lumen", "#leistungen"]
    assert ">plain</a>" in html and ">reference</a>" in html  # the text stays, only the target goes
