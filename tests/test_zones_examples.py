"""Issue 12's examples, each with its expectation: zones whose rules change, clock changes, text, shapes, identity.

Times are checked with Outlook's import rules (``tests/outlook_rules.py``) and zoneinfo
here; the six client parsers read the same feeds in ``tests/system/test_zones_clients.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from helpers import parse_fixture
from outlook_rules import read_events, read_rules, unfold

from calsync.errors import ApiError
from calsync.feedspec import feed_spec_from_json
from calsync.ical import CalendarInfo, FeedOptions, Revision, describe_schedule, render_calendar
from calsync.model import Schedule, Session, Talk
from calsync.parse import PageOptions, parse_page

STAMP = Revision(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))


def page(zone_line: str, slot: str, title: str = "A Talk") -> str:
    """A one-slot session page."""
    return f"Clock Changes\n{zone_line}\n\n{slot}\n\nOral\n{title}\n\nAda Lovelace · Alan Turing · Grace Hopper\n"


def ics(schedule: Schedule, options: FeedOptions | None = None, info: CalendarInfo | None = None) -> str:
    data = render_calendar(schedule.sessions, info or describe_schedule(schedule), lambda _i: STAMP, options or FeedOptions())
    return data.decode("utf-8")


def lines(text: str, *names: str) -> list[str]:
    return [line for line in unfold(text) if line.startswith(names)]


def only_event(text: str) -> tuple[datetime, datetime]:
    (times,) = read_events(text).values()
    return times


def sweep_schedule(tzid: str, year: int, months: range = range(1, 13)) -> Schedule:
    """Talks at 10:00 on the 1st and 15th of each month, 30 minutes long."""
    zone = ZoneInfo(tzid)
    talks = tuple(
        Talk(id=f"t{m}-{d}", start=datetime(year, m, d, 10, tzinfo=zone), end=datetime(year, m, d, 10, 30, tzinfo=zone), title="x")
        for m in months
        for d in (1, 15)
    )
    return Schedule(tzid, (Session("s", "S", tzid, talks),))


# --------------------------------------------------------------------------
# The fallback form Outlook misread: every one of the zones and years


@pytest.mark.parametrize(
    ("tzid", "year", "months"),
    [
        ("America/Mexico_City", 2023, range(1, 13)),
        ("America/Nuuk", 2022, range(1, 13)),
        ("America/Nuuk", 2023, range(1, 13)),
        ("Asia/Amman", 2022, range(1, 13)),
        ("America/Sao_Paulo", 2019, range(12, 13)),
        ("America/Sao_Paulo", 2019, range(1, 13)),
        ("Pacific/Apia", 2021, range(1, 13)),
        ("Europe/Moscow", 2011, range(1, 13)),
        ("Europe/Moscow", 2014, range(1, 13)),
        ("Africa/Cairo", 2023, range(1, 13)),
    ],
)
def test_outlook_reads_every_talk_at_zoneinfos_instant(tzid: str, year: int, months: range) -> None:
    schedule = sweep_schedule(tzid, year, months)
    text = ics(schedule)
    assert "RDATE" not in text
    got = read_events(text)
    for talk in schedule.sessions[0].talks:
        assert got[f"{talk.id}@calsync.invalid"] == (talk.start.astimezone(UTC), talk.end.astimezone(UTC)), talk.start  # type: ignore[union-attr]


def test_outlook_reads_two_years_of_nuuk_with_changed_rules() -> None:
    zone = ZoneInfo("America/Nuuk")
    talks = tuple(
        Talk(id=f"t{y}-{m}", start=datetime(y, m, 1, 10, tzinfo=zone), end=datetime(y, m, 1, 11, tzinfo=zone), title="x")
        for y in (2022, 2023)
        for m in range(1, 13)
    )
    text = ics(Schedule("America/Nuuk", (Session("s", "S", "America/Nuuk", talks),)))
    got = read_events(text)
    assert all(got[f"{t.id}@calsync.invalid"][0] == t.start.astimezone(UTC) for t in talks)
    # 2022 has the classic form; 2023 keeps -02 past October, where that form says -03: UTC then
    assert "DTSTART;TZID=America/Nuuk:20220701T100000" in text
    assert "DTSTART;TZID=America/Nuuk:20230701T100000" in text
    assert "DTSTART:20231101T120000Z" in text


def test_mexico_city_2023_page_gets_the_classic_form_and_the_right_instant() -> None:
    schedule = parse_page(page("Timezone: America/Mexico_City", "Thu 13 July 10:00 - 10:30"), PageOptions(year=2023))
    text = ics(schedule)
    assert lines(text, "DTSTART", "TZOFFSET", "RRULE") == [
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:-0600",
        "TZOFFSETTO:-0600",
        "DTSTART;TZID=America/Mexico_City:20230713T100000",
    ]
    assert only_event(text)[0] == datetime(2023, 7, 13, 16, tzinfo=UTC)
    assert read_rules(text)["America/Mexico_City"].daylight is None


def test_cairo_2023_has_no_rdate_form_for_icaljs_to_skip() -> None:
    schedule = parse_page(page("Timezone: Africa/Cairo", "Thu 13 July 10:00 - 10:30"), PageOptions(year=2023))
    text = ics(schedule)
    assert "RDATE" not in text and lines(text, "RRULE") == [
        "RRULE:FREQ=YEARLY;BYDAY=-1FR;BYMONTH=10",
        "RRULE:FREQ=YEARLY;BYDAY=-1FR;BYMONTH=4",
    ]
    assert only_event(text)[0] == datetime(2023, 7, 13, 7, tzinfo=UTC)


# --------------------------------------------------------------------------
# Repeated and skipped hours


def test_repeated_hour_without_a_zone_is_the_first_with_a_warning_and_written_in_utc() -> None:
    schedule = parse_page(page("Timezone: America/Los_Angeles", "Sun 6 November 1:30 - 2:30"), PageOptions(year=2022))
    assert [(w.line, w.message) for w in schedule.warnings] == [
        (4, "America/Los_Angeles has 01:30 twice on 2022-11-06 (clocks go back): read as the first, "
            "01:30 PDT (UTC-07:00); write the zone (PDT or PST) to choose")
    ]
    text = ics(schedule)
    assert lines(text, "DTSTART:2", "DTEND") == ["DTSTART:20221106T083000Z", "DTEND:20221106T103000Z"]
    assert only_event(text) == (datetime(2022, 11, 6, 8, 30, tzinfo=UTC), datetime(2022, 11, 6, 10, 30, tzinfo=UTC))


def test_an_abbreviation_picks_the_second_occurrence() -> None:
    schedule = parse_page(page("", "Sun 6 November 1:10 PST - 1:50 PST"), PageOptions(year=2022))
    assert schedule.warnings == ()
    talk = schedule.sessions[0].talks[0]
    assert talk.start.astimezone(UTC) == datetime(2022, 11, 6, 9, 10, tzinfo=UTC)
    text = ics(schedule)
    assert lines(text, "DTSTART:2", "DTEND") == ["DTSTART:20221106T091000Z", "DTEND:20221106T095000Z"]
    assert only_event(text)[0] == datetime(2022, 11, 6, 9, 10, tzinfo=UTC)


def test_an_abbreviation_picks_the_first_occurrence_too() -> None:
    schedule = parse_page(page("", "Sun 6 November 1:10 PDT - 1:50 PDT"), PageOptions(year=2022))
    assert schedule.warnings == ()
    assert schedule.sessions[0].talks[0].start.astimezone(UTC) == datetime(2022, 11, 6, 8, 10, tzinfo=UTC)


def test_skipped_hour_is_reported_with_its_line_and_written_in_utc() -> None:
    schedule = parse_page(page("Timezone: America/Los_Angeles", "Sun 13 March 2:15 - 2:45"), PageOptions(year=2022))
    assert [(w.line, w.message) for w in schedule.warnings] == [
        (4, "02:15 does not exist on 2022-03-13 in America/Los_Angeles (clocks go forward): read as 03:15 PDT"),
        (4, "02:45 does not exist on 2022-03-13 in America/Los_Angeles (clocks go forward): read as 03:45 PDT"),
    ]
    text = ics(schedule)
    assert lines(text, "DTSTART:2", "DTEND") == ["DTSTART:20220313T101500Z", "DTEND:20220313T104500Z"]


# --------------------------------------------------------------------------
# Text


def test_control_characters_are_removed_from_every_text_property() -> None:
    schedule = parse_fixture("icml_basic.txt")
    info = CalendarInfo(name="A\u0000B\u0007C", description="x\u202ey", timezone="America/Los_Angeles")
    text = ics(schedule, info=info)
    assert lines(text, "NAME", "X-WR-CALNAME") == ["NAME:ABC", "X-WR-CALNAME:ABC"]
    assert lines(text, "X-WR-CALDESC") == ["X-WR-CALDESC:xy"]
    assert not any(0 < ord(c) < 32 and c not in "\r\n" for c in text)


def test_custom_feed_names_with_control_characters_or_bidi_overrides_are_refused() -> None:
    for name in ("A\u0000B\u0007C", "invoice\u202efdp.exe", "two\u2028lines"):
        with pytest.raises(ApiError, match="name|control"):
            feed_spec_from_json({"name": name, "talks": ["t1"]}, max_items=10)


def test_backslash_sequences_survive_as_written() -> None:
    title = "Loss $f:\\N \\to \\R$ is \u202econvex"
    schedule = parse_page(page("Timezone: Europe/Berlin", "Mon 3 July 10:00 - 10:30", title), PageOptions(year=2023))
    assert schedule.sessions[0].talks[0].title == title
    text = ics(schedule)
    assert lines(text, "SUMMARY") == ["SUMMARY:Loss $f:\\\\\u2060N \\\\to \\\\R$ is convex"]


# --------------------------------------------------------------------------
# Shapes


def test_a_session_over_two_days_is_one_event_per_day() -> None:
    text = ics(parse_fixture("two_days.txt"), FeedOptions(sessions=True, talks=False))
    assert lines(text, "UID", "DTSTART;", "DTEND", "RELATED-TO") == [
        "UID:geometric-deep-learning-two-part-d7a00ed312@calsync.invalid",
        "DTSTART;TZID=America/Los_Angeles:20230716T150000",
        "DTEND;TZID=America/Los_Angeles:20230716T160000",
        "UID:geometric-deep-learning-two-part-d7a00ed312-20230717@calsync.invalid",
        "DTSTART;TZID=America/Los_Angeles:20230717T090000",
        "DTEND;TZID=America/Los_Angeles:20230717T100000",
        "RELATED-TO:geometric-deep-learning-two-part-d7a00ed312@calsync.invalid",
    ]


def test_a_slot_across_midnight_stays_one_event() -> None:
    schedule = parse_page(page("Timezone: Europe/Berlin", "Mon 3 July 22:30 - 00:15"), PageOptions(year=2023))
    text = ics(schedule, FeedOptions(sessions=True))
    assert text.count("BEGIN:VEVENT") == 2
    assert "DTEND;TZID=Europe/Berlin:20230704T001500" in text


def test_an_empty_feed_keeps_the_display_zones_vtimezone_and_says_nothing_matched() -> None:
    info = CalendarInfo(name="Nothing", description="ICIL: 0 sessions.", timezone="Europe/Vienna", year=2026)
    data = render_calendar([], info, lambda _i: STAMP, FeedOptions())
    text = data.decode()
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Vienna" in text and "BEGIN:VEVENT" not in text
    assert lines(text, "X-WR-CALDESC") == ["X-WR-CALDESC:ICIL: 0 sessions. Nothing matches this feed right now."]
    assert lines(text, "X-WR-TIMEZONE") == ["X-WR-TIMEZONE:Europe/Vienna"]


# --------------------------------------------------------------------------
# Identity


def test_uids_include_the_conference_and_the_description_variant() -> None:
    schedule = parse_fixture("icml_basic.txt")
    uids = {
        options: set(lines(ics(schedule, options), "UID"))
        for options in (
            FeedOptions(conference="icml-2023"),
            FeedOptions(conference="icml-2023-copy"),
            FeedOptions(conference="icml-2023", abstracts=False),
        )
    }
    first, second, short = uids.values()
    assert not first & second and not first & short
    assert all(".icml-2023@" in uid for uid in first)
    assert all(".icml-2023.short@" in uid for uid in short)


def test_utc_offset_zone_is_described_as_an_offset() -> None:
    schedule = parse_page(page("", "Mon 3 July 10:00 - 10:30 UTC+5"), PageOptions(year=2023))
    text = ics(schedule, FeedOptions(sessions=True))
    assert "Times in UTC+05:00" in text.replace("\r\n ", "")
    assert "Etc/GMT-5" not in text.replace("\r\n ", "").split("BEGIN:VEVENT", 1)[1].split("DTSTART")[0]


def test_x_wr_timezone_is_left_out_when_zones_mix() -> None:
    berlin = parse_page(page("Timezone: Europe/Berlin", "Mon 3 July 10:00 - 10:30"), PageOptions(year=2023))
    tokyo = parse_page(page("Timezone: Asia/Tokyo", "Tue 4 July 10:00 - 10:30", "Other"), PageOptions(year=2023))
    both = Schedule("Europe/Berlin", berlin.sessions + tokyo.sessions)
    text = ics(both)
    assert lines(text, "X-WR-TIMEZONE") == []
    assert "Times in several zones (Asia/Tokyo\\, Europe/Berlin)" in text.replace("\r\n ", "")
    assert lines(ics(berlin), "X-WR-TIMEZONE") == ["X-WR-TIMEZONE:Europe/Berlin"]


# --------------------------------------------------------------------------
# Details clients use


def test_created_status_color_and_speakers() -> None:
    schedule = parse_page(page("Timezone: Europe/Berlin", "Mon 3 July 10:00 - 10:30"), PageOptions(year=2023))
    revision = Revision(STAMP.modified, 2, created=datetime(2025, 5, 1, 8, tzinfo=UTC))
    data = render_calendar(schedule.sessions, describe_schedule(schedule), lambda _i: revision, FeedOptions(speakers=True))
    text = data.decode()
    assert lines(text, "CREATED", "STATUS", "COLOR", "SUMMARY", "TRANSP") == [
        "CREATED:20250501T080000Z",
        "SUMMARY:A Talk — A. Lovelace et al.",
        "COLOR:royalblue",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
    ]


def test_breaks_are_free_time_without_an_alarm() -> None:
    text = ics(parse_fixture("ampm_dotted.txt"), FeedOptions(alarm_minutes=10))
    events = text.split("BEGIN:VEVENT")[1:]
    breaks = [e for e in events if "CATEGORIES:Break" in e]
    assert breaks and all("TRANSP:TRANSPARENT" in e and "VALARM" not in e for e in breaks)
    assert all("VALARM" in e for e in events if "CATEGORIES:Break" not in e)


def test_url_is_the_talks_own_page_when_known() -> None:
    schedule = parse_fixture("icml_basic.txt")
    session = schedule.sessions[0]
    talk = session.talks[0]
    own = Talk(talk.id, talk.start, talk.end, talk.title, url="https://icml.cc/virtual/2023/poster/1")
    one = Schedule(schedule.timezone, (Session(session.id, session.title, session.timezone, (own,), source_url="https://icml.cc/s"),))
    assert lines(ics(one).split("BEGIN:VEVENT", 1)[1], "URL") == ["URL:https://icml.cc/virtual/2023/poster/1"]
    bare = Schedule(schedule.timezone, (Session(session.id, session.title, session.timezone, (talk,), source_url="https://icml.cc/s"),))
    assert lines(ics(bare).split("BEGIN:VEVENT", 1)[1], "URL") == ["URL:https://icml.cc/s"]


def test_zone_sweep_helper_starts_are_real_local_times() -> None:
    from calsync.vtimezone import zone_changes

    (spring, fall) = zone_changes("America/Los_Angeles", 2022)
    assert spring.local == datetime(2022, 3, 13, 2) and fall.local == datetime(2022, 11, 6, 2)
    assert spring.utc + timedelta(hours=-8) == spring.local


def test_calendar_pages_report_repeated_and_skipped_wall_times_with_their_lines() -> None:
    text = (
        "Schedule Sun\nTimezone: America/Los_Angeles\n\nSUN 6 NOV\n\n1:30 a.m.\n"
        "Oral Session 1A [1:30-1:50]\n[1:30] Night Owls\n[1:40] Late Birds\n(ends 1:50 AM)\n"
    )
    schedule = parse_page(text, PageOptions(year=2022))
    assert [(w.line, w.message[:51]) for w in schedule.warnings] == [
        (8, "America/Los_Angeles has 01:30 twice on 2022-11-06 ("),
        (8, "America/Los_Angeles has 01:40 twice on 2022-11-06 ("),
        (9, "America/Los_Angeles has 01:40 twice on 2022-11-06 ("),
        (9, "America/Los_Angeles has 01:50 twice on 2022-11-06 ("),
    ]
    assert "DTSTART:20221106T083000Z" in ics(schedule)
