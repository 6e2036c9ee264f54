"""Mutated pages (dropped, duplicated, shuffled lines, random bytes, truncation) either
parse or raise ParseError — never any other exception — and what parses exports."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import PAGES, TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calsync.errors import ParseError
from calsync.ical import FeedOptions, Revision, describe_schedule, render_calendar
from calsync.parse import PageOptions, parse_page

SOURCES = sorted(p.read_text(encoding="utf-8") for p in PAGES.iterdir() if p.suffix in {".txt", ".html"})
STAMP = Revision(modified=datetime(2026, 1, 1, tzinfo=UTC))


@st.composite
def mutated_pages(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SOURCES)).splitlines()
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["drop", "dup", "shuffle", "bytes", "truncate", "splice"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "shuffle":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "bytes":
            raw = draw(st.binary(max_size=40)).decode("utf-8", errors="replace")
            lines[i] = lines[i][: len(lines[i]) // 2] + raw
        elif op == "truncate":
            lines = lines[:i]
        else:
            lines[i] = draw(st.text(max_size=60))
    return "\n".join(lines)


def _check(text: str, **options: object) -> None:
    try:
        schedule = parse_page(text, PageOptions(today=TODAY, **options))  # type: ignore[arg-type]
    except ParseError as exc:
        assert exc.status == 422 and str(exc)
        return
    data = render_calendar(schedule.sessions, describe_schedule(schedule), lambda _i: STAMP, FeedOptions(sessions=True))
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_pages())
def test_mutated_pages_only_raise_parse_error(text: str) -> None:
    _check(text)


@settings(max_examples=100, deadline=None)
@given(mutated_pages(), st.sampled_from([None, "Asia/Kolkata", "UTC", "Nowhere/Else"]), st.sampled_from([None, 2019, 2023]))
def test_mutated_pages_with_options(text: str, zone: str | None, year: int | None) -> None:
    _check(text, timezone=zone, year=year)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_only_raises_parse_error(text: str) -> None:
    _check(text)
