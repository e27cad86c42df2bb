"""Idempotent writes for the API: a repeated request with the same Idempotency-Key gets the first answer.

The record is claimed (inserted) as the first statement of the write's own transaction and
completed with the answer before the commit, so the change and its stored answer exist together
or not at all. Two identical requests at once: the unique index (api_key, key) lets one insert
win; the other waits for it, fails on the index and replays the winner's answer. A failed write
stores nothing, so the same request may be retried with the same key.
"""
import hashlib
import json
from dataclasses import dataclass

from peewee import IntegrityError, OperationalError

from engine.db import transaction
from engine.errors import Conflict, DomainError
from engine.models import IdempotencyRecord

KEY_MAX = 200


class KeyReused(DomainError):
    """The Idempotency-Key was used before for a different request (422)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    replayed: bool = False


def fingerprint(method, path, payload):
    """What makes two requests the same: method, path and the JSON body (key order ignored)."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method.upper()} {path}\n{body}".encode()).hexdigest()


def check_key(key):
    key = (key or "").strip()
    if not key:
        raise DomainError("Jeder schreibende Aufruf braucht einen Idempotency-Key-Header.",
                          "Every write request needs an Idempotency-Key header.", field="Idempotency-Key")
    if len(key) > KEY_MAX:
        raise DomainError(f"Der Idempotency-Key darf höchstens {KEY_MAX} Zeichen lang sein.",
                          f"The Idempotency-Key may be at most {KEY_MAX} characters long.",
                          field="Idempotency-Key")
    return key


def _stored(api_key, key, request_hash):
    record = IdempotencyRecord.get_or_none((IdempotencyRecord.api_key == api_key) & (IdempotencyRecord.key == key))
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise KeyReused("Dieser Idempotency-Key wurde bereits für eine andere Anfrage verwendet.",
                        "This Idempotency-Key has already been used for a different request.",
                        field="Idempotency-Key")
    return Answer(record.status_code, json.loads(record.body), replayed=True)


def once(api_key, key, request_hash, write):
    """Run `write()` -> (status, body) once per (api_key, key); a repeat gets the stored Answer."""
    key = check_key(key)
    found = _stored(api_key, key, request_hash)
    if found is not None:
        return found
    try:
        with transaction():
            record = IdempotencyRecord.create(api_key=api_key, key=key, request_hash=request_hash, status_code=0,
                                              body="")
            status, body = write()
            (IdempotencyRecord.update(status_code=status, body=json.dumps(body, sort_keys=True))
             .where(IdempotencyRecord.id == record.id).execute())
    except (IntegrityError, OperationalError) as exc:
        # A concurrent request committed first: the same key (unique index) or, on SQLite, a write
        # from a stale snapshot ("database is locked"). Anything else is a real failure.
        if isinstance(exc, OperationalError) and "locked" not in str(exc):
            raise
        found = _stored(api_key, key, request_hash)
        if found is not None:
            return found
        raise Conflict("Eine gleichzeitige Anfrage hat diesen Vorgang bereits geändert. Bitte erneut abrufen.",
                       "A concurrent request has already changed this record. Please fetch it again.")
    return Answer(status, body)
