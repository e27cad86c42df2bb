"""Signed, expiring links (e-mail verification, password reset) built on itsdangerous."""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from engine import accounts


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"bkv.{purpose}")


def make(purpose, user):
    # The reset token binds the password hash, so it works once: after the reset it no longer matches.
    return _serializer(purpose).dumps({"uid": user.id, "pw": user.password_hash[-12:]})


def read(purpose, token, max_age):
    """The user a token was made for, or None when it is forged, expired or already used."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    user = accounts.user_by_id(data.get("uid"))
    if user is None or user.password_hash[-12:] != data.get("pw"):
        return None
    return user
