"""Arrange cases for the API tests through the engine (the web flows are tested in tests/web), and a
small client that speaks to /api/v1 as an insurer's system does: a bearer key, JSON, Idempotency-Key."""
import uuid

import pytest

from engine import apikeys

class Api:
    """Requests to /api/v1 with a key; writes get a fresh Idempotency-Key unless one is given."""

    def __init__(self, client, key):
        self.client, self.key = client, key

    def headers(self, idempotency_key=None):
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def get(self, path, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self.headers(), **kwargs)

    def post(self, path, body=None, key="new", **kwargs):
        key = uuid.uuid4().hex if key == "new" else key
        return self.client.post(f"/api/v1{path}", json=body if body is not None else {}, headers=self.headers(key),
                                **kwargs)


@pytest.fixture
def api_key(app, make_user):
    """api_key("lumen") -> (plaintext, ApiKey, staff user who made it)."""
    def make(slug, name="Bestandssystem"):
        staff = make_user("insurer", tenant=slug)
        with app.app_context():
            key, plaintext = apikeys.create(slug, name, staff)
        return plaintext, key, staff
    return make


@pytest.fixture
def api(app, api_key):
    """api("lumen") -> an Api client with a fresh key of that tenant."""
    def make(slug):
        plaintext, key, staff = api_key(slug)
        client = Api(app.test_client(), plaintext)
        client.api_key, client.staff = key, staff
        return client
    return make
