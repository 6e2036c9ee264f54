"""End-to-end tests in a real browser: the pages' JavaScript against the live app.

Playwright's sync API drives Debian's Chromium (``/usr/bin/chromium``, headless)
against :func:`conftest.live_server`; feeds are then fetched over real HTTP and
parsed with ``icalendar``. Skipped (with the reason) when Chromium or the
``playwright`` package is missing. Only loopback is used: no network needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )
try:
    from playwright import sync_api
except ImportError as exc:  # not installed, or installed but broken (e.g. greenlet)
    pytest.skip(
        f"browser tests need the 'playwright' Python package (pip install playwright): {exc}",
        allow_module_level=True,
    )
import icalendar  # noqa: E402  (after the skips above)
import requests  # noqa: E402

expect = sync_api.expect

SLUG = "icil-2026"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: A feed name that needs escaping in HTML (<, >, &) and in iCalendar TEXT (, ;).
NAME = "My <b>ICIL</b> & “picks”, day 1; v2"
SCREENSHOT = Path("/tmp/calsync-conference.png")
TIMEOUT_MS = 10_000


# -- fixtures and helpers -------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module (a fresh context per test)."""
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A requests session that ignores proxy settings (the server is on loopback)."""
    s = requests.Session()
    s.trust_env = False
    yield s
    s.close()


class Pages:
    """Opens pages in fresh contexts and records JavaScript errors of all of them."""

    def __init__(self, browser: object) -> None:
        self.browser = browser
        self.contexts: list[object] = []
        self.errors: list[str] = []

    def new(self, **context: object):
        ctx = self.browser.new_context(**{"locale": "en-GB", "timezone_id": "Europe/Vienna", **context})
        ctx.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                and self.errors.append(f"{page.url}: HTTP {r.status} for {r.url}"))
        return page


@pytest.fixture
def pages(browser: object) -> Iterator[Pages]:
    """Fresh browser contexts for one test; fails it on a JavaScript error or a failed request."""
    opened = Pages(browser)
    yield opened
    for ctx in opened.contexts:
        ctx.close()
    assert not opened.errors, f"JavaScript errors or failed requests: {opened.errors}"


def api_sessions(http: requests.Session, base: str) -> list[dict]:
    r = http.get(f"{base}/api/conferences/{SLUG}/sessions", timeout=10)
    r.raise_for_status()
    return r.json()["sessions"]


def api_talks(http: requests.Session, base: str, **params: str) -> list[dict]:
    r = http.get(f"{base}/api/conferences/{SLUG}/talks", params=params, timeout=10)
    r.raise_for_status()
    return r.json()["talks"]


def fetch_calendar(http: requests.Session, url: str):
    r = http.get(url, timeout=10)
    assert r.status_code == 200, (url, r.status_code, r.text[:500])
    assert r.headers["Content-Type"].startswith("text/calendar"), r.headers["Content-Type"]
    return icalendar.Calendar.from_ical(r.content)


def text(value) -> str:
    r"""A TEXT property value, unescaped (RFC 5545 3.3.11).

    ``icalendar`` knows ``X-WR-CALNAME`` only as ``vUnknown`` and keeps its
    escapes (``\,``, ``\;``), so undo them here as calendar clients do.
    """
    if isinstance(value, icalendar.prop.vText):
        return str(value)
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), str(value))


def calname(cal) -> str:
    return text(cal["X-WR-CALNAME"])


def events(cal) -> list:
    return [c for c in cal.walk("VEVENT")]


def uids(cal) -> list[str]:
    """The talk or session ids of the events (a UID is ``<id>[.<conference>][.short]@<host>``)."""
    return [str(ev["UID"]).split("@", 1)[0].split(".", 1)[0] for ev in events(cal)]


def categories(ev) -> list[str]:
    value = ev.get("CATEGORIES")
    if value is None:
        return []
    return [str(c) for v in (value if isinstance(value, list) else [value]) for c in v.cats]


def star_in_storage(page, talks: list[str], sessions: list[str]) -> None:
    """Stars as the pages keep them (localStorage), set on the conference's origin."""
    page.evaluate("([t, s]) => localStorage.setItem('calsync.stars.icil-2026', JSON.stringify({t: t, s: s}))", [talks, sessions])


# -- tests ----------------------------------------------------------------------


def test_create_feed_from_my_schedule(live_server, pages, http):
    sessions = api_sessions(http, live_server.url)
    whole = sessions[1]
    others = [t for s in sessions if s["id"] != whole["id"] for t in s["talks"]]
    talk_a, talk_b = others[0], others[-1]

    page = pages.new()
    page.goto(f"{live_server.url}/conferences/{SLUG}/schedule")
    star_in_storage(page, [talk_a["id"], talk_b["id"]], [whole["id"]])
    page.reload()
    expect(page.locator("#schedule-items li.item")).to_have_count(3)
    page.fill("#feed-name", NAME)
    page.click("#make-feed-button")

    created = page.locator("#made-feed .created-ics-url")
    expect(created).to_be_visible()
    ics_url = created.input_value()
    assert ics_url.startswith(f"{live_server.url}/feeds/") and ics_url.endswith(".ics"), ics_url
    token = ics_url.rsplit("/", 1)[1].removesuffix(".ics")
    edit_url = page.locator("#made-feed input.created-edit").input_value()
    assert edit_url.startswith(f"{live_server.url}/feeds/{token}/edit#key="), edit_url

    # The name is shown as text, never parsed as HTML.
    result = page.locator("#made-feed")
    assert result.locator("b").count() == 0
    assert NAME in result.inner_text()

    cal = fetch_calendar(http, ics_url)
    got = uids(cal)
    expected = {t["id"] for t in [talk_a, talk_b, *whole["talks"]]}
    assert len(got) == len(set(got)), f"duplicate UIDs: {got}"
    assert set(got) == expected
    assert calname(cal) == NAME
    unfolded = re.sub(r"\r\n[ \t]", "", http.get(ics_url, timeout=10).text)
    assert "\r\nX-WR-CALNAME:My <b>ICIL</b> & “picks”\\, day 1\\; v2\r\n" in unfolded


def test_nothing_starred_makes_no_feed(live_server, pages):
    page = pages.new()
    page.goto(f"{live_server.url}/conferences/{SLUG}/schedule")
    expect(page.locator("#make-feed-button")).to_be_disabled()
    expect(page.locator("#make-feed-status")).to_have_text("Star talks or sessions first.")


def test_edit_keeps_the_url_and_needs_the_key(live_server, pages, http):
    sessions = api_sessions(http, live_server.url)
    whole = sessions[1]
    others = [t for s in sessions if s["id"] != whole["id"] for t in s["talks"]]
    keep, drop, add = others[0], others[1], others[-1]
    r = http.post(f"{live_server.url}/api/feeds", timeout=10, json={
        "name": NAME, "conference": SLUG, "talk_ids": [keep["id"], drop["id"]], "session_ids": [whole["id"]],
    })
    assert r.status_code == 201, r.text
    created = r.json()
    ics_url, token, edit_url = created["ics_url"], created["token"], created["edit_url"]

    page = pages.new()
    page.goto(edit_url)
    expect(page.locator("#edit-nokey")).to_be_hidden()
    expect(page.locator("h1")).to_have_text(f"Edit “{NAME}”")  # as text, not HTML
    assert page.locator("h1 b").count() == 0
    expect(page.locator("#edit-name")).to_have_value(NAME)
    items = page.locator("#edit-items")
    expect(items.locator("li")).to_have_count(3)
    items.locator(f"li[data-id='{drop['id']}'] button.remove").click()
    star_in_storage(page, [add["id"]], [])
    page.click("#add-starred")
    expect(items.locator(f"li[data-id='{add['id']}']")).to_have_count(1)
    new_name = "Edited & <i>renamed</i>, again"
    page.fill("#edit-name", new_name)
    page.select_option("#edit-view", "both")
    page.click("#edit-save")
    expect(page.locator("#edit-status")).to_have_text("Saved: the feed URL is unchanged.")

    after = fetch_calendar(http, ics_url)  # the SAME URL
    talk_ids = {t["id"] for t in [keep, add, *whole["talks"]]}
    assert talk_ids <= set(uids(after)) and drop["id"] not in uids(after)
    assert calname(after) == new_name
    meta = http.get(f"{live_server.url}/api/feeds/{token}", timeout=10).json()
    assert meta["token"] == token and meta["ics_url"] == ics_url and meta["view"] == "both"
    assert set(meta["talk_ids"]) == {keep["id"], add["id"]} and meta["session_ids"] == [whole["id"]]

    # Without (or with a wrong) key nobody can change it.
    body = {"name": "Hijacked", "conference": SLUG, "talk_ids": [keep["id"]]}
    r = http.put(f"{live_server.url}/api/feeds/{token}", json=body, timeout=10)
    assert r.status_code == 401 and r.headers.get("WWW-Authenticate", "").startswith("Bearer")
    r = http.put(f"{live_server.url}/api/feeds/{token}", json=body, timeout=10, headers={"Authorization": "Bearer not-the-key"})
    assert r.status_code == 401, r.text

    # Reloaded, the edit page shows the saved state; without its key it refuses to save.
    page.reload()
    expect(page.locator("h1")).to_have_text(f"Edit “{new_name}”")
    expect(items.locator(f"li[data-id='{drop['id']}']")).to_have_count(0)
    page.goto(edit_url.split("#", 1)[0])
    expect(page.locator("#edit-nokey")).to_be_visible()
    expect(page.locator("#edit-save")).to_be_disabled()


def test_new_url_and_delete(live_server, pages, http):
    talk = api_talks(http, live_server.url)[0]
    created = http.post(f"{live_server.url}/api/feeds", timeout=10,
                        json={"name": "Rotate me", "conference": SLUG, "talk_ids": [talk["id"]]}).json()
    page = pages.new()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(created["edit_url"])
    page.click("#edit-rotate")
    page.wait_for_url(re.compile(r"/feeds/(?!" + created["token"] + r")[A-Za-z0-9_-]+/edit#key="))
    token = page.url.split("/feeds/", 1)[1].split("/", 1)[0]
    assert http.get(created["ics_url"], timeout=10).status_code == 404
    assert http.get(f"{live_server.url}/feeds/{token}.ics", timeout=10).status_code == 200
    page.click("#edit-delete")
    expect(page.locator("#danger-status")).to_have_text("Deleted.")
    assert http.get(f"{live_server.url}/feeds/{token}.ics", timeout=10).status_code == 404


def test_viewer_zone(live_server, pages, http):
    talks = api_talks(http, live_server.url)
    talk = next(t for t in talks if t["start"] == "2026-07-14T09:00:00+02:00")
    start = datetime.fromisoformat(talk["start"]).astimezone(ZoneInfo("Asia/Tokyo"))
    end = datetime.fromisoformat(talk["end"]).astimezone(ZoneInfo("Asia/Tokyo"))
    assert start.strftime("%H:%M") == "16:00"

    page = pages.new(timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/conferences/{SLUG}")
    row = page.locator(f"li.talk[data-talk-id='{talk['id']}']")
    expect(row.locator("time")).to_have_text("09:00–09:20")
    expect(row.locator(".local")).to_have_text(f" (Tue {start:%H:%M}–{end:%H:%M} your time)")
    expect(page.locator(".viewer-zone")).to_contain_text("Asia/Tokyo")
    page.screenshot(path=str(SCREENSHOT), full_page=True)  # for humans, not asserted

    same = pages.new(timezone_id="Europe/Vienna")
    same.goto(f"{live_server.url}/conferences/{SLUG}")
    expect(same.locator(f"li.talk[data-talk-id='{talk['id']}'] .local")).to_have_text("")  # nothing to add


def test_qr_code_is_not_clipped(live_server, pages):
    """The QR code is shown whole (it was once cropped by a CSS size without a viewBox)."""
    page = pages.new()
    page.goto(f"{live_server.url}/conferences/{SLUG}")
    page.click("#subscribe > summary")
    expect(page.locator("#kit-box .feed-size")).to_be_visible()  # the kit fetched with its size has replaced the first one
    geometry = page.locator("#kit-box .qr svg").evaluate(
        """svg => ({viewBox: svg.getAttribute("viewBox"), width: Number(svg.getAttribute("width")),
                   shown: svg.getBoundingClientRect().width})"""
    )
    # Either it scales (a viewBox) or it is shown at least at its own size.
    assert geometry["viewBox"] or geometry["shown"] >= geometry["width"], geometry
