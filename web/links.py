"""Links that travel by mail and in documents: absolute on the configured base URL, and signed
links that lead to one object (an offer for its employer, an invitation to act for one)."""
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from engine import comparisons, memberships, offers
from engine.errors import NotFound


def external(endpoint, **values):
    """The absolute URL of a page, on BASE_URL: never on the request's Host header, which the client
    chooses (a reset link mailed to `Host: evil.example` would hand over the account)."""
    base = urlsplit(current_app.config["BASE_URL"])
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def _serializer(salt="bkv.offer-link"):
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def offer_token(offer):
    return _serializer().dumps({"offer": offer.id, "rev": offer.revision})


def offer_from_token(token):
    """The offer a link names; its expiry is the offer's own validity, checked by the workflow."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise NotFound("Link ungültig.", "Invalid link.") from None
    offer = offers.by_id(data.get("offer"))
    if offer is None or offer.revision != data.get("rev"):
        raise NotFound("Link ungültig.", "Invalid link.")
    return offer


def comparison_token(comparison):
    return _serializer("bkv.comparison-link").dumps({"comparison": comparison.id})


def comparison_from_token(token):
    """The comparison a link names; each of its offers keeps its own validity."""
    try:
        data = _serializer("bkv.comparison-link").loads(token)
    except BadSignature:
        raise NotFound("Link ungültig.", "Invalid link.") from None
    comparison = comparisons.by_id(data.get("comparison"))
    if comparison is None or comparison.sent_at is None:
        raise NotFound("Link ungültig.", "Invalid link.")
    return comparison


def invitation_token(invitation):
    return _serializer("bkv.invitation").dumps({"invitation": invitation.id, "email": invitation.email})


def invitation_from_token(token):
    """The invitation a link names; whether it can still be taken up is the engine's question."""
    try:
        data = _serializer("bkv.invitation").loads(token)
    except BadSignature:
        raise NotFound("Link ungültig.", "Invalid link.") from None
    try:
        invitation = memberships.get_invitation(data.get("invitation"))
    except NotFound:
        invitation = None
    if invitation is None or invitation.email != data.get("email"):
        raise NotFound("Link ungültig.", "Invalid link.")
    return invitation
