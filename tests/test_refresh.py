"""Live sources against a real HTTP server on 127.0.0.1 (pytest-httpserver): import by URL,
refresh, conditional GET, failures that keep the last good data, SSRF refusals, the lease."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from helpers import PAGES, Cli, CliResult, make_test_config
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from calsync.config import FetchConfig, RefreshConfig
from calsync.refresh import refresh_all, refresh_conference
from calsync.store import Store
from calsync.web import create_app

PAGE = (PAGES / "icml_session_room.txt").read_text(encoding="utf-8")
PATH = "/virtual/2023/session/25001"
T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)  # after the CLI import's clock


class Site:
    """A conference site stand-in: one page, with ETags, and switchable failures."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.body = PAGE
        self.mode = "ok"
        self.requests: list[dict[str, str]] = []
        server.expect_request(PATH).respond_with_handler(self.handle)

    @property
    def url(self) -> str:
        return self.server.url_for(PATH)

    @property
    def etag(self) -> str:
        return f'"{abs(hash(self.body))}"'

    def handle(self, request: Request) -> Response:
        self.requests.append(dict(request.headers))
        if self.mode == "500":
            return Response("down", status=500)
        if self.mode == "slow":
            time.sleep(1.5)
        if self.mode == "garbage":
            return Response(bytes(range(256)) * 20, content_type="application/octet-stream")
        if self.mode == "empty":
            return Response("", content_type="text/html")
        if self.mode == "huge":
            return Response("x" * 3_000_000, content_type="text/plain")
        if self.mode == "redirect-private":
            return Response("", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        if request.headers.get("If-None-Match") == self.etag:
            return Response(status=304, headers={"ETag": self.etag})
        return Response(self.body, content_type="text/plain; charset=utf-8", headers={"ETag": self.etag})


@pytest.fixture
def site(httpserver: HTTPServer) -> Site:
    return Site(httpserver)


def config_for(tmp_path: Path, site: Site, **fetch: object):
    host = f"127.0.0.1:{site.server.port}"
    return make_test_config(
        tmp_path,
        sample=False,
        # a retry, without the backoff's sleep before it
        fetch=FetchConfig(allow_hosts=(host,), read_timeout_seconds=1, retries=1, backoff_seconds=0, max_bytes=1_000_000, **fetch),  # type: ignore[arg-type]
        refresh=RefreshConfig(interval_minutes=0, min_talks_percent=50),
    )


def import_url(cli: Cli, tmp_path: Path, site: Site) -> CliResult:
    env = {
        "CALSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'calsync.db'}",
        "CALSYNC_FETCH_ALLOW_HOSTS": f"127.0.0.1:{site.server.port}",
    }
    return cli("import", site.url, "--conference", "icml-2023", env_extra=env)


def feed(client) -> tuple[bytes, str]:
    response = client.get("/conferences/icml-2023.ics?view=talks")
    assert response.status_code == 200
    return response.data, response.headers["ETag"]


def test_import_by_url_then_refresh_moves_a_talk(tmp_path: Path, site: Site, cli: Cli) -> None:
    proc = import_url(cli, tmp_path, site)
    assert proc.returncode == 0, proc.stderr
    assert b"icml-2023: 7 new" in proc.stderr
    assert site.requests[0]["User-Agent"].startswith("calsync/")
    config = config_for(tmp_path, site)
    store = Store(config.database_url)
    conference = store.get_conference("icml-2023")
    assert conference.year == 2023  # from the URL's /virtual/2023/
    client = create_app(config).test_client()
    before, etag = feed(client)

    # Unchanged page: the server answers 304, nothing is parsed or written.
    (outcome,) = refresh_conference(store, config, "icml-2023", T0)
    assert outcome.status == "not-modified" and site.requests[-1].get("If-None-Match") == site.etag
    assert store.get_conference("icml-2023").version == conference.version
    assert feed(client) == (before, etag)

    # A talk moves on the site: same UID, SEQUENCE 1, new ETag.
    site.body = PAGE.replace("11:50 - 11:55", "11:51 - 11:56")
    (outcome,) = refresh_conference(store, config, "icml-2023", T0)
    assert outcome.status == "updated", outcome
    after, new_etag = feed(client)
    assert new_etag != etag
    old_events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(before).walk("VEVENT")}
    new_events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(after).walk("VEVENT")}
    assert old_events.keys() == new_events.keys()
    moved = [uid for uid in new_events if new_events[uid]["SEQUENCE"] == 1]
    assert len(moved) == 1 and new_events[moved[0]]["DTSTART"].dt.minute == 51
    assert old_events[moved[0]]["DTSTART"].dt.minute == 50


@pytest.mark.parametrize("mode, words", [
    ("500", "500"), ("slow", "read timeout"), ("garbage", "nothing with a time"), ("empty", "nothing with a time"),
    ("huge", "larger than"), ("redirect-private", "169.254.169.254"),
])
def test_failures_keep_the_last_good_feed(tmp_path: Path, site: Site, cli: Cli, mode: str, words: str) -> None:
    assert import_url(cli, tmp_path, site).returncode == 0
    config = config_for(tmp_path, site)
    store = Store(config.database_url)
    client = create_app(config).test_client()
    before, etag = feed(client)
    site.mode = mode
    site.body = PAGE + "\n"  # a change, so that the page is fetched in full and parsed
    (outcome,) = refresh_conference(store, config, "icml-2023", T0 + timedelta(hours=1))
    assert outcome.status == "failed" and words in outcome.message, outcome
    assert feed(client) == (before, etag)
    health = client.get("/healthz").get_json()
    assert health["status"] == "degraded"
    (source,) = health["sources"]
    assert source["ok"] is False and words in source["last_error"] and source["last_success"] is not None
    page = client.get("/conferences/icml-2023").get_data(as_text=True)
    assert "could not be refreshed" in page


def test_far_fewer_talks_is_a_failure(tmp_path: Path, site: Site, cli: Cli) -> None:
    assert import_url(cli, tmp_path, site).returncode == 0
    config = config_for(tmp_path, site)
    store = Store(config.database_url)
    head, *slots = PAGE.split("\nWed 19 July")
    site.body = head + "\nWed 19 July" + slots[0]  # one talk left of seven
    (outcome,) = refresh_conference(store, config, "icml-2023", T0)
    assert outcome.status == "failed" and "fewer than 50% of the 7 before" in outcome.message
    assert sum(len(s.talks) for s in store.load_snapshot("icml-2023").sessions) == 7


def test_disallowed_host_is_refused(tmp_path: Path, site: Site, cli: Cli) -> None:
    env = {"CALSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    proc = cli("import", site.url, "--conference", "x", env_extra=env)
    assert proc.returncode == 2 and b"allow-list" in proc.stderr and b"Traceback" not in proc.stderr
    assert site.requests == []


def test_refresh_lease_lets_one_refresher_run(tmp_path: Path, site: Site, cli: Cli) -> None:
    assert import_url(cli, tmp_path, site).returncode == 0
    config = config_for(tmp_path, site)
    store = Store(config.database_url)
    site.mode = "slow"
    results: list[object] = []

    def run(name: str) -> None:
        results.append(refresh_all(store, config, lambda: T0, holder=name))

    threads = [threading.Thread(target=run, args=(f"worker-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.2)
    for t in threads:
        t.join(timeout=30)
    assert sorted(r is None for r in results) == [False, True]
    site.mode = "ok"  # the lease is what matters now, not another read timeout
    assert refresh_all(store, config, lambda: T0, holder="later") is not None  # released afterwards


def test_refresh_command_reports_per_source(tmp_path: Path, site: Site, cli: Cli) -> None:
    assert import_url(cli, tmp_path, site).returncode == 0
    env = {
        "CALSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'calsync.db'}",
        "CALSYNC_FETCH_ALLOW_HOSTS": f"127.0.0.1:{site.server.port}",
        "CALSYNC_FETCH_BACKOFF_SECONDS": "0",  # the failing source's retries, without sleeping
    }
    proc = cli("refresh", env_extra=env)
    assert proc.returncode == 0, proc.stderr
    assert f"icml-2023 {site.url}: not-modified".encode() in proc.stderr
    assert b"\r[" not in proc.stderr  # no progress bar when stderr is not a terminal
    site.mode = "500"
    site.body = PAGE + "\n"
    failed = cli("refresh", env_extra=env)
    assert failed.returncode == 1 and b": failed" in failed.stderr


def test_config_sources_are_refreshed_from_files(tmp_path: Path) -> None:
    page = tmp_path / "session.txt"
    page.write_text(PAGE, encoding="utf-8")
    from calsync.config import ConferenceConfig

    config = replace(
        make_test_config(tmp_path, sample=False),
        conferences=(ConferenceConfig(slug="conf", name="Conf", timezone="America/Los_Angeles", year=2023, sources=(str(page),)),),
    )
    store = Store(config.database_url)
    create_app(config)  # creates the configured conference
    (outcome,) = refresh_conference(store, config, "conf", T0)
    assert outcome.status == "updated" and outcome.talks == 7
    (again,) = refresh_conference(store, config, "conf", T0)
    assert again.status == "unchanged"
    assert json.loads(json.dumps([s.url for s in store.list_sources("conf")])) == [str(page)]


def test_refresh_reads_weekday_agendas_in_the_days_an_organiser_stored(tmp_path: Path) -> None:
    """An agenda naming only weekdays is dated by the conference's stored days on refresh too."""
    from datetime import date

    from helpers import KINDS

    page = tmp_path / "agenda.txt"
    page.write_text((KINDS / "workshop_weekday.txt").read_text(encoding="utf-8"), encoding="utf-8")
    config = make_test_config(tmp_path, sample=False)
    store = Store(config.database_url)
    store.migrate()
    store.ensure_conference("ws", "Workshops", "America/Los_Angeles", 2023, T0, sources=(str(page),))
    store.add_source("ws", str(page))
    (failed,) = refresh_conference(store, config, "ws", T0)
    assert failed.status == "failed" and "weekday" in failed.message
    store.update_conference("ws", T0, days=(date(2023, 12, 15), date(2023, 12, 16)))
    (outcome,) = refresh_conference(store, config, "ws", T0 + timedelta(minutes=1))
    assert outcome.status == "updated" and outcome.talks == 3
    talks = [t for s in store.load_snapshot("ws").sessions for t in s.talks]
    assert sorted(t.start.isoformat() for t in talks) == [
        "2023-12-16T07:30:00-08:00", "2023-12-16T07:45:00-08:00", "2023-12-16T08:30:00-08:00"]
