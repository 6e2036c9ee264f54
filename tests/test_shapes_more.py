"""More shapes of the sites' pages, found while probing the parser beyond the held-out pages.

Each test is a small invented page and what it must give; none is a copy of a real page.
"""

from __future__ import annotations

from datetime import date

import pytest

from calsync.errors import NoEvents, ParseError
from calsync.model import Schedule
from calsync.parse import PageOptions, parse_page

TODAY = date(2026, 11, 23)


def parse(text: str, **options: object) -> Schedule:
    return parse_page(text, PageOptions(today=TODAY, **options))  # type: ignore[arg-type]


ORAL_CAT = "Oral\nA Title\nAna Lima · Bo Chen\nAD1\nTue 2 May 11:30 a.m. CAT — 11:45 a.m. CAT\n"


def test_an_abbreviation_outside_the_table_is_read_in_the_given_zone() -> None:
    talk = parse(ORAL_CAT, url="https://iclr.cc/virtual/2023/oral/1", timezone="Africa/Kigali").sessions[0].talks[0]
    assert talk.start.isoformat() == "2023-05-02T11:30:00+02:00"


def test_an_abbreviation_outside_the_table_without_a_zone_says_what_to_give() -> None:
    with pytest.raises(ParseError, match="unknown time zone abbreviation 'CAT': pass --timezone"):
        parse(ORAL_CAT, url="https://iclr.cc/virtual/2023/oral/1")


def test_an_abbreviation_that_is_not_the_given_zones_is_an_error() -> None:
    with pytest.raises(ParseError, match="CAT"):
        parse(ORAL_CAT, url="https://iclr.cc/virtual/2023/oral/1", timezone="America/Los_Angeles")


@pytest.mark.parametrize("label", ["UTC+5:30", "+0530"])
def test_an_offset_with_minutes_is_read_in_the_given_zone(label: str) -> None:
    page = f"Oral\nA Title\nAna Lima · Bo Chen\nTue 2 May 11:30 a.m. {label} — 11:45 a.m. {label}\n"
    talk = parse(page, url="https://iclr.cc/virtual/2023/oral/1", timezone="Asia/Kolkata").sessions[0].talks[0]
    assert (talk.start.isoformat(), talk.end.isoformat() if talk.end else None) == (
        "2023-05-02T11:30:00+05:30", "2023-05-02T11:45:00+05:30")


def test_an_offset_with_minutes_that_is_not_the_zones_is_an_error() -> None:
    page = "Oral\nA Title\nAna Lima · Bo Chen\nTue 2 May 11:30 a.m. UTC+5:30 — 11:45 a.m. UTC+5:30\n"
    with pytest.raises(ParseError, match="UTC\\+5:30"):
        parse(page, url="https://iclr.cc/virtual/2023/oral/1", timezone="Europe/Berlin")


def test_a_bare_dash_and_hour_stay_a_range() -> None:
    page = "Session\nT\nRoom 1\nTue 18 July 9:00 -10:00 PDT\nA talk\n"
    talk = parse(page, year=2023).sessions[0].talks[0]
    assert (talk.start.hour, talk.end.hour if talk.end else None) == (9, 10)


def test_slot_types_in_parentheses() -> None:
    page = ("Session\nTheory 1\nRoom 1\nModerator: Xu Yan\nTue 25 July 9:00 - 9:20 PDT\n(Oral)\nA Title\nAna Lima · Bo Chen\n"
            "We show.\nTue 25 July 9:20 - 9:25 PDT\n(Spotlight)\nB Title\nCe Do\n")
    talks = parse(page, url="https://icml.cc/virtual/2023/session/1").sessions[0].talks
    assert [(t.type, t.title, t.authors) for t in talks] == [
        ("Oral", "A Title", ("Ana Lima", "Bo Chen")), ("Spotlight", "B Title", ("Ce Do",))]


def test_a_title_printed_above_its_label() -> None:
    page = "A Title Of A Paper\nSpotlight\nAna Lima · Bo Chen\nWed 21 Jul 5:35 a.m. PDT — 5:40 a.m. PDT\nWe show.\n"
    schedule = parse(page, url="https://icml.cc/virtual/2021/spotlight/1")
    talk = schedule.sessions[0].talks[0]
    assert (schedule.reports[0].kind, talk.title, talk.type, talk.authors) == (
        "event page", "A Title Of A Paper", "Spotlight", ("Ana Lima", "Bo Chen"))


def test_navigation_above_a_page_without_its_time_still_names_the_event() -> None:
    page = "Main Navigation\nICML\nHelp/FAQ\nMy Stuff\nLogin\nPoster\nA Title\nAna Lima · Bo Chen\nHall A #12\nWe show.\n"
    with pytest.raises(NoEvents) as caught:
        parse(page, url="https://icml.cc/virtual/2024/poster/1")
    assert caught.value.kind == "event page"


def test_a_page_pasted_twice_warns_where_it_starts_over() -> None:
    page = "Session\nFederated Learning 1\nMeeting Room 313\nTue 25 July 13:30 - 13:50 PDT\nA Talk About Clients\nAna Lima\n"
    schedule = parse(page * 2, year=2023)
    assert len(schedule.sessions[0].talks) == 1
    assert any("starts over" in w.message and w.line == 7 for w in schedule.warnings)


def test_a_page_cut_inside_its_last_time_line_warns() -> None:
    page = "Session\nT\nRoom 1\nTue 18 July 9:00 - 9:20 PDT\nA talk\nTue 18 July 9:20 - 9:2"
    schedule = parse(page, year=2023)
    assert len(schedule.sessions[0].talks) == 1
    assert any("cut short" in w.message and w.line == 6 for w in schedule.warnings)
    assert (6, "Tue 18 July 9:20 - 9:2") in schedule.reports[0].ignored


def test_a_malformed_complete_last_time_line_is_still_an_error() -> None:
    with pytest.raises(ParseError, match="unrecognised time line"):
        parse("Session\nT\nTue 18 July 9:00 - 9:20 PDT\nA talk\nThu 21 July 7:30 -- PDT\n", year=2023)


def test_a_dates_page_with_the_conference_days_above_its_deadlines_table() -> None:
    page = ("Dates\nConference Sessions\nSun Jul 21st through Sat the 27th\nExpo Day: Sun Jul 21st\nTutorials: Mon Jul 22nd\n"
            "Workshops: Fri Jul 26th through Sat the 27th\nImportant Dates\nPaper Submission Deadline Feb 01 '24 11:59 AM UTC\n"
            "Author Notification May 01 '24 (Anywhere on Earth)\nCamera Ready Deadline Jun 02 '24 (Anywhere on Earth)\n")
    with pytest.raises(NoEvents) as caught:
        parse(page, url="https://icml.cc/Conferences/2024/Dates")
    assert caught.value.kind == "deadlines table"


WORKSHOP = ("Workshop\nInvented Workshop\nAna Lima · Bo Chen\nRoom 220\nSat 16 Dec 6:15 a.m. PST — 3:30 p.m. PST\n"
            "About the workshop and what it does, in one sentence here.\nSchedule\n")


def test_agenda_items_with_their_type_on_the_title_line_and_a_bare_speaker() -> None:
    page = WORKSHOP + ("Sat 6:15 a.m. - 6:30 a.m.\nOpening Remarks (Opening Remarks)\nSat 6:30 a.m. - 7:00 a.m.\n"
                       "A Talk Title (Invited Talk)\nAna Lima\nSat 7:00 a.m. - 7:30 a.m.\nInvited Discussion Round\nHall B\n")
    talks = parse(page, url="https://neurips.cc/virtual/2023/workshop/1").sessions[0].talks
    assert [(t.title, t.type, t.authors) for t in talks] == [
        ("Opening Remarks", "Opening Remarks", ()), ("A Talk Title", "Invited Talk", ("Ana Lima",)),
        ("Invited Discussion Round", None, ())]


def test_an_agenda_item_whose_dash_before_noon_was_lost() -> None:
    page = WORKSHOP + ("Sat 11:30 a.m.  noon\n|\nLate Morning Talk\n(\nTalk\n)\n>\nAna Lima 🔗 |\n"
                       "Sat noon - 1:00 p.m.\n|\nLunch\n")
    talks = parse(page, url="https://neurips.cc/virtual/2023/workshop/1").sessions[0].talks
    assert [(t.title, t.start.strftime("%H:%M"), t.end.strftime("%H:%M") if t.end else None) for t in talks] == [
        ("Late Morning Talk", "11:30", "12:00"), ("Lunch", "12:00", "13:00")]
