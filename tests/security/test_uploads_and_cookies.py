"""Uploads above the size limit are refused before they are read; over HTTPS the cookies are Secure."""
import io


def test_an_oversized_upload_is_refused(app, make_user):
    from tests.conftest import log_in
    client = app.test_client()
    log_in(client, make_user("employer"))
    too_big = io.BytesIO(b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    response = client.post("/m/lumen/contracts/1/upload", data={"file": (too_big, "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


def test_cookies_are_secure_when_served_over_https(app):
    from web.config import from_env
    assert from_env({"SESSION_COOKIE_SECURE": "1"})["SESSION_COOKIE_SECURE"] is True
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = app.test_client().get("/auth/login", base_url="https://bkv.test")
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
