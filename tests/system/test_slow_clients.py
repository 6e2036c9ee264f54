"""Slow and half-sent requests against the documented deployment (compose.yaml: nginx in front
of gunicorn's gthread workers): 16 connections that send half a request header and wait do not
keep a normal client from its feed for even a second. Without nginx they do (the reason it is there).

Also the helpers the other system tests of this kind share: a gunicorn of calsync on a free port
(:func:`gunicorn`), nginx with compose.yaml's configuration in front of it (:func:`nginx`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import icalendar
import pytest
import requests
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
FEED = "/conferences/icil-2026.ics"
HALF = b"GET " + FEED.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(tmp_path: Path, **env_extra: str) -> Iterator[str]:
    """calsync under gunicorn as documented (``-c python:calsync.gunicorn_conf``) on a new SQLite file; its URL."""
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in this environment")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")},
        "CALSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'calsync.db'}",
        "CALSYNC_BIND": f"127.0.0.1:{port}",
        "CALSYNC_REFRESH_INTERVAL_MINUTES": "0",
        **env_extra,
    }
    log = tmp_path / "gunicorn.log"
    proc = subprocess.Popen([str(GUNICORN), "-c", "python:calsync.gunicorn_conf", "calsync.web:create_app()"],
                            env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited: {log.read_text(errors='replace')[-3000:]}")
            try:
                if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn not healthy in time: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def compose_nginx_conf() -> str:
    """The nginx.conf of compose.yaml, as nginx gets it (compose's ``$$`` is ``$``)."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return str(compose["configs"]["nginx_conf"]["content"]).replace("$$", "$")


@contextmanager
def nginx(tmp_path: Path, upstream: str) -> Iterator[str]:
    """nginx with compose.yaml's configuration, its upstream ``calsync:8000`` replaced by ``upstream``; its URL."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    port = free_port()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = compose_nginx_conf()
    assert "server calsync:8000;" in conf and "listen 8080;" in conf
    conf = conf.replace("server calsync:8000;", f"server {upstream.removeprefix('http://')};")
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    temp = "".join(f"    {kind}_temp_path {prefix / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = conf.replace("http {\n", "http {\n" + temp, 1)  # a private prefix instead of /var/lib/nginx
    (prefix / "nginx.conf").write_text(conf, encoding="utf-8")
    log = tmp_path / "nginx.log"
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                             "-g", f"daemon off; pid {prefix / 'nginx.pid'}; error_log {log};"],
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"nginx exited: {log.read_text(errors='replace')[-3000:]}")
            try:
                if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"nginx not answering: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGQUIT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@contextmanager
def half_open(url: str, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections that each send half a request header, then wait."""
    host, port = url.removeprefix("http://").split(":")
    socks = []
    try:
        for _ in range(count):
            s = socket.create_connection((host, int(port)), timeout=5)
            s.sendall(HALF)
            socks.append(s)
        time.sleep(0.5)  # let the server take them all
        yield socks
    finally:
        for s in socks:
            s.close()


def feed_within(url: str, seconds: float) -> float | None:
    """Seconds a normal client took to get the whole feed on a new connection, or None past ``seconds``."""
    started = time.monotonic()
    try:
        response = requests.get(url + FEED, timeout=seconds)
    except requests.RequestException:
        return None
    assert response.status_code == 200
    assert icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    return time.monotonic() - started


def test_half_open_connections_do_not_hold_the_deployment(tmp_path: Path) -> None:
    with gunicorn(tmp_path) as app, nginx(tmp_path, app) as front:
        assert feed_within(front, 10) is not None  # warm: the first render is not what is measured
        with half_open(front, 16):
            for _ in range(3):
                took = feed_within(front, 5)
                assert took is not None and took < 1.0, took


def test_without_nginx_half_open_connections_hold_every_thread(tmp_path: Path) -> None:
    """The reason for nginx: a gthread worker alone is held by them (one worker here, so that every
    request meets the held one; with two, about every other request does)."""
    with gunicorn(tmp_path, CALSYNC_WORKERS="1") as app:
        assert feed_within(app, 10) is not None
        with half_open(app, 16):
            assert feed_within(app, 1.0) is None
