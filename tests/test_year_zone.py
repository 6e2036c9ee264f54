"""The year and the zone of a page have one owner (calsync.parse.context), and the
conference is their context for every import and refresh (the command, real SQLite)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from helpers import PAGES, Cli

from calsync.config import Config
from calsync.errors import ParseError
from calsync.parse import PageOptions, parse_page
from calsync.refresh import refresh_all
from calsync.service import utcnow
from calsync.store import Store

#: An invented NeurIPS-2020-style page: "Wed 9 Dec." fits 2020 and 2026 (the inference picks 2026).
PAGE_2020 = PAGES / "neurips_bare_moderators.txt"
TODAY = "2026-11-23"


def _db(tmp_path: Path) -> dict[str, str]:
    return {"CALSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}


def _starts(db: str, slug: str) -> set[int]:
    snap = Store(db).load_snapshot(slug)
    return {t.start.year for s in snap.sessions for t in s.talks}


def test_inferred_year_never_becomes_the_conference_year_and_year_option_sets_it(tmp_path: Path, cli: Cli) -> None:
    env = _db(tmp_path)
    page = tmp_path / "track7.txt"
    shutil.copy(PAGE_2020, page)
    first = cli("import", str(page), "--conference", "neurips-2020", "--today", TODAY, env_extra=env)
    assert first.returncode == 0, first.stderr
    err = first.stderr.decode()
    assert f"{page}: session page, 8 events, year 2026 (inferred), zone America/Los_Angeles (page), 0 lines ignored" in err
    assert "neurips-2020: the conference has no year: every page's year was inferred" in err
    db = env["CALSYNC_DATABASE_URL"]
    assert Store(db).get_conference("neurips-2020").year is None

    fixed = cli("import", str(page), "--conference", "neurips-2020", "--year", "2020", env_extra=env)
    assert fixed.returncode == 0, fixed.stderr
    assert "year 2020 (option)" in fixed.stderr.decode()
    assert Store(db).get_conference("neurips-2020").year == 2020
    assert _starts(db, "neurips-2020") == {2020}

    # The conference's year is now the context: a page without a year stays in 2020 …
    again = cli("import", str(page), "--conference", "neurips-2020", "--today", TODAY, env_extra=env)
    assert again.returncode == 0 and "year 2020 (conference)" in again.stderr.decode()
    assert _starts(db, "neurips-2020") == {2020}
    # … and a contradicting --year is an error that names both, storing nothing.
    wrong = cli("import", str(page), "--conference", "neurips-2020", "--year", "2019", env_extra=env)
    assert wrong.returncode == 2
    assert "year 2019 from --year contradicts year 2020 from the conference's year" in wrong.stderr.decode()
    assert _starts(db, "neurips-2020") == {2020}


def test_refresh_keeps_the_year_the_import_used(tmp_path: Path, cli: Cli) -> None:
    env = _db(tmp_path)
    page = tmp_path / "track7.txt"
    shutil.copy(PAGE_2020, page)
    assert cli("import", str(page), "--conference", "n20", "--year", "2020", env_extra=env).returncode == 0
    db = env["CALSYNC_DATABASE_URL"]
    store = Store(db)
    store.add_source("n20", str(page))
    page.write_text(page.read_text(encoding="utf-8").replace("18:00 - 18:15", "18:02 - 18:15"), encoding="utf-8")
    outcomes = refresh_all(store, Config(database_url=db, sample=False), utcnow)
    assert outcomes is not None and [o.status for o in outcomes] == ["updated"]
    assert _starts(db, "n20") == {2020}


def test_first_non_inferred_year_is_taken_and_said(tmp_path: Path, cli: Cli) -> None:
    env = _db(tmp_path)
    proc = cli(
        "import", str(PAGES / "icml_session_room.txt"), "--url", "https://icml.cc/virtual/2023/session/7",
        "--conference", "icml", env_extra=env,
    )
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.decode()
    assert "year 2023 (url)" in err
    assert f"icml: the conference's year is now 2023 (from {PAGES / 'icml_session_room.txt'}, url)" in err
    assert Store(env["CALSYNC_DATABASE_URL"]).get_conference("icml").year == 2023


def test_parse_json_has_the_report(cli: Cli) -> None:
    proc = cli("parse", str(PAGES / "timezone_line.txt"), "--year", "2024")
    assert proc.returncode == 0, proc.stderr
    (report,) = json.loads(proc.stdout)["reports"]
    assert report == {
        "source": str(PAGES / "timezone_line.txt"), "kind": "session page", "events": 3,
        "year": 2024, "year_origin": "option", "timezone": "Europe/Vienna", "zone_origin": "page", "ignored": [],
    }


def test_precedence_page_url_conference_option() -> None:
    text = (PAGES / "no_zone.txt").read_text(encoding="utf-8")
    # no zone on the page: the conference's zone comes before --timezone
    s = parse_page(text, PageOptions(year=2023, timezone="UTC", conference_timezone="America/New_York"))
    assert s.timezone == "America/New_York" and s.reports[0].zone_origin == "conference"
    assert s.sessions[0].talks[0].start.isoformat() == "2023-07-20T09:00:00-04:00"
    # the URL's year comes before the conference's: they must agree
    with pytest.raises(ParseError, match="year 2022 from the conference's year contradicts year 2023 from the URL"):
        parse_page(text, PageOptions(url="https://icml.cc/virtual/2023/session/1", conference_year=2022, timezone="UTC"))
    # weekday-only slots: the conference's days give the date and the year
    days = tuple(date(2023, 7, d) for d in range(18, 22))
    s = parse_page(text, PageOptions(days=days, timezone="UTC"))
    assert s.reports[0].year == 2023 and s.reports[0].year_origin == "option"


def test_page_abbreviation_is_the_instant_and_conference_zone_the_display() -> None:
    """The sites show Pacific time to a logged-out visitor; the venue's zone is what the feed shows."""
    text = (PAGES / "icml_basic.txt").read_text(encoding="utf-8")
    pacific = parse_page(text, PageOptions(year=2023))
    vienna = parse_page(text, PageOptions(year=2023, conference_timezone="Europe/Vienna"))
    assert [t.start for t in pacific.sessions[0].talks] == [t.start for t in vienna.sessions[0].talks]
    assert vienna.sessions[0].talks[0].start.isoformat() == "2023-07-18T18:00:00+02:00"
    assert vienna.sessions[0].timezone == "Europe/Vienna"
