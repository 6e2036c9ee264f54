"""Compact feeds (``compact=1``): short descriptions under their own UIDs, for conference,
session and custom feeds; X-WR-CALDESC names the time of the feed's last change.

Real renders of the sample conference (a SQLite file, Flask's test client); icscheck runs
the six client parsers on the compact variant (skipped when ../shared is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import assert_icscheck_clean, run_icscheck
from icalendar import Calendar
from test_exports_web import CONF, move_one_talk, new_feed

from calsync.exports.changes import last_change_note
from calsync.exports.compact import compact_talk_description
from calsync.web import SAMPLE_SLUG


def events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_compact_talk_events_carry_the_compact_description_under_their_own_uid(app, client) -> None:
    snap = app.extensions["calsync"]["service"].snapshot(SAMPLE_SLUG)
    full = client.get(f"{CONF}.ics?view=talks")
    compact = client.get(f"{CONF}.ics?view=talks&compact=1")
    assert compact.status_code == 200 and compact.mimetype == "text/calendar"
    found = events(compact.data)
    assert len(found) == len(events(full.data)) == sum(len(s.talks) for s in snap.sessions)
    for event in found:
        uid = str(event["UID"])
        assert uid.endswith(f".{SAMPLE_SLUG}.compact@calsync.invalid"), uid
        session, talk = snap.talk(uid.split(".", 1)[0])
        assert str(event["DESCRIPTION"]) == compact_talk_description(talk, session)
        assert not talk.abstract or talk.abstract not in str(event["DESCRIPTION"])
    abstracts = [t.abstract for s in snap.sessions for t in s.talks if t.abstract]
    assert abstracts and any(a in str(e["DESCRIPTION"]) for a in abstracts for e in events(full.data))
    assert len(compact.data) < len(full.data)
    # the UIDs differ from the full and the abstracts=0 variants, so clients take it as other events
    uids = {str(e["UID"]) for e in events(full.data)} | {str(e["UID"]) for e in events(client.get(f"{CONF}.ics?view=talks&abstracts=0").data)}
    assert uids.isdisjoint(str(e["UID"]) for e in found)


def test_compact_is_part_of_the_canonical_query_and_validated(client) -> None:
    assert client.get(f"{CONF}.ics?compact=true").data == client.get(f"{CONF}.ics?compact=1").data
    assert client.get(f"{CONF}.ics?compact=0").data == client.get(f"{CONF}.ics").data
    bad = client.get(f"{CONF}.ics?compact=maybe")
    assert bad.status_code == 400 and b"compact" in bad.data


@pytest.mark.parametrize("view", ["sessions", "talks", "both"])
def test_the_compact_variant_passes_icscheck(client, tmp_path: Path, view: str) -> None:
    path = tmp_path / f"compact-{view}.ics"
    path.write_bytes(client.get(f"{CONF}.ics?view={view}&compact=1").data)
    assert_icscheck_clean(run_icscheck(path))


def test_custom_feeds_take_compact(app, client) -> None:
    sessions = client.get(f"/api{CONF}/sessions").get_json()["sessions"]
    token = new_feed(client, session_ids=[sessions[1]["id"]])
    full = client.get(f"/feeds/{token}.ics")
    compact = client.get(f"/feeds/{token}.ics?compact=1")
    assert compact.status_code == 200 and len(compact.data) < len(full.data)
    assert all(str(e["UID"]).endswith(".compact@calsync.invalid") for e in events(compact.data))
    assert not any(str(e["UID"]).endswith(".compact@calsync.invalid") for e in events(full.data))
    assert client.get(f"/feeds/{token}.ics").data == full.data  # both variants stay valid side by side
    assert client.get(f"/feeds/{token}.ics?view=talks").status_code == 400


def caldesc(body: bytes) -> str:
    return str(Calendar.from_ical(body)["X-WR-CALDESC"])


def test_the_calendar_description_names_the_time_of_the_last_change(app, client) -> None:
    store = app.extensions["calsync"]["store"]
    sessions = client.get(f"/api{CONF}/sessions").get_json()["sessions"]
    token = new_feed(client, session_ids=[sessions[1]["id"]])
    zone = app.extensions["calsync"]["service"].snapshot(SAMPLE_SLUG).conference.timezone
    first = last_change_note(store.last_change_at(SAMPLE_SLUG), zone)
    assert first.startswith("Last change: ")
    assert caldesc(client.get(f"{CONF}.ics").data).endswith(" " + first)
    move_one_talk(app)
    moved = store.last_change_at(SAMPLE_SLUG)
    note = last_change_note(moved, zone)
    assert caldesc(client.get(f"{CONF}.ics").data).endswith(" " + note)
    assert caldesc(client.get(f"{CONF}/sessions/{sessions[1]['id']}.ics").data).endswith(" " + note)
    feed = store.get_feed(token)
    expected = last_change_note(max(moved, feed.modified), zone)
    assert caldesc(client.get(f"/feeds/{token}.ics").data).endswith(" " + expected)
