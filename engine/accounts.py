"""User accounts: registration, verification, passwords, sessions and roles."""
import functools
import logging
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from engine import audit
from engine.db import prepared, transaction
from engine.errors import DomainError
from peewee import JOIN, fn

from engine.models import Employer, Notification, Role, User, utcnow

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
ROLE_KINDS = ("broker", "employer", "insurer", "insurer_admin")
TENANT_ROLE_KINDS = ("insurer", "insurer_admin")  # held for one tenant: its staff, its administrators


def normalize_email(email):
    return (email or "").strip().lower()


def hash_password(password):
    return generate_password_hash(password, method="scrypt")


def check_password_strength(password):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.",
                          f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.", field="password")


class EmailTaken(DomainError):
    """Registration with an address that already has an account. The web must not say so (that would
    tell anyone which addresses have accounts); it mails the owner instead."""


def new_session_token():
    return secrets.token_hex(16)


def find_user(email):
    return User.get_or_none(User.email == normalize_email(email))


def register(email, password, name="", role=None, tenant=None, employer=None, verified=False, is_admin=False):
    """Create a user (and optionally its first role). Raises EmailTaken when the e-mail is taken."""
    email = normalize_email(email)
    check_password_strength(password)
    password_hash = hash_password(password)  # before the look-up: a taken address costs the same time
    with transaction():
        if find_user(email):
            raise EmailTaken("Zu dieser E-Mail-Adresse gibt es bereits ein Konto.",
                             "An account with this e-mail address already exists.", field="email")
        user = User.create(email=email, name=name, password_hash=password_hash,
                           session_token=new_session_token(), is_admin=is_admin,
                           email_verified_at=utcnow() if verified else None)
        if role:
            grant_role(user, role, tenant=tenant, employer=employer)
        audit.record(user, "user.registered", "user", user.id, after={"email": email, "role": role})
    return user


def grant_role(user, kind, tenant=None, employer=None):
    if kind not in ROLE_KINDS:
        raise ValueError(f"unknown role {kind!r}")
    role, created = Role.get_or_create(user=user, kind=kind, tenant=tenant, employer=employer)
    user.__dict__.pop("_roles", None)
    if created:
        audit.record(None, "role.granted", "user", user.id, tenant=tenant,
                     after={"kind": kind, "employer": employer.id if employer else None})
    return role


@functools.cache
def _unknown_user_hash():
    return hash_password(secrets.token_hex(16))


def authenticate(email, password):
    """The user when e-mail and password match, else None: the same answer, and the same work (one
    hash check), for an unknown e-mail, so neither tells whether an account exists."""
    user = find_user(email)
    password_hash = user.password_hash if user is not None else _unknown_user_hash()
    matches = check_password_hash(password_hash, password or "")
    return user if user is not None and matches else None


def mark_verified(user):
    if user.email_verified_at is None:
        with transaction():
            user.email_verified_at = utcnow()
            user.save()
            audit.record(user, "user.verified", "user", user.id)


def change_password(user, new_password, actor=None):
    """Set a new password and a new session token, which logs out every other session."""
    check_password_strength(new_password)
    with transaction():
        user.password_hash = hash_password(new_password)
        user.session_token = new_session_token()
        user.save()
        audit.record(actor or user, "user.password_changed", "user", user.id)
    return user


def log_out(user):
    """A new session token: the session that logs out ends for good, even where its cookie was copied
    (and so do the account's other sessions; they share the token)."""
    with transaction():
        user.session_token = new_session_token()
        user.save()
        audit.record(user, "user.logged_out", "user", user.id)


_USER_FIELDS = [field.name for field in User._meta.sorted_fields]


@prepared
def _session_rows(user_id, session_token):
    unread = (Notification.select(fn.COUNT(Notification.id))
              .where((Notification.user == User.id) & Notification.read_at.is_null()).alias("unread"))
    return (User.select(User, Role.id, Role.kind, Role.tenant, Role.employer, unread, audit.change_mark_column())
            .join(Role, JOIN.LEFT_OUTER)
            .where((User.id == user_id) & (User.session_token == session_token))
            .order_by(Role.id).tuples())


def session_user(user_id, session_token):
    """The account behind a session with its roles, in one query: this runs on every logged-in
    request, so the rows come as tuples and become a User and its Roles here (half the Python
    time of peewee's joined-model rows). None when the account is gone or the token was rotated.
    The user's `change_mark` tells how the database stood (audit.change_mark_column), `unread` how
    many notifications they have not seen (one count over the index (user, read_at))."""
    rows = list(_session_rows(user_id, session_token))
    if not rows:
        return None
    width = len(_USER_FIELDS)
    user = User(**dict(zip(_USER_FIELDS, rows[0][:width])))
    user._dirty.clear()  # as stored
    user.change_mark = rows[0][-1]
    user.unread = rows[0][-2]  # unread notifications (engine/inbox.py): the navigation's count
    user.__dict__["_roles"] = [Role(id=role_id, user=user.id, kind=kind, tenant=tenant, employer=employer)
                               for role_id, kind, tenant, employer in (row[width:width + 4] for row in rows)
                               if role_id is not None]  # None: no role (LEFT JOIN)
    return user


def roles_of(user, kind=None):
    """The user's roles, read once per loaded user: a request asks several times (the portal
    check, then the object checks) and pays for one query."""
    cached = user.__dict__.get("_roles")
    if cached is None:
        cached = user.__dict__["_roles"] = list(Role.select().where(Role.user == user).order_by(Role.id))
    return [role for role in cached if kind is None or role.kind == kind]


def has_role(user, kind, tenant_slug=None):
    return any(tenant_slug is None or kind not in TENANT_ROLE_KINDS or role.tenant_id == tenant_slug
               for role in roles_of(user, kind))


def employer_ids(user):
    """The employers the user acts for."""
    return [role.employer_id for role in roles_of(user, "employer")]


def employers_of(user):
    """The employer companies the user acts for."""
    return list(Employer.select().where(Employer.id.in_(employer_ids(user))).order_by(Employer.id))


def works_for(user, employer_id):
    return employer_id in employer_ids(user)


def users_with_roles():
    """Every account with its roles, for the platform operator: (users by e-mail, {user id: [Role]})."""
    roles = {}
    for role in Role.select():
        roles.setdefault(role.user_id, []).append(role)
    return list(User.select().order_by(User.email)), roles


def user_by_id(user_id):
    """The account a signed token names, or None."""
    return User.get_or_none(User.id == user_id)
