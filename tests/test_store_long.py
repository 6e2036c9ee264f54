"""The store takes what real pages hold, on SQLite and on PostgreSQL (which enforces lengths)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_seeds import YEARS

from calsync.parse import PageOptions, parse_page
from calsync.store import Store

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
LONG_TITLE = "An Invented Title " + "that runs on and on " * 24 + "(500 characters)"
PAGE = f"""Session
Long Titles
Hall A
Tue 14 July 9:00 - 9:20 CEST
Oral
{LONG_TITLE[:500]}
Ana Lima · Bo Chen
An abstract.
"""


def _store(db_url: str) -> Store:
    store = Store(db_url)
    store.migrate()
    store.ensure_conference("conf", "Conf", "Europe/Vienna", None, T0)
    return store


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"{SEEDS} not present (only CI has ../shared/)")
def test_every_seed_imports(db_url: str) -> None:
    store = _store(db_url)
    total = 0
    for path in sorted(SEEDS.glob("*.txt")):
        schedule = parse_page(path.read_text(encoding="utf-8"), PageOptions(year=YEARS[path.name[:3]], source=path.name))
        report = store.import_schedule("conf", schedule, T0)
        count = sum(len(s.talks) for s in schedule.sessions)
        assert len(report.created) == count > 0
        total += count
    assert sum(len(s.talks) for s in store.load_snapshot("conf").sessions) == total


def test_a_500_character_title_imports_and_reads_back(db_url: str) -> None:
    assert len(LONG_TITLE[:500]) == 500
    store = _store(db_url)
    store.import_schedule("conf", parse_page(PAGE, PageOptions(year=2026)), T0)
    (session,) = store.load_snapshot("conf").sessions
    assert session.talks[0].title == LONG_TITLE[:500]
