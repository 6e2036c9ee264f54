"""The real pages in ../shared/realpages/text (present in CI only; skipped elsewhere).

The project keeps no copy of them. ``tests/realpages_expected/<stem>.json`` holds a
person's reading of each page — kind, titles, types, times with offsets, rooms, authors,
talk counts, or "nothing to import" and why — and the options a user would give
(each case says why). The abstract is kept only as its first 40 characters.

Run as a script for the field accuracy (fields right / fields total, per page)::

    .venv/bin/python tests/test_realpages.py
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import SHARED, TODAY

from calsync.errors import NoEvents, ParseError
from calsync.parse import PageOptions, parse_page

REAL = SHARED / "realpages" / "text"
EXPECTED = Path(__file__).resolve().parent / "realpages_expected"

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} not present (only CI has ../shared/)")


def _days(text: str) -> tuple[date, ...]:
    first, last = (date.fromisoformat(x) for x in text.split(".."))
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


def page_options(name: str, given: dict[str, Any]) -> PageOptions:
    """The options of a case: ``url``, ``days`` ("FIRST..LAST"), ``timezone``, ``year``, conference settings."""
    values = dict(given)
    if "days" in values:
        values["days"] = _days(values["days"])
    return PageOptions(today=TODAY, source=name, **values)


def _checks(expect: dict[str, Any], outcome: object) -> Iterator[tuple[str, object, object]]:
    """(field, wanted, got) for every field the expectation names."""
    if "no_events" in expect:
        want = expect["no_events"]
        yield "nothing to import", True, isinstance(outcome, NoEvents)
        yield "kind", want["kind"], getattr(outcome, "kind", None)
        yield "message", want["says"], want["says"] if want["says"] in str(outcome) else str(outcome)
        return
    if "error" in expect:
        yield "an error", True, isinstance(outcome, ParseError) and not isinstance(outcome, NoEvents)
        for words in expect["error"]["says"]:
            yield "message", words, words if words in str(outcome) else str(outcome)
        return
    schedule = outcome if not isinstance(outcome, Exception) else None
    yield "kind", expect["kind"], schedule.reports[0].kind if schedule else str(outcome)
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
        if "abstract_start" in want_s:
            yield f"{where} abstract", want_s["abstract_start"], (s.abstract or "")[:40] if s else "(missing)"
        talks = list(s.talks) if s else []
        yield f"{where} talks", len(want_s["talks"]), len(talks)
        for j, want_t in enumerate(want_s["talks"]):
            t = talks[j] if j < len(talks) else None
            at = f"{where} talk {j + 1}"
            for key, want in want_t.items():
                if t is None:
                    got: object = "(missing)"
                elif key in ("start", "end"):
                    moment = getattr(t, key)
                    got = moment.isoformat() if moment else None
                elif key == "authors":
                    got = list(t.authors)
                elif key == "abstract_start":
                    got = (t.abstract or "")[:40]
                elif key == "abstract_excludes":
                    want, got = True, want not in (t.abstract or "")
                else:
                    got = getattr(t, key)
                yield f"{at} {key}", want, got


def run_case(name: str, case: dict[str, Any]) -> list[tuple[str, object, object]]:
    """Parse the page with the case's options; every field check (field, wanted, got)."""
    text = (REAL / name).read_text(encoding="utf-8")
    try:
        outcome: object = parse_page(text, page_options(name, case["options"]))
    except ParseError as exc:
        outcome = exc
    return list(_checks(case["expect"], outcome))


def _expected_files() -> list[Path]:
    return sorted(EXPECTED.glob("*.json"))


@pytest.mark.parametrize("path", _expected_files(), ids=lambda p: p.stem[:3])
def test_real_page_reads_as_a_person_reads_it(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    wrong = []
    for case in data["cases"]:
        for field, want, got in run_case(data["file"], case):
            if want != got:
                wrong.append(f"[{case['why']}] {field}: want {want!r}, got {got!r}")
    assert not wrong, "\n".join(wrong)


def test_every_real_page_has_an_expectation() -> None:
    assert {p.stem for p in REAL.glob("*.txt")} == {p.stem for p in _expected_files()}


def accuracy() -> tuple[int, int, list[str]]:
    """Fields right, fields total, and one line per page."""
    right = total = 0
    lines = []
    for path in _expected_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        ok = n = 0
        for case in data["cases"]:
            checks = run_case(data["file"], case)
            ok += sum(1 for _, want, got in checks if want == got)
            n += len(checks)
        right, total = right + ok, total + n
        lines.append(f"{path.stem[:50]:50} {ok:4}/{n:<4}")
    return right, total, lines


if __name__ == "__main__":
    good, all_fields, rows = accuracy()
    print("\n".join(rows))
    print(f"field accuracy: {good}/{all_fields} = {good / all_fields:.1%}")
