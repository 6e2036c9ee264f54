"""Whole conferences from the sites' published data (calsync.sites) against a real HTTP server on
127.0.0.1: home URL → data URL, `next` pages, the companion abstracts, conditional GET, and the
whole path — `calsync import <home URL> --site`, the pages and feeds, re-import, refresh."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import icalendar
import pytest
from conftest import ROOT, make_test_config, run_icscheck
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from werkzeug import Request, Response

from calsync.cli import main
from calsync.config import ConferenceConfig, FetchConfig, RefreshConfig
from calsync.errors import ConfigError, ParseError
from calsync.fetch import FetchError, FetchPolicy, FetchRefused
from calsync.refresh import refresh_conference
from calsync.sites import data_url, fetch_source, is_home_url, site_name, with_sibling_abstracts
from calsync.store import Store, talk_changes
from calsync.web import create_app

_spec = importlib.util.spec_from_file_location("gen_site_data", ROOT / "bench" / "gen_site_data.py")
assert _spec is not None and _spec.loader is not None
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

NAME = "icml-2025-orals-posters.json"
DATA_PATH = f"/static/virtual/data/{NAME}"
ABSTRACTS_PATH = "/static/virtual/data/icml-2025-abstracts.json"
T0 = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=5)  # after the CLI import's clock


class DataSite:
    """A virtual site stand-in: the data in three pages (a relative and an absolute ``next``),
    the abstracts file, an ETag on the first page, switchable failures; every request logged."""

    def __init__(self, server: HTTPServer, records: list[dict[str, Any]], abstracts: dict[str, str]) -> None:
        self.server = server
        self.records = records
        self.abstracts = abstracts
        self.abstracts_status = 200
        self.pages = 3
        self.next_of: dict[int, str | None] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server.expect_request(DATA_PATH).respond_with_handler(self.handle)
        server.expect_request(ABSTRACTS_PATH).respond_with_handler(self.handle_abstracts)

    @property
    def home(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/virtual/2025/"

    @property
    def data_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}{DATA_PATH}"

    def page(self, number: int) -> str:
        size = -(-len(self.records) // self.pages)
        chunk = self.records[(number - 1) * size : number * size]
        default = {1: f"{NAME}?page=2", 2: f"{self.data_url}?page=3"}.get(number)  # relative, then absolute
        following = self.next_of.get(number, default) if number < self.pages or number in self.next_of else None
        return json.dumps(gen.envelope(chunk, following, count=len(self.records)), ensure_ascii=False)

    @property
    def etag(self) -> str:
        whole = "".join(self.page(n) for n in range(1, self.pages + 1))
        return '"' + hashlib.sha256(whole.encode()).hexdigest()[:16] + '"'

    def handle(self, request: Request) -> Response:
        self.requests.append((request.full_path.rstrip("?"), dict(request.headers)))
        number = int(request.args.get("page", "1"))
        if number == 1 and request.headers.get("If-None-Match") == self.etag:
            return Response(status=304, headers={"ETag": self.etag})
        headers = {"ETag": self.etag} if number == 1 else {}
        return Response(self.page(number), content_type="application/json", headers=headers)

    def handle_abstracts(self, request: Request) -> Response:
        self.requests.append((request.full_path.rstrip("?"), dict(request.headers)))
        if self.abstracts_status != 200:
            return Response("no", status=self.abstracts_status)
        return Response(json.dumps(self.abstracts), content_type="application/json")


def policy(server: HTTPServer, **kw: Any) -> FetchPolicy:
    return FetchPolicy(allow_hosts=frozenset({f"127.0.0.1:{server.port}"}), retries=0, read_timeout=5, **kw)


def expected_talks(records: list[dict[str, Any]]) -> int:
    return sum(
        (1 + bool(r.get("starttime2"))) for r in records if r.get("starttime") and r.get("visible") is not False
    )


@pytest.fixture
def small(httpserver: HTTPServer) -> DataSite:
    records, abstracts = gen.generate(30, seed=3)
    return DataSite(httpserver, records, abstracts)


# -- pure helpers ------------------------------------------------------------------


def test_home_urls_and_data_urls() -> None:
    assert is_home_url("https://icml.cc/virtual/2025") and is_home_url("https://iclr.cc/virtual/2026/index.html")
    assert not is_home_url("https://icml.cc/virtual/2025/calendar")
    assert data_url("https://www.nips.cc/virtual/2024/") == "https://www.nips.cc/static/virtual/data/neurips-2024-orals-posters.json"
    assert data_url("https://mlsys.org/virtual/2026/index.html") == "https://mlsys.org/static/virtual/data/mlsys-2026-orals-posters.json"
    assert data_url("http://mirror.example.org:8080/virtual/2025/", site="icml").endswith(":8080/static/virtual/data/icml-2025-orals-posters.json")
    assert site_name("https://cvpr.thecvf.com/virtual/2025/") == "cvpr"
    for host in ("http://127.0.0.1:9/virtual/2025/", "http://localhost:9/virtual/2025/", "http://[::1]:9/virtual/2025/"):
        with pytest.raises(ConfigError, match="pass --site"):
            data_url(host)
    with pytest.raises(ConfigError, match="not a conference home URL"):
        data_url("https://icml.cc/virtual/2025/session/1")


def test_sibling_abstracts_of_a_file(tmp_path: Path) -> None:
    records, abstracts = gen.generate(10, seed=5)
    path = tmp_path / "icml-2025-orals-posters.json"
    text = json.dumps(gen.envelope(records))
    assert with_sibling_abstracts(path, text) == text  # no sibling yet
    (tmp_path / "icml-2025-abstracts.json").write_text(json.dumps(abstracts), encoding="utf-8")
    filled = json.loads(with_sibling_abstracts(path, text))
    assert [r["abstract"] for r in filled["results"]] == [abstracts[str(r["id"])] for r in records]
    assert with_sibling_abstracts(tmp_path / "schedule.json", text) == text  # other names: unchanged
    (tmp_path / "icml-2025-abstracts.json").write_text("[1, 2]", encoding="utf-8")
    assert with_sibling_abstracts(path, text) == text  # a malformed sibling is ignored


# -- fetching ------------------------------------------------------------------------


def test_home_url_follows_every_next_page_and_fills_abstracts(small: DataSite) -> None:
    result = fetch_source(small.home, policy(small.server), site="icml")
    assert result.status == 200 and result.url == small.data_url and result.etag == small.etag
    data = json.loads(result.text or "")
    assert (data["count"], data["next"]) == (30, None)
    assert [r["id"] for r in data["results"]] == [r["id"] for r in small.records]
    assert all(r["abstract"] == small.abstracts[str(r["id"])] for r in data["results"])
    assert [path for path, _ in small.requests] == [
        DATA_PATH, f"{DATA_PATH}?page=2", f"{DATA_PATH}?page=3", ABSTRACTS_PATH,
    ]
    assert all(h["User-Agent"].startswith("calsync/") for _, h in small.requests)


def test_conditional_get_on_the_first_page(small: DataSite) -> None:
    first = fetch_source(small.data_url, policy(small.server))
    small.requests.clear()
    again = fetch_source(small.data_url, policy(small.server), etag=first.etag)
    assert (again.status, again.text) == (304, None)
    assert len(small.requests) == 1 and small.requests[0][1]["If-None-Match"] == first.etag


def test_abstracts_file_missing_is_none_but_a_failing_one_fails(small: DataSite, caplog: pytest.LogCaptureFixture) -> None:
    small.abstracts_status = 404
    with caplog.at_level(logging.INFO, logger="calsync.sites"):
        data = json.loads(fetch_source(small.data_url, policy(small.server)).text or "")
    assert all(r["abstract"] == "" for r in data["results"])
    assert "no companion abstracts at" in caplog.text and "HTTP 404" in caplog.text
    small.abstracts_status = 503
    with pytest.raises(FetchError, match="abstracts.json: HTTP 503"):
        fetch_source(small.data_url, policy(small.server))


def test_next_loops_and_runaway_paging_are_errors(small: DataSite) -> None:
    small.next_of[3] = f"{NAME}?page=2"
    with pytest.raises(ParseError, match="points back to .*page=2 as its next page"):
        fetch_source(small.data_url, policy(small.server))
    small.next_of.clear()
    with pytest.raises(ParseError, match="more than 2 pages"):
        fetch_source(small.data_url, policy(small.server), max_pages=2)


def test_a_page_that_is_not_data_comes_back_as_fetched(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/virtual/2025/session/1").respond_with_data("Session\nDeep Nets", content_type="text/plain")
    result = fetch_source(f"http://127.0.0.1:{httpserver.port}/virtual/2025/session/1", policy(httpserver))
    assert result.text == "Session\nDeep Nets"


def test_data_pages_may_exceed_the_page_cap_up_to_the_data_cap(small: DataSite) -> None:
    with pytest.raises(FetchError, match="larger than 2000 bytes"):
        fetch_source(small.data_url, policy(small.server, max_bytes=2000))
    assert fetch_source(small.data_url, policy(small.server, max_bytes=2000), max_data_bytes=5_000_000).status == 200


def test_the_guard_still_applies(small: DataSite) -> None:
    with pytest.raises(FetchRefused, match="not in the allow-list"):
        fetch_source(small.home, FetchPolicy(allow_hosts=frozenset({"icml.cc"})), site="icml")
    assert small.requests == []


# -- the whole path ----------------------------------------------------------------


def test_import_a_whole_conference_then_serve_reimport_and_refresh(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    records, abstracts = gen.generate(2000, seed=11)
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
    assert [p for p, _ in site.requests] == [DATA_PATH] and site.requests[0][1]["If-None-Match"] == site.etag
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


def test_a_configured_home_url_source_refreshes_with_the_site_setting(tmp_path: Path, small: DataSite) -> None:
    conf = ConferenceConfig(slug="icml-2025", name="ICML 2025", timezone="America/Vancouver", year=2025,
                            sources=(small.home,), site="icml")
    config = make_test_config(tmp_path, sample=False, conferences=(conf,),
                              fetch=FetchConfig(allow_hosts=(f"127.0.0.1:{small.server.port}",), retries=0))
    store = Store(config.database_url)
    store.migrate()
    store.ensure_conference("icml-2025", "ICML 2025", "America/Vancouver", 2025, T0, conf.sources)
    (outcome,) = refresh_conference(store, config, "icml-2025", T0)
    assert outcome.status == "updated" and outcome.talks == expected_talks(small.records), outcome
    assert small.requests[0][0] == DATA_PATH
    sessions = store.load_snapshot("icml-2025").sessions
    assert {s.timezone for s in sessions} == {"America/Vancouver"}  # the conference's zone, not a guess
    without_site = replace(config, conferences=(replace(conf, site=None),))
    (outcome,) = refresh_conference(store, without_site, "icml-2025", T0)
    assert outcome.status == "failed" and "pass --site" in outcome.message
