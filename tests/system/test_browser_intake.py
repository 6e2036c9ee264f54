"""Adding a conference from the browser, and the organisers' pages, in a real browser.

Playwright's sync API drives Debian's Chromium (``/usr/bin/chromium``, headless) at 1366×900
and at 390×844 against the app on a real port of 127.0.0.1; a page is also served by a real
local HTTP server whose address the app's config lists (``fetch.allow_hosts``). Every page
visited is checked with axe-core (``axe-playwright-python``): no serious or critical
violation; none scrolls sideways on a phone. Screenshots go to ``$CALSYNC_SCREENSHOTS``
(default ``/tmp/calsync-screenshots``). Skipped, with the reason, without Chromium or the packages.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import PAGES, make_test_config, run_icscheck

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright import sync_api
except ImportError as exc:
    pytest.skip(f"browser tests need 'playwright' and 'axe-playwright-python' (pip install ...): {exc}",
                allow_module_level=True)
import requests  # noqa: E402
from pytest_httpserver import HTTPServer  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from calsync.config import FetchConfig  # noqa: E402

expect = sync_api.expect
TOKEN = "organisers-secret-0123456789"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SHOTS = Path(os.environ.get("CALSYNC_SCREENSHOTS", "/tmp/calsync-screenshots"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000
AXE = Axe()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def site(httpserver: HTTPServer) -> HTTPServer:
    """A conference site on 127.0.0.1 serving one session page."""
    httpserver.expect_request("/virtual/2023/session/42").respond_with_data(
        (PAGES / "icml_session_room.txt").read_text(encoding="utf-8"), content_type="text/plain; charset=utf-8")
    return httpserver


@pytest.fixture
def server(tmp_path: Path, site: HTTPServer) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, with the organisers' token and the local site allowed."""
    from calsync.web import create_app

    http = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
    config = make_test_config(tmp_path, admin_token=TOKEN,
                              fetch=FetchConfig(allow_hosts=(f"127.0.0.1:{site.port}",), retries=0))
    http.app = create_app(replace(config, base_url=f"http://127.0.0.1:{http.socket.getsockname()[1]}"))
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.socket.getsockname()[1]}"
    finally:
        http.shutdown()
        thread.join(timeout=10)


class Browsing:
    """Fresh contexts at one size; every visited page is checked (axe, no sideways scroll, no JS error)."""

    def __init__(self, browser: object, size: str) -> None:
        self.browser, self.size = browser, size
        self.errors: list[str] = []
        self.contexts: list[object] = []

    def page(self):
        ctx = self.browser.new_context(viewport=SIZES[self.size], locale="en-GB", timezone_id="Europe/Vienna")
        ctx.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        expected = ("status of 400", "status of 401", "status of 403", "status of 404", "status of 422")  # answers the test asks for
        page.on("console", lambda m: m.type == "error" and not any(e in m.text for e in expected)
                and self.errors.append(f"{page.url}: console: {m.text}"))
        page.on("dialog", lambda d: d.accept())
        return page

    def check(self, page, name: str) -> None:
        """axe-core: no serious or critical violation; no sideways scrolling; a screenshot."""
        results = AXE.run(page)
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name} at {self.size}: {bad}"
        width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert width <= 0, f"{name} at {self.size} scrolls sideways by {width} px"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{self.size}.png"), full_page=True)

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture(params=sorted(SIZES))
def browsing(request, browser: object) -> Iterator[Browsing]:
    b = Browsing(browser, request.param)
    yield b
    b.close()
    assert not b.errors, b.errors


def talks(server: str, slug: str) -> list[dict]:
    session = requests.Session()
    session.trust_env = False
    r = session.get(f"{server}/api/conferences/{slug}/talks", timeout=10)
    r.raise_for_status()
    return r.json()["talks"]


def test_add_by_paste_upload_and_url(server: str, site: HTTPServer, browsing: Browsing) -> None:
    page = browsing.page()
    # by paste, into a new conference: a bad page first (the problem names its line), then a good one
    page.goto(f"{server}/add")
    browsing.check(page, "add")
    page.get_by_label("Paste the page's text").fill((PAGES / "bad_time.txt").read_text(encoding="utf-8"))
    page.get_by_label("New conference's short name").fill("icml-2023")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="This page could not be read")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("Line 27: no such date: 32 July 2023")
    expect(page.locator("pre.excerpt mark")).to_contain_text("Thu 32 July 7:30 - 7:35 PDT")
    browsing.check(page, "add-problem")
    page.go_back()
    page.get_by_label("Paste the page's text").fill((PAGES / "icml_basic.txt").read_text(encoding="utf-8"))
    page.get_by_label("New conference's short name").fill("icml-2023")
    page.get_by_label("Its name").fill("ICML 2023")
    page.get_by_text("Reading options").click()
    page.get_by_label("Year", exact=True).fill("2023")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: 6 events")).to_be_visible()
    expect(page.locator("dd.report-kind")).to_have_text("session page")
    expect(page.locator("dd.report-year")).to_have_text("2023 (from the option)")
    expect(page.locator("dd.report-zone")).to_have_text("America/Los_Angeles (from the page)")
    expect(page.locator("ul.warnings")).to_contain_text("Line 51: slot has a time and nothing else")
    browsing.check(page, "add-preview")
    page.get_by_role("button", name="Add 6 events to icml-2023").click()
    expect(page.get_by_role("heading", name="Added to ICML 2023")).to_be_visible()
    expect(page.locator(".intake-summary")).to_have_text("6 new, 0 changed, 0 unchanged events.")
    expect(page.locator("input.feed-url")).to_have_value(f"{server}/conferences/icml-2023.ics")
    browsing.check(page, "add-done")
    assert len(talks(server, "icml-2023")) == 6

    # by upload, into the conference just made (chosen from the list; its zone is the context)
    page.get_by_role("link", name="Add another page to it").click()
    expect(page.get_by_label("Add to")).to_have_value("icml-2023")
    expect(page.get_by_label("New conference's short name")).to_be_hidden()
    page.get_by_label("Or upload a saved page").set_input_files(str(PAGES / "saved_page.html"))
    expect(page.locator("#intake-file-note")).to_contain_text("saved_page.html")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: 5 events")).to_be_visible()
    expect(page.locator(".intake-source")).to_have_text("saved_page.html")
    page.get_by_role("button", name="Add 5 events to icml-2023").click()
    expect(page.locator(".intake-summary")).to_have_text("5 new, 0 changed, 0 unchanged events.")
    assert len(talks(server, "icml-2023")) == 11

    # by URL, from the local site the config allows
    url = f"http://127.0.0.1:{site.port}/virtual/2023/session/42"
    page.goto(f"{server}/add?conference=icml-2023")
    page.get_by_label("Or give its address").fill(url)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: 7 events")).to_be_visible()
    expect(page.locator("dd.report-year")).to_have_text("2023 (from the url)")
    page.get_by_role("button", name="Add 7 events to icml-2023").click()
    expect(page.locator(".intake-summary")).to_have_text("7 new, 0 changed, 0 unchanged events.")
    assert len(talks(server, "icml-2023")) == 18

    # a URL on an address the config does not list is refused before any connection
    page.goto(f"{server}/add")
    page.get_by_label("Or give its address").fill("http://127.0.0.1:9/virtual/2023/session/1")
    page.get_by_label("New conference's short name").fill("elsewhere")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#intake-error")).to_contain_text("loopback")
    expect(page.get_by_label("Or give its address")).to_have_value("http://127.0.0.1:9/virtual/2023/session/1")

    if browsing.size == "desktop":  # the feeds of the conference made here pass the six client parsers
        for view in ("sessions", "talks"):
            report = run_icscheck(f"{server}/conferences/icml-2023.ics?view={view}")
            assert report["result"] == "PASS" and report["failures"] == 0 and report["warnings"] == 0, report["findings"]


def test_organiser_actions_with_and_without_the_token(server: str, site: HTTPServer, browsing: Browsing) -> None:
    page = browsing.page()
    for path in ("/admin", "/admin/conferences/icil-2026"):
        assert page.goto(f"{server}{path}").status == 404
    page.goto(f"{server}/admin/login")
    browsing.check(page, "admin-login")
    page.get_by_label("The organisers' token").fill("not-the-token-at-all")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("That is not the organisers' token.")
    assert page.goto(f"{server}/admin").status == 404

    page.goto(f"{server}/admin/login")
    page.get_by_label("The organisers' token").fill(TOKEN)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_have_text("Logged in.")
    browsing.check(page, "admin")
    cookie = next(c for c in page.context.cookies() if c["name"] == "calsync_admin")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # HttpOnly: no script reads it

    # edit the sample: name, zone and year; add a source on the local site; refresh now; remove it
    page.get_by_role("link", name="ICIL 2026").click()
    browsing.check(page, "admin-conference")
    page.get_by_label("Name", exact=True).fill("ICIL 2026 (renamed)")
    page.get_by_label("Time zone").fill("Asia/Tokyo")
    page.get_by_label("Year").fill("2023")  # the year of the source added below
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("ICIL 2026 (renamed)")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("timezone")
    url = f"http://127.0.0.1:{site.port}/virtual/2023/session/42"
    page.get_by_label("Add a source URL").fill(url)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Source added.")
    expect(page.locator(".source-url")).to_have_text(url)
    page.get_by_role("button", name="Refresh now").click()
    expect(page.get_by_role("status")).to_have_text("Refreshed: see each source's state below.")
    expect(page.locator("ul.admin-sources")).to_contain_text("7 talks")
    page.get_by_role("button", name=f"Remove the source {url}").click()
    expect(page.get_by_role("status")).to_have_text("Source removed.")
    expect(page.locator("ul.admin-sources")).to_have_count(0)

    # delete a conference (typed confirmation), then remove the sample
    page.goto(f"{server}/add")
    page.get_by_label("Paste the page's text").fill((PAGES / "icml_basic.txt").read_text(encoding="utf-8"))
    page.get_by_label("New conference's short name").fill("doomed")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Add 6 events to doomed").click()
    page.goto(f"{server}/admin/conferences/doomed")
    page.get_by_label("Type doomed to confirm").fill("doomed")
    page.get_by_role("button", name="Delete doomed").click()
    expect(page.get_by_role("status")).to_have_text("Conference deleted.")
    assert page.goto(f"{server}/conferences/doomed.ics").status == 404
    page.goto(f"{server}/admin")
    page.get_by_role("button", name="Remove the sample").click()
    expect(page.get_by_role("status")).to_have_text("The sample conference is removed.")
    assert page.goto(f"{server}/conferences/icil-2026.ics").status == 404

    page.goto(f"{server}/admin")
    page.get_by_role("button", name="Log out").click()
    assert page.goto(f"{server}/admin").status == 404
