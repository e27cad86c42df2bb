"""Bulk work and quiet mail: the back office accepts many enrolments in one action with the same
checks as one by one, the employer gets one mail for the batch (or one a day, if they chose so), the
API does the same, and each person sees in-app notifications of their own cases only."""
import re


from engine import digests, enrolments
from engine.models import Enrolment, Policy
from tests.conftest import csrf_from, log_in
from tests.journey import running_contract_with_sent_enrolments

HEADER = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart\n"


def sent_enrolments(make_user, slug, count, tag="b"):
    """A running contract at `slug` with `count` employees whose enrolments were sent; and a staff member."""
    return running_contract_with_sent_enrolments(make_user, slug, count, tag=tag)


def test_twenty_enrolments_in_one_action_make_twenty_policies_and_one_mail(app, client, make_user, mailbox):
    with app.app_context():
        case, staff, contract, sent = sent_enrolments(make_user, "lumen", 20)
    mailbox.clear()
    log_in(client, staff)
    page = client.get("/m/lumen/office/")
    assert page.status_code == 200 and "Vor7" in page.get_data(as_text=True)
    answer = client.post("/m/lumen/office/", data={"kind": "enrolments", "selected": [e.id for e in sent],
                                                   "csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "20" in answer.get_data(as_text=True)
    assert Policy.select().where(Policy.contract == contract.id).count() == 20
    assert Enrolment.select().where((Enrolment.contract == contract.id) & (Enrolment.state == "accepted")).count() == 20
    address = case["client"].contact_email
    mails = mailbox.to(address)
    assert len(mails) == 1, [m["subject"] for m in mails]
    for n in range(1, 21):
        assert re.search(rf"Vor{n} Nach{n}\b", mails[0]["body"])


def test_a_decided_one_is_reported_by_name_and_the_rest_accepted(app, client, make_user, mailbox):
    with app.app_context():
        case, staff, contract, sent = sent_enrolments(make_user, "lumen", 3)
        enrolments.reject(staff, sent[1], "Daten unvollständig")
    mailbox.clear()
    log_in(client, staff)
    page = client.get("/m/lumen/office/")
    answer = client.post("/m/lumen/office/", data={"kind": "enrolments", "selected": [e.id for e in sent],
                                                   "csrf_token": csrf_from(page)}, follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "Vor2 Nach2" in text and "2 angenommen" in text
    states = {e.id: Enrolment.get_by_id(e.id).state for e in sent}
    assert states == {sent[0].id: "accepted", sent[1].id: "rejected", sent[2].id: "accepted"}
    assert len(mailbox.to(case["client"].contact_email)) == 1


def test_the_queue_filters_by_employer_and_searches(app, client, make_user):
    with app.app_context():
        case, staff, contract, sent = sent_enrolments(make_user, "lumen", 3)
    log_in(client, staff)
    found = client.get("/m/lumen/office/?kind=enrolments&q=nach2").get_data(as_text=True)
    assert "Vor2" in found and "Vor3" not in found
    other = client.get(f"/m/lumen/office/?employer={contract.employer_id + 1000}").get_data(as_text=True)
    assert "Vor2" not in other


def test_the_daily_digest_sends_one_mail_a_day(app, client, make_user, mailbox):
    with app.app_context():
        case, staff, contract, sent = sent_enrolments(make_user, "lumen", 3)
    member = case["employer_user"]
    assert member.email == case["client"].contact_email
    log_in(client, member)
    page = client.get("/notifications/")
    client.post("/notifications/settings", data={"digest": "daily", "csrf_token": csrf_from(page)})
    mailbox.clear()
    with app.app_context():
        for enrolment in sent:  # one by one, through the day
            enrolments.accept(staff, Enrolment.get_by_id(enrolment.id))
        assert mailbox.to(member.email) == []
        assert digests.send_daily() == 1
        assert digests.send_daily() == 0  # nothing twice
    [mail] = mailbox.to(member.email)
    assert all(f"Vor{n} Nach{n}" in mail["body"] for n in (1, 2, 3))


def test_a_single_decision_keeps_its_own_mail(app, make_user, mailbox):
    with app.app_context():
        case, staff, contract, sent = sent_enrolments(make_user, "lumen", 1)
        mailbox.clear()
        enrolments.accept(staff, sent[0])
    [mail] = mailbox.to(case["client"].contact_email)
    assert "Vor1 Nach1" in mail["subject"]


def test_notifications_reach_the_right_people_and_the_count_drops(app, client, make_user):
    with app.app_context():
        case, staff, contract, sent = sent_enrolments(make_user, "lumen", 2, tag="n1")
        other_case, other_staff, _, other_sent = sent_enrolments(make_user, "lumen", 1, tag="n2")
        foreign_staff = make_user("insurer", tenant="nordhafen")
        enrolments.accept(staff, sent[0])
        enrolments.accept(other_staff, other_sent[0])
    member, other_member = case["employer_user"], other_case["employer_user"]
    log_in(client, member)
    home = client.get("/notifications/").get_data(as_text=True)
    assert "Vor1 Nach1" in home and "Police" in home
    assert other_case["client"].company_name not in home
    assert home.count("Police ausgestellt für") == 1  # the other employer's decision is not among them
    assert client.get("/notifications/").get_data(as_text=True).count("Neu:") == 0  # read when viewed
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/notifications/"))})
    log_in(client, other_member)
    assert client.get("/notifications/").get_data(as_text=True).count("Police ausgestellt für") == 1
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/notifications/"))})
    log_in(client, foreign_staff)
    foreign = client.get("/notifications/").get_data(as_text=True)
    assert case["client"].company_name not in foreign and "Nichts Neues" in foreign
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/notifications/"))})
    log_in(client, staff)
    page = client.get("/m/lumen/office/").get_data(as_text=True)
    badge = re.search(r'class="notices">[^<]*<span class="badge"[^>]*>(\d+)<', page)
    assert badge and int(badge.group(1)) >= 1  # new enrolments of its tenant
    client.get("/notifications/")
    again = client.get("/m/lumen/office/").get_data(as_text=True)
    assert not re.search(r'class="notices">[^<]*<span class="badge"', again)


def test_reject_all_selected_with_one_reason_makes_one_mail(app, client, make_user, mailbox):
    with app.app_context():
        case, staff, contract, sent = sent_enrolments(make_user, "lumen", 3, tag="r")
        enrolments.accept(staff, sent[0])  # decided meanwhile: reported, the others rejected
    mailbox.clear()
    log_in(client, staff)
    page = client.get("/m/lumen/office/")
    assert "Alle ausgewählten ablehnen" in page.get_data(as_text=True)
    refused = client.post("/m/lumen/office/", data={"kind": "enrolments", "decision": "reject", "comment": " ",
                                                    "selected": [e.id for e in sent], "csrf_token": csrf_from(page)},
                          follow_redirects=True).get_data(as_text=True)
    assert "Bitte geben Sie eine Begründung an." in refused
    assert {Enrolment.get_by_id(e.id).state for e in sent[1:]} == {"sent"}  # nothing touched without a reason
    answer = client.post("/m/lumen/office/", data={"kind": "enrolments", "decision": "reject",
                                                   "comment": "Geburtsdatum fehlt im Antrag",
                                                   "selected": [e.id for e in sent], "csrf_token": csrf_from(page)},
                         follow_redirects=True).get_data(as_text=True)
    assert "2 abgelehnt" in answer and "Nicht abgelehnt: Vor1 Nach1" in answer
    assert [Enrolment.get_by_id(e.id).state for e in sent] == ["accepted", "rejected", "rejected"]
    assert {Enrolment.get_by_id(e.id).reason for e in sent[1:]} == {"Geburtsdatum fehlt im Antrag"}
    [mail] = mailbox.to(case["client"].contact_email)
    assert all(f"Vor{n} Nach{n}" in mail["body"] for n in (2, 3)) and "Geburtsdatum fehlt im Antrag" in mail["body"]


def test_events_are_rejected_together_too(app, client, make_user, mailbox):
    from engine import clock, events
    from engine.models import BusinessEvent
    with app.app_context():
        case, staff, contract, sent = sent_enrolments(make_user, "lumen", 2, tag="re")
        filed = []
        for enrolment in sent:
            enrolments.accept(staff, Enrolment.get_by_id(enrolment.id))
            event, _ = events.file(case["employer_user"], contract, enrolment.employee, "address_change",
                                   {"street": "Neue Str. 5", "postal_code": "01069", "city": "Dresden",
                                    "effective_date": clock.today()})
            filed.append(event)
    mailbox.clear()
    log_in(client, staff)
    page = client.get("/m/lumen/office/?kind=events")
    client.post("/m/lumen/office/?kind=events", data={"kind": "events", "decision": "reject", "comment": "Ort fehlt",
                                                      "selected": [e.id for e in filed], "csrf_token": csrf_from(page)})
    assert {BusinessEvent.get_by_id(e.id).state for e in filed} == {"rejected"}
    assert len(mailbox.to(case["client"].contact_email)) == 1


def test_the_notification_list_pages_newest_first_and_keeps_the_unread_count(app, client, make_user):
    from engine import inbox
    member = make_user("employer")
    with app.app_context():
        for n in range(1, 121):
            inbox.notify([member], {"de": f"Meldung {n:03d}", "en": f"Notice {n:03d}"})
        assert inbox.unread_count(member) == 120
    log_in(client, member)
    first = client.get("/notifications/").get_data(as_text=True)
    shown = re.findall(r"Meldung (\d{3})", first)
    assert shown == [f"{n:03d}" for n in range(120, 70, -1)]  # the newest 50, newest first
    assert first.count("Neu:") == 50
    older = re.search(r'href="(/notifications/\?before=\d+)"[^>]*>Ältere<', first).group(1)
    with app.app_context():
        assert inbox.unread_count(member) == 0  # opening the list is looking at everything so far
        inbox.notify([member], {"de": "Meldung neu", "en": "Notice new"})
    second = client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert re.findall(r"Meldung (\d{3})", second) == [f"{n:03d}" for n in range(70, 20, -1)]
    assert "Meldung neu" not in second and "Neueste" in second
    third = client.get(re.search(r'href="(/notifications/\?before=\d+)"[^>]*>Ältere<', second).group(1))
    third = third.get_data(as_text=True)
    assert re.findall(r"Meldung (\d{3})", third) == [f"{n:03d}" for n in range(20, 0, -1)]
    assert ">Ältere<" not in third
    with app.app_context():
        assert inbox.unread_count(member) == 1  # older pages mark nothing; the new one waits
