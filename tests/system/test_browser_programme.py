"""The attendee's pages in a real browser, on a desktop (1366×900) and a phone (390×844).

Playwright drives Debian's Chromium against :func:`conftest.live_server` (the sample
conference). Covered: the programme on load, day switching, search as you type, stars
surviving a filter change, a day change and a reload, My schedule → custom feed → edit
(same URL, new content), the talk page, and axe-core (``axe-playwright-python``) on every
page with no serious or critical violation. Screenshots of the main pages go to
``screenshots/`` (ignored by git). Feeds are fetched over HTTP and parsed with icalendar.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
try:
    from playwright import sync_api
except ImportError as exc:
    pytest.skip(f"browser tests need the 'playwright' Python package: {exc}", allow_module_level=True)
try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError as exc:
    pytest.skip(f"the accessibility checks need 'axe-playwright-python' (the test extras): {exc}", allow_module_level=True)
import icalendar  # noqa: E402
import requests  # noqa: E402

expect = sync_api.expect
SLUG = "icil-2026"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request) -> str:
    return request.param


@pytest.fixture
def page(browser, size: str, live_server) -> Iterator[object]:
    """A page of a fresh context at the size; fails the test on a JavaScript error or a failed request."""
    ctx = browser.new_context(viewport=SIZES[size], locale="en-GB", timezone_id="Asia/Tokyo",
                              permissions=["clipboard-read", "clipboard-write"], base_url=live_server.url,
                              is_mobile=size == "phone", has_touch=size == "phone")
    ctx.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    p = ctx.new_page()
    p.on("pageerror", lambda exc: errors.append(f"{p.url}: {exc}"))
    p.on("response", lambda r: r.status >= 400 and errors.append(f"{p.url}: HTTP {r.status} for {r.url}"))
    yield p
    ctx.close()
    assert not errors, errors


@pytest.fixture
def http() -> Iterator[requests.Session]:
    s = requests.Session()
    s.trust_env = False
    yield s
    s.close()


def api_talks(http, base: str, **params: str) -> list[dict]:
    r = http.get(f"{base}/api/conferences/{SLUG}/talks", params=params, timeout=10)
    r.raise_for_status()
    return r.json()["talks"]


def item_id(uid: object) -> str:
    """The talk or session id of an event's UID (``<id>[.<conference>][.short]@<host>``; ids have no dots)."""
    return str(uid).split("@", 1)[0].split(".", 1)[0]


def shown_talks(page) -> list[str]:
    return page.locator("#results li.talk").evaluate_all("els => els.map(e => e.dataset.talkId)")


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url}: {width} px wide"


def small_targets(page) -> list[str]:
    """Buttons, links of lists and form controls under 24×24 px (inline links in sentences are exempt)."""
    return page.evaluate("""() => [...document.querySelectorAll('button, select, input:not([type=hidden]), summary, nav a, ul.links a, .load a')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e, e.getBoundingClientRect()])
        .filter(([e, r]) => r.width < 24 || r.height < 24)
        .map(([e, r]) => `${e.tagName}.${e.className} ${Math.round(r.width)}x${Math.round(r.height)}`)""")


def accessible(page, name: str) -> None:
    """axe-core: no serious or critical violation."""
    results = Axe().run(page)
    bad = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"


def shoot(page, size: str, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))


def test_programme_on_load_and_day_switching(page, size, live_server, http) -> None:
    page.goto(f"/conferences/{SLUG}")
    tabs = page.locator("nav.days a")
    expect(tabs).to_have_count(2)
    expect(tabs.first).to_have_attribute("aria-current", "page")  # the conference is over: its first day
    day1 = {t["id"] for t in api_talks(http, live_server.url, day="2026-07-14")}
    assert set(shown_talks(page)) == day1
    first = page.locator("#results li.talk").first.bounding_box()
    assert first["y"] + 40 < SIZES[size]["height"], f"the first talk starts {first['y']} px down"
    no_horizontal_scroll(page)
    assert small_targets(page) == []
    shoot(page, size, "programme")
    accessible(page, "programme")

    page.evaluate("window.__same_page = true")
    tabs.nth(1).click()
    expect(page.locator("h2.day-heading")).to_have_text("Wednesday 15 July 2026")
    assert page.url.endswith("?day=2026-07-15") and page.evaluate("window.__same_page") is True
    assert set(shown_talks(page)) == {t["id"] for t in api_talks(http, live_server.url, day="2026-07-15")}
    # The viewer's own time (Tokyo) beside the conference's (Vienna).
    talk = api_talks(http, live_server.url, day="2026-07-15")[0]
    row = page.locator(f"li.talk[data-talk-id='{talk['id']}']")
    expect(row.locator(".local")).to_contain_text("your time")
    page.go_back()
    expect(page.locator("h2.day-heading")).to_have_text("Tuesday 14 July 2026")


def test_search_as_you_type(page, size, live_server, http) -> None:
    page.goto(f"/conferences/{SLUG}")
    page.evaluate("window.__same_page = true")
    box = page.locator("#q")
    box.press_sequentially("learn", delay=30)
    expected = {t["id"] for t in api_talks(http, live_server.url, q="learn")}
    assert 0 < len(expected) < 34
    expect(page.locator("#match-count")).to_contain_text(f"{len(expected)} talk")
    expect(page.locator("#results li.talk")).to_have_count(len(expected))
    assert set(shown_talks(page)) == expected and page.evaluate("window.__same_page") is True
    assert "q=learn" in page.url
    assert page.evaluate("document.activeElement.id") == "q"  # focus kept while typing
    page.locator("details.filters summary").click()
    page.locator("input[name=type][value=Oral]").check()
    both = {t["id"] for t in api_talks(http, live_server.url, q="learn", type="Oral")}
    expect(page.locator("#results li.talk")).to_have_count(len(both))
    assert "type=Oral" in page.url
    # The subscribe kit is of exactly these talks.
    page.locator("#subscribe > summary").click()
    feed_url = page.locator("#kit-box .feed-url")
    expect(feed_url).to_have_value(f"{live_server.url}/conferences/{SLUG}.ics?q=learn&type=Oral")
    expect(page.locator("#kit-box .feed-size")).to_be_visible()
    page.select_option("#kit-view", "talks")  # one event per talk; the feed URL follows
    expect(feed_url).to_have_value(f"{live_server.url}/conferences/{SLUG}.ics?q=learn&type=Oral&view=talks")
    expect(page.locator("#kit-view")).to_have_value("talks")
    assert page.locator("#kit-view option").all_inner_texts() == ["one per session (default)", "one per talk", "sessions and talks"]
    cal = icalendar.Calendar.from_ical(http.get(feed_url.input_value(), timeout=10).content)
    assert {item_id(e["UID"]) for e in cal.walk("VEVENT")} == both
    no_horizontal_scroll(page)
    accessible(page, "programme with a search")
    page.reload()  # the URL holds the state
    expect(page.locator("#q")).to_have_value("learn")
    expect(page.locator("#results li.talk")).to_have_count(len(both))


def test_stars_survive_filters_days_and_reloads(page, size, live_server, http) -> None:
    day1 = api_talks(http, live_server.url, day="2026-07-14")
    oral = next(t for t in day1 if t["type"] == "Oral")
    page.goto(f"/conferences/{SLUG}")
    star = page.locator(f"li.talk[data-talk-id='{oral['id']}'] button.star")
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".my-schedule-link [data-star-count]")).to_have_text("(1)")
    page.locator("details.filters summary").click()
    page.locator("input[name=type][value=Oral]").check()
    expect(page.locator(f"li.talk[data-talk-id='{oral['id']}'] button.star")).to_have_attribute("aria-pressed", "true")
    page.locator("nav.days a").nth(2).click()  # All days, Tue, Wed: to Wednesday
    expect(page.locator("h2.day-heading")).to_have_text("Wednesday 15 July 2026")
    page.locator("nav.days a").nth(1).click()
    expect(page.locator(f"li.talk[data-talk-id='{oral['id']}'] button.star")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator(f"li.talk[data-talk-id='{oral['id']}'] button.star")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".my-schedule-link [data-star-count]")).to_have_text("(1)")


def test_my_schedule_to_a_custom_feed_and_its_edit_page(page, size, live_server, http) -> None:
    talks = api_talks(http, live_server.url)
    first, parallel_free = talks[0], talks[5]
    later = next(t for t in reversed(talks) if t["abstract"])
    sessions = http.get(f"{live_server.url}/api/conferences/{SLUG}/sessions", timeout=10).json()["sessions"]
    whole = next(s for s in sessions if first["id"] not in {t["id"] for t in s["talks"]} and s["talks"])
    page.goto(f"/conferences/{SLUG}/schedule")
    expect(page.locator("#schedule-empty")).to_be_visible()
    expect(page.locator("#make-feed-button")).to_be_disabled()
    accessible(page, "empty schedule")
    page.goto(f"/conferences/{SLUG}/talks/{first['id']}")
    page.locator("button.star").click()
    page.goto(f"/conferences/{SLUG}/talks/{parallel_free['id']}")
    page.locator("button.star").click()
    page.goto(f"/conferences/{SLUG}/sessions/{whole['id']}")
    page.locator(".title-row button.star").click()
    page.locator("header.top .my-schedule-link").click()
    items = page.locator("#schedule-items li.item")
    expect(items).to_have_count(3)
    starts = items.evaluate_all("els => els.map(e => e.querySelector('time').dataset.start)")
    assert starts == sorted(starts)
    no_horizontal_scroll(page)
    shoot(page, size, "my-schedule")
    accessible(page, "my schedule")

    page.fill("#feed-name", "My <b>ICIL</b> picks")
    page.locator("#make-feed-button").click()
    made = page.locator("#made-feed")
    expect(made.locator("h3").first).to_have_text("Your feed “My <b>ICIL</b> picks” is ready")
    ics_url = made.locator("input.created-ics-url").input_value()
    edit_url = made.locator("input.created-edit").input_value()
    assert ics_url.startswith(f"{live_server.url}/feeds/") and "/edit#key=" in edit_url
    expect(made.locator(".keep-link")).to_contain_text("shown only now")
    copy = made.locator(".keep-link button.copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == edit_url  # "Copied" only when it was
    accessible(page, "my schedule with its new feed")
    cal = icalendar.Calendar.from_ical(http.get(ics_url, timeout=10).content)
    got = {item_id(e["UID"]) for e in cal.walk("VEVENT")}
    assert got == {first["id"], parallel_free["id"], *(t["id"] for t in whole["talks"])}

    page.goto(edit_url)
    expect(page.locator("#edit-nokey")).to_be_hidden()
    expect(page.locator("#edit-items li")).to_have_count(3)
    page.locator(f"#edit-items li[data-id='{first['id']}'] button.remove").click()
    page.locator("#add-search").press_sequentially(" ".join(later["title"].split()[:2]), delay=20)
    page.locator(f"#add-results li[data-id='{later['id']}'] button.add").click()
    page.select_option("#edit-alarm", "15")
    page.locator("#edit-save").click()
    expect(page.locator("#edit-status")).to_have_text("Saved: the feed URL is unchanged.")
    no_horizontal_scroll(page)
    shoot(page, size, "edit-feed")
    accessible(page, "edit page")
    cal = icalendar.Calendar.from_ical(http.get(ics_url, timeout=10).content)  # the same URL, new content
    got = {item_id(e["UID"]) for e in cal.walk("VEVENT")}
    assert got == {parallel_free["id"], later["id"], *(t["id"] for t in whole["talks"])}
    busy = [e for e in cal.walk("VEVENT") if str(e.get("TRANSP", "OPAQUE")) != "TRANSPARENT"]
    assert busy and all(len(e.walk("VALARM")) == 1 and e.walk("VALARM")[0]["TRIGGER"].dt == timedelta(minutes=-15) for e in busy)
    page.reload()
    expect(page.locator(f"#edit-items li[data-id='{later['id']}']")).to_have_count(1)
    page.goto(ics_url.removesuffix(".ics"))
    expect(page.locator("ol.feed-talks li")).to_have_count(len(got))
    accessible(page, "custom feed page")


def test_the_talk_page(page, size, live_server, http) -> None:
    talk = next(t for t in api_talks(http, live_server.url) if t["abstract"] and t["authors"])
    page.goto(f"/conferences/{SLUG}")
    page.locator(f"li.talk[data-talk-id='{talk['id']}'] a.title").click()
    expect(page.locator("h1")).to_have_text(talk["title"])
    expect(page.locator(".abstract-text")).to_have_text(talk["abstract"])
    expect(page.locator("dl.facts")).to_contain_text(talk["authors"][0])
    google = page.locator("ul.add-once a.google").get_attribute("href")
    assert google.startswith("https://calendar.google.com/calendar/render?action=TEMPLATE")
    ics = page.locator("ul.add-once a.ics").get_attribute("href")
    assert http.get(live_server.url + ics, timeout=10).headers["Content-Type"].startswith("text/calendar")
    no_horizontal_scroll(page)
    assert small_targets(page) == []
    shoot(page, size, "talk")
    accessible(page, "talk page")


def test_other_pages_are_accessible(page, size, live_server, http) -> None:
    session = http.get(f"{live_server.url}/api/conferences/{SLUG}/sessions", timeout=10).json()["sessions"][0]
    for path, name in [("/", "index"), (f"/conferences/{SLUG}/sessions/{session['id']}", "session")]:
        page.goto(path)
        no_horizontal_scroll(page)
        accessible(page, name)
        shoot(page, size, name)
    page.goto(f"/conferences/{SLUG}")
    page.locator("#subscribe > summary").click()
    expect(page.locator("#kit-box .feed-size")).to_be_visible()
    no_horizontal_scroll(page)
    accessible(page, "programme with the subscribe kit open")
    shoot(page, size, "subscribe")
