"""Shared test helpers: paths, the reference date, and the icscheck runner."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
PAGES = FIXTURES / "pages"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
ICSCHECK = SHARED / "tools" / "icscheck" / "icscheck"

#: Reference date for year inference in tests: fixed, so no test depends on the clock.
TODAY = date(2026, 11, 23)


def page_text(name: str) -> str:
    """A fixture page's text."""
    return (PAGES / name).read_text(encoding="utf-8")


def run_icscheck(target: str | Path) -> dict:
    """Run icscheck on a file or URL and return its JSON report; skip when it is not there."""
    if not ICSCHECK.exists():
        pytest.skip(f"icscheck not available ({ICSCHECK} missing: ../shared/ exists only in CI)")
    proc = subprocess.run(
        [str(ICSCHECK), str(target), "--json"], capture_output=True, text=True, timeout=300
    )
    if proc.returncode == 2:
        pytest.fail(f"icscheck could not run: {proc.stderr[-2000:]}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"icscheck printed no JSON: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    report["_exit"] = proc.returncode
    return report


# -- the service ---------------------------------------------------------------

import threading  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from werkzeug.serving import make_server  # noqa: E402


@dataclass
class LiveServer:
    """The app served over real HTTP on 127.0.0.1 (a thread in the test process)."""

    url: str
    app: object


def make_test_config(tmp_path: Path, **overrides: object):
    """A config with a fresh SQLite file in ``tmp_path`` and the sample conference."""
    from calsync.config import Config, LimitsConfig, RefreshConfig

    base = Config(
        database_url=f"sqlite:///{tmp_path / 'calsync.db'}",
        limits=LimitsConfig(cache_check_seconds=0),
        refresh=RefreshConfig(interval_minutes=0),
    )
    from dataclasses import replace

    return replace(base, **overrides)


@pytest.fixture
def app(tmp_path: Path):
    """The Flask app on a fresh SQLite file with the sample conference."""
    from calsync.web import create_app

    return create_app(make_test_config(tmp_path))


@pytest.fixture
def client(app):
    """Flask's test client of :func:`app`."""
    return app.test_client()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app on a real port of 127.0.0.1 (threaded Werkzeug server), stopped afterwards."""
    from dataclasses import replace

    from calsync.web import create_app

    server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
    port = server.socket.getsockname()[1]
    config = make_test_config(tmp_path)
    app = create_app(replace(config, base_url=f"http://127.0.0.1:{port}"))
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)


# -- databases: SQLite always, PostgreSQL when CALSYNC_TEST_POSTGRES_URL is set ----

import os  # noqa: E402
import uuid  # noqa: E402
from urllib.parse import quote  # noqa: E402

POSTGRES_URL = os.environ.get("CALSYNC_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("set CALSYNC_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run on PostgreSQL")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
