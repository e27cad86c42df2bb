"""The broker's own data: profile and broker numbers (Vermittlernummern) per insurer, which the
insurer's back office confirms once it has checked them."""
import re

from engine import audit
from engine.db import prepared, transaction
from engine.errors import DomainError, NotFound
from engine.models import BrokerNumber, BrokerProfile, User, utcnow


def profile(user):
    row = BrokerProfile.get_or_none(BrokerProfile.user == user)
    return row.data if row else {}


def save_profile(user, values):
    """Store the validated values of forms/broker_profile.yaml."""
    with transaction():
        row, _ = BrokerProfile.get_or_create(user=user)
        before = row.data
        row.data = values
        row.updated_at = utcnow()
        row.save()
        audit.record(user, "broker.profile_saved", "user", user.id, before=before, after=values)


def numbers(user):
    """{tenant slug: number} of a broker."""
    return {row.tenant_id: row.number for row in BrokerNumber.select().where(BrokerNumber.broker == user)}


def confirmed_numbers(user):
    """The tenant slugs where the insurer has confirmed the broker's number."""
    return {row.tenant_id for row in BrokerNumber.select().where((BrokerNumber.broker == user)
                                                                 & BrokerNumber.confirmed_at.is_null(False))}


@prepared
def _number(broker_id, tenant_slug):
    return BrokerNumber.select(BrokerNumber.number, BrokerNumber.confirmed_at).where(
        (BrokerNumber.broker == broker_id) & (BrokerNumber.tenant == tenant_slug)).tuples()


def number_for(user, tenant_slug):
    row = next(iter(_number(user.id, tenant_slug)), None)
    return row[0] if row else None


def is_confirmed(user, tenant_slug):
    """Has the insurer confirmed the broker's number? Employers are told when it has not."""
    row = next(iter(_number(user.id, tenant_slug)), None)
    return bool(row and row[1] is not None)


def set_number(user, live, number):
    """Store the broker number for an insurer, checked against the insurer's pattern."""
    number = (number or "").strip()
    rule = live.doc.get("broker_number", {})
    if not re.fullmatch(rule.get("pattern", r".+"), number):
        example = rule.get("example")
        raise DomainError(f"Die Vermittlernummer passt nicht zum Format der {live.name}"
                          + (f" (Beispiel: {example})." if example else "."),
                          f"The broker number does not match the format of {live.name}"
                          + (f" (example: {example})." if example else "."), field="number")
    with transaction():
        row = BrokerNumber.get_or_none((BrokerNumber.broker == user) & (BrokerNumber.tenant == live.slug))
        before = row.number if row else None
        if row is None:
            BrokerNumber.create(broker=user, tenant=live.slug, number=number)
        elif row.number != number:  # a new number is unchecked again
            row.number, row.confirmed_at, row.confirmed_by = number, None, None
            row.save()
        audit.record(user, "broker.number_saved", "user", user.id, tenant=live.slug,
                     before={"number": before}, after={"number": number})


def numbers_at(tenant_slug):
    """The broker numbers stored for an insurer, unconfirmed first: the back office's list to check."""
    return list(BrokerNumber.select(BrokerNumber, User).join(User, on=(BrokerNumber.broker == User.id))
                .where(BrokerNumber.tenant == tenant_slug)
                .order_by(BrokerNumber.confirmed_at.is_null(False), BrokerNumber.created_at, BrokerNumber.id))


def confirm_number(staff, tenant_slug, number_id, confirmed=True):
    """The insurer's back office confirms a broker number it has checked (or withdraws that)."""
    row = BrokerNumber.get_or_none((BrokerNumber.id == number_id) & (BrokerNumber.tenant == tenant_slug))
    if row is None:
        raise NotFound("Vermittlernummer nicht gefunden.", "Broker number not found.")
    if (row.confirmed_at is not None) == confirmed:
        return row
    with transaction():
        changed = (BrokerNumber.update(confirmed_at=utcnow() if confirmed else None,
                                       confirmed_by=staff if confirmed else None)
                   .where((BrokerNumber.id == row.id) & (BrokerNumber.number == row.number)
                          & (BrokerNumber.confirmed_at.is_null() if confirmed else BrokerNumber.confirmed_at.is_null(False)))
                   .execute())
        if changed:
            audit.record(staff, "broker.number_confirmed" if confirmed else "broker.number_unconfirmed", "user",
                         row.broker_id, tenant=tenant_slug, after={"number": row.number, "confirmed": confirmed})
    return BrokerNumber.get_by_id(row.id)
