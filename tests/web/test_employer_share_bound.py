"""The broker's offer form and a tariff's employer share bound (tariffs[].employer_share, issue #17): the
bound is said under the share field, and a share outside it is refused next to that field, naming the tariff;
the employer's offer page names each module's kind (tenants/module_kinds.yaml)."""
import re
import shutil

from engine import brokers, clients, registry
from tests.conftest import csrf_from, log_in
from tests.journey import first_start
from tests.tenant_versions import load_live


def test_the_offer_form_says_the_bound_and_refuses_a_share_outside_it(app, client, make_user, login, tmp_path):
    folder = tmp_path / "published" / "auxilia"
    shutil.copytree("tenants/auxilia", folder)
    text = (folder / "tenant.yaml").read_text(encoding="utf-8")
    (folder / "tenant.yaml").write_text(text.replace("  - id: zahn\n", "  - id: zahn\n    employer_share: {min: 50}\n"),
                                        encoding="utf-8")
    broker = make_user("broker")
    with app.app_context():
        load_live(folder.parent)
        live = registry.get("auxilia")
        brokers.set_number(broker, live, live.doc["broker_number"]["example"])
        employer = clients.create(broker, {"company_name": "Anteil GmbH", "contact_email": "chefin@anteil.example",
                                           "employees_count": 12})
    login(broker)
    url = f"/advisor/clients/{employer.id}/offers/new?tenant=auxilia"
    form = client.get(url)
    assert "Der Arbeitgeber trägt mindestens 50 % bei „Auxilia Zahn“." in form.get_data(as_text=True)
    data = {"csrf_token": csrf_from(form), "tenant": "auxilia", "start_date": first_start().strftime("%d.%m.%Y"),
            "other_benefits_in_kind": "0", "alle__include": "true", "alle__tariffs": ["zahn", "sehen"],
            "alle__employer_share": "40", "alle__headcount": "12", "alle__average_age": "40"}
    refused = client.post(url, data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    error = re.search(r'id="field-alle__employer_share-error"[^>]*>(.*?)</p>', page, re.S)
    assert error and "Beim Tarif „Auxilia Zahn“ trägt der Arbeitgeber mindestens 50 % des Beitrags." in error.group(1)
    made = client.post(url, data={**data, "alle__employer_share": "50"})
    assert made.status_code == 302


def test_the_employers_offer_page_names_each_modules_kind(app, client, make_user):
    from tests.web.test_offers import make_sent_offer
    _, employer, _, _, token = make_sent_offer(app, make_user, "auxilia")
    log_in(client, employer)
    page = client.get(f"/offer/{token}").get_data(as_text=True)
    assert "Auxilia Zahn (Baustein: Zahn)" in page and "Auxilia Sehen (Baustein: Sehhilfe)" in page
