"""Helpers shared by tests and ``regenerate.py``: how fixtures are parsed and rendered."""

from __future__ import annotations

from datetime import datetime, timezone

from conftest import PAGES, TODAY

from calsync.ical import FeedOptions, Revision, describe_schedule, render_calendar
from calsync.model import Schedule
from calsync.parse import PageOptions, parse_page

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
