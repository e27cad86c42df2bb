"""Who works in an insurer's back office: staff and administrators, per tenant. The platform admin
invites an insurer's first administrator; its administrators invite and remove staff. Every
invitation goes by mail and is taken up by the invited address (engine/memberships.take_up); every
change is audited. No command line and no Python for a new insurer's people."""
import datetime

from engine import accounts, audit, memberships, signals
from engine.db import transaction
from engine.errors import DomainError, Forbidden, NotFound
from engine.models import Invitation, Role, Tenant, User, utcnow

STAFF, ADMIN = "insurer", "insurer_admin"
ROLES = (STAFF, ADMIN)


def roles_granted(role):
    """The role kinds an invitation as `role` grants: an administrator is staff too."""
    return (STAFF, ADMIN) if role == ADMIN else (STAFF,)


def is_admin(user, tenant_slug):
    return accounts.has_role(user, ADMIN, tenant_slug)


def may_manage(user, tenant_slug):
    """The platform admin and the tenant's own administrators manage its staff."""
    return user is not None and (user.is_admin or is_admin(user, tenant_slug))


def _require_manager(user, tenant_slug):
    if not may_manage(user, tenant_slug):
        raise Forbidden("Nur Administratoren des Versicherers verwalten seine Mitarbeitenden.",
                        "Only the insurer's administrators manage its staff.")


def people(tenant_slug):
    """[{user, admin}] of everyone who works in the tenant's back office, by e-mail."""
    rows = (Role.select(Role, User).join(User).where((Role.tenant == tenant_slug) & Role.kind.in_(ROLES))
            .order_by(User.email))
    found = {}
    for role in rows:
        person = found.setdefault(role.user_id, {"user": role.user, "admin": False})
        person["admin"] = person["admin"] or role.kind == ADMIN
    return list(found.values())


def open_invitations(tenant_slug):
    return list(Invitation.select().where((Invitation.tenant == tenant_slug) & Invitation.accepted_at.is_null()
                                          & (Invitation.expires_at > utcnow())).order_by(Invitation.id))


def invite(actor, tenant_slug, email, role=STAFF):
    """Invite an address to the tenant's back office as staff or administrator; the mail goes out
    with the change (signals.staff_invited)."""
    _require_manager(actor, tenant_slug)
    tenant = Tenant.get_or_none(Tenant.slug == tenant_slug)
    if tenant is None:
        raise NotFound("Unbekannter Versicherer.", "Unknown insurer.")
    if role not in ROLES:
        raise DomainError("Unbekannte Rolle.", "Unknown role.", field="role")
    email = accounts.normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise DomainError("Bitte geben Sie eine gültige E-Mail-Adresse an.", "Please enter a valid e-mail address.",
                          field="email")
    if any(person["user"].email == email and (person["admin"] or role == STAFF) for person in people(tenant_slug)):
        raise DomainError("Diese Adresse arbeitet bereits in diesem Backoffice.",
                          "This address already works in this back office.", field="email")
    with transaction():
        invitation = Invitation.create(tenant=tenant, role=role, email=email, invited_by=actor,
                                       expires_at=utcnow() + datetime.timedelta(days=memberships.INVITATION_DAYS))
        audit.record(actor, "tenant.staff_invited", "tenant", tenant.slug, tenant=tenant,
                     after={"email": email, "role": role, "invitation": invitation.id})
        signals.staff_invited.send(invitation)
    return invitation


def accept(user, invitation):
    """The invited address joins the tenant's back office in the invited role."""
    if invitation.tenant_id is None:
        raise NotFound("Einladung nicht gefunden.", "Invitation not found.")
    with transaction():
        memberships.take_up(user, invitation)
        tenant = Tenant.get_by_id(invitation.tenant_id)
        for kind in roles_granted(invitation.role):
            accounts.grant_role(user, kind, tenant=tenant)
        audit.record(user, "tenant.staff_joined", "tenant", tenant.slug, tenant=tenant,
                     after={"email": user.email, "role": invitation.role, "invitation": invitation.id,
                            "invited_by": invitation.invited_by_id})
    return tenant


def remove(actor, tenant_slug, user_id):
    """Take every back-office role at this tenant from a person; the last administrator stays."""
    _require_manager(actor, tenant_slug)
    person = next((p for p in people(tenant_slug) if p["user"].id == user_id), None)
    if person is None:
        raise NotFound("Diese Person arbeitet nicht in diesem Backoffice.", "This person does not work in this "
                                                                             "back office.")
    with transaction():
        admins = [p for p in people(tenant_slug) if p["admin"]]
        if person["admin"] and len(admins) == 1:
            raise DomainError("Die letzte Administratorin oder der letzte Administrator bleibt: laden Sie zuerst "
                              "eine weitere Person als Administrator ein.",
                              "The last administrator stays: invite another administrator first.")
        Role.delete().where((Role.user == user_id) & (Role.tenant == tenant_slug) & Role.kind.in_(ROLES)).execute()
        audit.record(actor, "tenant.staff_removed", "tenant", tenant_slug, tenant=tenant_slug,
                     before={"email": person["user"].email, "role": ADMIN if person["admin"] else STAFF})
    return person["user"]
