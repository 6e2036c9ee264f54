"""The service over HTTP: feeds and their headers, filters, errors, custom feeds, JSON API.

Flask's test client; the icscheck client checks against a real server on 127.0.0.1 are
tests/system/test_live_feeds.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from helpers import make_test_config

from calsync.config import LimitsConfig
from calsync.parse import PageOptions, parse_page
from calsync.web import SAMPLE_SLUG, create_app

CONF = f"/conferences/{SAMPLE_SLUG}"


def events(body: bytes) -> list[icalendar.Event]:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def item_id(uid: object) -> str:
    """The talk or session id of an event's UID (``<id>[.<conference>][.short]@<host>``; ids have no dots)."""
    return str(uid).split("@", 1)[0].split(".", 1)[0]


def assert_alarms(cal: icalendar.Calendar, minutes: int) -> None:
    """Every event that blocks time (not TRANSP:TRANSPARENT, as breaks are) has one alarm ``minutes`` before; no other has."""
    for event in cal.walk("VEVENT"):
        alarms = event.walk("VALARM")
        busy = str(event.get("TRANSP", "OPAQUE")) != "TRANSPARENT"
        assert len(alarms) == int(busy), event["UID"]
        assert all(a["TRIGGER"].dt == timedelta(minutes=-minutes) for a in alarms)
    assert cal.walk("VALARM")


def api_talks(client, query: str = "") -> list[dict]:
    return client.get(f"/api{CONF}/talks{query}").get_json()["talks"]


def test_healthz_reports_store(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["store"]["database"] == "ok" and body["store"]["conferences"] == 1


def test_index_and_conference_page(client) -> None:
    assert SAMPLE_SLUG.encode() in client.get("/").data
    page = client.get(CONF)
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    html = page.get_data(as_text=True)
    assert "Strauss Hall A" in html and "calendar.google.com/calendar/r?cid=webcal%3A%2F%2F" in html
    assert "outlook.live.com/calendar/0/addfromweb?url=" in html and "outlook.office.com" in html
    assert "<svg" in html and "refreshes subscribed feeds only every several hours" in html
    assert "Feed size:" not in html  # the page does not render the feed; the kit's own URL does
    kit = client.get(f"{CONF}/kit?type=Oral").get_data(as_text=True)
    assert "Feed size:" in kit and f"{CONF}.ics?type=Oral" in kit


def test_conference_feed_headers(client) -> None:
    response = client.get(f"{CONF}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=3600" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["ETag"].startswith('"') and response.headers["Last-Modified"]
    cal = icalendar.Calendar.from_ical(response.data)
    assert len(cal.walk("VEVENT")) == 5  # sessions view by default
    assert cal["X-WR-TIMEZONE"] == "Europe/Vienna"


def test_etag_and_last_modified_give_304_and_head_works(client) -> None:
    first = client.get(f"{CONF}.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get(f"{CONF}.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    since = client.get(f"{CONF}.ics", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    head = client.head(f"{CONF}.ics")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag
    assert client.get(f"{CONF}.ics").data == first.data  # same bytes, same ETag


def test_download_has_safe_attachment_name(client) -> None:
    response = client.get(f"{CONF}.ics?download=1")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ICIL-2026-International-Conference-on-Invented-Learning-sample.ics"')
    assert "filename*=UTF-8''" in disposition


def test_filters_on_feed(client) -> None:
    body = client.get(f"{CONF}.ics?type=Oral&view=talks").data
    found = events(body)
    orals = [t for t in api_talks(client) if t["type"] == "Oral"]
    assert len(found) == len(orals) > 0
    assert all(e["CATEGORIES"].cats == ["Oral"] for e in found)
    day = client.get(f"{CONF}.ics?view=talks&day=2026-07-15").data
    assert {e["DTSTART"].dt.date().isoformat() for e in events(day)} == {"2026-07-15"}
    alarm = client.get(f"{CONF}.ics?view=both&alarm=15").data
    cal = icalendar.Calendar.from_ical(alarm)
    assert len(cal.walk("VEVENT")) == 5 + len(api_talks(client))
    assert_alarms(cal, 15)
    small = client.get(f"{CONF}.ics?view=talks&abstracts=0").data
    big = client.get(f"{CONF}.ics?view=talks").data
    assert len(small) < len(big)


@pytest.mark.parametrize(
    "query, word",
    [("day=2026-13-01", "day"), ("day=tomorrow", "day"), ("alarm=-5", "alarm"), ("view=list", "view"),
     ("colour=red", "colour"), ("abstracts=maybe", "abstracts")],
)
def test_malformed_filters_are_400_with_message(client, query: str, word: str) -> None:
    response = client.get(f"{CONF}.ics?{query}")
    assert response.status_code == 400
    assert response.content_type.startswith("text/plain") and word in response.get_data(as_text=True)
    api = client.get(f"/api{CONF}/talks?{query}")
    assert api.status_code == 400 and word in api.get_json()["error"]


def test_session_and_talk_feeds(client) -> None:
    sessions = client.get(f"/api{CONF}/sessions").get_json()["sessions"]
    session = sessions[0]
    assert session["ics_url"].endswith(f"/sessions/{session['id']}.ics")
    feed = client.get(f"{CONF}/sessions/{session['id']}.ics")
    assert len(events(feed.data)) == len(session["talks"])
    assert len(events(client.get(f"{CONF}/sessions/{session['id']}.ics?view=sessions").data)) == 1
    assert len(events(client.get(f"{CONF}/sessions/{session['id']}.ics?view=both").data)) == len(session["talks"]) + 1
    talk = session["talks"][0]
    one = client.get(f"{CONF}/talks/{talk['id']}.ics")
    assert one.headers["Content-Disposition"].startswith("attachment;")
    (event,) = events(one.data)
    assert str(event["UID"]) == f"{talk['id']}.{SAMPLE_SLUG}@calsync.invalid"
    assert "Add to Google" in client.get(f"{CONF}/sessions/{session['id']}").get_data(as_text=True)


def test_unknown_ids_are_404_in_each_form(client) -> None:
    assert client.get("/conferences/nope.ics").status_code == 404
    assert client.get(f"{CONF}/sessions/nope.ics").status_code == 404
    assert client.get(f"{CONF}/talks/nope.ics").status_code == 404
    api = client.get("/api/conferences/nope/talks")
    assert api.status_code == 404 and api.get_json()["error"] == "no conference 'nope'"
    page = client.get("/conferences/nope")
    assert page.status_code == 404 and b"no conference" in page.data and b"Traceback" not in page.data


def test_api_lists_ids_and_ics_urls(client) -> None:
    conferences = client.get("/api/conferences").get_json()["conferences"]
    assert conferences[0]["slug"] == SAMPLE_SLUG and conferences[0]["ics_url"].endswith(f"{CONF}.ics")
    for session in client.get(f"/api{CONF}/sessions").get_json()["sessions"]:
        assert session["id"] and session["ics_url"]
        for talk in session["talks"]:
            assert talk["id"] and talk["ics_url"].endswith(f"/talks/{talk['id']}.ics")
            assert set(talk) >= {"start", "end", "type", "title", "authors", "abstract"}
    orals = api_talks(client, "?type=Oral")
    assert orals and all(t["type"] == "Oral" for t in orals)


def create_feed(client, **body) -> dict:
    response = client.post("/api/feeds", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_custom_feed_lifecycle(client) -> None:
    talks = api_talks(client)
    created = create_feed(client, name="My, picks; here", talk_ids=[talks[0]["id"], talks[5]["id"]])
    token, key = created["token"], created["edit_key"]
    assert len(token) >= 22 and len(key) >= 22 and token != key  # ≥ 128 bits each
    assert created["ics_url"] == f"http://localhost/feeds/{token}.ics"  # the request's host: no base_url set
    assert created["webcal_url"] == f"webcal://localhost/feeds/{token}.ics"
    assert created["edit_url"].endswith(f"/feeds/{token}/edit#key={key}")
    path = f"/feeds/{token}.ics"
    feed = client.get(path)
    assert "private" in feed.headers["Cache-Control"] and "Access-Control-Allow-Origin" not in feed.headers
    assert {item_id(e["UID"]) for e in events(feed.data)} == {talks[0]["id"], talks[5]["id"]}
    assert b"X-WR-CALNAME:My\\, picks\\; here" in feed.data

    body = {"name": "Renamed", "talk_ids": [talks[1]["id"]]}
    assert client.put(f"/api/feeds/{token}", json=body).status_code == 401
    assert client.put(f"/api/feeds/{token}", json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    updated = client.put(f"/api/feeds/{token}", json=body, headers={"Authorization": f"Bearer {key}"})
    assert updated.status_code == 200 and updated.get_json()["ics_url"] == created["ics_url"]
    after = client.get(path)
    assert {item_id(e["UID"]) for e in events(after.data)} == {talks[1]["id"]}
    assert after.headers["ETag"] != feed.headers["ETag"]

    rotated = client.post(f"/api/feeds/{token}/rotate", headers={"Authorization": f"Bearer {key}"}).get_json()
    assert rotated["token"] != token and client.get(path).status_code == 404
    assert client.get(f"/feeds/{rotated['token']}.ics").status_code == 200
    assert client.delete(f"/api/feeds/{rotated['token']}", headers={"Authorization": f"Bearer {key}"}).status_code == 204
    assert client.get(f"/feeds/{rotated['token']}.ics").status_code == 404


def test_custom_feed_with_sessions_and_filter(client) -> None:
    sessions = client.get(f"/api{CONF}/sessions").get_json()["sessions"]
    created = create_feed(client, name="Mix", session_ids=[sessions[1]["id"]], filter={"type": ["Invited Talk"]}, alarm=10)
    uids = {item_id(e["UID"]) for e in events(client.get(f"/feeds/{created['token']}.ics").data)}
    invited = {t["id"] for t in api_talks(client, "?type=Invited+Talk")}
    session_talks = {t["id"] for t in sessions[1]["talks"]}
    assert invited and uids == invited | session_talks
    assert_alarms(icalendar.Calendar.from_ical(client.get(f"/feeds/{created['token']}.ics").data), 10)


@pytest.mark.parametrize(
    "body, status, word",
    [
        ({"name": "x"}, 400, "give talk_ids"),
        ({"name": "", "talk_ids": ["a"]}, 400, "name"),
        ({"name": "x", "talk_ids": "abc"}, 400, "list"),
        ({"name": "x", "talk_ids": ["nope"]}, 404, "unknown"),
        ({"name": "x", "talk_ids": ["a"], "bogus": 1}, 400, "unknown field"),
        ({"name": "x", "filter": {"day": "someday"}}, 400, "day"),
        ({"name": "x", "talk_ids": ["a"], "alarm": -1}, 400, "alarm"),
        ({"name": "x", "talk_ids": ["a"], "view": "grid"}, 400, "view"),
    ],
)
def test_bad_feed_bodies(client, body: dict, status: int, word: str) -> None:
    response = client.post("/api/feeds", json=body)
    assert response.status_code == status and word in response.get_json()["error"]


def test_malformed_json_oversized_and_too_many_ids(tmp_path: Path) -> None:
    app = create_app(make_test_config(tmp_path, limits=LimitsConfig(max_body_bytes=2000, max_feed_items=3, cache_check_seconds=0)))
    client = app.test_client()
    bad = client.post("/api/feeds", data="{not json", content_type="application/json")
    assert bad.status_code == 400 and "malformed JSON" in bad.get_json()["error"]
    huge = client.post("/api/feeds", data="x" * 5000, content_type="application/json")
    assert huge.status_code == 400 and "too large" in huge.get_json()["error"]
    many = client.post("/api/feeds", json={"name": "x", "talk_ids": ["a", "b", "c", "d"]})
    assert many.status_code == 400 and "too many ids" in many.get_json()["error"]


def test_feed_creation_is_rate_limited(tmp_path: Path) -> None:
    app = create_app(make_test_config(tmp_path, limits=LimitsConfig(feed_creations_per_hour=2, cache_check_seconds=0)))
    client = app.test_client()
    talk = client.get(f"/api{CONF}/talks").get_json()["talks"][0]["id"]
    codes = [client.post("/api/feeds", json={"name": "x", "talk_ids": [talk]}).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_user_text_is_escaped_in_html(client) -> None:
    talk = api_talks(client)[0]["id"]
    created = create_feed(client, name="<script>alert(1)</script>", talk_ids=[talk])
    page = client.get(f"/feeds/{created['token']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_reimport_changes_reach_the_feed(app, client) -> None:
    store = app.extensions["calsync"]["store"]
    from importlib import resources

    page = next(p for p in resources.files("calsync.samples").iterdir() if p.name.startswith("icil2026_05"))
    text = page.read_text(encoding="utf-8")
    before = client.get(f"{CONF}.ics?view=talks")
    later = datetime.now(UTC) + timedelta(hours=1)
    report = store.import_schedule(SAMPLE_SLUG, parse_page(text, PageOptions(year=2026)), later)
    assert not report.touched
    assert client.get(f"{CONF}.ics?view=talks").data == before.data  # unchanged: same bytes
    moved = text.replace("13:30 - 13:50", "13:40 - 14:00", 1)
    report = store.import_schedule(SAMPLE_SLUG, parse_page(moved, PageOptions(year=2026)), later)
    assert len(report.changed) == 1
    after = client.get(f"{CONF}.ics?view=talks")
    assert after.headers["ETag"] != before.headers["ETag"]
    changed = {item_id(e["UID"]): e for e in events(after.data)}[report.changed[0]]
    assert changed["SEQUENCE"] == 1 and changed["DTSTART"].dt.strftime("%H:%M") == "13:40"
    assert changed["LAST-MODIFIED"].dt == later.replace(microsecond=0)


def test_concurrent_first_requests_render_once(app) -> None:
    """Single flight: eight threads ask for the same cold feed; it is built once."""
    import threading

    service = app.extensions["calsync"]["service"]
    renders: list[str] = []
    service.observe_render = lambda kind, _seconds: renders.append(kind)
    from calsync.filters import FeedQuery

    barrier = threading.Barrier(8)
    bodies: list[bytes] = []

    def ask() -> None:
        barrier.wait()
        bodies.append(service.conference_feed(SAMPLE_SLUG, FeedQuery(view="both", alarm=7)).body)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert renders == ["conference"] and len(set(bodies)) == 1 and len(bodies) == 8


def test_weak_and_listed_etags_match(client) -> None:
    etag = client.get(f"{CONF}.ics").headers["ETag"]
    assert client.get(f"{CONF}.ics", headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(f"{CONF}.ics", headers={"If-None-Match": '"other"'}).status_code == 200
