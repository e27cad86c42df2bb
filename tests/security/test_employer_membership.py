"""Issue 13, item 2: a broker cannot make himself the employer. Opening an offer link lets only its
addressee (the address it was mailed to) join, and only an employer nobody acts for yet; after that,
people join on a member's invitation. The broker of a client never joins it that way."""
import re
from urllib.parse import urlsplit

from engine import accounts, audit, clients, registry
from engine.models import AuditEntry, Offer, Role
from tests.conftest import csrf_from, log_in
from tests.formfill import fill
from tests.journey import enrolled_case, first_start, tariff_choice


def post(client, url, data, page=None):
    return client.post(url, data={**data, "csrf_token": csrf_from(client.get(page or url))})


def path_of(link):
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def edit_contact(browser, client_row, email):
    """The broker saves the client form with another contact address, as the client page does."""
    values = fill(clients.form(),
                  {"company_name": client_row.company_name, "street": client_row.street,
                   "postal_code": client_row.postal_code, "city": client_row.city,
                   "employees_count": str(client_row.employees_count), "contact_name": client_row.contact_name,
                   "contact_email": email})
    saved = post(browser, f"/advisor/clients/{client_row.id}/edit", values)
    assert saved.status_code == 302, saved.get_data(as_text=True)


def send_new_offer(browser, client_id, slug="lumen"):
    """The broker calculates an offer for the client and sends it; returns the offer's id."""
    live = registry.get(slug)
    group = live.doc["tariff_groups"][0]
    p = group["id"].replace("-", "_")
    made = post(browser, f"/advisor/clients/{client_id}/offers/new?tenant={slug}",
                {"tenant": slug, "start_date": first_start().strftime("%d.%m.%Y"), "other_benefits_in_kind": "0",
                 f"{p}__include": "on", **tariff_choice(live, group), f"{p}__employer_share": "100",
                 f"{p}__headcount": str(max(live.settings.get("min_insured", 1), 10)), f"{p}__average_age": "40"})
    assert made.status_code == 302, made.get_data(as_text=True)
    offer_url = made.headers["Location"]
    sent = post(browser, f"{offer_url.rstrip('/')}/send", {}, page=offer_url)
    assert sent.status_code == 302
    offer_id = int(offer_url.rstrip("/").split("/")[-1])
    assert Offer.get_by_id(offer_id).state == "sent", browser.get(offer_url).get_data(as_text=True)
    return offer_id


def employer_pages(case):
    contract, person = case["contract"], case["employee"]
    base = f"/m/{contract.tenant_id}/contracts/{contract.id}"
    return [f"/m/{contract.tenant_id}/", base, f"{base}/export.csv", f"{base}/export.xlsx",
            f"{base}/employees/{person.id}", f"{base}/employees/{person.id}/export.zip",
            f"/employer/{contract.employer_id}/members"]


def test_a_broker_who_makes_himself_the_contact_gets_no_access_to_the_employer(app, make_user, mailbox):
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        case = enrolled_case("lumen", staff, tag="attack")
    broker, member, client_row = case["broker"], case["employer_user"], case["client"]
    browser = app.test_client()
    log_in(browser, broker)
    for url in employer_pages(case):
        assert browser.get(url).status_code in (403, 404), url
    mailbox.clear()

    # the attack: his own address as the client's contact, an offer to it, its link opened
    edit_contact(browser, client_row, broker.email)
    send_new_offer(browser, client_row.id)
    link = path_of(mailbox.link(broker.email))
    opened = browser.get(link)
    assert opened.status_code == 403
    assert "Makler" in opened.get_data(as_text=True) and "Angebot annehmen" not in opened.get_data(as_text=True)
    token = link.rstrip("/").split("/")[-1]
    assert post(browser, f"/offer/{token}/decide", {"decision": "accept"}, page="/auth/password").status_code == 404
    edit_contact(browser, client_row, member.email)  # and the contact set back

    for url in employer_pages(case):  # staff list, exports, GDPR ZIP, the employer's people
        assert browser.get(url).status_code in (403, 404), url
    with app.app_context():
        assert not Role.select().where((Role.user == broker.id) & (Role.kind == "employer")).exists()
        # both changes were recorded, and the company's user was told of each
        changes = AuditEntry.select().where((AuditEntry.action == "client.contact_changed")
                                            & (AuditEntry.employer == client_row.id)).order_by(AuditEntry.id)
        assert [(e.before["contact_email"], e.after["contact_email"], e.after["members_told"]) for e in changes] == [
            (member.email, broker.email, [member.email]), (broker.email, member.email, [member.email])]
    told = [m for m in mailbox.to(member.email) if "Kontaktadresse" in m["subject"]]
    assert len(told) == 2 and broker.email in told[0]["body"]


def test_the_broker_never_joins_his_own_client_even_one_nobody_acts_for(app, make_user, mailbox):
    broker = make_user("broker")
    browser = app.test_client()
    log_in(browser, broker)
    post(browser, "/advisor/engines", {"tenant": "lumen", "number": registry.get("lumen").doc["broker_number"]["example"]})
    values = fill(clients.form(), {"company_name": "Leer GmbH", "contact_email": broker.email,
                                                                 "employees_count": "30"})
    created = post(browser, "/advisor/clients/new", values)
    client_id = int(re.search(r"/advisor/clients/(\d+)", created.headers["Location"]).group(1))
    send_new_offer(browser, client_id)
    opened = browser.get(path_of(mailbox.link(broker.email)))
    assert opened.status_code == 403
    with app.app_context():
        assert not accounts.works_for(accounts.find_user(broker.email), client_id)
    assert browser.get(f"/employer/{client_id}/members").status_code in (403, 404)


def test_a_new_contact_of_an_employer_with_members_needs_an_invitation(app, make_user, mailbox):
    """Not the broker himself but an address he controls: it receives the offer, registers through its
    link, and still does not act for the employer."""
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        case = enrolled_case("lumen", staff, tag="accomplice")
    broker_browser, stranger = app.test_client(), app.test_client()
    log_in(broker_browser, case["broker"])
    edit_contact(broker_browser, case["client"], "neu-kontakt@example.org")
    send_new_offer(broker_browser, case["client"].id)
    link = path_of(mailbox.link("neu-kontakt@example.org"))
    token = link.rstrip("/").split("/")[-1]
    assert "neu-kontakt@example.org" in stranger.get(link).get_data(as_text=True)
    post(stranger, f"/offer/{token}/register", {"name": "Neu", "password": "neu-passwort-1",
                                                "password2": "neu-passwort-1"})
    refused = stranger.get(link)
    assert refused.status_code == 403 and "Sie einzuladen" in refused.get_data(as_text=True)
    for url in employer_pages(case):
        assert stranger.get(url).status_code in (403, 404), url
    with app.app_context():
        assert not accounts.works_for(accounts.find_user("neu-kontakt@example.org"), case["client"].id)


def test_the_first_employer_joins_through_the_link_and_invites_a_colleague(app, make_user, mailbox):
    broker = make_user("broker")
    browser = app.test_client()
    log_in(browser, broker)
    post(browser, "/advisor/engines", {"tenant": "lumen", "number": registry.get("lumen").doc["broker_number"]["example"]})
    values = fill(clients.form(), {"company_name": "Neukunde GmbH",
                                                          "contact_email": "chefin@neukunde.example",
                                                          "employees_count": "30"})
    created = post(browser, "/advisor/clients/new", values)
    client_id = int(re.search(r"/advisor/clients/(\d+)", created.headers["Location"]).group(1))
    send_new_offer(browser, client_id)
    offer_link = path_of(mailbox.link("chefin@neukunde.example"))
    token = offer_link.rstrip("/").split("/")[-1]
    # the broker changes the contact after sending: the offer stays the addressee's, not the new contact's
    edit_contact(browser, accounts_client(app, client_id), "spaeter@example.org")

    # the addressee registers through the link and joins: nobody acted for the company yet
    chefin = app.test_client()
    assert "chefin@neukunde.example" in chefin.get(offer_link).get_data(as_text=True)
    post(chefin, f"/offer/{token}/register", {"name": "Clara Chefin", "password": "chefin-passwort",
                                              "password2": "chefin-passwort"})
    shown = chefin.get(offer_link)
    assert shown.status_code == 200 and "Angebot annehmen" in shown.get_data(as_text=True)
    with app.app_context():
        assert accounts.works_for(accounts.find_user("chefin@neukunde.example"), client_id)
        joined = [e for e in audit.history("employer", client_id) if e.action == "employer.member_joined"]
        assert [e.after["via"] for e in joined] == ["offer"]

    # she invites a colleague; only that address can take the invitation up
    mailbox.clear()
    members_page = f"/employer/{client_id}/members"
    assert post(chefin, f"{members_page}/invite", {"email": "kein-mail"}, page=members_page).status_code == 422
    invited = post(chefin, f"{members_page}/invite", {"email": "Kollege@Neukunde.example"}, page=members_page)
    assert invited.status_code == 302
    invitation_link = path_of(mailbox.link("kollege@neukunde.example"))
    invitation_token = invitation_link.rstrip("/").split("/")[-1]
    someone_else = app.test_client()
    log_in(someone_else, make_user("employer"))
    assert someone_else.get(invitation_link).status_code == 404
    assert post(someone_else, f"/invitation/{invitation_token}/accept", {}, page="/auth/password").status_code == 404

    colleague = app.test_client()
    assert "kollege@neukunde.example" in colleague.get(invitation_link).get_data(as_text=True)
    post(colleague, f"/invitation/{invitation_token}/register", {"name": "Karl Kollege", "password": "kollege-pass-1",
                                                                 "password2": "kollege-pass-1"})
    accepted = post(colleague, f"/invitation/{invitation_token}/accept", {}, page=invitation_link)
    assert accepted.status_code == 302
    assert colleague.get(offer_link).status_code == 200  # a member sees the company's offers
    assert "Neukunde GmbH" in colleague.get("/employer").get_data(as_text=True)
    again = post(colleague, f"/invitation/{invitation_token}/accept", {}, page=invitation_link)
    assert "bereits angenommen" in colleague.get(again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert accounts.works_for(accounts.find_user("kollege@neukunde.example"), client_id)
        assert not accounts.works_for(accounts.find_user("spaeter@example.org") or broker, client_id)
        joined = [e.after["via"] for e in audit.history("employer", client_id) if e.action == "employer.member_joined"]
        assert joined == ["offer", "invitation"]


def accounts_client(app, client_id):
    from engine.models import Employer
    with app.app_context():
        return Employer.get_by_id(client_id)
