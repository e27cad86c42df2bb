"""The insurer's name in its grammatical forms: a tenant with `name_forms` is named with the right article
and case in German sentences ("Manager des Hanseatischen Versicherungsvereins") and by its English name on
English pages; a tenant without them reads as before ("Manager der Lumen Krankenversicherung")."""
import shutil

from tenants.check import check_paths
from tenants.names import sentence_names
from tests.conftest import log_in
from tests.tenant_versions import load_live

FORMS = """name_forms:
  de:
    nominative: der Hanseatische Versicherungsverein
    accusative: den Hanseatischen Versicherungsverein
    dative: dem Hanseatischen Versicherungsverein
    genitive: des Hanseatischen Versicherungsvereins
  en: Hanseatic Mutual
"""


def hanseatic(tmp_path):
    """A copy of Nordhafen renamed to a masculine name, with its forms."""
    folder = tmp_path / "tenants" / "nordhafen"
    shutil.copytree("tenants/nordhafen", folder)
    tenant_yaml = folder / "tenant.yaml"
    text = tenant_yaml.read_text(encoding="utf-8").replace("name: Nordhafen Versicherung\n",
                                                            "name: Hanseatischer Versicherungsverein\n" + FORMS, 1)
    tenant_yaml.write_text(text, encoding="utf-8")
    return folder


def test_without_forms_the_name_reads_as_before_and_with_them_in_each_case():
    assert sentence_names({"name": "Lumen Krankenversicherung"}, "de") == {
        "insurer": "Lumen Krankenversicherung", "insurer_nominative": "die Lumen Krankenversicherung",
        "insurer_accusative": "die Lumen Krankenversicherung", "insurer_dative": "der Lumen Krankenversicherung",
        "insurer_genitive": "der Lumen Krankenversicherung", "insurer_sentence_start": "Die Lumen Krankenversicherung"}
    assert sentence_names({"name": "Lumen Krankenversicherung"}, "en")["insurer_genitive"] == "Lumen Krankenversicherung"
    doc = {"name": "Hanseatischer Versicherungsverein",
           "name_forms": {"de": {"nominative": "der Hanseatische Versicherungsverein",
                                 "accusative": "den Hanseatischen Versicherungsverein",
                                 "dative": "dem Hanseatischen Versicherungsverein",
                                 "genitive": "des Hanseatischen Versicherungsvereins"}, "en": "Hanseatic Mutual"}}
    assert sentence_names(doc, "de")["insurer_sentence_start"] == "Der Hanseatische Versicherungsverein"
    assert sentence_names(doc, "en")["insurer_dative"] == "Hanseatic Mutual"


def test_the_manager_says_the_insurers_name_in_the_right_case(app, client, make_user, tmp_path):
    employer = make_user("employer")
    log_in(client, employer)
    assert "Manager der Nordhafen Versicherung" in client.get("/m/nordhafen/").text
    with app.app_context():
        load_live(hanseatic(tmp_path).parent)
    page = client.get("/m/nordhafen/").text
    assert "Manager des Hanseatischen Versicherungsvereins" in page
    assert "sobald der Hanseatische Versicherungsverein Ihren Antrag angenommen hat" in page
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get("/m/nordhafen/").text
    assert "Manager of Hanseatic Mutual" in english and "once Hanseatic Mutual has accepted" in english


def test_the_checker_wants_all_four_cases_at_the_line(tmp_path):
    folder = hanseatic(tmp_path)
    tenant_yaml = folder / "tenant.yaml"
    tenant_yaml.write_text(tenant_yaml.read_text(encoding="utf-8").replace(
        "    dative: dem Hanseatischen Versicherungsverein\n", ""), encoding="utf-8")
    [problem] = check_paths([folder])
    assert problem.dotted_path == "name_forms.de" and "'dative'" in problem.message
    assert problem.line == 8 and problem.file == str(tenant_yaml)
