"""The broker's own data: profile and broker numbers (Vermittlernummern) per insurer."""
import re

from engine import audit
from engine.db import prepared, transaction
from engine.errors import DomainError
from engine.models import BrokerNumber, BrokerProfile, utcnow


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


@prepared
def _number(broker_id, tenant_slug):
    return BrokerNumber.select(BrokerNumber.number).where(
        (BrokerNumber.broker == broker_id) & (BrokerNumber.tenant == tenant_slug)).tuples()


def number_for(user, tenant_slug):
    row = next(iter(_number(user.id, tenant_slug)), None)
    return row[0] if row else None


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
        else:
            row.number = number
            row.save()
        audit.record(user, "broker.number_saved", "user", user.id, tenant=live.slug,
                     before={"number": before}, after={"number": number})
