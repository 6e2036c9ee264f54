"""Every text shape the conference sites serve, on our own invented fixtures.

Event pages (new, old, multitrack, markdown), poster and oral sessions, tutorial and
workshop agendas, calendar pages, and pages with nothing to import — each with the
reason said in one line. Expected results: ``fixtures/expected/`` (pages) and
``fixtures/kinds/expected/`` (kinds, with the options in ``helpers.KIND_OPTIONS``).
"""

from __future__ import annotations

import json
import time

import pytest
from helpers import (
    GOLDEN_STAMP,
    KIND_OPTIONS,
    KINDS,
    TODAY,
    assert_icscheck_clean,
    days,
    kind_result,
    parse_fixture,
    parse_kind,
    run_icscheck,
)

from calsync.errors import NoEvents, ParseError
from calsync.parse import PageOptions, parse_page, parse_pages

KIND_FILES = sorted(p.name for p in KINDS.glob("*.txt"))
LA = "America/Los_Angeles"


def parse(text: str, **options: object):
    return parse_page(text, PageOptions(today=TODAY, **options))  # type: ignore[arg-type]


def only_talk(schedule):
    (session,) = schedule.sessions
    (talk,) = session.talks
    return session, talk


@pytest.mark.parametrize("name", KIND_FILES)
def test_kinds_fixture_matches_expected_json(name: str) -> None:
    expected = json.loads((KINDS / "expected" / f"{name.rsplit('.', 1)[0]}.json").read_text(encoding="utf-8"))
    assert kind_result(name) == expected


def test_every_kinds_fixture_with_options_exists() -> None:
    assert set(KIND_OPTIONS) <= set(KIND_FILES)


# -- event pages ------------------------------------------------------------------------------


def test_award_line_bookmark_and_link_debris_are_not_the_title() -> None:
    schedule = parse_fixture("event_spotlight_award.txt")
    session, talk = only_talk(schedule)
    assert talk.type == "Spotlight Poster"
    assert talk.title == "Tiny Routers for Sparse Experts: Load Balancing Without Auxiliary Losses"
    assert session.location == "East Exhibition Hall A-B #E-1207"
    assert (talk.start.isoformat(), talk.end.isoformat()) == ("2025-07-15T15:30:00-07:00", "2025-07-15T16:30:00-07:00")
    assert schedule.reports[0].ignored == ((12, "Outstanding Paper Award |"),)
    assert "Bookmark" not in (talk.abstract or "") and "Project Page" not in (talk.abstract or "")


@pytest.mark.parametrize(
    "name, start, end",
    [
        ("tutorial_noon.txt", "2024-12-10T09:30:00-08:00", "2024-12-10T12:00:00-08:00"),
        ("tutorial_whole_hour.txt", "2024-12-10T13:30:00-08:00", "2024-12-10T16:00:00-08:00"),
        ("affinity_midnight.txt", "2024-12-11T21:00:00-08:00", "2024-12-12T00:00:00-08:00"),
    ],
)
def test_noon_midnight_and_hours_without_minutes(name: str, start: str, end: str) -> None:
    _, talk = only_talk(parse_fixture(name))
    assert (talk.start.isoformat(), talk.end.isoformat()) == (start, end)


def test_2026_detail_time_ends_the_next_day_and_markdown_is_read() -> None:
    schedule = parse_fixture("poster_markdown_2026.txt")
    session, talk = only_talk(schedule)
    assert (talk.start.isoformat(), talk.end.isoformat()) == ("2026-07-08T22:30:00-07:00", "2026-07-09T00:15:00-07:00")
    assert (talk.type, talk.title, session.location) == (
        "Poster", "ToolSmith: Choosing Tools on the Fly for Invented Agents", "HALL A #3301")
    assert talk.authors == ("Amara Diallo", "Søren Kvist Amundsen", "Yui Kanazawa")
    assert talk.abstract.startswith("Agents that call tools") and "Lay Summary" not in talk.abstract
    assert "Show more" not in talk.abstract and "cookies" not in talk.abstract
    assert schedule.reports[0].year_origin == "page"


def test_time_after_the_authors_with_room_and_author_information_cut() -> None:
    schedule = parse_fixture("multitrack_time_after_authors.txt", year=2017)
    session, talk = only_talk(schedule)
    assert (talk.type, talk.title, talk.authors) == (
        "Tutorial", "Calendars for Careful Learners: Theory and Practice", ("Ines Vasconcelos", "Tomás Ó Briain"))
    assert session.location == "Grand Ballroom" and talk.start.isoformat() == "2017-12-04T14:30:00-08:00"
    assert "University of Nowhere" not in talk.abstract
    assert (12, "Author Information") in schedule.reports[0].ignored


def test_old_page_without_type_label_and_author_biography() -> None:
    session, talk = only_talk(parse_fixture("multitrack_no_type_cut.txt", year=2017))
    assert (talk.type, talk.title, talk.authors) == (None, "A Primer on Invented Transport", ("Rangi Te Awa", "Zoë Þórsdóttir"))
    assert session.location == "Hall A" and "Invented University" not in talk.abstract


def test_events_line_with_empty_timezone_and_dot_operator_authors() -> None:
    session, talk = only_talk(parse_fixture("showevent_old_tutorial.txt", year=2021))
    assert (talk.type, talk.title, talk.authors, session.location) == (
        "Tutorial", "Learning Without Labels: A Field Guide", ("Aigerim Seitkali", "Kofi Mensah-Arhin"), "Virtual")
    assert talk.abstract.startswith("Learning without labels")


def test_empty_timezone_line_is_no_zone() -> None:
    page = "Timezone: »\nTutorial\nA Title\nAna Lima · Bo Chen\nMon Dec 04 02:30 PM -- 04:45 PM (PST) @ Hall B\nAn abstract.\n"
    assert parse(page, year=2017).timezone == LA
    with pytest.raises(ParseError, match="names no time zone"):
        parse(page.replace(" (PST)", ""), year=2017)
    assert parse(page.replace(" (PST)", ""), year=2017, timezone="Asia/Tokyo").timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    "label",
    ["Oral Poster", "Spotlight Poster", "Workshop", "Tutorial", "Invited Talk", "Affinity Workshop",
     "Expo Talk Panel", "Competition", "Oral", "Position Paper Poster"],
)
def test_type_labels_are_kept_and_the_title_is_never_the_abstract(label: str) -> None:
    page = (f"{label}\nReading Invented Calendars\nAna Lima · Bo Chen\nHall C #12\n"
            "Wed 3 May 4:30 p.m. CEST — 6:30 p.m. CEST\nAbstract:\nWe read calendars. It works well.\n")
    session, talk = only_talk(parse(page, year=2023))
    assert (talk.type, talk.title, session.location) == (label, "Reading Invented Calendars", "Hall C #12")
    assert talk.abstract == "We read calendars. It works well."


def test_a_cut_page_keeps_the_title_out_of_the_abstract() -> None:
    page = "Tutorial\nWe study invented calendars at length, and we show that this works well in practice.\n" \
           "Tue 10 Dec 1:30 p.m. PST — 4 p.m. PST\n"
    with pytest.raises(ParseError, match="event page without a title"):
        parse(page, year=2024)



def test_a_second_label_and_award_badges_before_the_title_are_badges() -> None:
    page = ("Poster\nSpotlight\naward Outstanding Paper\nReading Invented Calendars\nAna Lima · Bo Chen\n"
            "Hall J (level 1) #302\nTue 29 Nov 9 a.m. PST — 11 a.m. PST\nWe read calendars.\n")
    schedule = parse(page, year=2022)
    session, talk = only_talk(schedule)
    assert (talk.type, talk.title, session.location) == ("Poster", "Reading Invented Calendars", "Hall J (level 1) #302")
    assert schedule.reports[0].ignored == ((2, "Spotlight"), (3, "award Outstanding Paper"))


def test_a_poster_session_with_one_child_is_still_a_session() -> None:
    page = ("Poster Session\nPoster Session 9\nHall B\nWed 16 Jul 11 a.m. PDT — 1:30 p.m. PDT\n"
            "Poster\n#B-1\nThe Only Poster\nAna Lima\nAn abstract.\n")
    session, talk = only_talk(parse(page, year=2025))
    assert (session.title, talk.type, talk.title, talk.location) == ("Poster Session 9", "Poster", "The Only Poster", "Hall B #B-1")


def test_an_old_listing_of_events_is_one_session_per_event() -> None:
    schedule = parse_fixture("multitrack_event_list.txt", year=2017)
    assert schedule.reports[0].kind == "event list"
    assert [(s.title, s.location, s.talks[0].type, s.talks[0].start.isoformat()) for s in schedule.sessions] == [
        ("A Primer on Invented Transport", "Hall A", "Tutorial", "2017-12-04T08:00:00-08:00"),
        ("Calendars for Careful Learners", "Grand Ballroom", "Tutorial", "2017-12-04T10:45:00-08:00"),
        ("Why Time Zones Exist", "Hall A", "Invited Talk", "2017-12-04T17:30:00-08:00"),
    ]
    assert schedule.sessions[0].talks[0].abstract.startswith("Invented transport")
    assert "Tutorial" not in (schedule.sessions[0].talks[0].abstract or "")

# -- sessions -----------------------------------------------------------------------------------


def test_poster_session_children_share_the_session_slot() -> None:
    schedule = parse_fixture("poster_session_shared_slot.txt", year=2025)
    (session,) = schedule.sessions
    assert (session.title, session.location) == ("Poster Session 3 West", "West Exhibition Hall B2-B3")
    assert [(t.type, t.title, t.location) for t in session.talks] == [
        ("Poster", "Sparse Probes for Dense Features", "West Exhibition Hall B2-B3 #W-100"),
        ("Spotlight", "Curriculum by Forgetting", "West Exhibition Hall B2-B3 #W-101"),
        ("Poster", "When Do Calendars Agree?", "West Exhibition Hall B2-B3 #W-102"),
    ]
    assert {(t.start.isoformat(), t.end.isoformat()) for t in session.talks} == {
        ("2025-07-16T11:00:00-07:00", "2025-07-16T13:30:00-07:00")}
    assert session.talks[1].authors == ("Rhiannon Pryce", "Vikram S. Nair", "Leilani Kahale")
    assert schedule.reports[0].kind == "session page"


def test_markdown_session_capture_with_wrapped_titles_and_authors() -> None:
    schedule = parse_fixture("session_markdown_capture.txt")
    (session,) = schedule.sessions
    assert (session.title, session.moderators) == ("Session 4: Serving Invented Models", ("Chidi A. Nwosu",))
    assert session.source_url == "https://mlsys.example.org/virtual/2025/session/77"
    first, second = session.talks
    assert first.title == "Seesaw Scheduling: Resharding Models Between Prefill and Decode" and len(first.authors) == 7
    assert second.title.endswith("Across Many Accelerators for High Resolution") and second.abstract is None
    assert [t.location for t in session.talks] == ["#12", "#15"]


def test_oral_session_page_own_range_is_not_a_talk() -> None:
    schedule = parse_fixture("oral_session_own_range.txt", year=2025)
    (session,) = schedule.sessions
    assert session.title == "Oral 2B Efficient Invented Models"
    assert [t.title for t in session.talks] == ["Pruning by Invention", "Quantized Calendars", "Joint Q&A"]
    assert (9, "Wed 16 Jul 10 a.m. PDT — 11 a.m. PDT") in schedule.reports[0].ignored


# -- agendas -----------------------------------------------------------------------------------


def test_agenda_copied_two_ways_gives_identical_output() -> None:
    split, oneline = parse_kind("agenda_split_types.txt"), parse_kind("agenda_oneline_types.txt")
    assert split.sessions == oneline.sessions
    assert [w.message for w in split.warnings] == [w.message for w in oneline.warnings]


def test_agenda_is_one_session_of_its_items() -> None:
    schedule = parse_kind("agenda_split_types.txt")
    (session,) = schedule.sessions
    assert (session.title, session.location, session.moderators) == (
        "Calendars for Machine Learners", "Virtual", ("Zoë Þórsdóttir",))
    assert [(t.title, t.type, t.authors, t.start.isoformat()) for t in session.talks] == [
        ("Reading time lines", "Tutorial", ("Ana Lima",), "2025-12-01T11:50:00-08:00"),
        ("Break to change speakers", None, (), "2025-12-01T12:15:00-08:00"),
        ("Zones, offsets and daylight saving", "tutorial part 2", ("Bo Chen", "Rangi Te Awa"), "2025-12-01T12:20:00-08:00"),
        ("Panel", "Panel", ("Ana Lima", "Bo Chen", "Rangi Te Awa", "Zoë Þórsdóttir"), "2025-12-01T13:05:00-08:00"),
    ]
    assert session.talks[0].end.isoformat() == "2025-12-01T12:15:00-08:00"
    assert schedule.reports[0].kind == "agenda"
    (cut,) = schedule.warnings
    assert "incomplete time line" in cut.message and cut.line == 43
    assert schedule.reports[0].ignored == ((43, "Mon 1:30 p.m"),)


def test_agenda_dated_event_line_dates_its_weekday_items() -> None:
    schedule = parse_kind("agenda_dated_header.txt")
    (session,) = schedule.sessions
    assert session.title == "Workshop on Invented Benchmarks" and session.location == "Room 220 - 222"
    assert session.moderators == ("Amara Diallo", "Yui Kanazawa")
    assert [t.start.isoformat() for t in session.talks] == [
        "2024-12-14T08:15:00-08:00", "2024-12-14T08:30:00-08:00", "2024-12-14T12:00:00-08:00"]
    assert session.talks[-1].type is None and session.talks[-1].authors == ()  # "Lunch": a break


def test_agenda_without_dash_and_cut_last_item() -> None:
    schedule = parse_kind("agenda_no_dash_cut.txt")
    (session,) = schedule.sessions
    assert session.moderators == ("Aram Quist", "Asja Fernholz") and session.title == "Untitled agenda"
    first, last = session.talks
    assert (first.title, first.type, first.end.isoformat()) == ("What to Expect", "intro", "2021-12-06T05:05:00-08:00")
    assert first.abstract.startswith("We’ll give an overview")
    assert last.title == "Can Quantum Calendars Help with Machine Le"
    assert any("may be cut" in w.message for w in schedule.warnings)
    assert any("no title above its agenda" in w.message for w in schedule.warnings)


def test_agenda_weekday_matching_several_days_is_an_error_naming_them() -> None:
    with pytest.raises(ParseError) as info:
        parse_kind("agenda_split_types.txt", days=days("2025-12-01", "2025-12-12"))
    message = str(info.value)
    assert "2 conference days are Mondays (2025-12-01, 2025-12-08)" in message and "--days" in message
    assert not isinstance(info.value, NoEvents)


def test_agenda_without_days_or_zone_says_what_is_missing() -> None:
    with pytest.raises(ParseError) as info:
        parse_kind("agenda_split_types.txt", days=(), timezone=None)
    message = str(info.value)
    for words in ("only weekdays (Monday)", "no time zone", "first_day", "last_day", "--days", "--timezone"):
        assert words in message
    with pytest.raises(ParseError, match=r"only weekdays \(Monday\) and the page no date.*first_day.*--days"):
        parse_kind("agenda_split_types.txt", days=())
    with pytest.raises(ParseError, match="names no time zone.*--timezone"):
        parse_kind("agenda_split_types.txt", timezone=None)


def test_agenda_zone_comes_from_the_conference_before_the_option() -> None:
    schedule = parse_kind("agenda_split_types.txt", timezone="Asia/Tokyo", conference_timezone=LA)
    assert schedule.sessions[0].talks[0].start.isoformat() == "2025-12-01T11:50:00-08:00"
    assert schedule.reports[0].zone_origin.startswith("conference")


def test_agenda_year_from_days_must_agree_with_the_url() -> None:
    with pytest.raises(ParseError, match="contradicts"):
        parse_kind("agenda_split_types.txt", url="https://nips.cc/virtual/2022/tutorial/1")



WORKSHOP_AGENDA = """Workshop on Invented Things
Room 1
Schedule
Sat 8:00 a.m. - 8:30 a.m.
Invited Talk
What Clients Forget
Rangi Te Awa 🔗 |
Sat 8:30 a.m. - 9:00 a.m.
Panel
(Panel)
🔗 |
Sat 9:00 a.m. - 9:30 a.m.
Break
"""


def test_agenda_items_with_the_type_line_first() -> None:
    schedule = parse(WORKSHOP_AGENDA, days=days("2024-12-13", "2024-12-14"), timezone=LA)
    assert [(t.type, t.title, t.authors) for t in schedule.sessions[0].talks] == [
        ("Invited Talk", "What Clients Forget", ("Rangi Te Awa",)), ("Panel", "Panel", ()), (None, "Break", ())]


def test_a_cut_time_line_inside_an_agenda_is_an_error_naming_it() -> None:
    page = WORKSHOP_AGENDA.replace("Sat 9:00 a.m. - 9:30 a.m.", "Sat 9:00 a.m\nSat 9:00 a.m. - 9:30 a.m.")
    with pytest.raises(ParseError) as info:
        parse(page, days=days("2024-12-13", "2024-12-14"), timezone=LA)
    assert info.value.line == 12 and info.value.text == "Sat 9:00 a.m"

# -- calendar pages -----------------------------------------------------------------------------


def test_calendar_page_and_its_text_browser_capture_read_the_same() -> None:
    page, capture = parse_kind("calendar_page.txt"), parse_kind("calendar_capture.txt")
    assert page.sessions == capture.sessions
    titles = [(s.title, len(s.talks)) for s in page.sessions]
    assert titles == [("Reading Calendars at Scale", 1), ("Oral Session 1A", 4), ("Poster Session 1", 1), ("Oral Session 2A", 2)]
    invited, orals, posters, late = page.sessions
    assert invited.talks[0].type == "Invited Talk" and invited.talks[0].end.isoformat() == "2026-04-23T10:00:00-03:00"
    assert [t.end.strftime("%H:%M") for t in orals.talks] == ["10:42", "10:54", "11:06", "11:16"]
    assert posters.talks[0].end.isoformat() == "2026-04-23T13:00:00-03:00"
    assert late.talks[0].start.isoformat() == "2026-04-24T15:15:00-03:00"
    assert page.reports[0].kind == "calendar page" and page.timezone == "America/Sao_Paulo"


# -- nothing to import --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kind, words",
    [
        ("event_no_time.txt", "event page", "no dated event on this page: the page shows no time for it"),
        ("related_event_only.txt", "event page", "belongs to a related event"),
        ("deadlines_table.txt", "deadlines table", "it is a table of deadlines"),
        ("prose_time_article.txt", "text page", "inside running text"),
    ],
)
def test_pages_with_nothing_to_import_say_why(name: str, kind: str, words: str) -> None:
    with pytest.raises(NoEvents) as info:
        parse_kind(name)
    assert info.value.kind == kind and words in str(info.value)
    assert "no dated event on this page" in str(info.value)


def test_an_import_says_in_one_line_that_nothing_was_imported() -> None:
    text = (KINDS / "related_event_only.txt").read_text(encoding="utf-8")
    good = parse_fixture("tutorial_noon.txt")
    noon = (KINDS.parent / "pages" / "tutorial_noon.txt").read_text(encoding="utf-8")
    schedule = parse_pages([(noon, PageOptions(today=TODAY, source="noon.txt")),
                            (text, PageOptions(today=TODAY, source="related.txt"))], skip_empty=True)
    assert schedule.sessions == good.sessions
    (said,) = [w for w in schedule.warnings if w.source == "related.txt"]
    assert said.message.endswith("nothing imported from this page") and "\n" not in said.message
    assert [r.kind for r in schedule.reports] == ["event page", "event page"]


def test_markdown_session_without_times_imports_nothing() -> None:
    page = "### Session\n\n## Session 9: Invented Systems\n\nModerator: Ana Lima\n\n#3\n\n" \
           "##### **[A Paper][1]**\n\nBo Chen ⋅ Rangi Te Awa\n\n[1]: /virtual/2025/poster/3\n"
    with pytest.raises(NoEvents) as info:
        parse(page)
    assert info.value.kind == "session page" and "without times" in str(info.value)


# -- every result has a report; pathological input stays linear ------------------------------------


@pytest.mark.parametrize(
    "name, kind",
    [("icml_basic.txt", "session page"), ("tutorial_noon.txt", "event page"),
     ("poster_session_shared_slot.txt", "session page")],
)
def test_every_page_has_one_report_with_its_kind(name: str, kind: str) -> None:
    (report,) = parse_fixture(name).reports
    assert report.kind == kind and report.source == name


@pytest.mark.parametrize("name", ["day_page.txt", "agenda_dated_header.txt", "calendar_page.txt", "event_oldstyle.txt"])
def test_every_kind_has_one_report(name: str) -> None:
    (report,) = parse_kind(name).reports
    assert report.kind in {"day page", "agenda", "calendar page", "event page"} and report.events >= 1


WORDS = 20_000
LINES = {
    "words": " ".join(["ab"] * WORDS),
    "day event": "Poster Session: " + " ".join(["Wed"] * WORDS),
    "dates": " ".join(["Wed 24 Jul"] * (WORDS // 3)),
    "markdown links": " ".join(["[x](y)"] * WORDS) + "\n# h\n[a](b)\n[c](d)",
    "open brackets": "[ " * WORDS + "\n# h\n[a](b)\n[c](d)",
    "bracket debris": "[ ab " * WORDS + "x" * 50,
    "capture markers": "L1: a\nL2: b\nL3: c\n" + " ".join(["citeab†"] * WORDS),
    "names": " · ".join(["Ana Lima"] * WORDS),
    "times": " ".join(["5:00 a.m."] * WORDS),
    "calendar": "x " * WORDS + "[10:30-12:00]",
    "room after at": "Tue 10 Dec 9:30 a.m. PST — noon PST @ " + "x @ " * WORDS,
    "sentences": "ab. C" * WORDS,
    "wrapped authors": "\n".join(["Ana Lima ·"] * WORDS),
}


@pytest.mark.parametrize("shape", sorted(LINES))
def test_a_20000_word_line_costs_linear_time(shape: str) -> None:
    page = f"Tutorial\nTitle\nAna Lima · Bo Chen\n{LINES[shape]}\nTue 10 Dec 9:30 a.m. PST — noon PST\nabstract\n"
    started = time.perf_counter()
    try:
        parse(page, year=2024)
    except ParseError:
        pass
    assert time.perf_counter() - started < 2.0  # quadratic work on this line takes many seconds



def test_every_kinds_fixture_with_events_passes_icscheck(tmp_path) -> None:
    """One feed of every kinds fixture that has events: six client parsers agree (needs ../shared)."""

    from calsync.ical import FeedOptions, Revision, describe_schedule, render_calendar

    schedules = []
    for name in KIND_FILES:
        try:
            schedules.append(parse_kind(name))
        except (NoEvents, ParseError):
            continue
    assert len(schedules) >= 10
    # the agenda copied two ways gives the same sessions (same UIDs): keep each once
    sessions = list({s.id: s for schedule in schedules for s in schedule.sessions}.values())
    data = render_calendar(sessions, describe_schedule(schedules[0]), lambda _i: Revision(GOLDEN_STAMP.modified),
                           FeedOptions(sessions=True))
    out = tmp_path / "every-kind.ics"
    out.write_bytes(data)
    # pages of several conferences in one calendar: their zones mix
    assert_icscheck_clean(run_icscheck(out), mixed_zones=True)


def test_breadcrumb_of_the_parent_event_is_not_the_title() -> None:
    """A child event's page: "Oral" / "in" / "Oral Session 3B: …" above its own title."""
    text = (
        "Oral\nin\nOral Session 2C: Invented Topics\nA Title We Made Up\nAna Lima · Bo Chen\nHall E 2\n"
        "Wed 24 Jul 1:30 a.m. PDT — 1:45 a.m. PDT\nAbstract:\nWe show things.\n"
    )
    session, talk = only_talk(parse(text, year=2024))
    assert (talk.type, talk.title, talk.authors, session.location) == ("Oral", "A Title We Made Up", ("Ana Lima", "Bo Chen"), "Hall E 2")
    assert talk.start.isoformat() == "2024-07-24T01:30:00-07:00" and talk.abstract == "We show things."
