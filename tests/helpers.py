"""Helpers shared by tests and ``regenerate.py``: how fixtures are parsed and rendered."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from conftest import FIXTURES, PAGES, TODAY

from calsync.errors import NoEvents, ParseError
from calsync.ical import FeedOptions, Revision, describe_schedule, render_calendar
from calsync.model import Schedule
from calsync.parse import PageOptions, parse_page
from calsync.serialize import build_schedule_dict

#: Pages that must fail, with the line the error names and words of its message.
ERROR_PAGES: dict[str, tuple[int | None, str]] = {
    "bad_time.txt": (27, "no such date: 32 July 2023"),
    "no_zone.txt": (11, "names no time zone"),
    "pdt_in_december.txt": (16, "PDT (UTC-07:00) contradicts America/Los_Angeles on 2023-12-07"),
    "ist_ambiguous.txt": (16, "IST is ambiguous"),
}

#: Fixed export settings of the golden files.
GOLDEN_OPTIONS = FeedOptions(host="calsync.test", sessions=True)
GOLDEN_STAMP = Revision(modified=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))


def parse_fixture(name: str, **options: object) -> Schedule:
    """Parse a fixture page with the fixed reference date."""
    text = (PAGES / name).read_text(encoding="utf-8")
    return parse_page(text, PageOptions(today=TODAY, source=name, **options))  # type: ignore[arg-type]


def golden_calendar(schedule: Schedule) -> bytes:
    """The golden rendering of a schedule (talks and the session event)."""
    return render_calendar(schedule.sessions, describe_schedule(schedule), lambda _id: GOLDEN_STAMP, GOLDEN_OPTIONS)


# -- the other page kinds (tests/fixtures/kinds): parsed with the options a user would give -------

KINDS = FIXTURES / "kinds"


def days(first: str, last: str) -> tuple[date, ...]:
    """The conference days FIRST..LAST (as ``--days`` or first_day/last_day give them)."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return tuple(start + timedelta(days=n) for n in range((end - start).days + 1))


#: Options of each kinds fixture (absent: none); its expected result is kinds/expected/<stem>.json.
KIND_OPTIONS: dict[str, dict[str, Any]] = {
    "day_page.txt": {"url": "https://icml.cc/virtual/2024/day/7/24"},
    "event_newstyle.txt": {"url": "https://iclr.cc/virtual/2023/poster/11001"},
    "event_oldstyle.txt": {"url": "https://nips.cc/Conferences/2017/Schedule?showEvent=9001"},
    "workshop_weekday.txt": {"days": days("2023-12-15", "2023-12-16")},
    "agenda_split_types.txt": {"days": days("2025-12-01", "2025-12-06"), "timezone": "America/Los_Angeles"},
    "agenda_oneline_types.txt": {"days": days("2025-12-01", "2025-12-06"), "timezone": "America/Los_Angeles"},
    "agenda_no_dash_cut.txt": {"days": days("2021-12-06", "2021-12-06"), "timezone": "America/Los_Angeles"},
    "calendar_page.txt": {"url": "https://example.org/virtual/2026/calendar"},
    "calendar_capture.txt": {"url": "https://example.org/virtual/2026/calendar"},
}


def parse_kind(name: str, **options: object) -> Schedule:
    """Parse a kinds fixture with its options (``options`` add to or replace them)."""
    text = (KINDS / name).read_text(encoding="utf-8")
    given = {**KIND_OPTIONS.get(name, {}), **options}
    return parse_page(text, PageOptions(today=TODAY, source=name, **given))


def kind_result(name: str) -> dict[str, Any]:
    """What a kinds fixture parses to, as JSON: the ``calsync parse`` document, or the error."""
    try:
        return build_schedule_dict(parse_kind(name))
    except NoEvents as exc:
        return {"nothing_to_import": {"kind": exc.kind, "message": str(exc), "line": exc.line}}
    except ParseError as exc:
        return {"error": {"message": str(exc), "line": exc.line}}
