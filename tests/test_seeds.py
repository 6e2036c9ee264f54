"""The five real seed pages in ../shared/seeds (present in CI only; skipped elsewhere).

The project keeps no copy of them. Expected values come from an independent
reading of each seed here: a strict regular expression for its time lines, the
fixed UTC offset of PDT/PST, and the line layout (type?, title, authors,
abstract) — not from calsync's parser.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from helpers import SEEDS, TODAY

from calsync.parse import PageOptions, parse_page

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"{SEEDS} not present (only CI has ../shared/)")

#: The conference year of each seed (ICML 2021, ICML 2022, NeurIPS 2020), by file-name prefix.
YEARS = {"000": 2021, "001": 2022, "002": 2022, "003": 2020, "004": 2022}
TIME = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2}) (July|Dec\.) (\d{1,2}):(\d\d) - (\d{1,2}):(\d\d) (PDT|PST)$")
TYPES = {"Oral", "Spotlight", "Break", "Q&A"}
HEADER_NOISE = {"Skip to yearly menu bar Skip to main content", "Session", "Abstract:", "Chat is not available."}


def _seed_files() -> list:
    return sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


def _oracle(text: str, year: int) -> tuple[dict, list[dict]]:
    lines = [ln.strip() for ln in text.splitlines()]
    marks = [i for i, ln in enumerate(lines) if TIME.match(ln)]
    header = [ln for ln in lines[: marks[0]] if ln and ln not in HEADER_NOISE]
    session: dict = {"title": header[0], "location": None, "moderators": []}
    for ln in header[1:]:
        if ln.startswith("Moderator"):
            session["moderators"] = ln.split(":", 1)[1].strip().split(" · ")
        elif " · " in ln:
            session["moderators"] = ln.split(" · ")
        else:
            session["location"] = ln
    talks = []
    for k, i in enumerate(marks):
        m = TIME.match(lines[i])
        assert m
        month = 7 if m.group(3) == "July" else 12
        offset = timezone(timedelta(hours=-7 if m.group(8) == "PDT" else -8))
        day = int(m.group(2))
        start = datetime(year, month, day, int(m.group(4)), int(m.group(5)), tzinfo=offset)
        end = datetime(year, month, day, int(m.group(6)), int(m.group(7)), tzinfo=offset)
        body = [ln for ln in lines[i + 1 : marks[k + 1] if k + 1 < len(marks) else len(lines)] if ln]
        kind = body.pop(0) if len(body) > 1 and body[0] in TYPES else None
        title = body.pop(0) if body else None
        authors = body.pop(0).split(" · ") if body and (" · " in body[0] or len(body) > 1) else []
        talks.append({"start": start, "end": end, "type": kind, "title": title, "authors": authors})
    return session, talks


@pytest.mark.parametrize("path", _seed_files(), ids=lambda p: p.name[:3])
def test_seed_matches_independent_reading(path) -> None:
    year = YEARS[path.name[:3]]
    text = path.read_text(encoding="utf-8")
    schedule = parse_page(text, PageOptions(year=year, source=path.name))
    (session,) = schedule.sessions
    want_session, want_talks = _oracle(text, year)
    assert (session.title, session.location, list(session.moderators)) == (
        want_session["title"], want_session["location"], want_session["moderators"]
    )
    assert len(session.talks) == len(want_talks)
    for talk, want in zip(session.talks, want_talks):
        assert talk.start == want["start"] and talk.start.utcoffset() == want["start"].utcoffset()
        assert talk.end == want["end"]
        assert (talk.type, talk.title, list(talk.authors)) == (want["type"], want["title"], want["authors"])
        assert talk.start.tzinfo.key == "America/Los_Angeles"


@pytest.mark.parametrize("path", _seed_files(), ids=lambda p: p.name[:3])
def test_seed_year_inference_names_candidates(path) -> None:
    schedule = parse_page(path.read_text(encoding="utf-8"), PageOptions(today=TODAY))
    (warning,) = [w for w in schedule.warnings if "no year" in w.message]
    assert str(YEARS[path.name[:3]]) in warning.message


def test_seeds_001_and_004_get_distinct_ids() -> None:
    """Both are "Deep Learning" in "Ballroom 1 & 2" on Thu 21 July."""
    pages = {p.name[:3]: p for p in _seed_files()}
    a = parse_page(pages["001"].read_text(encoding="utf-8"), PageOptions(year=2022)).sessions[0]
    b = parse_page(pages["004"].read_text(encoding="utf-8"), PageOptions(year=2022)).sessions[0]
    assert (a.title, a.location) == (b.title, b.location)
    assert a.id != b.id
    assert not {t.id for t in a.talks} & {t.id for t in b.talks}
