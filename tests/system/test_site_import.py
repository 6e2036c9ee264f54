"""A whole conference from a site's published data, end to end (about 15 s): ``calsync import
<home URL> --site`` of 2,000 records served in three pages with their abstracts by a real HTTP
server on 127.0.0.1, then the pages and feeds, an unchanged re-import, and refreshes (a 304,
then a moved oral). The parts have fast tests of their own in ``tests/test_sites.py``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from helpers import SITE_DATA_PATH, DataSite, expected_talks, gen_site_data, make_test_config, run_icscheck
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from calsync.cli import main
from calsync.config import FetchConfig, RefreshConfig
from calsync.refresh import refresh_conference
from calsync.store import Store, talk_changes
from calsync.web import create_app

T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)  # after the CLI import's clock


def test_import_a_whole_conference_then_serve_reimport_and_refresh(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    records, abstracts = gen_site_data().generate(2000, seed=11)
    site = DataSite(httpserver, records, abstracts)
    expected = expected_talks(records)
    assert 1900 < expected < 2100
    for var in ("CALSYNC_CONFIG", "CALSYNC_SAMPLE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CALSYNC_DATABASE_URL", f"sqlite:///{tmp_path / 'calsync.db'}")
    monkeypatch.setenv("CALSYNC_FETCH_ALLOW_HOSTS", f"127.0.0.1:{httpserver.port}")
    command = ["import", site.home, "--site", "icml", "--conference", "icml-2025"]

    assert main(command) == 0
    err = capsys.readouterr().err
    assert f"{site.data_url}: orals-posters data, {expected} events, year 2025 (data)" in err
    assert f"icml-2025: {expected} new, 0 changed, 0 unchanged, 0 removed talks" in err
    assert "offsets -07:00 match America/Los_Angeles" in err

    config = make_test_config(
        tmp_path, sample=False, fetch=FetchConfig(allow_hosts=(f"127.0.0.1:{httpserver.port}",), retries=0),
        refresh=RefreshConfig(interval_minutes=0),
    )
    store = Store(config.database_url)
    conference = store.get_conference("icml-2025")
    assert (conference.year, conference.timezone) == (2025, "America/Los_Angeles")
    (source,) = store.list_sources("icml-2025")
    assert (source.url, source.talks, source.etag) == (site.data_url, expected, site.etag)
    snapshot = store.load_snapshot("icml-2025")
    talks = [t for s in snapshot.sessions for t in s.talks]
    assert len(talks) == expected
    base = f"http://127.0.0.1:{httpserver.port}/virtual/2025/"
    assert all(t.url and t.url.startswith(base) for t in talks)
    assert sum(1 for t in talks if t.abstract) == len(talks)  # every abstract from the companion file
    authors = [a for t in talks for a in t.authors]
    assert not any("&" in a for a in authors) and any("ü" in a for a in authors)  # entities unescaped

    client = create_app(config).test_client()
    page = client.get("/conferences/icml-2025")
    assert page.status_code == 200 and "Poster Session 1" in page.get_data(as_text=True)
    feed = client.get("/conferences/icml-2025.ics")
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    oral_session = next(s for s in snapshot.sessions if s.title.startswith("Oral 1A"))
    session_feed = client.get(f"/conferences/icml-2025/sessions/{oral_session.id}.ics")
    assert session_feed.status_code == 200
    events = icalendar.Calendar.from_ical(session_feed.data).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted(t.title or "" for t in oral_session.talks)
    assert all(str(e["URL"]).startswith(base + "oral/") for e in events)

    # Re-import, unchanged: nothing written to talks.
    def changes() -> int:
        with store.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(talk_changes)).scalar_one()

    before = (store.get_conference("icml-2025").version, changes())
    assert main(command) == 0
    assert f"icml-2025: 0 new, 0 changed, {expected} unchanged, 0 removed talks" in capsys.readouterr().err
    assert (store.get_conference("icml-2025").version, changes()) == before

    # Refresh, unchanged on the site: one conditional request, a 304, no writes.
    site.requests.clear()
    (outcome,) = refresh_conference(store, config, "icml-2025", T0)
    assert outcome.status == "not-modified", outcome
    assert [p for p, _ in site.requests] == [SITE_DATA_PATH] and site.requests[0][1]["If-None-Match"] == site.etag
    assert (store.get_conference("icml-2025").version, changes()) == before

    # An oral moves on the site: the refresh follows every page again; the talk keeps its UID.
    oral = next(r for r in records if r["eventtype"] == "Oral" and r.get("starttime"))
    moved_from = datetime.fromisoformat(oral["starttime"])
    oral["starttime"] = (moved_from + timedelta(minutes=5)).isoformat()
    oral["endtime"] = (datetime.fromisoformat(oral["endtime"]) + timedelta(minutes=5)).isoformat()
    site.requests.clear()
    (outcome,) = refresh_conference(store, config, "icml-2025", T0)
    assert outcome.status == "updated" and "0 new, 1 changed" in outcome.message, outcome
    assert len(site.requests) == 4  # three pages and the abstracts
    after = store.load_snapshot("icml-2025")
    moved = [t for s in after.sessions for t in s.talks if t.url and t.url.endswith(f"/oral/{oral['id']}")]
    assert len(moved) == 1 and moved[0].start == moved_from + timedelta(minutes=5)
    assert moved[0].id in {t.id for t in talks} and after.revisions[moved[0].id].sequence == 1

    feed_file = tmp_path / "icml-2025.ics"
    feed_file.write_bytes(client.get("/conferences/icml-2025.ics?view=both").data)
    report = run_icscheck(feed_file)  # skips when icscheck is not there
    assert report["result"] == "PASS" and report["failures"] == 0, report["findings"]
