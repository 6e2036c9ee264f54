"""Fixtures shared by every test (``tests/system/`` too): the app, its test client, a live
server, the ``calsync`` command in this process, and the databases.

Only fixtures live here; what tests import (paths, configs, runners) is in ``helpers.py``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import POSTGRES_URL, Cli, LiveServer, make_test_config
from werkzeug.serving import make_server

# -- the service ---------------------------------------------------------------


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


# -- the command line ------------------------------------------------------------


@pytest.fixture
def cli(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """``cli("parse", PAGE, env_extra={...})``: ``calsync`` run in this process (see :class:`helpers.Cli`)."""
    return Cli(capsysbinary, monkeypatch)


# -- databases: SQLite always, PostgreSQL when CALSYNC_TEST_POSTGRES_URL is set ----


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


# -- order ---------------------------------------------------------------------


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest first: the zone sweep, the container image, the other system tests, then the rest.

    The suite runs on two workers (``-n 2`` in pyproject.toml); a long test handed out last
    would leave one worker idle while the other finishes it. The sort is stable: each group
    keeps its collection order.
    """

    def rank(item: pytest.Item) -> int:
        for number, marker in enumerate(("zones", "container", "system")):
            if item.get_closest_marker(marker) is not None:
                return number
        return 3

    items.sort(key=rank)
