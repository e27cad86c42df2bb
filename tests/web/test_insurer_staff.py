"""A new insurer's people get into its back office without a command line: the platform admin
invites the insurer's first administrator by e-mail at /admin, that person invites staff at
/m/<tenant>/office/staff, the staff member works in the back office, and is removed again. Every
step is audited; invitations come by mail through the outbox."""
from urllib.parse import urlsplit

from engine import accounts, brokers, registry
from engine.models import AuditEntry, BrokerNumber
from tests.conftest import csrf_from, log_in

PASSWORD = "correct-horse-42"


def post(client, url, data, page):
    return client.post(url, data={**data, "csrf_token": csrf_from(client.get(page))})


def path_of(link):
    return urlsplit(link).path


def join_by_mail(app, mailbox, email, name):
    """The invitee opens the mailed link, registers with the invited address and accepts."""
    link = path_of(mailbox.link(email))
    browser = app.test_client()
    page = browser.get(link)
    assert page.status_code == 200 and "Registrieren" in page.get_data(as_text=True)
    registered = post(browser, f"{link}/register", {"name": name, "password": PASSWORD, "password2": PASSWORD},
                      f"{link}/register")
    assert registered.status_code == 302
    accepted = post(browser, f"{link}/accept", {}, link)
    assert accepted.status_code == 302
    return browser, accepted.headers["Location"]


def test_a_new_insurers_staff_is_invited_and_works_in_the_back_office(app, make_user, mailbox):
    platform_admin = make_user(admin=True)
    operator = app.test_client()
    log_in(operator, platform_admin)
    overview = operator.get("/admin/").get_data(as_text=True)
    assert "Noch keine Administration" in overview or "No administrator yet" in overview

    # 1. the platform admin invites the insurer's first administrator
    mailbox.clear()
    sent = post(operator, "/admin/tenants/lumen/invite-admin", {"email-lumen": "Leitung@Lumen-KV.example"},
                "/admin/")
    assert sent.status_code == 302
    [mail] = mailbox.to("leitung@lumen-kv.example")
    assert "Lumen Krankenversicherung" in mail["subject"] and "Administrator" in mail["body"]

    # 2. the administrator registers through the link and lands in the back office
    lead, landing = join_by_mail(app, mailbox, "leitung@lumen-kv.example", "Lea Leitung")
    assert urlsplit(landing).path == "/m/lumen/office/"
    assert lead.get("/m/lumen/office/").status_code == 200
    page = lead.get("/m/lumen/office/staff/")
    assert page.status_code == 200
    assert "leitung@lumen-kv.example" in page.get_data(as_text=True)

    # 3. the administrator invites a clerk, who registers the same way
    mailbox.clear()
    invited = post(lead, "/m/lumen/office/staff/invite", {"email": "sachbearbeitung@lumen-kv.example",
                                                          "role": "insurer"}, "/m/lumen/office/staff/")
    assert invited.status_code == 302
    clerk, landing = join_by_mail(app, mailbox, "sachbearbeitung@lumen-kv.example", "Sam Sachbearbeitung")
    assert urlsplit(landing).path == "/m/lumen/office/"

    # 4. the clerk works: confirms a broker's number; but manages no staff
    with app.app_context():
        broker = make_user("broker")
        brokers.set_number(broker, registry.get("lumen"), "LU123456")
        number = BrokerNumber.get(BrokerNumber.broker == broker)
    assert clerk.get("/m/lumen/office/staff/").status_code == 403
    confirmed = post(clerk, f"/m/lumen/office/brokers/{number.id}/confirm", {"confirmed": "1"},
                     "/m/lumen/office/brokers/")
    assert confirmed.status_code == 302
    with app.app_context():
        assert BrokerNumber.get_by_id(number.id).confirmed_at is not None
        clerk_user = accounts.find_user("sachbearbeitung@lumen-kv.example")

    # 5. the administrator removes the clerk, who is out at once; the last administrator stays
    removed = post(lead, f"/m/lumen/office/staff/{clerk_user.id}/remove", {}, "/m/lumen/office/staff/")
    assert removed.status_code == 302
    assert clerk.get("/m/lumen/office/").status_code == 403
    with app.app_context():
        lead_user = accounts.find_user("leitung@lumen-kv.example")
    kept = post(lead, f"/m/lumen/office/staff/{lead_user.id}/remove", {}, "/m/lumen/office/staff/")
    assert kept.status_code == 302
    assert "letzte Administrator" in lead.get("/m/lumen/office/staff/").get_data(as_text=True)
    assert lead.get("/m/lumen/office/").status_code == 200

    # an administrator of one insurer is nobody at another
    assert lead.get("/m/auxilia/office/staff/").status_code == 403
    assert lead.get("/m/auxilia/office/").status_code == 403

    with app.app_context():
        actions = [(e.action, e.after or e.before) for e in AuditEntry.select().where(
            AuditEntry.action.startswith("tenant.staff_")).order_by(AuditEntry.id)]
    assert [(action, data["email"]) for action, data in actions] == [
        ("tenant.staff_invited", "leitung@lumen-kv.example"), ("tenant.staff_joined", "leitung@lumen-kv.example"),
        ("tenant.staff_invited", "sachbearbeitung@lumen-kv.example"),
        ("tenant.staff_joined", "sachbearbeitung@lumen-kv.example"),
        ("tenant.staff_removed", "sachbearbeitung@lumen-kv.example")]
    assert [data["role"] for _, data in actions] == ["insurer_admin", "insurer_admin", "insurer", "insurer",
                                                     "insurer"]


def test_an_invitation_is_taken_up_only_by_its_address(app, make_user, mailbox):
    platform_admin = make_user(admin=True)
    operator = app.test_client()
    log_in(operator, platform_admin)
    mailbox.clear()
    post(operator, "/admin/tenants/auxilia/invite-admin", {"email-auxilia": "chefin@auxilia.example"}, "/admin/")
    link = path_of(mailbox.link("chefin@auxilia.example"))
    someone = make_user("broker")
    other = app.test_client()
    log_in(other, someone)
    assert other.get(link).status_code == 404
    assert post(other, f"{link}/accept", {}, "/auth/password").status_code == 404
    assert other.get("/m/auxilia/office/").status_code == 403


def test_a_staff_member_can_be_made_administrator_by_invitation(app, make_user, mailbox):
    with app.app_context():
        lead = make_user("insurer", tenant="nordhafen")
        accounts.grant_role(lead, "insurer_admin", tenant=registry_tenant("nordhafen"))
        clerk = make_user("insurer", tenant="nordhafen")
    browser = app.test_client()
    log_in(browser, lead)
    page = "/m/nordhafen/office/staff/"
    again = post(browser, "/m/nordhafen/office/staff/invite", {"email": clerk.email, "role": "insurer"}, page)
    assert again.status_code == 422 and "bereits" in again.get_data(as_text=True)
    mailbox.clear()
    promoted = post(browser, "/m/nordhafen/office/staff/invite", {"email": clerk.email, "role": "insurer_admin"},
                    page)
    assert promoted.status_code == 302
    link = path_of(mailbox.link(clerk.email))
    clerk_browser = app.test_client()
    log_in(clerk_browser, clerk)
    assert post(clerk_browser, f"{link}/accept", {}, link).status_code == 302
    assert clerk_browser.get(page).status_code == 200
    invalid = post(browser, "/m/nordhafen/office/staff/invite", {"email": "not-an-address", "role": "insurer"}, page)
    assert invalid.status_code == 422


def registry_tenant(slug):
    from engine.models import Tenant
    return Tenant.get_by_id(slug)
