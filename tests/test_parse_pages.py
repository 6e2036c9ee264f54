"""Fixture pages (ours, invented) parse to their reviewed JSON; error pages name their line."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from helpers import ERROR_PAGES, FIXTURES, PAGES, TODAY, page_text, parse_fixture

from calsync.errors import ParseError
from calsync.parse import PageOptions, parse_page
from calsync.serialize import build_schedule_dict

GOOD_PAGES = sorted(
    p.name for p in PAGES.iterdir() if p.suffix in {".txt", ".html"} and p.name not in ERROR_PAGES
)


@pytest.mark.parametrize("name", GOOD_PAGES)
def test_page_matches_expected_json(name: str) -> None:
    expected = json.loads((FIXTURES / "expected" / f"{name.rsplit('.', 1)[0]}.json").read_text(encoding="utf-8"))
    assert build_schedule_dict(parse_fixture(name)) == expected


@pytest.mark.parametrize("name", sorted(ERROR_PAGES))
def test_error_page_names_line(name: str) -> None:
    line, words = ERROR_PAGES[name]
    with pytest.raises(ParseError) as info:
        parse_fixture(name)
    assert info.value.line == line
    assert words in str(info.value)
    assert str(info.value).startswith(f"{name}:{line}: ")
    assert info.value.text == page_text(name).splitlines()[line - 1].strip()


def test_parsing_twice_gives_same_ids() -> None:
    a, b = parse_fixture("icml_basic.txt"), parse_fixture("icml_basic.txt")
    assert [t.id for t in a.sessions[0].talks] == [t.id for t in b.sessions[0].talks]
    assert a.sessions[0].id == b.sessions[0].id


def test_ids_unique_for_same_title_room_and_day() -> None:
    """Two "Deep Nets" sessions in one room on one day (as seeds 001 and 004) differ."""
    page = "Deep Nets\nHall A\nModerator: Ana Lima\n\nThu 21 July 7:30 - 7:35 PDT\n\nTalk One\n"
    later = page.replace("7:30 - 7:35", "12:30 - 12:35")
    a = parse_page(page, PageOptions(year=2022)).sessions[0]
    b = parse_page(later, PageOptions(year=2022)).sessions[0]
    assert a.id != b.id
    assert a.talks[0].id != b.talks[0].id


def test_talk_keeps_id_when_only_its_time_changes() -> None:
    page = "Deep Nets\nHall A\n\nThu 21 July 7:30 - 7:35 PDT\n\nTalk One\n\nThu 21 July 7:35 - 7:40 PDT\n\nTalk Two\n"
    moved = page.replace("7:35 - 7:40", "7:50 - 7:55")
    a = parse_page(page, PageOptions(year=2022)).sessions[0]
    b = parse_page(moved, PageOptions(year=2022)).sessions[0]
    assert [t.id for t in a.talks] == [t.id for t in b.talks]
    assert a.talks[1].start != b.talks[1].start


def test_session_id_from_url_survives_content_changes() -> None:
    url = "https://icml.cc/virtual/2022/session/20101"
    page = "Deep Nets\n\nThu 21 July 7:30 - 7:35 PDT\n\nTalk One\n"
    a = parse_page(page, PageOptions(url=url)).sessions[0]
    b = parse_page(page.replace("7:30", "7:20").replace("Deep Nets", "Deep Nets II"), PageOptions(url=url)).sessions[0]
    assert a.id.endswith(b.id.rsplit("-", 1)[1])


def test_overnight_slot_ends_next_day() -> None:
    talk = parse_fixture("overnight.txt").sessions[0].talks[2]
    la = ZoneInfo("America/Los_Angeles")
    assert (talk.start, talk.end) == (datetime(2023, 7, 22, 23, 30, tzinfo=la), datetime(2023, 7, 23, 0, 30, tzinfo=la))


def test_untitled_final_slot_is_kept_with_warning() -> None:
    schedule = parse_fixture("icml_basic.txt")
    last = schedule.sessions[0].talks[-1]
    assert last.title is None and last.authors == () and last.abstract is None
    assert any("untitled" in w.message for w in schedule.warnings)


def test_year_inference_warns_with_other_candidates() -> None:
    schedule = parse_fixture("icml_session_room.txt")
    assert schedule.sessions[0].talks[0].start.year == 2023
    (warning,) = [w for w in schedule.warnings if "no year" in w.message]
    assert "inferred 2023" in warning.message and "2017" in warning.message


def test_year_from_url_beats_inference_and_no_warning() -> None:
    schedule = parse_fixture("icml_session_room.txt", url="https://icml.cc/virtual/2017/session/1")
    assert schedule.sessions[0].talks[0].start.year == 2017
    assert not [w for w in schedule.warnings if "no year" in w.message]


def test_year_option_contradicting_weekday_is_error() -> None:
    with pytest.raises(ParseError, match=r"19 July 2022 is a Tuesday, not a Wednesday"):
        parse_fixture("icml_session_room.txt", year=2022)


def test_year_option_contradicting_url_is_error() -> None:
    with pytest.raises(ParseError, match="contradicts"):
        parse_fixture("icml_session_room.txt", year=2017, url="https://icml.cc/virtual/2023/session/1")


def test_timezone_option_overrides_and_resolves_ist() -> None:
    schedule = parse_fixture("ist_ambiguous.txt", timezone="Asia/Kolkata")
    talk = schedule.sessions[0].talks[0]
    assert schedule.timezone == "Asia/Kolkata"
    assert talk.start.utcoffset().total_seconds() == 5.5 * 3600


def test_timezone_option_supplies_missing_zone() -> None:
    schedule = parse_fixture("no_zone.txt", timezone="America/Los_Angeles")
    assert schedule.sessions[0].talks[0].start.isoformat() == "2023-07-20T09:00:00-07:00"


def test_timezone_option_is_the_display_zone_when_the_page_names_its_own() -> None:
    """PDT on the page fixes the instant; --timezone only changes the zone it is shown in."""
    page = parse_fixture("icml_basic.txt")
    shown = parse_fixture("icml_basic.txt", timezone="Europe/Berlin")
    assert shown.timezone == "Europe/Berlin" and page.timezone == "America/Los_Angeles"
    for a, b in zip(page.sessions[0].talks, shown.sessions[0].talks, strict=True):
        assert a.start == b.start and b.start.tzinfo.key == "Europe/Berlin"  # type: ignore[union-attr]
        assert b.start.utcoffset() != a.start.utcoffset()
    assert shown.reports[0].zone_origin == "option; times read in America/Los_Angeles (page)"


def test_unknown_timezone_option_is_error() -> None:
    with pytest.raises(ParseError, match="unknown time zone 'Mars/Olympus'"):
        parse_fixture("icml_basic.txt", timezone="Mars/Olympus")


def test_timezone_line_sets_zone() -> None:
    schedule = parse_fixture("timezone_line.txt")
    assert schedule.timezone == "Europe/Vienna"


@pytest.mark.parametrize(
    "page, message",
    [
        ("", "no time slots found"),
        ("Just a title\nand some text\n", "no time slots found"),
        ("Thu 21 July 7:30 - 7:35 PDT\nA talk\n", "no session title"),
        ("T\nThu 21 July 7:30 -- PDT\n", "unrecognised time line"),
        ("T\nThu 21 July 7:30 - 7:35 XYZ\nA talk\n", "unknown time zone abbreviation 'XYZ'"),
        ("T\nThu 21 July 25:30 - 7:35 PDT\nA talk\n", "hour 25 out of range"),
        ("T\nThu 21 July 13:30 p.m. - 2 p.m. PDT\nA talk\n", "not a 12-hour clock time"),
        ("T\n9:00 - 9:30 PDT\nA talk\n", "without a date"),
        ("T\nThu 21 July 7:30 - 7:35 UTC+5:30\nA\n", "has minutes"),
    ],
)
def test_bad_pages_raise_parse_error(page: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_page(page, PageOptions(today=TODAY, year=None if "Thu" not in page else 2022))


def test_dateless_line_carries_previous_date() -> None:
    page = "T\n\nWed 3 May 9 a.m. PDT — 11 a.m. PDT\n\nA\n\n11:15 a.m. PDT — noon PDT\n\nB\n"
    talks = parse_page(page, PageOptions(year=2023)).sessions[0].talks
    assert talks[1].start.isoformat() == "2023-05-03T11:15:00-07:00"
    assert talks[1].end.isoformat() == "2023-05-03T12:00:00-07:00"


def test_start_only_inherits_pm_from_end() -> None:
    page = "T\n\nWed 3 May 2 - 3 PM CEST\n\nA\n\nWed 3 May 11 - 1 p.m. CEST\n\nB\n"
    talks = parse_page(page, PageOptions(year=2023)).sessions[0].talks
    assert [t.start.hour for t in talks] == [14, 11]
    assert [t.end.hour for t in talks] == [15, 13]


def test_room_after_at_sign_is_talk_location() -> None:
    page = "Kernel Day\n\nFri Dec 08 07:40 AM -- 07:45 AM (CST) @ Hall B\n\nOral\nA Kernel Talk\n"
    talk = parse_page(page, PageOptions(year=2023)).sessions[0].talks[0]
    assert talk.location == "Hall B" and talk.type == "Oral"


def test_session_abstract_kept() -> None:
    page = "Deep Nets\nAbstract: Short talks on depth.\nMore on depth.\n\nThu 21 July 7:30 - 7:35 PDT\n\nTalk\n"
    assert parse_page(page, PageOptions(year=2022)).sessions[0].abstract == "Short talks on depth.\nMore on depth."


def test_end_equal_to_start_becomes_unpublished_end() -> None:
    page = "Deep Nets\n\nThu 21 July 7:30 - 7:30 PDT\n\nTalk\n"
    schedule = parse_page(page, PageOptions(year=2022))
    assert schedule.sessions[0].talks[0].end is None
    assert any("ends when it starts" in w.message for w in schedule.warnings)


def test_dst_gap_time_warns() -> None:
    page = "Night\n\nSun 13 March 2:30 a.m. PST — 3:30 a.m. PDT\n\nTalk\n"
    schedule = parse_page(page, PageOptions(year=2022))
    assert any("does not exist" in w.message for w in schedule.warnings)
