"""Links that work where the service runs: absolute links follow the request (or ``base_url``).

A real server on a non-default port of 127.0.0.1, fetched over HTTP: every subscribe-kit
link names that port, "Download .ics" downloads, and the kit says why Google and Outlook
cannot reach a loopback address. Behind a proxy, ``proxy_fix_hops`` decides whether
X-Forwarded-* headers are believed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
import requests
from helpers import make_test_config
from werkzeug.serving import make_server

from calsync.web import SAMPLE_SLUG, create_app

CONF = f"/conferences/{SAMPLE_SLUG}"


@pytest.fixture
def unconfigured_server(tmp_path: Path) -> Iterator[str]:
    """The app with no base_url, on a free port of 127.0.0.1 (never 8000)."""
    server = make_server("127.0.0.1", 0, create_app(make_test_config(tmp_path)), threaded=True)
    assert server.socket.getsockname()[1] != 8000
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.socket.getsockname()[1]}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def kit_links(html: str) -> dict[str, str]:
    """The subscribe kit's links by class, the feed URL box and the copy button's text."""
    kit = html[html.index('<section class="kit"'):]
    kit = kit[: kit.index("</section>")]
    links = {name: unescape(href) for name, href in re.findall(r'<a class="([\w-]+)" href="([^"]+)"', kit)}
    links["feed-url"] = unescape(re.search(r'class="feed-url"[^>]* value="([^"]+)"', kit)[1])
    links["copy"] = unescape(re.search(r'data-copy="([^"]+)"', kit)[1])
    return links


def test_every_kit_link_points_at_the_running_port(unconfigured_server: str) -> None:
    http = requests.Session()
    http.trust_env = False
    base = unconfigured_server
    html = http.get(base + CONF, timeout=10).text
    links = kit_links(html)
    feed = f"{base}{CONF}.ics"
    assert links["feed-url"] == links["copy"] == feed
    assert links["webcal"] == feed.replace("http:", "webcal:", 1)
    assert links["download"] == feed + "?download=1"
    assert links["google"] == "https://calendar.google.com/calendar/r?cid=" + quote(links["webcal"], safe="")
    for key in ("outlook-com", "outlook-365"):
        assert unquote(links[key]).split("url=", 1)[1].startswith(feed + "&name=")
    assert f"QR code: {links['webcal']}" in html
    download = http.get(links["download"], timeout=10)
    assert download.status_code == 200 and download.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    api = http.get(f"{base}/api/conferences", timeout=10).json()["conferences"][0]
    assert api["ics_url"] == feed and api["page_url"] == base + CONF
    assert http.get(f"{base}/api/openapi.json", timeout=10).json()["servers"] == [{"url": base}]


def test_a_loopback_address_is_named_with_the_fix(unconfigured_server: str) -> None:
    html = requests.get(unconfigured_server + CONF, timeout=10, proxies={"http": "", "https": ""}).text
    note = unescape(re.search(r'<p class="warning reach">([^<]+)</p>', html)[1])
    assert note.startswith(f"This service answers at {unconfigured_server}, a loopback address: Google Calendar and Outlook")
    assert "cannot reach it" in note and 'base_url = "https://calendar.example.org"' in note
    assert "CALSYNC_BASE_URL=https://calendar.example.org" in note


@pytest.mark.parametrize("host, reason", [
    ("192.168.1.20:8080", "a private address"),
    ("10.0.0.5", "a private address"),
    ("calsync.local", "a local network name"),
    ("cal.example.org", None),
])
def test_the_note_names_private_addresses_only(tmp_path: Path, host: str, reason: str | None) -> None:
    client = create_app(make_test_config(tmp_path)).test_client()
    html = client.get(CONF, headers={"Host": host}).get_data(as_text=True)
    assert kit_links(html)["feed-url"] == f"http://{host}{CONF}.ics"
    found = re.search(r'<p class="warning reach">([^<]+)</p>', html)
    assert (unescape(found[1]).split(": Google")[0] if found else None) == (
        f"This service answers at http://{host}, {reason}" if reason else None
    )


def test_forwarded_headers_count_only_with_proxy_fix_hops(tmp_path: Path) -> None:
    forwarded = {"X-Forwarded-Host": "cal.example.org", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    trusting = create_app(make_test_config(tmp_path, proxy_fix_hops=1)).test_client()
    body = trusting.get("/api/conferences", headers=forwarded).get_json()["conferences"][0]
    assert body["ics_url"] == f"https://cal.example.org{CONF}.ics"
    html = trusting.get(CONF, headers=forwarded).get_data(as_text=True)
    assert kit_links(html)["webcal"] == f"webcal://cal.example.org{CONF}.ics" and 'class="warning reach"' not in html
    untrusting = create_app(make_test_config(tmp_path, proxy_fix_hops=0)).test_client()
    body = untrusting.get("/api/conferences", headers=forwarded).get_json()["conferences"][0]
    assert body["ics_url"] == f"http://localhost{CONF}.ics"


def test_a_configured_base_url_wins_over_the_request(tmp_path: Path) -> None:
    config = replace(make_test_config(tmp_path), base_url="https://feeds.example.net")
    client = create_app(config).test_client()
    body = client.get("/api/conferences", headers={"Host": "10.1.2.3:9999"}).get_json()["conferences"][0]
    assert body["ics_url"] == f"https://feeds.example.net{CONF}.ics"
    html = client.get(CONF, headers={"Host": "10.1.2.3:9999"}).get_data(as_text=True)
    assert kit_links(html)["feed-url"] == f"https://feeds.example.net{CONF}.ics" and "warning reach" not in html
