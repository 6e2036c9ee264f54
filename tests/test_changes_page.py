"""The "What changed" sections of the conference page and of a custom feed's page (Flask's test
client, a real SQLite file): a talk moved by re-importing shows with its old and new times."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

from test_exports_web import CONF, move_one_talk, new_feed, sample_pages

from calsync.exports.changes import when


def changes_section(html: str) -> str:
    """The text of the page's "What changed" section (tags dropped, whitespace collapsed)."""
    found = re.search(r'<section class="changes" id="changes".*?</section>', html, re.S)
    assert found is not None, "no What changed section"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


def moved_times() -> tuple[str, str]:
    """The old and new slot of the talk :func:`move_one_talk` moves, as the section words them."""
    session = sample_pages().sessions[1]
    talk = session.talks[1]
    zone = ZoneInfo(session.timezone)
    start, end = talk.start.astimezone(zone), (talk.end or talk.start).astimezone(zone)
    shift = timedelta(minutes=60)
    return when(start, end), when(start + shift, end + shift)


def test_the_conference_page_says_what_changed(app, client) -> None:
    html = client.get(CONF).get_data(as_text=True)
    assert changes_section(html) == (
        "What changed Moved, retitled, room changed, cancelled or added talks of the last 30 days, newest first · "
        "follow these changes (Atom feed) No change in the last 30 days."
    )
    assert f'href="http://localhost{CONF}/changes.atom"' in html or f'href="{CONF}/changes.atom"' in html
    title, _ = move_one_talk(app)
    old, new = moved_times()
    text = changes_section(client.get(CONF).get_data(as_text=True))
    assert f"Moved: {title}" in text
    assert f"Time: {old} → {new}" in text
    assert text.count("Moved:") == 1 and "No change in the last 30 days" not in text


def test_a_custom_feeds_page_says_what_changed_to_its_talks_only(app, client) -> None:
    sessions = client.get(f"/api{CONF}/sessions").get_json()["sessions"]
    mine = new_feed(client, session_ids=[sessions[1]["id"]])
    theirs = new_feed(client, session_ids=[sessions[3]["id"]])
    page = client.get(f"/feeds/{mine}").get_data(as_text=True)
    assert "No change in the last 30 days." in changes_section(page)
    assert f"/feeds/{mine}/changes.atom" in page
    title, _ = move_one_talk(app)
    old, new = moved_times()
    text = changes_section(client.get(f"/feeds/{mine}").get_data(as_text=True))
    assert f"Moved: {title}" in text and f"Time: {old} → {new}" in text
    assert "No change in the last 30 days." in changes_section(client.get(f"/feeds/{theirs}").get_data(as_text=True))
