"""The idempotency helper on its own: the unique index decides between concurrent duplicates."""
import threading
import time

import pytest

from engine import idempotency
from engine.db import database
from engine.errors import DomainError
from engine.models import IdempotencyRecord


def test_a_duplicate_arriving_while_the_first_is_still_writing_replays_the_first_answer(app, api_key):
    _, key, _ = api_key("lumen")
    fingerprint = idempotency.fingerprint("POST", "/api/v1/x", {"a": 1})
    inside, answers, ran = threading.Event(), {}, []

    def first_write():
        ran.append("first")
        inside.set()
        time.sleep(0.5)  # hold the transaction open while the duplicate arrives
        return 200, {"made": "first"}

    def second_write():
        ran.append("second")
        return 200, {"made": "second"}

    def call(name, write, wait=None):
        with database.connection_context():
            if wait:
                wait.wait(10)
            answers[name] = idempotency.once(key, "dup", fingerprint, write)

    threads = [threading.Thread(target=call, args=("first", first_write)),
               threading.Thread(target=call, args=("second", second_write, inside))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert ran == ["first"]
    assert answers["first"] == idempotency.Answer(200, {"made": "first"}, replayed=False)
    assert answers["second"] == idempotency.Answer(200, {"made": "first"}, replayed=True)
    with app.app_context():
        assert IdempotencyRecord.select().count() == 1


def test_a_failed_write_keeps_nothing_so_the_same_key_may_be_retried(app, api_key):
    _, key, _ = api_key("lumen")
    fingerprint = idempotency.fingerprint("POST", "/api/v1/x", {})

    def failing():
        raise DomainError("Bitte eine Begründung angeben.", "Please give a reason.", field="comment")

    with app.app_context():
        with pytest.raises(DomainError):
            idempotency.once(key, "retry-me", fingerprint, failing)
        assert not IdempotencyRecord.select().exists()
        answer = idempotency.once(key, "retry-me", fingerprint, lambda: (200, {"ok": True}))
        assert answer == idempotency.Answer(200, {"ok": True})
        with pytest.raises(idempotency.KeyReused):
            idempotency.once(key, "retry-me", idempotency.fingerprint("POST", "/api/v1/y", {}), lambda: (200, {}))


def test_key_order_in_the_body_does_not_make_another_request():
    same = idempotency.fingerprint("POST", "/p", {"b": 2, "a": 1})
    assert idempotency.fingerprint("post", "/p", {"a": 1, "b": 2}) == same
    assert idempotency.fingerprint("POST", "/p", {"a": 1}) != idempotency.fingerprint("POST", "/q", {"a": 1})
