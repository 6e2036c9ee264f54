"""The schedule formats and the feeds of changes over HTTP (Flask's test client, a real SQLite file):
validated documents, ETag/Last-Modified/304/HEAD like the feeds, custom feeds, plain-text errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta
from importlib import resources

import feedparser
import pytest
from test_exports import json_errors, json_events, xml_errors, xml_events

from calsync.clock import utcnow
from calsync.model import Schedule
from calsync.parse import PageOptions, parse_pages
from calsync.web import SAMPLE_SLUG

CONF = f"/conferences/{SAMPLE_SLUG}"


def sample_pages() -> Schedule:
    files = sorted(p for p in resources.files("calsync.samples").iterdir() if p.name.endswith(".txt"))
    return parse_pages([(p.read_text(encoding="utf-8"), PageOptions(year=2026, source=p.name)) for p in files])


def move_one_talk(app, minutes: int = 60) -> tuple[str, str]:
    """Re-import the sample with the second talk of its second session later by ``minutes``; its title and session id."""
    schedule = sample_pages()
    sessions = list(schedule.sessions)
    session = sessions[1]
    talk = session.talks[1]
    shift = timedelta(minutes=minutes)
    moved = replace(talk, start=talk.start + shift, end=(talk.end or talk.start) + shift)
    sessions[1] = replace(session, talks=(session.talks[0], moved, *session.talks[2:]))
    report = app.extensions["calsync"].store.import_schedule(SAMPLE_SLUG, replace(schedule, sessions=tuple(sessions)), utcnow())
    assert len(report.changed) == 1 and not report.created and not report.removed
    assert talk.title is not None
    return talk.title, session.id


def new_feed(client, **body: object) -> str:
    response = client.post("/api/feeds", json={"name": "Mine", **body})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["token"])


def test_the_blueprint_is_registered(app) -> None:
    assert "exports" in app.blueprints


@pytest.mark.parametrize("kind", ["xml", "json"])
def test_conference_schedules_validate_with_the_feeds_validators(client, kind: str) -> None:
    response = client.get(f"{CONF}/schedule.{kind}")
    assert response.status_code == 200
    assert response.content_type == f"application/{kind}; charset=utf-8"
    errors = xml_errors(response.data) if kind == "xml" else json_errors(response.data)
    assert errors == []
    events = xml_events(response.data) if kind == "xml" else json_events(response.data)
    talks = client.get(f"/api{CONF}/talks").get_json()["talks"]
    assert len(events) == len(talks) == 34
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert etag.startswith('"') and response.headers["Cache-Control"].startswith("public, max-age=")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get(f"{CONF}/schedule.{kind}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    since = client.get(f"{CONF}/schedule.{kind}", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    head = client.head(f"{CONF}/schedule.{kind}")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag


def test_a_moved_talk_changes_its_event_the_etag_and_the_feed_of_changes(app, client) -> None:
    xml, js = client.get(f"{CONF}/schedule.xml"), client.get(f"{CONF}/schedule.json")
    atom = client.get(f"{CONF}/changes.atom")
    assert atom.status_code == 200 and atom.content_type == "application/atom+xml; charset=utf-8"
    assert feedparser.parse(atom.data).entries == []  # the sample's first import is no change
    title, _ = move_one_talk(app)
    xml2, js2 = client.get(f"{CONF}/schedule.xml"), client.get(f"{CONF}/schedule.json")
    assert xml2.headers["ETag"] != xml.headers["ETag"] and js2.headers["ETag"] != js.headers["ETag"]
    assert client.get(f"{CONF}/schedule.xml", headers={"If-None-Match": xml.headers["ETag"]}).status_code == 200
    for before, after, events in ((xml, xml2, xml_events), (js, js2, json_events)):
        old, new = events(before.data), events(after.data)
        assert old.keys() == new.keys() and len([g for g in old if old[g] != new[g]]) == 1
    assert xml_errors(xml2.data) == [] and json_errors(js2.data) == []
    feed = feedparser.parse(client.get(f"{CONF}/changes.atom").data)
    assert not feed.bozo and len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.title == f"Moved: {title}"
    assert entry.summary == "Time: Tue 14 Jul 2026 11:20–11:40 → Tue 14 Jul 2026 12:20–12:40"
    assert feed.feed.links[0].href == f"http://localhost{CONF}/changes.atom"
    etag = client.get(f"{CONF}/changes.atom").headers["ETag"]
    assert client.get(f"{CONF}/changes.atom", headers={"If-None-Match": etag}).status_code == 304


def test_custom_feeds_have_their_own_schedules_and_changes(app, client) -> None:
    sessions = client.get(f"/api{CONF}/sessions").get_json()["sessions"]
    second, other = sessions[1], sessions[3]
    mine = new_feed(client, session_ids=[second["id"]])
    theirs = new_feed(client, session_ids=[other["id"]])
    response = client.get(f"/feeds/{mine}/schedule.json")
    assert response.status_code == 200 and json_errors(response.data) == []
    assert response.headers["Cache-Control"].startswith("private, max-age=") and "Access-Control-Allow-Origin" not in response.headers
    data = json.loads(response.data)
    assert data["schedule"]["conference"]["title"] == "Mine"
    assert sorted(e["title"] for e in json_events(response.data).values()) == sorted(t["title"] for t in second["talks"])
    xml = client.get(f"/feeds/{mine}/schedule.xml")
    assert xml.status_code == 200 and xml_errors(xml.data) == [] and len(xml_events(xml.data)) == len(second["talks"])
    assert ET.fromstring(xml.data).findtext("conference/url") == f"http://localhost/feeds/{mine}"
    assert client.get(f"/feeds/{mine}/schedule.xml", headers={"If-None-Match": xml.headers["ETag"]}).status_code == 304
    title, session_id = move_one_talk(app)
    assert session_id == second["id"]
    assert [e.title for e in feedparser.parse(client.get(f"/feeds/{mine}/changes.atom").data).entries] == [f"Moved: {title}"]
    assert feedparser.parse(client.get(f"/feeds/{theirs}/changes.atom").data).entries == []
    assert client.get(f"/feeds/{mine}/schedule.xml", headers={"If-None-Match": xml.headers["ETag"]}).status_code == 200


def test_errors_are_plain_text_with_their_status(client) -> None:
    missing = client.get("/conferences/no-such-conf/schedule.xml")
    assert missing.status_code == 404 and missing.content_type == "text/plain; charset=utf-8"
    assert missing.data == b"no conference 'no-such-conf'\n"
    assert client.get("/conferences/no-such-conf/changes.atom").status_code == 404
    assert client.get("/feeds/" + "A" * 32 + "/schedule.json").status_code == 404
    asked = client.get(f"{CONF}/schedule.json?type=Oral")
    assert asked.status_code == 400 and asked.data == b"this document takes no parameter; got type\n"
    assert client.post(f"{CONF}/schedule.json").status_code == 405


def test_documents_live_in_the_workers_byte_budget_and_go_with_their_version(app, client) -> None:
    """Schedules and change feeds are kept like the .ics feeds: one budget, tagged by data version."""
    service = app.extensions["calsync"].service
    for path in ("schedule.xml", "schedule.json", "changes.atom"):
        assert client.get(f"{CONF}/{path}").status_code == 200
    version = service.snapshot(SAMPLE_SLUG).conference.version

    def kept() -> dict[str, object]:
        return {str(k[1]): t for k, (_v, _c, t) in service.cache._entries.items() if isinstance(k, tuple) and k[0] == "export"}

    assert kept() == {kind: (SAMPLE_SLUG, version) for kind in ("xml", "json", "atom")}
    first = client.get(f"{CONF}/schedule.xml")
    assert len(kept()) == 3  # a hit: nothing new kept
    move_one_talk(app)
    service.config = replace(service.config, limits=replace(service.config.limits, cache_check_seconds=0))
    second = client.get(f"{CONF}/schedule.xml")
    assert second.data != first.data
    assert kept() == {"xml": (SAMPLE_SLUG, version + 1)}  # the older version's documents were dropped


def test_every_format_link_is_served(app, client) -> None:
    from calsync.web.exports import format_links

    token = new_feed(client, session_ids=[client.get(f"/api{CONF}/sessions").get_json()["sessions"][0]["id"]])
    for kwargs in ({"slug": SAMPLE_SLUG}, {"token": token}):
        with app.test_request_context("/"):
            links = format_links(**kwargs)
        assert [link["key"] for link in links] == ["ics", "xml", "json", "atom"]
        for link in links:
            assert link["url"].startswith("http://localhost/") and link["readers"]
            response = client.get(link["url"].removeprefix("http://localhost"))
            assert response.status_code == 200, link["url"]
            assert response.content_type.split(";")[0] == link["content_type"]
    with app.test_request_context("/"), pytest.raises(ValueError):
        format_links()


def test_a_custom_feed_hears_of_its_cancelled_talks(app, client) -> None:
    """A talk gone from its page is no longer in the feed, but its cancellation is in the feed's changes."""
    schedule = sample_pages()
    session = schedule.sessions[1]
    gone = session.talks[1]
    assert gone.type == "Oral" and gone.title is not None
    by_session = new_feed(client, session_ids=[session.id])
    by_filter = new_feed(client, filter={"type": ["Oral"]}, conference=SAMPLE_SLUG)
    by_other_type = new_feed(client, filter={"type": ["Break"]}, conference=SAMPLE_SLUG)
    sessions = list(schedule.sessions)
    sessions[1] = replace(session, talks=tuple(t for t in session.talks if t.id != gone.id))
    report = app.extensions["calsync"].store.import_schedule(SAMPLE_SLUG, replace(schedule, sessions=tuple(sessions)), utcnow())
    assert report.removed == [gone.id]
    for token in (by_session, by_filter):
        feed = feedparser.parse(client.get(f"/feeds/{token}/changes.atom").data)
        assert [e.title for e in feed.entries] == [f"Cancelled: {gone.title}"], token
        assert feed.entries[0].summary.startswith("Cancelled; it was Tue 14 Jul 2026 11:20–11:40")
    assert feedparser.parse(client.get(f"/feeds/{by_other_type}/changes.atom").data).entries == []
    events = json_events(client.get(f"/feeds/{by_session}/schedule.json").data)
    assert gone.title not in {e["title"] for e in events.values()} and len(events) == len(session.talks) - 1


def test_gzip_for_clients_that_ask_with_its_own_etag(client) -> None:
    import gzip

    plain = client.get(f"{CONF}/schedule.json")
    packed = client.get(f"{CONF}/schedule.json", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 3
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == packed.headers["Vary"] == "Accept-Encoding"
    again = client.get(f"{CONF}/schedule.json", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == packed.headers["ETag"]
