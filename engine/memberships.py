"""Who acts for an employer. The addressee of an offer may become the first member of an employer
that has none; everyone after that joins on a member's invitation, as the invited address. A contact
address changed by the broker never makes anyone a member, and the broker never joins his client."""
import datetime

from engine import accounts, audit, signals
from engine.db import transaction
from engine.errors import Conflict, DomainError, NotFound
from engine.models import Employer, Invitation, Role, User, utcnow

INVITATION_DAYS = 14


def members(employer_id):
    """The users who act for the employer."""
    return list(User.select().join(Role).where((Role.kind == "employer") & (Role.employer == employer_id))
                .order_by(User.email))


def has_members(employer_id):
    return Role.select().where((Role.kind == "employer") & (Role.employer == employer_id)).exists()


def employer_for_member(user, employer_id):
    """The employer the user acts for, or NotFound (also for one that exists: no hint)."""
    employer = Employer.get_or_none(Employer.id == employer_id)
    if employer is None or not accounts.works_for(user, employer.id):
        raise NotFound("Arbeitgeber nicht gefunden.", "Employer not found.")
    return employer


def _brokers_of(employer, offer=None):
    return {employer.broker_id, offer.broker_id if offer is not None else None} - {None}


def offer_access(user, offer):
    """How the logged-in `user` stands to the offer's employer:
    "member" (acts for it), "joined" (has just become its first member through the offer),
    or why the offer stays closed: "other_address" (the offer was mailed to another address),
    "broker" (the broker of this client), "invitation_needed" (the employer has members already)."""
    employer = offer.employer
    if accounts.works_for(user, employer.id):
        return "member"
    if (not offer.sent_to or accounts.normalize_email(offer.sent_to) != user.email
            or user.email_verified_at is None):
        return "other_address"
    if user.id in _brokers_of(employer, offer):
        return "broker"
    with transaction():
        if has_members(employer.id):
            return "invitation_needed"
        accounts.grant_role(user, "employer", employer=employer)
        audit.record(user, "employer.member_joined", "employer", employer.id, employer=employer.id,
                     after={"email": user.email, "via": "offer", "offer": offer.id})
    return "joined"


def invite(member, employer, email):
    """A member invites an address to act for the employer too; the invitee joins as that address."""
    email = accounts.normalize_email(email)
    if not accounts.works_for(member, employer.id):
        raise NotFound("Arbeitgeber nicht gefunden.", "Employer not found.")
    if "@" not in email or len(email) > 254:
        raise DomainError("Bitte geben Sie eine gültige E-Mail-Adresse an.", "Please enter a valid e-mail address.",
                          field="email")
    if any(user.email == email for user in members(employer.id)):
        raise DomainError("Diese Adresse handelt bereits für das Unternehmen.",
                          "This address already acts for the company.", field="email")
    with transaction():
        invitation = Invitation.create(employer=employer, email=email, invited_by=member,
                                       expires_at=utcnow() + datetime.timedelta(days=INVITATION_DAYS))
        audit.record(member, "employer.member_invited", "employer", employer.id, employer=employer.id,
                     after={"email": email, "invitation": invitation.id})
        signals.member_invited.send(invitation)
    return invitation


def open_invitations(employer_id):
    return list(Invitation.select().where((Invitation.employer == employer_id) & Invitation.accepted_at.is_null()
                                          & (Invitation.expires_at > utcnow())).order_by(Invitation.id))


def get_invitation(invitation_id):
    invitation = Invitation.get_or_none(Invitation.id == invitation_id)
    if invitation is None:
        raise NotFound("Einladung nicht gefunden.", "Invitation not found.")
    return invitation


def invitation_problem(invitation):
    """Why the invitation can no longer be taken up ({de, en}), or None."""
    if invitation.accepted_at is not None:
        return {"de": "Diese Einladung wurde bereits angenommen.", "en": "This invitation has already been accepted."}
    if invitation.expires_at <= utcnow():
        return {"de": "Diese Einladung ist abgelaufen. Bitte lassen Sie sich erneut einladen.",
                "en": "This invitation has expired. Please ask to be invited again."}
    return None


def take_up(user, invitation):
    """Mark the invitation taken up by `user` (inside the caller's transaction): only by the invited
    address, verified, once, before it expires. Every kind of invitation is taken up here."""
    problem = invitation_problem(invitation)
    if problem:
        raise DomainError(problem["de"], problem["en"])
    if user.email != invitation.email or user.email_verified_at is None:
        raise NotFound("Einladung nicht gefunden.", "Invitation not found.")
    taken = (Invitation.update(accepted_at=utcnow(), accepted_by=user)
             .where((Invitation.id == invitation.id) & Invitation.accepted_at.is_null()).execute())
    if taken != 1:
        raise Conflict("Diese Einladung wurde bereits angenommen.", "This invitation has already been accepted.")


def accept_invitation(user, invitation):
    """The invited address joins the employer: only as that address, once, before it expires."""
    if invitation.employer_id is None:
        raise NotFound("Einladung nicht gefunden.", "Invitation not found.")
    with transaction():
        take_up(user, invitation)
        employer = Employer.get_by_id(invitation.employer_id)
        accounts.grant_role(user, "employer", employer=employer)
        audit.record(user, "employer.member_joined", "employer", employer.id, employer=employer.id,
                     after={"email": user.email, "via": "invitation", "invitation": invitation.id,
                            "invited_by": invitation.invited_by_id})
    return employer
