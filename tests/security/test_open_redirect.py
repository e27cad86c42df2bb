"""Issue 13, item 5: `next=` leads only to a page of this site. Before, `/lang/de?next=%2F%09%2Fevil.example`
answered `Location: /\t/evil.example`, which a browser reads as //evil.example."""
from urllib.parse import quote, urljoin, urlsplit

import pytest

from tests.conftest import csrf_from

# Known bypasses, as they arrive in the query string (percent-encoded where a browser would send them so).
BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example", "https://evil.example", "http:evil.example",
    "//evil.example/%2F..", "/\\evil.example", "/\\/evil.example", "\\\\evil.example", "\\/evil.example",
    "/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example", "/%0d%0a/evil.example", "/%00/evil.example",
    "%09//evil.example", "%20//evil.example", "/%20/evil.example", "/%5Cevil.example", "/%5C%5Cevil.example",
    "%2F%2Fevil.example", "%2F%09%2Fevil.example", "/%2F/evil.example", "%5C%5Cevil.example",
    "/%E3%80%80/evil.example", "/%C2%A0/evil.example", "/%E2%80%8B/evil.example", "javascript:alert(1)",
    "/\t/evil.example", "evil.example", "@evil.example", "//bkv.test@evil.example", "/%2F%2Fevil.example",
]


def as_a_browser_follows(location, base="http://bkv.test/auth/login"):
    """Where a browser goes: it drops tabs and newlines and reads a backslash as a slash (WHATWG URL)."""
    cleaned = location.strip("\x00 ").replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    return urlsplit(urljoin(base, cleaned))


def assert_stays_here(response):
    """A redirect on this site (or a request refused as bad: a NUL byte is, before any view runs)."""
    if response.status_code == 400:
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert as_a_browser_follows(location).netloc == "bkv.test", location
    assert not any(ord(char) < 0x21 or char == "\\" for char in location), location


@pytest.mark.parametrize("target", BYPASSES)
def test_the_language_switch_never_leads_away(client, target):
    assert_stays_here(client.get(f"/lang/de?next={target}"))


@pytest.mark.parametrize("target", BYPASSES)
def test_login_never_leads_away(client, make_user, target):
    user = make_user("broker")
    token = csrf_from(client.get("/auth/login"))
    response = client.post(f"/auth/login?next={target}",
                           data={"email": user.email, "password": user.plain_password, "csrf_token": token})
    assert_stays_here(response)
    assert response.status_code == 400 or response.headers["Location"] == "/advisor/"  # the user's home instead


def test_a_page_of_this_site_is_still_followed(client, make_user):
    user = make_user("broker")
    target = "/advisor/clients?q=M%C3%BCller&page=2"
    token = csrf_from(client.get("/auth/login"))
    response = client.post(f"/auth/login?next={quote(target)}",
                           data={"email": user.email, "password": user.plain_password, "csrf_token": token})
    assert response.headers["Location"] == target
    assert client.get(f"/lang/en?next={quote('/auth/login')}").headers["Location"] == "/auth/login"
