"""calsync.icalfold: the same folds as icalendar's own, byte for byte, on generated lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser import content_line
from icalendar.parser.string import _foldline

from calsync.icalfold import fold, install

#: Characters that matter to folding: ASCII, the escape starters, 2-, 3- and 4-octet UTF-8.
TRICKY = st.sampled_from(list("ab ,;:\\^\"\t") + ["é", "Þ", "€", "中", "😀", "\u0301"])
LINES = st.text(alphabet=st.one_of(TRICKY, st.characters(exclude_categories=["Cs"], exclude_characters="\n\r")),
                max_size=400)
ASCII_LINES = st.text(alphabet=st.sampled_from(list("abcdefgh ,;:\\^")), max_size=600)


@settings(max_examples=3000, deadline=None)
@given(LINES, st.integers(min_value=-2, max_value=120))
def test_fold_is_icalendars_fold(line: str, limit: int) -> None:
    assert fold(line, limit) == _foldline(line, limit)


@settings(max_examples=3000, deadline=None)
@given(ASCII_LINES)
def test_ascii_lines_at_the_default_limit(line: str) -> None:
    assert fold(line) == _foldline(line)


@pytest.mark.parametrize("line", [
    "", "x" * 74, "x" * 75, "x" * 148, "x" * 149, "x" * 73 + "\\n" + "y" * 80, "x" * 73 + "^" + "y" * 80,
    "\\" * 200, "^" * 200, "é" * 37, "é" * 38, "x" * 73 + "😀" + "y", "DESCRIPTION:" + "Zoë Þórsdóttir\\, " * 20,
])
def test_edges(line: str) -> None:
    assert fold(line) == _foldline(line)
    assert fold(line, 75, "\r\n\t") == _foldline(line, 75, "\r\n\t")
    assert all(len(part.encode()) <= 74 for part in fold(line).split("\r\n "))


@pytest.mark.parametrize("limit", [-1, 0, 1, 2])
def test_tiny_limits_end(limit: int) -> None:
    """A limit under 2 leaves no room to slice by: every character on its own line, as icalendar does."""
    for line in ("abc\\^d", "x" * 100, "é€x"):
        assert fold(line, limit) == _foldline(line, limit)
    assert fold("abc", limit) == "a\r\n b\r\n c"


def test_install_keeps_calendars_byte_identical() -> None:
    from datetime import UTC, datetime

    from icalendar import Calendar, Event

    cal = Calendar()
    for i in range(30):
        event = Event()
        event.add("uid", f"{i}@x")
        event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
        event.add("summary", f"Talk {i}: " + "A rather long title, with commas; semicolons and \\ backslashes " * (i % 4))
        event.add("description", "Zoë Þórsdóttir · 中文 😀 " * i + "\n\nabstract " * i)
        cal.add_component(event)
    before = cal.to_ical()
    original = getattr(content_line, "_foldline")  # noqa: B009
    try:
        assert install()
        assert getattr(content_line, "_foldline") is fold  # noqa: B009
        assert cal.to_ical() == before
    finally:
        setattr(content_line, "_foldline", original)  # noqa: B010


@pytest.mark.parametrize("limit", [5, 6, 7])
def test_a_carried_escape_before_a_wide_character(limit: int) -> None:
    """At small limits icalendar lets a carried backslash and a 4-octet character share an overlong line."""
    for line in ("0\\𐀀", "0\\😀x", "ab^€€", "x" * 3 + "\\" + "😀" * 3):
        assert fold(line, limit) == _foldline(line, limit)
