"""Plain language (issue #18): every page and PDF of the journey speaks to people. Walked as broker,
employer and insurer, in German and English, no visible text carries a raw field name of the catalogues
(tariff_group, legal_form, ...), a fact path of the rules ("employee.", "months_between(", "= None"), raw
Markdown ("**") or the internal code of a state ("insured", "submitted") or of a logged action
("mandate.recorded"). Attributes, URLs, e-mail addresses and form field names are not visible text."""
import datetime
import html
import pathlib
import re

import pytest
import yaml

from engine import brokers, clock as platform_clock, comparisons, consultations, registry, statements
from engine.models import Document, ImportBatch, Policy
from forms import validate
from tests.conftest import csrf_from, log_in
from tests.formfill import fill, pdf_text
from tests.journey import insured_case_with_event
from web import links

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIELD_NAMES = sorted({field["name"] for path in (ROOT / "rules" / "catalogues").glob("*.yaml")
                      for field in yaml.safe_load(path.read_text(encoding="utf-8")) if "_" in field["name"]})
STATES = sorted({state for path in (ROOT / "engine" / "workflows").glob("*.yaml")
                 for state in yaml.safe_load(path.read_text(encoding="utf-8"))["states"]})
FACT_PATHS = ("employee.", "employer.", "contract.", "months_between(", "= None")
MARKDOWN = re.compile(r"(?<!\*)\*\*(?=\w)[^*]{1,80}?(?<=[\w.!?)])\*\*(?!\*)|^#+ |\]\(")  # **bold**, # head, [a](b)
ACTION_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)+\b|\b[a-z]+\.(?:created|updated|recorded|sent|"
                         r"accepted|rejected|submitted|released|filed|removed|opened|closed|changed)\b")


def visible_text(page):
    """What a reader sees of a page: no tags (so no attributes), scripts or styles; no URLs or addresses."""
    text = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\S+@\S+|https?://\S+", " ", text)
    return " ".join(text.split())


def raw_words(text, lang):
    """The developer words in a visible text: (kind, word, context)."""
    found = []

    def seen(kind, start, end):
        found.append((kind, text[start:end], text[max(0, start - 50):end + 50]))
    for name in FIELD_NAMES:
        for match in re.finditer(rf"\b{re.escape(name)}\b", text):
            seen("field name", *match.span())
    for path in FACT_PATHS:
        for match in re.finditer(re.escape(path), text):
            seen("fact path", *match.span())
    # an English state code on a German page is raw; on an English page only a code no one writes (in_force)
    for state in STATES if lang == "de" else [s for s in STATES if "_" in s]:
        for match in re.finditer(rf"(?<![\w.-]){re.escape(state)}(?![\w-])", text):
            seen("state code", *match.span())
    for match in MARKDOWN.finditer(text):
        seen("Markdown", *match.span())
    for match in ACTION_CODE.finditer(text):
        seen("action code", *match.span())
    return found


def _language(request):
    """The test's `lang` parameter, else German: the journey's broker reads the platform's mails in it."""
    callspec = getattr(request.node, "callspec", None)
    return callspec.params.get("lang", "de") if callspec else "de"


@pytest.fixture(params=["auxilia", "nordhafen"])
def journey(request, app, make_user, clock, mailbox):
    """A case through the whole journey at a tenant: consultation completed, offer, application, group
    contract, a person insured with an address change filed, a statement issued; `mails`: every mail
    the journey sent (the broker's in the test's language)."""
    slug = request.param
    with app.app_context():
        staff = make_user("insurer", tenant=slug)
        case = insured_case_with_event(slug, staff, tag="plain", locale=_language(request))
        live = case["live"]
        consultation = consultations.start(case["broker"], case["client"], live,
                                           [t["id"] for t in live.doc["tariffs"]],
                                           [m["id"] for m in live.doc["content_modules"]])
        for module in live.doc["content_modules"]:
            form = live.compiled.questions.get(module["id"])
            if form is not None:
                result = validate(form, fill(form), "de")
                consultations.save_answers(case["broker"], consultation, module["id"], result.values)
        for other in registry.live_tenants():  # the broker compares every insurer in the consultation
            if brokers.number_for(case["broker"], other.slug) is None:
                brokers.set_number(case["broker"], other, other.doc["broker_number"]["example"])
        compared = comparisons.record(case["broker"], case["client"], comparisons.read_inputs(
            case["broker"], _asked([t.slug for t in registry.live_tenants()])), consultation)
        comparisons.make_offers(case["broker"], compared)
        compared = comparisons.send(case["broker"], compared)
        with request.getfixturevalue("app").test_request_context():
            compared_link = links.comparison_token(compared)
        consultations.complete(case["broker"], consultation, "Empfehlung: Einstieg mit allen Bausteinen.")
        policy = Policy.get(Policy.employee == case["employee"].id)
        clock.move_to(datetime.datetime(2027, 1, 2, 9, 0, tzinfo=platform_clock.ZONE))
        statement, _ = statements.issue(case["contract"], datetime.date(2027, 1, 1))
        batch = ImportBatch.get(ImportBatch.contract == case["contract"].id)
        return {**case, "staff": staff, "consultation": consultation, "policy": policy, "statement": statement,
                "slug": slug, "batch": batch, "mails": list(mailbox.messages), "comparison": compared,
                "comparison_token": compared_link}


def _asked(slugs):
    from tests.engine.test_comparisons import asked
    return asked(slugs)


def pages_of(case):
    """(role user, [page URLs], [PDF URLs]) of each party."""
    client, contract, person = case["client"].id, case["contract"].id, case["employee"].id
    application, offer, event = case["application"].id, case["offer"].id, case["event"].id
    enrolment, statement, slug = case["enrolment"].id, case["statement"].id, case["slug"]
    contract_url = f"/m/{slug}/contracts/{contract}"
    group_policy = Document.get_by_id(case["contract"].document_id)
    return [
        (case["broker"], ["/advisor/", "/advisor/clients", f"/advisor/clients/{client}",
                          f"/advisor/consultations/{case['consultation'].id}", f"/advisor/offers/{offer}",
                          "/advisor/applications", f"/applications/{application}",
                          f"/advisor/clients/{client}/statements", f"/advisor/clients/{client}/compare?"
                          + "&".join(f"{k}={v}" for k, v in _asked(case["comparison"].insurers).items(multi=True)),
                          f"/advisor/comparisons/{case['comparison'].id}"],
         [f"/advisor/offers/{offer}/offer.pdf", f"/advisor/consultations/{case['consultation'].id}/record.pdf",
          f"/applications/{application}/group-policy.pdf",
          f"/advisor/clients/{client}/contracts/{contract}/statements/{statement}.pdf",
          f"/advisor/comparisons/{case['comparison'].id}/comparison.pdf"]),
        (case["employer_user"], [f"/m/{slug}/", f"/m/{slug}/applications/{application}", contract_url,
                                 f"{contract_url}/employees/{person}", f"{contract_url}/employees/{person}/edit",
                                 f"{contract_url}/employees/{person}/events/address_change",
                                 f"{contract_url}/statements", f"{contract_url}/payroll", f"{contract_url}/benefits",
                                 f"{contract_url}/mandate", f"{contract_url}/imports/{case['batch'].id}",
                                 f"/offer/compare/{case['comparison_token']}"],
         [f"/m/{slug}/documents/{group_policy.id}", f"/m/{slug}/documents/{case['policy'].document_id}",
          f"{contract_url}/statements/{statement}.pdf", f"/offer/compare/{case['comparison_token']}/comparison.pdf"]),
        (case["staff"], [f"/m/{slug}/office/", f"/m/{slug}/office/applications/{application}",
                         f"/m/{slug}/office/enrolments/{enrolment}", f"/m/{slug}/office/events/{event}",
                         f"/m/{slug}/office/contracts/{contract}/statements",
                         f"/m/{slug}/office/contracts/{contract}"],
         [f"/m/{slug}/office/contracts/{contract}/statements/{statement}.pdf"]),
    ]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_no_page_or_pdf_of_the_journey_shows_developer_words(app, journey, lang):
    found = {}
    for user, pages, pdfs in pages_of(journey):
        client = app.test_client()
        log_in(client, user)
        client.get(f"/lang/{lang}")
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            found[url] = raw_words(visible_text(response.get_data(as_text=True)), lang)
        for url in pdfs:
            response = client.get(url)
            assert response.status_code == 200 and response.data.startswith(b"%PDF"), url
            if lang == "de":  # the PDFs are German documents
                found[url] = raw_words(" ".join(pdf_text(response.data).split()), lang)
    found = {url: words for url, words in found.items() if words}
    assert not found, "\n".join(f"{url}:\n  " + "\n  ".join(f"{kind} {word!r}: …{context}…"
                                                         for kind, word, context in words)
                                for url, words in found.items())


def account_mails(app, mailbox, lang):
    """The account mails a broker gets on the page of `lang`: registering (verify), registering again with
    the same address (account_exists), a forgotten password (reset)."""
    client = app.test_client()
    client.get(f"/lang/{lang}")
    email = f"neu-{lang}@example.org"
    mailbox.clear()
    for step in ("register", "register again"):
        page = client.get("/auth/register")
        client.post("/auth/register", data={"name": "Nora Neu", "email": email, "password": "correct-horse-42",
                                            "password2": "correct-horse-42", "csrf_token": csrf_from(page)})
    page = client.get("/auth/forgot")
    client.post("/auth/forgot", data={"email": email, "csrf_token": csrf_from(page)})
    mails = mailbox.to(email)
    assert len(mails) == 3, [m["subject"] for m in mails]
    return email, mails


@pytest.mark.parametrize("lang", ["de", "en"])
def test_no_mail_of_the_journey_shows_developer_words(app, mailbox, journey, lang):
    """Subjects and bodies of every mail the journey sent: the broker's in the broker's language (German or
    English), the employer contact's in German; and a broker's account mails in either language."""
    broker = journey["broker"].email
    mails = journey["mails"]
    newcomer, account = account_mails(app, mailbox, lang)
    to_broker = [m for m in mails if broker in m["to"]]
    assert len(to_broker) >= 2 and len(mails) > len(to_broker), [(m["to"], m["subject"]) for m in mails]
    if lang == "en":  # the broker's mails really are English
        assert any(m["subject"].startswith("Offer accepted") for m in to_broker), [m["subject"] for m in to_broker]
    for mail in to_broker:  # the broker has no Manager and no employees of their own
        assert not re.search(r"your employees|liegt im Manager bereit", mail["body"]), mail["body"]
    found = {}
    for mail in mails + account:
        text = visible_text(mail["subject"] + "\n" + mail["body"])
        words = raw_words(text, lang if broker in mail["to"] or newcomer in mail["to"] else "de")
        if words:
            found[f"{mail['to']} {mail['subject']}"] = words
    assert not found, "\n".join(f"{mail}:\n  " + "\n  ".join(f"{kind} {word!r}: …{context}…"
                                                            for kind, word, context in words)
                                for mail, words in found.items())


def test_the_checks_catch_what_they_look_for():
    page = ('<p title="tariff_group">Gruppe</p><a href="/x?state=insured">ok</a><input name="legal_form">'
            "<p>(employee.tariff_group = None) · Status: insured · **500 EUR** · mandate.recorded</p>")
    kinds = sorted({kind for kind, _, _ in raw_words(visible_text(page), "de")})
    assert kinds == ["Markdown", "action code", "fact path", "field name", "state code"]
    assert raw_words(visible_text("<p>insured from 01.01.2027, file staff.csv, IBAN DE89 **** **30 00</p>"), "en") == []


def test_every_logged_action_has_a_label():
    """A timeline names what happened in words: every action the engine logs (its own and each workflow
    transition's, machine.transition) has a label."""
    from web.filters import ACTIONS
    code = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "engine").rglob("*.py"))
    logged = set(re.findall(r'audit\.record(?:_many)?\(\s*[^,]+,\s*f?"([a-z_]+\.[a-z_]+)"', code))
    for path in (ROOT / "engine" / "workflows").glob("*.yaml"):
        machine = yaml.safe_load(path.read_text(encoding="utf-8"))
        logged |= {f"{machine['name']}.{name}" for name in machine.get("transitions", {})}
    assert logged - set(ACTIONS) == set()


def test_the_staff_export_names_groups_and_states_as_people_read_them(app, journey):
    """The employer's CSV and XLSX list speak the reader's words ('Alle Mitarbeitenden', 'angenommen'),
    not the ids the API and the payroll formats keep ('alle', 'accepted')."""
    import csv
    import io

    from openpyxl import load_workbook
    client = app.test_client()
    log_in(client, journey["employer_user"])
    person = journey["employee"]
    group = next(gr for gr in journey["live"].doc["tariff_groups"] if gr["id"] == person.tariff_group)
    url = f"/m/{journey['slug']}/contracts/{journey['contract'].id}/export"
    text = client.get(url + ".csv").data.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(client.get(url + ".xlsx").data)).active
    for rows in (list(csv.reader(io.StringIO(text), delimiter=";")),
                 [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]):
        header, [row] = rows[0], [r for r in rows[1:] if r and r[0] == person.personnel_number]
        shown = dict(zip(header, row))
        assert (shown["Tarifgruppe"], shown["Status"]) == (group["name"]["de"], "angenommen"), shown


def test_the_consultation_record_names_the_chosen_options(app, journey):
    """The employer's answers in the record are the options' labels ('Bindung der Belegschaft'), not the
    values stored ('bindung'; 'zahn, sehen' for a multiple choice)."""
    client = app.test_client()
    log_in(client, journey["broker"])
    consultation = journey["consultation"]
    text = " ".join(pdf_text(client.get(f"/advisor/consultations/{consultation.id}/record.pdf").data).split())
    checked = 0
    for module in journey["live"].doc["content_modules"]:
        for question in module.get("questions", []):
            chosen = consultation.answers.get(module["id"], {}).get(question["name"])
            if not question.get("options") or chosen in (None, "", []):
                continue
            labels = {str(o["value"]): o["label"]["de"] for o in question["options"]}
            for value in chosen if isinstance(chosen, list) else [chosen]:
                assert labels[str(value)] in text, (question["name"], value)
                if str(value) not in labels[str(value)]:
                    assert not re.search(rf"(?<![\w-]){re.escape(str(value))}(?![\w-])", text), (question["name"], value)
                checked += 1
    assert checked


def test_every_required_field_of_a_hand_written_form_is_marked():
    """A label of a required control ends in required_mark() (the asterisk and "Pflichtfeld"), as the forms
    renderer draws it for the catalogue forms (issue #18)."""
    unmarked = []
    for path in (ROOT / "web" / "templates").rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        for control in re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"[^>]*\brequired[ >]', page):
            label = re.search(r'<label[^>]*for="' + re.escape(control) + r'"[^>]*>(.*?)</label>', page, re.S)
            if label and "required_mark()" not in label.group(1):
                unmarked.append(f"{path.relative_to(ROOT)}: #{control}")
    assert not unmarked, unmarked
