"""Event pages, day pages, weekday-only workshop pages and index pages (our own fixtures)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import FIXTURES, GOLDEN_STAMP, assert_icscheck_clean, run_icscheck

from calsync.errors import NoEvents, ParseError
from calsync.ical import FeedOptions, Revision, describe_schedule, render_calendar
from calsync.parse import PageOptions, parse_page

KINDS = FIXTURES / "kinds"
DAY_URL = "https://icml.cc/virtual/2024/day/7/24"


def parse(name: str, **options: object):
    return parse_page((KINDS / name).read_text(encoding="utf-8"), PageOptions(source=name, **options))  # type: ignore[arg-type]


def summary(schedule) -> list[tuple]:
    return [
        (s.title, t.type, t.title, t.start.isoformat(), t.end.isoformat() if t.end else None)
        for s in schedule.sessions for t in s.talks
    ]


@pytest.mark.parametrize("name", ["day_page.txt", "day_page.html"])
def test_day_page_events_with_start_times_only(name: str) -> None:
    url = None if name.endswith(".html") else DAY_URL  # the HTML names its own URL
    schedule = parse(name, url=url)
    rows = summary(schedule)
    assert rows[0] == ("Oral 3A Generative Models", "Oral", "Oral 3A Generative Models", "2024-07-24T10:30:00+02:00", None)
    assert rows[1] == ("Poster Session 3", "Poster Session", "Poster Session 3", "2024-07-24T11:30:00+02:00", None)
    assert ("Workshop on Invented Benchmarks", "Workshop", "Workshop on Invented Benchmarks",
            "2024-07-24T07:30:00+02:00", "2024-07-24T16:00:00+02:00") in rows
    assert schedule.timezone == "Europe/Vienna"
    assert len({s.id for s in schedule.sessions}) == len(schedule.sessions)


def test_day_page_bare_times_need_the_url_date() -> None:
    page = "Timezone: Europe/Vienna\n\nWorkshop\n\n7:30 AM - 4:00 PM\n\nWorkshop on Things\n"
    assert summary(parse_page(page, PageOptions(url=DAY_URL)))[0][3] == "2024-07-24T07:30:00+02:00"
    with pytest.raises(ParseError, match="/day/<month>/<day>"):
        parse_page(page, PageOptions(url="https://icml.cc/virtual/2024/day/"))


def test_day_page_export_says_end_not_published() -> None:
    schedule = parse("day_page.txt", url=DAY_URL)
    data = render_calendar(schedule.sessions, describe_schedule(schedule), lambda _i: GOLDEN_STAMP,
                           FeedOptions(default_duration=timedelta(minutes=60)))
    unfolded = data.replace(b"\r\n ", b"")
    assert unfolded.count(b"End time not published.") == 3
    assert b"DTSTART;TZID=Europe/Vienna:20240724T103000\r\nDTEND;TZID=Europe/Vienna:20240724T113000" in data


def test_event_page_new_style_with_oral_presentation() -> None:
    schedule = parse("event_newstyle.txt", url="https://iclr.cc/virtual/2023/poster/11001")
    poster, oral = schedule.sessions
    (talk,) = poster.talks
    assert (talk.type, talk.title, talk.authors) == ("Poster", "Sparse Mixtures of Tiny Experts for On-Device Translation",
                                                   ("Ines Vasconcelos", "Kofi Mensah-Arhin", "pyotr li"))
    assert (talk.start.isoformat(), talk.end.isoformat()) == ("2023-05-03T16:30:00+02:00", "2023-05-03T18:30:00+02:00")
    assert poster.location == "MH1-2-3-4 #88" and talk.abstract.startswith("We route each token")
    assert oral.title == "Oral 3 Track 4: Efficient Models"
    (presented,) = oral.talks
    assert (presented.type, presented.title, presented.start.isoformat()) == ("Oral", talk.title, "2023-05-03T08:30:00+02:00")
    assert "the time is the whole session's" in presented.abstract
    assert poster.id != oral.id and talk.id != presented.id


def test_event_page_old_style_room_after_at() -> None:
    schedule = parse("event_oldstyle.txt", url="https://nips.cc/Conferences/2017/Schedule?showEvent=9001")
    (session,) = schedule.sessions
    (talk,) = session.talks
    assert session.title == talk.title == "Ranking Kernels by Their Spectral Tails"
    assert session.location == "Pacific Ballroom #121" and talk.type == "Poster"
    assert talk.start.isoformat() == "2017-12-08T18:30:00-08:00" and talk.authors == ("Tomás Ó Briain", "Ana Lima")


def test_workshop_weekday_slots_take_the_conference_days() -> None:
    days = tuple(date(2023, 12, 15) + timedelta(days=n) for n in range(2))
    schedule = parse("workshop_weekday.txt", days=days)
    assert [t.start.isoformat() for t in schedule.sessions[0].talks] == [
        "2023-12-16T07:30:00-08:00", "2023-12-16T07:45:00-08:00", "2023-12-16T08:30:00-08:00"]
    with pytest.raises(ParseError, match=r"names only a weekday \(Saturday\)"):
        parse("workshop_weekday.txt", year=2023)


def test_index_page_without_times_imports_nothing() -> None:
    with pytest.raises(NoEvents, match="lists nothing with a time"):
        parse("index_no_times.txt")


def test_every_kind_passes_icscheck(tmp_path: Path) -> None:
    days = (date(2023, 12, 16),)
    pages = [("day_page.txt", {"url": DAY_URL}), ("event_newstyle.txt", {"year": 2023}),
             ("event_oldstyle.txt", {"year": 2017}), ("workshop_weekday.txt", {"days": days})]
    sessions = []
    for name, options in pages:
        sessions.extend(parse(name, **options).sessions)
    data = render_calendar(sessions, describe_schedule(parse("day_page.txt", url=DAY_URL)), lambda _i: Revision(GOLDEN_STAMP.modified),
                           FeedOptions(sessions=True))
    out = tmp_path / "kinds.ics"
    out.write_bytes(data)
    # pages of several conferences in one calendar: their zones mix
    assert_icscheck_clean(run_icscheck(out), mixed_zones=True)
