"""Mail goes through the outbox: nothing is lost when the SMTP server is down, nothing sent twice."""
import datetime

from engine import clock, mail
from engine.db import transaction
from engine.models import Outbox


def test_mail_written_in_a_rolled_back_transaction_is_never_sent(app, mailbox):
    with app.app_context():
        try:
            with transaction():
                mail.queue("ghost@example.org", "Betreff", "Text")
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
        assert Outbox.select().count() == 0
    assert mailbox.to("ghost@example.org") == []


def test_smtp_down_then_up_delivers_every_mail_once(app, mailbox):
    settings_down = mail.SmtpSettings(host="127.0.0.1", port=1, timeout=1)  # nothing listens on port 1
    settings_up = mail.SmtpSettings(host="127.0.0.1", port=mailbox.port)
    with app.app_context():
        mail.set_delivery_hook(None)  # deliver by hand to control the outage
        try:
            with transaction():
                for i in range(5):
                    mail.queue(f"r{i}@example.org", f"Nachricht {i}", "Hallo")
            assert mail.deliver_due(settings_down) == (0, 5)
            rows = list(Outbox.select())
            assert all(r.status == "pending" and r.attempts == 1 and r.last_error for r in rows)
            assert mail.deliver_due(settings_up) == (0, 0)  # backoff: not due yet
            Outbox.update(next_attempt_at=datetime.datetime(2000, 1, 1)).execute()
            assert mail.deliver_due(settings_up) == (5, 0)
            assert mail.deliver_due(settings_up) == (0, 0)
        finally:
            mail.set_delivery_hook(app.extensions["bkv_jobs"].enqueue_mail_delivery)
    for i in range(5):
        assert len(mailbox.to(f"r{i}@example.org")) == 1
    with app.app_context():
        assert {r.status for r in Outbox.select()} == {"sent"}


def test_backoff_grows_and_is_capped():
    assert [mail.backoff(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert mail.backoff(30) == 6 * 3600


def test_a_mail_claimed_by_one_worker_is_not_sent_by_another(app, mailbox):
    with app.app_context():
        mail.set_delivery_hook(None)
        try:
            with transaction():
                row = mail.queue("once@example.org", "Einmal", "Text")
            now = clock.utcnow() + datetime.timedelta(seconds=1)
            assert mail._claim(row.id, now) is True
            assert mail._claim(row.id, now) is False
        finally:
            mail.set_delivery_hook(app.extensions["bkv_jobs"].enqueue_mail_delivery)
