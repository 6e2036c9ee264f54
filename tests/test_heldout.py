"""Held-out pages: invented pages of the sites' shapes, each with a person's reading written first.

``tests/fixtures/heldout/<name>.txt`` is a page (titles, names and abstracts made up) in a
shape the sites produce — event, session, poster-session, agenda, day and calendar pages;
browser, reader-view, markdown and text-browser captures; Windows line ends, NBSPs, pages
copied twice or cut short. ``<name>.json`` holds what a person expects from it with the
options a user would give (the URL with the year; days or zone only where the page cannot
be placed without them): kind, sessions, titles, types, starts/ends with offsets, rooms,
authors, talk counts — or "nothing to import", or the error and words of its message.

The expectations were written before the parser ran on these pages; the parser is
fixed for the shapes, never for these strings. Run as a script for the field accuracy::

    .venv/bin/python tests/test_heldout.py
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from calsync.errors import NoEvents, ParseError
from calsync.parse import PageOptions, parse_page

HELDOUT = Path(__file__).resolve().parent / "fixtures" / "heldout"
#: The reference date for year inference (fixed: no test depends on the clock).
TODAY = date(2026, 11, 23)


def _days(text: str) -> tuple[date, ...]:
    first, last = (date.fromisoformat(x) for x in text.split(".."))
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


def page_options(name: str, given: dict[str, Any]) -> PageOptions:
    """The options of a case: ``url``, ``year``, ``timezone``, ``days`` ("FIRST..LAST")."""
    values = dict(given)
    if "days" in values:
        values["days"] = _days(values["days"])
    return PageOptions(today=TODAY, source=name, **values)


def _talk_field(talk: Any, key: str, want: object) -> tuple[object, object]:
    """(wanted, got) for one field of a talk."""
    if talk is None:
        return want, "(missing)"
    if key in ("start", "end"):
        moment = getattr(talk, key)
        return want, moment.isoformat() if moment else None
    if key == "authors":
        return want, list(talk.authors)
    if key == "abstract_start":
        return want, (talk.abstract or "")[:40]
    if key == "abstract_excludes":
        return True, want not in (talk.abstract or "")
    return want, getattr(talk, key)


def checks(expect: dict[str, Any], outcome: object) -> Iterator[tuple[str, object, object]]:
    """(field, wanted, got) for every field the expectation names."""
    if "no_events" in expect:
        want = expect["no_events"]
        yield "nothing to import", True, isinstance(outcome, NoEvents)
        if "kind" in want:
            yield "kind", want["kind"], getattr(outcome, "kind", None)
        if "says" in want:
            yield "message", want["says"], want["says"] if want["says"] in str(outcome) else str(outcome)
        return
    if "error" in expect:
        yield "an error", True, isinstance(outcome, ParseError) and not isinstance(outcome, NoEvents)
        for words in expect["error"]["says"]:
            yield "message", words, words if words in str(outcome) else str(outcome)
        return
    schedule = outcome if not isinstance(outcome, Exception) else None
    yield "kind", expect["kind"], schedule.reports[0].kind if schedule else str(outcome)
    if "year_origin" in expect:
        yield "year origin", expect["year_origin"], schedule.reports[0].year_origin if schedule else None
    got_sessions = list(schedule.sessions) if schedule else []
    yield "sessions", len(expect["sessions"]), len(got_sessions)
    for i, want_s in enumerate(expect["sessions"]):
        s = got_sessions[i] if i < len(got_sessions) else None
        where = f"session {i + 1}"
        for key in ("title", "location"):
            if key in want_s:
                yield f"{where} {key}", want_s[key], getattr(s, key, "(missing)")
        if "moderators" in want_s:
            yield f"{where} moderators", want_s["moderators"], list(s.moderators) if s else "(missing)"
        talks = list(s.talks) if s else []
        yield f"{where} talks", len(want_s["talks"]), len(talks)
        for j, want_t in enumerate(want_s["talks"]):
            t = talks[j] if j < len(talks) else None
            for key, want in want_t.items():
                wanted, got = _talk_field(t, key, want)
                yield f"{where} talk {j + 1} {key}", wanted, got


def run_case(name: str, case: dict[str, Any]) -> list[tuple[str, object, object]]:
    """Parse the page with the case's options; every field check (field, wanted, got)."""
    text = (HELDOUT / name).read_bytes().decode("utf-8")
    try:
        outcome: object = parse_page(text, page_options(name, case["options"]))
    except ParseError as exc:
        outcome = exc
    return list(checks(case["expect"], outcome))


def expected_files() -> list[Path]:
    """Every held-out expectation, in name order."""
    return sorted(HELDOUT.glob("*.json"))


@pytest.mark.parametrize("path", expected_files(), ids=lambda p: p.stem[:2])
def test_heldout_page_reads_as_a_person_reads_it(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    wrong = []
    for case in data["cases"]:
        for field, want, got in run_case(data["file"], case):
            if want != got:
                wrong.append(f"[{case['why']}] {field}: want {want!r}, got {got!r}")
    assert not wrong, "\n".join(wrong)


def test_every_heldout_page_has_an_expectation() -> None:
    assert {p.stem for p in HELDOUT.glob("*.txt")} == {p.stem for p in expected_files()}
    assert len(expected_files()) >= 40


def accuracy() -> tuple[int, int, list[str]]:
    """Fields right, fields total, and one line per page (with the first wrong field)."""
    right = total = 0
    lines = []
    for path in expected_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        ok = n = 0
        first_wrong = ""
        for case in data["cases"]:
            results = run_case(data["file"], case)
            ok += sum(1 for _, want, got in results if want == got)
            n += len(results)
            bad = next(((f, w, g) for f, w, g in results if w != g), None)
            if bad and not first_wrong:
                first_wrong = f"  {bad[0]}: want {bad[1]!r}, got {str(bad[2])[:90]!r}"
        right, total = right + ok, total + n
        lines.append(f"{path.stem[:52]:52} {ok:4}/{n:<4}{first_wrong}")
    return right, total, lines


if __name__ == "__main__":
    import sys

    good, all_fields, rows = accuracy()
    sys.stdout.write("\n".join(rows) + "\n")
    sys.stdout.write(f"field accuracy: {good}/{all_fields} = {good / all_fields:.1%}\n")
