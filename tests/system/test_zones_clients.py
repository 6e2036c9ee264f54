"""Issue 12's examples read by the six client parsers of icscheck and by Outlook's rules: one answer each.

Each feed must pass icscheck (no failure, no warning) and every parser, and Outlook's
import rules (``tests/outlook_rules.py``), must read the instant the issue states.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import run_icscheck
from outlook_rules import read_events

from calsync.ical import CalendarInfo, FeedOptions, Revision, describe_schedule, render_calendar
from calsync.parse import PageOptions, parse_page

STAMP = Revision(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))


def page(zone_line: str, slot: str, title: str = "A Talk") -> str:
    return f"Clock Changes\n{zone_line}\n\n{slot}\n\nOral\n{title}\n\nAda Lovelace\n"


def check(tmp_path: Path, text: str, year: int, start: str, *, info_name: str | None = None) -> dict:
    """Render a one-talk page, run icscheck, and check every reader's start instant."""
    schedule = parse_page(text, PageOptions(year=year))
    info = describe_schedule(schedule)
    if info_name is not None:
        info = CalendarInfo(info_name, info.description, info.timezone, info.url, year=info.year)
    data = render_calendar(schedule.sessions, info, lambda _i: STAMP, FeedOptions())
    path = tmp_path / "feed.ics"
    path.write_bytes(data)
    report = run_icscheck(path)
    assert report["result"] == "PASS" and report["failures"] == 0 and report["warnings"] == 0, report["findings"]
    for key, parser in report["parsers"].items():
        assert parser["status"] == "pass", (key, parser)
        (event,) = parser["events"]
        assert event["start"]["utc"] == start, (key, event)
    (outlook,) = read_events(data.decode()).values()
    assert outlook[0] == datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return report


@pytest.mark.parametrize(
    ("zone", "year", "slot", "start"),
    [
        ("Africa/Cairo", 2023, "Thu 13 July 10:00 - 10:30", "2023-07-13T07:00:00Z"),  # ical.js read 08:00Z
        ("America/Mexico_City", 2023, "Thu 13 July 10:00 - 10:30", "2023-07-13T16:00:00Z"),  # Outlook 1 h off
        ("Asia/Amman", 2022, "Wed 13 July 10:00 - 10:30", "2022-07-13T07:00:00Z"),
        ("America/Sao_Paulo", 2019, "Sun 1 December 10:00 - 10:30", "2019-12-01T13:00:00Z"),
        ("Pacific/Apia", 2021, "Tue 13 July 10:00 - 10:30", "2021-07-12T21:00:00Z"),
        ("America/Los_Angeles", 2022, "Sun 6 November 1:30 - 2:30", "2022-11-06T08:30:00Z"),  # the first 01:30
        ("America/Los_Angeles", 2022, "Sun 13 March 2:15 - 2:45", "2022-03-13T10:15:00Z"),  # skipped: read as PST
    ],
)
def test_every_reader_agrees(tmp_path: Path, zone: str, year: int, slot: str, start: str) -> None:
    check(tmp_path, page(f"Timezone: {zone}", slot), year, start)


def test_second_occurrence_named_by_its_abbreviation(tmp_path: Path) -> None:
    check(tmp_path, page("", "Sun 6 November 1:10 PST - 1:50 PST"), 2022, "2022-11-06T09:10:00Z")


def test_text_as_written_in_every_parser(tmp_path: Path) -> None:
    report = check(
        tmp_path,
        page("Timezone: Europe/Berlin", "Mon 3 July 10:00 - 10:30", "Loss $f:\\N \\to \\R$ \u202eis convex"),
        2023,
        "2023-07-03T08:00:00Z",
        info_name="A\u0000B\u0007C",
    )
    # the same visible text everywhere: a WORD JOINER (invisible) keeps node-ical from reading a line break
    for key, parser in report["parsers"].items():
        assert parser["events"][0]["summary"] == "Loss $f:\\\u2060N \\to \\R$ is convex", key
