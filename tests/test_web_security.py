"""Security headers on pages and JSON, no inline script or style anywhere, only http(s) links."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from calsync.web import SAMPLE_SLUG
from calsync.web.security import CONTENT_SECURITY_POLICY

CONF = f"/conferences/{SAMPLE_SLUG}"


class InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style elements and attributes, handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.hrefs: list[str] = []
        self._script_without_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            self._script_without_src = "src" not in names
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "href" and value is not None:
                self.hrefs.append(value)

    def handle_data(self, data: str) -> None:
        if self._script_without_src and data.strip():
            self.found.append("inline <script>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_without_src = False


def a_custom_feed(client) -> dict:
    talk = client.get(f"/api{CONF}/talks").get_json()["talks"][0]["id"]
    response = client.post("/api/feeds", json={"name": "Mine", "talk_ids": [talk]})
    assert response.status_code == 201
    return response.get_json()


def page_paths(client) -> list[str]:
    feed = a_custom_feed(client)
    talks = client.get(f"/api{CONF}/talks").get_json()["talks"]
    return ["/", CONF, f"{CONF}?type=Oral&q=learning", f"{CONF}/sessions/{talks[0]['session_id']}",
            f"{CONF}/talks/{talks[0]['id']}", f"/feeds/{feed['token']}", f"/feeds/{feed['token']}/edit",
            "/conferences/nope", f"{CONF}/schedule"]


def test_every_page_sends_the_headers_and_has_nothing_inline(client) -> None:
    for path in page_paths(client):
        response = client.get(path)
        assert response.status_code == (404 if "nope" in path else 200), path
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
        assert response.headers["X-Frame-Options"] == "DENY" and response.headers["X-Content-Type-Options"] == "nosniff"
        secret = path.startswith("/feeds/")
        assert response.headers["Referrer-Policy"] == ("no-referrer" if secret else "same-origin"), path
        finder = InlineFinder()
        finder.feed(response.get_data(as_text=True))
        assert finder.found == [], (path, finder.found)
        assert all(not re.match(r"\s*(javascript|data|vbscript):", h, re.I) for h in finder.hrefs), path


@pytest.mark.parametrize("path, policy", [
    ("/api/conferences", "same-origin"), ("/healthz", "same-origin"), ("/api/nope", "same-origin"),
])
def test_json_answers_send_the_headers(client, path: str, policy: str) -> None:
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["Referrer-Policy"] == policy and response.headers["X-Content-Type-Options"] == "nosniff"


def test_custom_feed_api_sends_no_referrer(client) -> None:
    feed = a_custom_feed(client)
    response = client.get(f"/api/feeds/{feed['token']}")
    assert response.status_code == 200 and response.headers["Referrer-Policy"] == "no-referrer"


def test_feeds_keep_their_own_headers(client) -> None:
    response = client.get(f"{CONF}.ics")
    assert response.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" not in response.headers
    missing = client.get("/conferences/nope.ics")
    assert missing.status_code == 404 and missing.headers["X-Content-Type-Options"] == "nosniff"


def test_a_source_that_is_not_http_is_text_not_a_link(app, client) -> None:
    store = app.extensions["calsync"]["store"]
    store.ensure_conference("evil", "Evil", "UTC", 2026, datetime.now(UTC))
    for url in ("javascript:alert(1)", "https://ok.example/x"):
        store.add_source("evil", url)
    assert [s.url for s in store.list_sources("evil")] == ["https://ok.example/x", "javascript:alert(1)"]
    html = client.get("/conferences/evil").get_data(as_text=True)
    assert '<a href="https://ok.example/x"' in html and "javascript:alert(1)" in html  # shown as text
    finder = InlineFinder()
    finder.feed(html)
    assert "https://ok.example/x" in finder.hrefs and not any("javascript" in h for h in finder.hrefs)
