"""Signed links that travel by mail and lead to one object (an offer for its employer)."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from engine.errors import NotFound
from engine.models import Offer


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="bkv.offer-link")


def offer_token(offer):
    return _serializer().dumps({"offer": offer.id, "rev": offer.revision})


def offer_from_token(token):
    """The offer a link names; its expiry is the offer's own validity, checked by the workflow."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise NotFound("Link ungültig.", "Invalid link.") from None
    offer = Offer.get_or_none(Offer.id == data.get("offer"))
    if offer is None or offer.revision != data.get("rev"):
        raise NotFound("Link ungültig.", "Invalid link.")
    return offer
