"""API keys of insurers' systems: made once, shown once, stored as a SHA-256 digest, revocable.

A key reads `bkv_<prefix>_<secret>`. The prefix is public and finds the row; the secret carries
256 random bits. SHA-256 (not a slow password hash such as scrypt) is enough here: slow hashes
protect guessable passwords, and nobody can guess 256 random bits from a stolen digest, while a
fast digest keeps each API request cheap.
"""
import hashlib
import hmac
import secrets

from peewee import IntegrityError

from engine import audit
from engine.db import transaction
from engine.errors import DomainError, NotFound
from engine.models import ApiKey, Tenant, User, utcnow

SCHEME = "bkv"
NAME_MAX = 100
_UNKNOWN_DIGEST = hashlib.sha256(b"no such key").hexdigest()


def digest(plaintext):
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create(tenant_slug, name, actor):
    """A new key for the tenant's system: returns (ApiKey, plaintext); the plaintext is not kept."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Bitte geben Sie dem Schlüssel einen Namen (z. B. das System, das ihn nutzt).",
                          "Please give the key a name (e.g. the system that uses it).", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(f"Der Name darf höchstens {NAME_MAX} Zeichen lang sein.",
                          f"The name may be at most {NAME_MAX} characters long.", field="name")
    for _ in range(5):  # a prefix collision (48 random bits) is unlikely; the unique index decides
        prefix = secrets.token_hex(6)
        plaintext = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction():
                key = ApiKey.create(tenant=tenant_slug, name=name, prefix=prefix, key_hash=digest(plaintext),
                                    created_by=actor)
                audit.record(actor, "apikey.created", "api_key", key.id, tenant=tenant_slug,
                             after={"name": name, "prefix": prefix})
            return key, plaintext
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free API key prefix")


def revoke(key, actor):
    """Refuse the key from now on; it stays listed (with the date) for the audit trail."""
    with transaction():
        updated = (ApiKey.update(revoked_at=utcnow())
                   .where((ApiKey.id == key.id) & ApiKey.revoked_at.is_null()).execute())
        if updated:
            audit.record(actor, "apikey.revoked", "api_key", key.id, tenant=key.tenant_id,
                         after={"name": key.name, "prefix": key.prefix})
    return ApiKey.get_by_id(key.id)


def authenticate(plaintext):
    """The active key matching `plaintext`, else None (unknown, malformed and revoked alike)."""
    scheme, _, rest = (plaintext or "").partition("_")
    prefix, _, secret = rest.partition("_")
    key = ApiKey.get_or_none(ApiKey.prefix == prefix) if scheme == SCHEME and prefix and secret else None
    matches = hmac.compare_digest(digest(plaintext or ""), key.key_hash if key else _UNKNOWN_DIGEST)
    if key is None or not matches or key.revoked_at is not None:
        return None
    return key


def for_tenant(tenant_slug):
    return list(ApiKey.select().where(ApiKey.tenant == tenant_slug).order_by(ApiKey.revoked_at.is_null(False),
                                                                            ApiKey.created_at.desc()))


def get_for(tenant_slug, key_id):
    key = ApiKey.get_or_none((ApiKey.id == key_id) & (ApiKey.tenant == tenant_slug))
    if key is None:
        raise NotFound("API-Schlüssel nicht gefunden.", "API key not found.")
    return key


def tenant_active(key):
    """Whether the key's insurer is active on the platform (a deactivated one is refused)."""
    return Tenant.select().where((Tenant.slug == key.tenant_id) & (Tenant.active == True)).exists()  # noqa: E712


def actor_of(key):
    """Who answers for what the key does: the staff member who made it (None once they are gone)."""
    return User.get_or_none(User.id == key.created_by_id) if key.created_by_id else None
