"""Defects found by an adversarial review, each with a test that failed before its fix."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest
from helpers import PAGES, Cli, make_test_config
from pytest_httpserver import HTTPServer
from werkzeug import Response

from calsync.config import FetchConfig, RefreshConfig
from calsync.refresh import refresh_conference
from calsync.store import Store

PAGE = (PAGES / "icml_session_room.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_utf16_and_utf32_files_parse_like_utf8(tmp_path: Path, cli: Cli, encoding: str) -> None:
    plain = cli("parse", str(PAGES / "icml_session_room.txt"), "--year", "2023")
    page = tmp_path / "page.txt"
    page.write_bytes(PAGE.encode(encoding))
    other = cli("parse", str(page), "--year", "2023")
    assert other.returncode == 0, other.stderr
    strip = lambda doc: {k: v for k, v in json.loads(doc).items() if k != "reports"}  # noqa: E731
    assert strip(other.stdout) == strip(plain.stdout)


@pytest.mark.parametrize("charset", ["base64", "hex", "rot13", "idna", "no-such-codec"])
def test_a_non_text_charset_is_ignored_not_run(tmp_path: Path, httpserver: HTTPServer, charset: str) -> None:
    """``charset=base64`` used to raise out of the fetcher and abort the whole refresh."""
    httpserver.expect_request("/virtual/2023/session/1").respond_with_handler(
        lambda request: Response(PAGE.encode(), content_type=f"text/plain; charset={charset}")
    )
    config = make_test_config(
        tmp_path, sample=False,
        fetch=FetchConfig(allow_hosts=(f"127.0.0.1:{httpserver.port}",), retries=1),
        refresh=RefreshConfig(interval_minutes=0),
    )
    store = Store(config.database_url)
    store.migrate()
    from calsync.service import utcnow

    now = utcnow()
    store.ensure_conference("c", "C", "America/Los_Angeles", 2023, now)
    store.add_source("c", httpserver.url_for("/virtual/2023/session/1"))
    (outcome,) = refresh_conference(store, config, "c", now)
    assert outcome.status == "updated", outcome
    assert outcome.talks == 7


def test_credentials_in_a_source_url_are_refused_and_never_shown(tmp_path: Path, cli: Cli) -> None:
    env = {"CALSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    proc = cli("import", "https://user:s3cret@icml.cc/virtual/2023/session/1", "--conference", "c", env_extra=env)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "holds credentials" in err and "s3cret" not in err
    store = Store(env["CALSYNC_DATABASE_URL"])
    store.migrate()
    assert store.list_conferences() == []


def test_config_refuses_credentials_and_other_schemes_in_sources(tmp_path: Path) -> None:
    from calsync.config import load_config
    from calsync.errors import ConfigError

    for source, words in (("https://u:p@icml.cc/x", "credentials"), ("javascript://x/%0aalert(1)", "only http")):
        path = tmp_path / "c.toml"
        path.write_text(f'[[conferences]]\nslug = "c"\nname = "C"\ntimezone = "UTC"\nsources = ["{source}"]\n')
        with pytest.raises(ConfigError, match=words):
            load_config(path, environ={})


def test_a_javascript_canonical_link_never_becomes_a_link(tmp_path: Path, cli: Cli) -> None:
    from calsync.parse import PageOptions, parse_page

    html = (PAGES / "saved_page.html").read_text(encoding="utf-8").replace(
        "https://icml.cc/virtual/2023/session/25123", "javascript:alert(document.cookie)//virtual/2023/"
    )
    assert "javascript:alert" in html
    schedule = parse_page(html, PageOptions(year=2023))
    assert schedule.sessions[0].source_url is None
    assert any("is not an http(s) URL: dropped" in w.message for w in schedule.warnings)
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    proc = cli("ics", str(page), "--year", "2023")
    assert proc.returncode == 0, proc.stderr
    assert b"javascript" not in proc.stdout.lower()


@pytest.mark.parametrize("body, words", [
    ("[" * 10_000 + "]" * 10_000, "malformed JSON"),
    ('{"name": "A' + "[" * 0 + '\\ud800", "session_ids": ["x"]}', "lone surrogate"),
    ('{"name": "A\\u0000B\\u0007C", "session_ids": ["x"]}', "control characters"),
    ('{"name": "ok", "conference": "\\udfff", "session_ids": ["x"]}', "lone surrogate"),
    ('{"name": "ok", ' + '"filter": ' + '{"q": ' * 5000 + '1' + '}' * 5000 + '}', "malformed JSON"),
])
def test_feed_api_rejects_hostile_json_with_400(tmp_path: Path, body: str, words: str) -> None:
    from calsync.web import create_app

    client = create_app(make_test_config(tmp_path)).test_client()
    response = client.post("/api/feeds", data=body, content_type="application/json")
    assert response.status_code == 400, response.data[:200]
    assert words in response.get_json()["error"]


def test_control_characters_in_the_path_do_not_forge_log_lines(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from calsync.web import create_app

    client = create_app(make_test_config(tmp_path)).test_client()
    with caplog.at_level(logging.INFO, logger="calsync.web"):
        client.get('/nothing%0D%0Arequest%20method=GET%20path=%22/forged%22%20status=200')
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("request ")]
    assert len(lines) == 1 and "\n" not in lines[0] and "\r" not in lines[0]
    assert '%0D%0Arequest method=GET path=%22/forged%22' in lines[0]


@pytest.mark.parametrize("where", ["missing-folder", "directory", "not-a-database"])
def test_an_unusable_sqlite_path_is_one_clear_line(tmp_path: Path, cli: Cli, where: str) -> None:
    path = {"missing-folder": tmp_path / "no" / "such" / "x.db", "directory": tmp_path, "not-a-database": tmp_path / "x.db"}[where]
    if where == "not-a-database":
        path.write_text("this is not SQLite\n" * 100)
    proc = cli("import", str(PAGES / "icml_basic.txt"), "--conference", "x", "--year", "2023",
               env_extra={"CALSYNC_DATABASE_URL": f"sqlite:///{path}"})
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(f"calsync: error: cannot open the SQLite database {path}")


def test_readyz_notices_a_damaged_database(tmp_path: Path) -> None:
    import sqlite3

    from calsync.web import create_app

    config = make_test_config(tmp_path)
    client = create_app(config).test_client()
    assert client.get("/readyz").status_code == 200
    path = tmp_path / "calsync.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = path.stat().st_size // 4096
    with sqlite3.connect(path) as conn:  # a page of the talks' index that /healthz's reads never touch
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'talks'").fetchone()
    assert 2 < root <= pages
    with path.open("r+b") as f:
        f.seek(4096 * (root - 1))
        f.write(bytes((i * 37) % 251 for i in range(4096)))
    assert client.get("/healthz").status_code == 200  # reads that do not touch the page still work
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["ready"] is False and response.get_json()["error"]


@pytest.mark.parametrize("method, path, allow", [
    ("DELETE", "/conferences/icil-2026.ics", {"GET", "HEAD", "OPTIONS"}),
    ("PATCH", "/api/feeds", {"POST", "OPTIONS"}),
])
def test_405_says_which_methods_are_allowed(tmp_path: Path, method: str, path: str, allow: set[str]) -> None:
    from calsync.web import create_app

    response = create_app(make_test_config(tmp_path)).test_client().open(path, method=method)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allow


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/api/conferences"])
def test_errors_of_json_endpoints_are_json(tmp_path: Path, path: str) -> None:
    from calsync.web import create_app

    response = create_app(make_test_config(tmp_path)).test_client().post(path)
    assert response.status_code == 405 and response.content_type == "application/json"
    assert response.get_json() == {"error": "The method is not allowed for the requested URL.", "status": 405}


def test_a_url_on_the_command_line_does_not_vouch_for_a_private_address(tmp_path: Path, httpserver: HTTPServer, cli: Cli) -> None:
    """``calsync import http://169.254.169.254/…`` used to allow-list its own (private) address."""
    httpserver.expect_request("/virtual/2023/session/1").respond_with_data(PAGE, content_type="text/plain")
    url = httpserver.url_for("/virtual/2023/session/1")
    env = {"CALSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    refused = cli("import", url, "--conference", "c", env_extra=env)
    assert refused.returncode == 2
    assert "loopback address 127.0.0.1, which is not in the allow-list" in refused.stderr.decode()
    assert httpserver.log == []  # nothing was sent
    allowed = cli("import", url, "--conference", "c",
                  env_extra={**env, "CALSYNC_FETCH_ALLOW_HOSTS": f"127.0.0.1:{httpserver.port}"})
    assert allowed.returncode == 0, allowed.stderr


def test_a_dripping_server_is_cut_off_by_the_total_deadline() -> None:
    """One byte every 0.3 s never trips a 1 s read timeout; the total deadline (2 s) stops it."""
    import socket
    import threading
    import time

    from calsync.fetch import FetchError, FetchPolicy, fetch_page

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
            for _ in range(60):
                if stop.is_set():
                    return
                try:
                    conn.sendall(b"x")
                except OSError:
                    return
                time.sleep(0.3)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    policy = FetchPolicy(allow_hosts=frozenset({f"127.0.0.1:{port}"}), read_timeout=1, total_timeout=2, retries=0)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="took longer than 2 s in all"):
            fetch_page(f"http://127.0.0.1:{port}/page", policy)
    finally:
        stop.set()
        listener.close()
    assert time.monotonic() - started < 6


def test_rate_limit_and_revocation_hold_across_workers(tmp_path: Path) -> None:
    """Two apps on one database stand for two workers (or instances)."""
    from calsync.config import LimitsConfig
    from calsync.web import create_app

    config = make_test_config(tmp_path, limits=LimitsConfig(feed_creations_per_hour=3, cache_check_seconds=3600))
    one, two = create_app(config).test_client(), create_app(config).test_client()
    body = {"name": "Mine", "session_ids": [], "filter": {"type": ["Oral"]}, "conference": "icil-2026"}
    codes = [c.post("/api/feeds", json=body).status_code for c in (one, two, one, two)]
    assert codes == [201, 201, 201, 429]

    created = one.post("/api/feeds", json=body, environ_base={"REMOTE_ADDR": "10.9.8.7"}).get_json()
    token, key = created["token"], created["edit_key"]
    assert two.get(f"/feeds/{token}.ics").status_code == 200  # now cached in "worker" two
    rotated = one.post(f"/api/feeds/{token}/rotate", headers={"Authorization": f"Bearer {key}"}).get_json()
    assert two.get(f"/feeds/{token}.ics").status_code == 404  # at once, despite a 1-hour cache check
    assert two.get(f"/feeds/{rotated['token']}.ics").status_code == 200
    assert one.delete(f"/api/feeds/{rotated['token']}", headers={"Authorization": f"Bearer {key}"}).status_code == 204
    assert two.get(f"/feeds/{rotated['token']}.ics").status_code == 404


def test_old_rate_events_are_deleted(tmp_path: Path) -> None:
    from datetime import datetime, timedelta

    from sqlalchemy import func, select

    from calsync.store import rate_events_table

    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    store.migrate()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(50):
        assert store.count_event(f"addr {n}", 1, 3600, t0)
    assert not store.count_event("addr 1", 1, 3600, t0 + timedelta(minutes=59))
    assert store.count_event("addr 1", 1, 3600, t0 + timedelta(hours=1))
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(rate_events_table)).scalar_one() == 1


def test_the_lock_file_pins_every_dependency_within_its_range() -> None:
    """requirements.lock (what the Docker image installs, with hashes) agrees with pyproject.toml."""
    import re
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    root = Path(__file__).resolve().parent.parent
    lock_text = (root / "requirements.lock").read_text(encoding="utf-8")
    pinned = {canonicalize_name(m.group(1)): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+) \\$", lock_text, re.M)}
    assert len(pinned) >= 10
    blocks = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", lock_text)
    assert all("--hash=sha256:" in b for b in blocks if "==" in b.split("\n", 1)[0])
    deps = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for dep in deps:
        req = Requirement(dep)
        version = pinned.get(canonicalize_name(req.name))
        assert version is not None, f"{req.name} is not in requirements.lock"
        assert req.specifier.contains(version, prereleases=True), f"{req.name}=={version} is outside {req.specifier}"


def test_refresh_stops_when_its_lease_is_lost(tmp_path: Path) -> None:
    """A refresher whose lease another holder took over stops after the current source."""
    from datetime import timedelta

    from calsync.refresh import REFRESH_LEASE, refresh_all
    from calsync.service import utcnow

    pages = []
    for n in range(3):
        page = tmp_path / f"p{n}.txt"
        page.write_text(PAGE.replace("Probabilistic Inference", f"Track {n}"), encoding="utf-8")
        pages.append(str(page))
    config = make_test_config(tmp_path, sample=False)
    store = Store(config.database_url)
    store.migrate()
    start = utcnow()
    store.ensure_conference("c", "C", "America/Los_Angeles", 2023, start)
    for page in pages:
        store.add_source("c", page)
    seen: list[str] = []

    def thief(done: int, total: int, outcome: object) -> None:
        seen.append(outcome.url)  # type: ignore[attr-defined]
        if done == 1:  # the lease runs out and another instance takes it
            store.release_lease(REFRESH_LEASE, "me")
            assert store.try_lease(REFRESH_LEASE, "other", start + timedelta(seconds=1), 120)

    outcomes = refresh_all(store, config, lambda: start, holder="me", progress=thief)
    assert outcomes is not None and len(outcomes) == 1 and seen == pages[:1]
