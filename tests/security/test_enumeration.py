"""Issue 13, item 11: neither registration nor login tells whether an address has an account. Before,
registration said "Zu dieser E-Mail-Adresse gibt es bereits ein Konto", and a login with an unknown
address took twice as long as one with a known address (it hashed a password, then checked it)."""
import re

from tests.conftest import csrf_from


def register(client, email, name="Xaver Probe"):
    token = csrf_from(client.get("/auth/register"))
    return client.post("/auth/register", data={"name": name, "email": email, "password": "long-enough-pw",
                                               "password2": "long-enough-pw", "csrf_token": token})


def page_text(response):
    """The visible answer, without the values that differ anyway (the address typed, the form token)."""
    html = response.get_data(as_text=True)
    return re.sub(r'name="csrf_token" value="[^"]+"|[\w.+-]+@example\.org', "", html)


def test_registration_gives_the_same_answer_and_mails_the_owner(client, mailbox, make_user):
    owner = make_user("broker", email="owner@example.org")
    taken = register(client, "Owner@Example.org")
    fresh = register(client, "newcomer@example.org")
    assert taken.status_code == fresh.status_code == 200
    assert page_text(taken) == page_text(fresh)
    assert "bereits" not in taken.get_data(as_text=True)

    [mail] = mailbox.to(owner.email)  # the owner hears of it, and how to get in
    assert "bereits ein Konto" in mail["body"]
    assert "http://bkv.test/auth/login" in mail["body"] and "http://bkv.test/auth/forgot" in mail["body"]
    assert len(mailbox.to("newcomer@example.org")) == 1  # the newcomer gets the confirmation link
    from engine.models import User
    assert User.select().where(User.email == "owner@example.org").count() == 1


def test_login_does_the_same_work_for_an_unknown_address_as_for_a_known_one(client, make_user, monkeypatch):
    """One password-hash check with the same method and cost either way, so the answer's time tells nothing
    (counted, not timed: a timing on a shared machine says more about the machine than the code)."""
    from engine import accounts
    checked = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash",
                        lambda hashed, password: checked.append(hashed.split("$")[0]) or real(hashed, password))
    user = make_user("broker")
    token = csrf_from(client.get("/auth/login"))
    for email in (user.email, "nobody-here@example.org"):
        answer = client.post("/auth/login", data={"email": email, "password": "wrong-password-1", "csrf_token": token})
        assert answer.status_code == 200
    known, unknown = checked
    assert known == unknown and known.startswith(("scrypt:", "pbkdf2:")), checked
