"""Six client parsers read every fixture's and every seed's feed alike (icscheck, ../shared: CI).

Each check starts icscheck's six parsers (about 1.5 s a file), so they run with the slow
end-to-end tests rather than in the fast suite; the golden files in ``tests/test_ical.py``
pin the same bytes there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import assert_icscheck_clean, golden_calendar, parse_fixture, run_icscheck
from test_parse_pages import GOOD_PAGES
from test_seeds import YEARS, _seed_files

from calsync.ical import FeedOptions, Revision, describe_schedule, render_calendar
from calsync.parse import PageOptions, parse_page


@pytest.mark.parametrize("name", GOOD_PAGES)
def test_icscheck_passes_on_fixture_output(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name.rsplit('.', 1)[0]}.ics"
    path.write_bytes(golden_calendar(parse_fixture(name)))
    assert_icscheck_clean(run_icscheck(path))


@pytest.mark.parametrize("path", _seed_files(), ids=lambda p: p.name[:3])
def test_seed_feed_passes_icscheck(path: Path, tmp_path: Path) -> None:
    schedule = parse_page(path.read_text(encoding="utf-8"), PageOptions(year=YEARS[path.name[:3]]))
    data = render_calendar(
        schedule.sessions,
        describe_schedule(schedule),
        lambda _i: Revision(modified=datetime(2026, 1, 1, tzinfo=UTC)),
        FeedOptions(sessions=True),
    )
    out = tmp_path / f"{path.stem}.ics"
    out.write_bytes(data)
    report = run_icscheck(out)
    assert_icscheck_clean(report)
    assert report["vevents"] == len(schedule.sessions[0].talks) + 1
