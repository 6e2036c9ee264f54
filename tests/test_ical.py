"""Export: golden files byte for byte, determinism, an independent parser, client checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject
from helpers import FIXTURES, GOLDEN_OPTIONS, GOLDEN_STAMP, golden_calendar, parse_fixture
from test_parse_pages import GOOD_PAGES

from calsync.ical import (
    CalendarInfo,
    FeedOptions,
    Revision,
    build_talk_description,
    describe_schedule,
    render_calendar,
)


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0]


@pytest.mark.parametrize("name", GOOD_PAGES)
def test_golden_ics_byte_for_byte(name: str) -> None:
    expected = (FIXTURES / "golden" / f"{_stem(name)}.ics").read_bytes()
    assert golden_calendar(parse_fixture(name)) == expected


def test_rendering_twice_is_identical() -> None:
    schedule = parse_fixture("neurips_bare_moderators.txt")
    assert golden_calendar(schedule) == golden_calendar(parse_fixture("neurips_bare_moderators.txt"))


def test_event_order_does_not_depend_on_input_order() -> None:
    a, b = parse_fixture("icml_basic.txt"), parse_fixture("oldstyle.txt")
    info = CalendarInfo(name="x", description="y", timezone="UTC")
    one = render_calendar(a.sessions + b.sessions, info, lambda _i: GOLDEN_STAMP, GOLDEN_OPTIONS)
    two = render_calendar(b.sessions + a.sessions, info, lambda _i: GOLDEN_STAMP, GOLDEN_OPTIONS)
    assert one == two


def _vobject_events(data: bytes) -> dict[str, object]:
    cal = vobject.readOne(data.decode("utf-8"))
    return {ev.uid.value: ev for ev in cal.vevent_list}


@pytest.mark.parametrize("name", ["neurips_bare_moderators.txt", "timezone_line.txt", "utc_offset.txt", "overnight.txt"])
def test_round_trip_through_vobject(name: str) -> None:
    """An independent parser reads back every talk's instant, title, room and description."""
    schedule = parse_fixture(name)
    events = _vobject_events(golden_calendar(schedule))
    session = schedule.sessions[0]
    assert len(events) == len(session.talks) + 1
    for talk in session.talks:
        ev = events[f"{talk.id}@calsync.test"]
        assert ev.dtstart.value == talk.start  # aware datetimes compare as instants
        assert ev.dtend.value == (talk.end or talk.start + timedelta(minutes=30))
        assert ev.summary.value == (talk.title or f"Untitled slot ({session.title})")
        assert ev.description.value == build_talk_description(talk, session, GOLDEN_OPTIONS)
        assert ev.sequence.value == "0"
        assert ev.contents["related-to"][0].value == f"{session.id}@calsync.test"
        if session.location:
            assert ev.location.value == session.location


def test_calendar_properties_and_vtimezone_form() -> None:
    data = golden_calendar(parse_fixture("icml_session_room.txt"))
    cal = icalendar.Calendar.from_ical(data)
    assert cal["METHOD"] == "PUBLISH"
    assert cal["X-WR-CALNAME"] == "Probabilistic Inference and Uncertainty"
    assert cal["NAME"] == cal["X-WR-CALNAME"]
    assert cal["X-WR-TIMEZONE"] == "America/Los_Angeles"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in data
    (tz,) = cal.walk("VTIMEZONE")
    assert [c.name for c in tz.subcomponents] == ["STANDARD", "DAYLIGHT"] or [c.name for c in tz.subcomponents] == ["DAYLIGHT", "STANDARD"]
    rules = sorted(c["RRULE"].to_ical().decode() for c in tz.subcomponents)
    assert rules == ["FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"]
    assert b"RDATE" not in data


def test_description_is_plain_text_with_everything() -> None:
    schedule = parse_fixture("icml_room_hyphen.txt")
    session, talk = schedule.sessions[0], schedule.sessions[0].talks[0]
    text = build_talk_description(talk, session, FeedOptions())
    assert text.splitlines()[:5] == [
        "Authors: " + ", ".join(talk.authors),
        "Type: Spotlight",
        f"Session: {session.title}",
        "Moderators: " + ", ".join(session.moderators),
        "Room: Room 301 - 303",
    ]
    assert talk.abstract in text and "<" not in text
    without = build_talk_description(talk, session, FeedOptions(abstracts=False))
    assert talk.abstract not in without


def test_sequence_and_stamp_come_from_revision() -> None:
    schedule = parse_fixture("oldstyle.txt")
    revision = Revision(modified=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC), sequence=3)
    data = render_calendar(schedule.sessions, describe_schedule(schedule), lambda _i: revision, FeedOptions())
    assert data.count(b"SEQUENCE:3\r\n") == len(schedule.sessions[0].talks)
    assert data.count(b"DTSTAMP:20240506T070809Z\r\n") == len(schedule.sessions[0].talks)
    assert data.count(b"LAST-MODIFIED:20240506T070809Z\r\n") == len(schedule.sessions[0].talks)


def test_unpublished_end_gets_default_duration_and_note() -> None:
    from calsync.parse import PageOptions, parse_page

    schedule = parse_page("Posters\n\nWed 24 Jul 11:30 a.m. PDT\n\nPoster Session\nPoster Session 3\n", PageOptions(year=2024))
    talk = schedule.sessions[0].talks[0]
    assert talk.end is None
    data = render_calendar(schedule.sessions, describe_schedule(schedule), lambda _i: GOLDEN_STAMP, FeedOptions(default_duration=timedelta(minutes=45)))
    ev = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert ev["DTEND"].dt - ev["DTSTART"].dt == timedelta(minutes=45)
    assert "End time not published." in str(ev["DESCRIPTION"])


def test_alarm_option_adds_valarm() -> None:
    schedule = parse_fixture("oldstyle.txt")
    data = render_calendar(schedule.sessions, describe_schedule(schedule), lambda _i: GOLDEN_STAMP, FeedOptions(alarm_minutes=10))
    alarms = icalendar.Calendar.from_ical(data).walk("VALARM")
    assert len(alarms) == len(schedule.sessions[0].talks)
    assert alarms[0]["TRIGGER"].dt == timedelta(minutes=-10)


def test_text_with_commas_and_semicolons_is_escaped() -> None:
    schedule = parse_fixture("saved_page.html")
    data = golden_calendar(schedule)
    unfolded = data.replace(b"\r\n ", b"")
    assert b"?task=parity&n=40." in unfolded
    for line in unfolded.split(b"\r\n"):
        if line.startswith((b"SUMMARY", b"DESCRIPTION", b"LOCATION", b"X-WR-CAL", b"NAME")):
            body = line.split(b":", 1)[1]
            assert b";" not in body.replace(b"\\;", b""), line
            assert b"," not in body.replace(b"\\,", b""), line


def test_every_zone_used_gets_its_vtimezone_in_sessions_view() -> None:
    """Two sessions in two zones, several talks each: both VTIMEZONEs, whatever the view."""
    la, chicago = parse_fixture("icml_basic.txt"), parse_fixture("oldstyle.txt")
    sessions = la.sessions + chicago.sessions
    info = CalendarInfo(name="x", description="y", timezone="UTC")
    for options in (FeedOptions(talks=False, sessions=True), FeedOptions(sessions=True), FeedOptions()):
        data = render_calendar(sessions, info, lambda _i: GOLDEN_STAMP, options)
        zones = {str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(data).walk("VTIMEZONE")}
        assert zones == {"America/Los_Angeles", "America/Chicago"}, options
