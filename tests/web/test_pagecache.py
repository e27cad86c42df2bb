"""Pages kept in memory (web/pagecache.py): served again only while nothing changed, never to
another user, always with fresh form tokens, never with a message that was already shown."""
import re

import pytest

from flask import template_rendered

from engine import employees
from engine.models import Employee
from tests.conftest import csrf_from, log_in
from tests.web.test_manager_journey import employer_at_staff_list
from web import pagecache


def _staffed(app, make_user):
    case, contract, client, url = employer_at_staff_list(app, make_user, 3)
    client.get(url)  # shows (and so ends) the welcome message
    return case, contract, client, url


def _renders(app):
    names = []
    template_rendered.connect(lambda sender, template, context, **extra: names.append(template.name), app, weak=False)
    return names


def _submission_ids(html):
    return re.findall(r'name="submission_id" value="([0-9a-f]+)"', html)


def test_a_kept_page_is_served_again_with_fresh_form_tokens(app, make_user):
    case, contract, client, url = _staffed(app, make_user)
    renders = _renders(app)
    first, second = client.get(url).get_data(as_text=True), client.get(url).get_data(as_text=True)
    assert renders.count("manager/contract.html") == 1  # the second answer came from memory
    assert "Nach1, Vor1" in second
    assert csrf_from(client.get(url)) and _submission_ids(second)
    assert not set(_submission_ids(first)) & set(_submission_ids(second))
    assert pagecache.CSRF_MARK not in second and pagecache.SUBMISSION_MARK not in second
    page = client.get(url)
    sent = client.post(f"{url}/enrol", data={"csrf_token": csrf_from(page), "employee": re.findall(
        r'name="employee" value="(\d+)"', page.get_data(as_text=True))[:1],
        "submission_id": _submission_ids(page.get_data(as_text=True))[-1]})
    assert sent.status_code == 302  # the kept page's form works with the tokens it was given


def test_a_change_shows_at_once(app, make_user):
    case, contract, client, url = _staffed(app, make_user)
    client.get(url)
    with app.app_context():
        employees.save_by_hand(case["employer_user"], contract, {
            "personnel_number": "77", "last_name": "Neumann", "first_name": "Nora", "birth_date": "1990-04-01",
            "street": "Weg 1", "postal_code": "10115", "city": "Berlin", "employment_start": "2020-01-01",
            "employment_type": "Vollzeit"})
    assert "Neumann, Nora" in client.get(url).get_data(as_text=True)


def test_a_message_is_shown_once_and_not_kept(app, make_user):
    case, contract, client, url = _staffed(app, make_user)
    client.get(url)
    upload = client.post(f"{url}/upload", data={"csrf_token": csrf_from(client.get(url))})  # no file chosen
    assert upload.status_code == 302, upload.get_data(as_text=True)[-800:]
    assert "Bitte wählen Sie eine CSV- oder XLSX-Datei" in client.get(url).get_data(as_text=True)
    assert "Bitte wählen Sie eine CSV- oder XLSX-Datei" not in client.get(url).get_data(as_text=True)


def test_another_user_never_gets_my_page(app, make_user):
    case, contract, client, url = _staffed(app, make_user)
    colleague = make_user("employer", email="kollegin@example.org", employer=case["client"])
    other = app.test_client()
    log_in(other, colleague)
    other.get(url)
    mine, theirs = client.get(url).get_data(as_text=True), other.get(url).get_data(as_text=True)
    assert f'class="user">{case["employer_user"].name or case["employer_user"].email}<' in mine
    assert 'class="user">kollegin<' in theirs and 'class="user">kollegin<' not in mine


def test_the_language_is_part_of_the_page(app, make_user):
    case, contract, client, url = _staffed(app, make_user)
    assert "Mitarbeitende" in client.get(url).get_data(as_text=True)
    client.get("/lang/en")
    assert "Employees" in client.get(url).get_data(as_text=True)


def test_a_change_the_database_does_not_show_is_seen_after_max_age(app, make_user, monkeypatch):
    case, contract, client, url = _staffed(app, make_user)
    client.get(url)
    with app.app_context():  # a change without an audit entry (what the change mark may not see)
        Employee.update(last_name="Stillgeändert").where(Employee.personnel_number == "1").execute()
    monkeypatch.setattr(pagecache, "MAX_AGE", 0)
    assert "Stillgeändert" in client.get(url).get_data(as_text=True)


def test_a_page_kept_for_one_session_serves_another_of_the_same_user_with_its_own_token(app, make_user):
    case, contract, client, url = _staffed(app, make_user)
    client.get(url)  # kept
    laptop = app.test_client()
    log_in(laptop, case["employer_user"])
    laptop.get(url)  # the welcome message
    renders = _renders(app)
    page = laptop.get(url)
    assert "manager/contract.html" not in renders  # served from what the first session left
    upload = laptop.post(f"{url}/upload", data={"csrf_token": csrf_from(page)})  # no file chosen
    assert upload.status_code == 302  # a valid token of this session, not the first one's



def test_a_role_taken_away_ends_access_at_once_even_to_a_kept_page(app, make_user):
    from engine.models import Role
    case, contract, client, url = _staffed(app, make_user)
    assert client.get(url).status_code == 200  # kept now
    with app.app_context():  # straight in the database: no audit entry, the change mark may stay
        Role.delete().where((Role.user == case["employer_user"].id) & (Role.kind == "employer")).execute()
    assert client.get(url).status_code in (403, 404)


@pytest.mark.parametrize("who, path", [
    ("broker", "/advisor/"), ("broker", "/advisor/clients"), ("broker", "/advisor/clients/{client}"),
    ("employer_user", "/m/lumen/"), ("employer_user", "/m/lumen/applications/{application}")])
def test_the_pages_a_journey_reads_are_kept_until_the_database_changes(app, make_user, who, path):
    from engine import clients
    case, contract, _, _ = _staffed(app, make_user)
    reader = app.test_client()
    log_in(reader, case[who])
    url = path.format(client=case["client"].id, application=case["application"].id)
    assert reader.get(url).status_code == 200  # shows (and so ends) the welcome message
    renders = _renders(app)
    assert [reader.get(url).status_code for _ in range(3)] == [200, 200, 200]
    assert len(renders) == 1  # rendered once, then served from memory
    with app.app_context():
        clients.update(case["broker"], case["client"], {**clients.as_values(case["client"]),
                                                        "company_name": "Umbenannt GmbH"})
    page = reader.get(url).get_data(as_text=True)
    assert len(renders) == 2  # the change is seen at once
    if path != "/advisor/":  # the broker's start page counts clients; it does not name them
        assert "Umbenannt GmbH" in page
