"""Two calsync instances (two gunicorn masters) on one database, as in a scaled deployment.

Runs on SQLite (one file) and, with CALSYNC_TEST_POSTGRES_URL, on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
import requests

from calsync.store import Store

GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(db_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")},
        "CALSYNC_DATABASE_URL": db_url,
        "CALSYNC_BIND": f"127.0.0.1:{port}",
        "CALSYNC_BASE_URL": f"http://127.0.0.1:{port}",
        "CALSYNC_WORKERS": "2",
        "CALSYNC_CACHE_CHECK_SECONDS": "0",
        "CALSYNC_REFRESH_INTERVAL_MINUTES": "0",
    }
    proc = subprocess.Popen(
        [str(GUNICORN), "-c", "python:calsync.gunicorn_conf", "calsync.web:create_app()"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"not healthy in time: {log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def two_instances(db_url: str, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in this environment")
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = []
    try:
        for log in logs:  # start both at once: migrations and the sample must happen once
            procs.append(start(db_url, log))
        for (proc, url), log in zip(procs, logs):
            wait_healthy(url, proc, log)
        yield procs[0][1], procs[1][1], db_url
        for proc, _ in procs:  # graceful shutdown on SIGTERM
            proc.send_signal(signal.SIGTERM)
        for (proc, _), log in zip(procs, logs):
            assert proc.wait(timeout=30) == 0, log.read_text(errors="replace")[-2000:]
            assert "Traceback" not in log.read_text(errors="replace")
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def uids(url: str) -> set[str]:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    return {str(e["UID"]).split("@")[0].split(".")[0] for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


def test_feed_created_on_one_instance_is_served_by_the_other(two_instances) -> None:
    a, b, db_url = two_instances
    store = Store(db_url)
    (conference,) = store.list_conferences()  # the sample, loaded once by one of the four workers
    assert sum(len(s.talks) for s in store.load_snapshot(conference.slug).sessions) == 34
    assert conference.version == 1
    talks = [t["id"] for t in requests.get(f"{a}/api/conferences/{conference.slug}/talks", timeout=10).json()["talks"]]
    created = requests.post(f"{a}/api/feeds", json={"name": "Shared", "talk_ids": talks[:3]}, timeout=10).json()
    token, key = created["token"], created["edit_key"]
    assert uids(f"{b}/feeds/{token}.ics") == set(talks[:3])
    edit = requests.put(f"{a}/api/feeds/{token}", json={"name": "Shared", "talk_ids": talks[5:9]},
                        headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert edit.status_code == 200
    for _ in range(4):  # every worker of B, whichever answers
        assert uids(f"{b}/feeds/{token}.ics") == set(talks[5:9])
    for path in (f"/conferences/{conference.slug}.ics", f"/conferences/{conference.slug}.ics?view=both&alarm=5"):
        one, two = requests.get(a + path, timeout=10), requests.get(b + path, timeout=10)
        assert one.content == two.content and one.headers["ETag"] == two.headers["ETag"]  # identical feeds


def test_refresh_lease_holds_across_instances(two_instances) -> None:
    _, _, db_url = two_instances
    store = Store(db_url)
    now = datetime.now(UTC)
    assert store.try_lease("refresh", "another-instance", now, 600)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")}, "CALSYNC_DATABASE_URL": db_url}
    busy = subprocess.run([sys.executable, "-m", "calsync.cli", "refresh"], capture_output=True, timeout=60, env=env)
    assert busy.returncode == 1 and b"another refresh is running" in busy.stderr
    store.release_lease("refresh", "another-instance")
    done = subprocess.run([sys.executable, "-m", "calsync.cli", "refresh"], capture_output=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
