"""Saved HTML read by its structure (calsync.parse.sitehtml): our own fixtures, and the real pages in ../shared.

The fixtures under ``tests/fixtures/html/`` are invented pages in the shapes of the real
sites; their whole outputs are compared with ``tests/fixtures/html/expected/*.json``.
After a deliberate change of output run ``.venv/bin/python tests/test_sitehtml.py`` to
rewrite those files, then read the diff.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import FIXTURES, PAGES, SHARED, TODAY, golden_calendar, run_icscheck

from calsync.errors import CalsyncError, NoEvents, ParseError
from calsync.parse import PageOptions, parse_page
from calsync.parse.sitehtml import parse_site_html
from calsync.serialize import build_schedule_dict

HTML = FIXTURES / "html"
EXPECTED = HTML / "expected"
REAL = SHARED / "realpages" / "html"
ICML_SESSION = REAL / "icml2025_session_50259_poster_session_3_west.html"

#: Fixture → the options it is parsed with (besides the reference date and its name as source).
FIXTURE_OPTIONS: dict[str, dict[str, object]] = {
    "session_poster.html": {},  # no URL: links resolved against the site the <title> names, year from the links
    "session_oral.html": {},  # canonical link
    "event_poster.html": {},  # og:url
    "calendar.html": {},
    "multitrack.html": {"url": "https://nips.cc/Conferences/2018/Schedule?type=Poster"},
    "miniconf_sessions.html": {"url": "https://virtual2023.example.org/sessions.html"},
    "miniconf_plenary.html": {},
}

#: The report kind each fixture is read as.
FIXTURE_KINDS = {
    "session_poster.html": "session page (HTML)",
    "session_oral.html": "session page (HTML)",
    "event_poster.html": "event page (HTML)",
    "calendar.html": "calendar page (HTML)",
    "multitrack.html": "multitrack page (HTML)",
    "miniconf_sessions.html": "MiniConf sessions page (HTML)",
    "miniconf_plenary.html": "MiniConf event page (HTML)",
}


def fixture_text(name: str) -> str:
    return (HTML / name).read_text(encoding="utf-8")


def options_for(name: str, **extra: object) -> PageOptions:
    return PageOptions(today=TODAY, source=name, **{**FIXTURE_OPTIONS.get(name, {}), **extra})  # type: ignore[arg-type]


def parse_html(name: str, text: str | None = None, **extra: object):
    return parse_page(fixture_text(name) if text is None else text, options_for(name, **extra))


def as_json(schedule) -> str:
    return json.dumps(build_schedule_dict(schedule), ensure_ascii=False, indent=2) + "\n"


# -- our fixtures -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIXTURE_OPTIONS))
def test_fixture_matches_expected(name: str) -> None:
    expected = (EXPECTED / f"{Path(name).stem}.json").read_text(encoding="utf-8")
    assert as_json(parse_html(name)) == expected


@pytest.mark.parametrize("name", sorted(FIXTURE_OPTIONS))
def test_fixture_is_read_by_its_structure(name: str) -> None:
    schedule = parse_site_html(fixture_text(name), options_for(name))
    assert schedule is not None
    assert [r.kind for r in schedule.reports] == [FIXTURE_KINDS[name]]


@pytest.mark.parametrize("path", [PAGES / "saved_page.html", PAGES / "saved_neurips.html", FIXTURES / "kinds" / "day_page.html"])
def test_other_html_is_left_to_the_text_grammar(path: Path) -> None:
    assert parse_site_html(path.read_text(encoding="utf-8"), PageOptions(today=TODAY)) is None


def test_poster_session_children_share_its_slot_with_positions_and_links() -> None:
    schedule = parse_html("session_poster.html")
    (session,) = schedule.sessions
    assert (session.title, session.location) == ("Poster Session 2 East", "East Exhibition Hall A-B")
    assert {(t.start.isoformat(), t.end.isoformat()) for t in session.talks} == {("2026-07-14T16:30:00-07:00", "2026-07-14T19:00:00-07:00")}
    first = session.talks[0]
    assert first.type == "Poster" and first.location == "East Exhibition Hall A-B #E-101"
    assert first.authors == ("Oona Virtanen", "Rafael de la Cruz Ibáñez", "Kwame Asante-Boateng")
    assert first.url == "https://icml.cc/virtual/2026/poster/91001"
    assert "&" in (first.abstract or "") and "(Bookmark)" not in as_json(schedule)
    assert session.talks[2].location is None  # no position: the session's room
    assert schedule.reports[0].year_origin == "page"  # the page's own /virtual/2026/ links


def test_orals_keep_their_own_times() -> None:
    (session,) = parse_html("session_oral.html").sessions
    assert [(t.start.strftime("%H:%M"), t.end.strftime("%H:%M") if t.end else None) for t in session.talks] == [
        ("10:00", "10:15"), ("10:15", "10:30"), ("10:30", "10:45"), ("10:45", "11:00")
    ]
    assert session.moderators == ("Amara Diallo", "Tomás Ó Briain")
    assert session.talks[3].url is None and session.talks[3].title == "Joint Q&A for the Session"


def test_talk_ids_do_not_depend_on_times() -> None:
    text = fixture_text("session_oral.html")
    moved = text.replace("Wed 15 Jul 10:15 a.m. PDT &mdash; 10:30 a.m. PDT", "Wed 15 Jul 10:50 a.m. PDT &mdash; 10:55 a.m. PDT")
    assert moved != text
    before, after = parse_html("session_oral.html").sessions[0], parse_html("session_oral.html", moved).sessions[0]
    assert [t.id for t in before.talks] == [t.id for t in after.talks]
    assert before.talks[1].start != after.talks[1].start


def test_session_ics_has_each_talks_own_url_and_passes_icscheck(tmp_path: Path) -> None:
    schedule = parse_html("session_poster.html", url="https://icml.cc/virtual/2026/session/90001")
    data = golden_calendar(schedule).replace(b"\r\n ", b"")
    events = data.split(b"BEGIN:VEVENT")[1:]
    urls = {re.search(rb"\r\nUID:([^\r]+)", e).group(1): re.search(rb"\r\nURL:([^\r]+)", e).group(1) for e in events}  # type: ignore[union-attr]
    session = schedule.sessions[0]
    talk_urls = [urls[f"{t.id}@calsync.test".encode()].decode() for t in session.talks]
    assert talk_urls == [t.url for t in session.talks] == [f"https://icml.cc/virtual/2026/poster/9100{n}" for n in (1, 2, 3)]
    assert urls[f"{session.id}@calsync.test".encode()].decode() == "https://icml.cc/virtual/2026/session/90001"
    path = tmp_path / "session_poster.ics"
    path.write_bytes(golden_calendar(schedule))
    report = run_icscheck(path)
    assert report["result"] == "PASS" and report["failures"] == 0 and report["warnings"] == 0, report["findings"]


def test_calendar_reads_ampm_from_time_boxes_and_talks_end_at_the_next() -> None:
    schedule = parse_html("calendar.html")
    by_title = {s.title: s for s in schedule.sessions}
    noon = by_title["Oral Session 3A: Over Noon"]
    assert [(t.start.strftime("%H:%M"), t.end.strftime("%H:%M")) for t in noon.talks] == [  # type: ignore[union-attr]
        ("11:30", "12:10"), ("12:10", "12:40"), ("12:40", "13:00")
    ]
    afternoon = by_title["Oral Session 2B: Estuaries"]
    assert afternoon.start.isoformat() == "2026-04-23T15:15:00-03:00"  # type: ignore[union-attr]
    poster = by_title["Poster Session 1"]
    assert [(t.title, t.type, t.end.isoformat()) for t in poster.talks] == [  # type: ignore[union-attr]
        ("Poster Session 1", "Poster Session", "2026-04-23T13:00:00-03:00")
    ]
    assert schedule.timezone == "America/Sao_Paulo"


def test_calendar_without_a_zone_needs_the_conferences() -> None:
    text = re.sub(r'<div class="tzrow">.*?</div>', "", fixture_text("calendar.html"), flags=re.S)
    with pytest.raises(ParseError, match="names no time zone"):
        parse_html("calendar.html", text)
    schedule = parse_html("calendar.html", text, conference_timezone="Europe/Lisbon")
    assert schedule.sessions[0].talks[0].start.isoformat() == "2026-04-23T10:30:00+01:00"


def test_multitrack_cards_without_a_zone_name_the_line() -> None:
    text = fixture_text("multitrack.html").replace(" (PST)", "")
    with pytest.raises(ParseError) as caught:
        parse_html("multitrack.html", text)
    assert "names no time zone" in str(caught.value) and caught.value.line == 17
    schedule = parse_html("multitrack.html", text, timezone="America/Los_Angeles")
    assert schedule.sessions[0].talks[0].url == "https://nips.cc/Conferences/2018/Schedule?showEvent=11437"


def test_session_page_without_a_time_imports_nothing() -> None:
    text = re.sub(r"<div>Tue 14 Jul.*?</div>", "", fixture_text("session_poster.html"), flags=re.S)
    with pytest.raises(NoEvents) as caught:
        parse_html("session_poster.html", text)
    assert caught.value.kind == "session page (HTML)"


def test_bad_date_names_the_html_line() -> None:
    text = fixture_text("session_poster.html").replace("Tue 14 Jul 4:30", "Tue 32 Jul 4:30")
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if "Tue 32 Jul" in t)
    with pytest.raises(ParseError) as caught:
        parse_html("session_poster.html", text)
    assert caught.value.line == line and "32 July" in caught.value.reason


def test_event_page_with_an_oral_presentation_is_left_to_the_text_grammar() -> None:
    text = fixture_text("event_oral_presentation.html")
    assert parse_site_html(text, options_for("event_oral_presentation.html")) is None
    schedule = parse_html("event_oral_presentation.html", text)
    assert [s.title for s in schedule.sessions] == ["Harbour Seals Count Themselves: Self-Supervised Density Maps", "Oral 2C Vision"]
    assert schedule.sessions[1].talks[0].start.isoformat() == "2026-07-16T09:00:00-07:00"


def test_miniconf_page_without_times_says_what_it_is() -> None:
    page = (
        '<html><head><title>ICIL2023: A Paper</title></head><body><nav><a href="papers.html">Papers</a>'
        '<a href="schedule.html">Schedule</a></nav><div class="card-header"><h2 class="card-title">A Paper</h2>'
        '<h3 class="card-subtitle">Ana Lima, Bo Chen</h3></div><div id="abstractExample">Abstract: x</div></body></html>'
    )
    with pytest.raises(NoEvents) as caught:
        parse_page(page, PageOptions(today=TODAY))
    assert caught.value.kind == "MiniConf paper page" and "no time on it" in str(caught.value)


@pytest.mark.parametrize("name", sorted(FIXTURE_OPTIONS))
def test_cut_pages_give_a_schedule_or_a_clean_error(name: str) -> None:
    text = fixture_text(name)
    for cut in range(0, len(text), max(1, len(text) // 40)):
        try:
            parse_page(text[:cut], options_for(name))
        except CalsyncError:
            pass


# -- the real pages in ../shared ------------------------------------------------------------


def _real(path: Path) -> str:
    if not path.exists():
        pytest.skip(f"{path} missing: the real pages of ../shared/realpages exist only beside the clone in CI")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("url", [None, "https://icml.cc/virtual/2025/session/50259"])
def test_real_icml_poster_session(url: str | None) -> None:
    schedule = parse_page(_real(ICML_SESSION), PageOptions(url=url, today=TODAY, source=ICML_SESSION.name))
    assert len(schedule.sessions) == 1
    (session,) = schedule.sessions
    assert session.title == "Poster Session 3 West"
    assert session.location == "West Exhibition Hall B2-B3"
    assert session.start.isoformat() == "2025-07-16T11:00:00-07:00"  # type: ignore[union-attr]
    assert session.end.isoformat() == "2025-07-16T13:30:00-07:00"  # type: ignore[union-attr]
    assert schedule.timezone == "America/Los_Angeles"
    assert len(session.talks) == 232
    first = session.talks[0]
    assert first.type == "Poster" and first.title and len(first.authors) == 6
    assert first.location == "West Exhibition Hall B2-B3 #W-100"
    assert first.url is not None and re.fullmatch(r"https://icml\.cc/virtual/2025/poster/\d+", first.url)
    assert all(t.url and t.url != session.source_url for t in session.talks)
    assert len({t.url for t in session.talks}) == 232 and len({t.id for t in session.talks}) == 232
    assert {t.type for t in session.talks} == {"Poster", "Spotlight Poster"}
    assert all(t.start == session.start and t.end == session.end for t in session.talks)
    assert schedule.reports[0].kind == "session page (HTML)" and not schedule.warnings


ACL_PAGES = sorted(REAL.glob("acl2023_*.html")) if REAL.exists() else []


@pytest.mark.parametrize("path", ACL_PAGES or [REAL / "acl2023_miniconf__sessions.html"], ids=lambda p: p.name)
def test_real_miniconf_pages_parse_or_say_why(path: Path) -> None:
    text = _real(path)
    try:
        schedule = parse_page(text, PageOptions(today=TODAY, source=path.name))
    except NoEvents as exc:
        assert exc.kind and exc.kind.startswith("MiniConf ") and exc.kind in str(exc).replace("a MiniConf", "MiniConf")
        return
    except ParseError as exc:
        assert exc.line is not None, exc  # a clean error naming the line
        return
    assert schedule.sessions and schedule.reports[0].kind.startswith("MiniConf ")
    if "plenary" in path.name:
        assert [(s.title, s.location, s.start.isoformat()) for s in schedule.sessions] == [  # type: ignore[union-attr]
            ("Plenary: Two Paths to Intelligence", "Metropolitan", "2023-07-10T11:30:00-04:00")
        ]
    if path.name.endswith("__sessions.html"):
        assert len(schedule.sessions) > 100 and schedule.reports[0].year == 2023


def regenerate() -> None:
    """Rewrite the expected JSON of every fixture (review the diff before committing)."""
    for name in sorted(FIXTURE_OPTIONS):
        out = EXPECTED / f"{Path(name).stem}.json"
        out.write_text(as_json(parse_html(name)), encoding="utf-8")
        print("wrote", out.relative_to(FIXTURES.parent.parent))


if __name__ == "__main__":
    regenerate()
