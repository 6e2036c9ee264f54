"""Issue 12 through the service: the single-talk endpoint's options and errors, UIDs per conference,
CREATED from the first import, empty filtered feeds, zones described for people.

Real parts: the Flask app on a fresh SQLite file with the sample conference.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources

import icalendar

from calsync.parse import PageOptions, parse_page
from calsync.web import SAMPLE_SLUG

CONF = f"/conferences/{SAMPLE_SLUG}"


def events(body: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def first_talk(client) -> dict:
    return client.get(f"/api{CONF}/talks").get_json()["talks"][0]


def test_single_talk_feed_takes_the_feeds_options(client) -> None:
    talk = first_talk(client)
    url = f"{CONF}/talks/{talk['id']}.ics"
    plain = client.get(url)
    assert plain.status_code == 200 and b"BEGIN:VALARM" not in plain.data
    alarmed = client.get(url + "?alarm=10")
    assert alarmed.status_code == 200
    (event,) = events(alarmed.data)
    (alarm,) = event.walk("VALARM")
    assert alarm["TRIGGER"].dt == -timedelta(minutes=10)
    short = client.get(url + "?abstracts=0")
    (event,) = events(short.data)
    assert str(event["UID"]).endswith(f".{SAMPLE_SLUG}.short@calsync.invalid")


def test_single_talk_feed_refuses_bad_options_like_the_other_feeds(client) -> None:
    talk = first_talk(client)
    for query in ("?alarm=abc", "?foo=1", "?alarm=-5"):
        answer = client.get(f"{CONF}/talks/{talk['id']}.ics{query}")
        other = client.get(f"{CONF}.ics{query}")
        assert answer.status_code == other.status_code == 400, query
        assert answer.get_data(as_text=True) == other.get_data(as_text=True)


def test_uids_name_the_conference_and_created_is_the_first_import(app, client) -> None:
    store = app.extensions["calsync"]["store"]
    page = next(p for p in resources.files("calsync.samples").iterdir() if p.name.startswith("icil2026_05"))
    schedule = parse_page(page.read_text(encoding="utf-8"), PageOptions(year=2026))
    first = datetime(2026, 3, 1, 12, tzinfo=UTC)
    store.ensure_conference("copy-2026", "Copy", "Europe/Vienna", 2026, first)
    store.import_schedule("copy-2026", schedule, first)
    store.import_schedule("copy-2026", schedule, first + timedelta(days=3))  # unchanged: CREATED stays
    here = {str(e["UID"]) for e in events(client.get(f"{CONF}.ics?view=talks").data)}
    there = events(client.get("/conferences/copy-2026.ics?view=talks").data)
    assert there and not here & {str(e["UID"]) for e in there}
    assert all(str(e["UID"]).endswith(".copy-2026@calsync.invalid") for e in there)
    assert {e["CREATED"].dt for e in there} == {first}


def test_a_filter_that_matches_nothing_still_gives_a_component(client) -> None:
    answer = client.get(f"{CONF}.ics?q=zzzzqqqq")
    assert answer.status_code == 200
    cal = icalendar.Calendar.from_ical(answer.data)
    assert not list(cal.walk("VEVENT")) and len(list(cal.walk("VTIMEZONE"))) == 1
    assert str(cal["X-WR-CALDESC"]).endswith("Nothing matches this feed right now.")
