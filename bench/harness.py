"""The small harness the bench scripts share: timing, servers in their own process group,
HTTP load (wrk when installed, else a Python keep-alive client), RSS, a generated conference.

Everything runs against 127.0.0.1 only, for a bounded time; every server started here is
stopped (SIGTERM, then SIGKILL of its process group) when its ``with`` block ends.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
WRK = shutil.which("wrk")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def install_tools() -> None:
    """Set-up: install nginx (``nginx-light``) and wrk with apt when they are missing and this can.

    Only as root with ``apt-get`` (a CI machine, a container); elsewhere it says what is missing
    and the comparison runs without (nginx's column skipped, a Python load generator for wrk).
    """
    global WRK, NGINX
    wanted = [package for package, found in (("nginx-light", NGINX), ("wrk", WRK)) if not found]
    if not wanted:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        print(f"missing {', '.join(wanted)} (apt-get install {' '.join(wanted)} as root to add them)")
        return
    print(f"set-up: apt-get install {' '.join(wanted)}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for package in wanted:  # one at a time: a package the mirror lacks does not stop the other
        done = subprocess.run(["apt-get", "install", "-y", "-qq", package], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"set-up: {package} not installed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
    WRK = shutil.which("wrk")
    NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)

# -- timing -----------------------------------------------------------------------


def cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds of this process (all threads) spent in ``fn()``, and its result.

    CPU time, not wall time: the machine is shared, and waiting for a core is not the code's cost.
    """
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def per_call(fn: Callable[[], Any], calls: int) -> float:
    """CPU seconds per call over ``calls`` calls."""
    seconds, _ = cpu(lambda: [fn() for _ in range(calls)])
    return seconds / calls


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt(seconds: float) -> str:
    """A duration in the unit that suits it."""
    if seconds != seconds:  # NaN
        return "—"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def table(rows: list[list[str]]) -> str:
    """A Markdown table; the first row is the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(rows[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows[1:])])


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process, in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


# -- servers ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A server process (its own process group) answering at ``url``."""

    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def children(self) -> list[int]:
        """Pids of the direct children (gunicorn's workers)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []


@contextmanager
def serve(cmd: list[str], port: int, log: Path, env: dict[str, str] | None = None, ready: str = "/") -> Iterator[Server]:
    """Start ``cmd`` (which listens on ``port``), wait until ``ready`` answers, stop it afterwards."""
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True, cwd=BENCH)
    server = Server(proc, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 120
        while get(port, ready, timeout=30)[0] == 0:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[0]} did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def gunicorn(app: str, port: int, log: Path, env: dict[str, str] | None = None, workers: int = 1,
             threads: int = 4, ready: str = "/") -> Any:
    """A gunicorn with calsync's settings file (gthread), ``workers`` × ``threads``."""
    env = {"CALSYNC_BIND": f"127.0.0.1:{port}", "CALSYNC_WORKERS": str(workers), "CALSYNC_THREADS": str(threads),
           "CALSYNC_LOG_LEVEL": "warning", **(env or {})}
    cmd = [str(GUNICORN), "-c", "python:calsync.gunicorn_conf", "--pythonpath", str(BENCH), app]
    return serve(cmd, port, log, env, ready)


def nginx_static(root: Path, port: int, log: Path) -> Any:
    """nginx serving the files under ``root`` (with their ETags), as a static file server would."""
    assert NGINX is not None
    prefix = root.parent / "nginx"
    prefix.mkdir(exist_ok=True)
    temps = "".join(f"{k}_temp_path {prefix / k}; " for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(
        "worker_processes 1; events { worker_connections 1024; }\n"
        f"http {{ access_log off; {temps}types {{ text/calendar ics; text/plain txt; }}\n"
        f"server {{ listen 127.0.0.1:{port}; root {root}; }} }}\n", encoding="utf-8")
    cmd = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
           "-g", f"daemon off; pid {prefix / 'nginx.pid'}; error_log {log};"]
    return serve(cmd, port, log, ready="/ok.txt")


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
    """One GET on a new connection: status (0 when refused), headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    except OSError:
        return 0, {}, b""
    finally:
        conn.close()


# -- load -------------------------------------------------------------------------


def load(url: str, path: str, seconds: float, connections: int = 8, headers: dict[str, str] | None = None) -> float:
    """Requests per second of ``GET path`` with keep-alive connections (wrk, else Python threads)."""
    headers = headers or {}
    if WRK:
        cmd = [WRK, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", *sum((["-H", f"{k}: {v}"] for k, v in headers.items()), []),
               url + path]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
        found = re.search(r"Requests/sec:\s+([\d.]+)", out)
        return float(found.group(1)) if found else 0.0
    port = int(url.rsplit(":", 1)[1])
    done = [0] * connections
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            done[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


# -- a conference -----------------------------------------------------------------

WORDS = ("learning", "robust", "sparse", "graph", "causal", "kernel", "privacy", "neural", "bandit", "diffusion")


def conference(sessions: int = 500, talks: int = 20, abstract: int = 1500, seed: int = 7) -> Any:
    """A synthetic :class:`calsync.model.Schedule`: ``sessions`` × ``talks`` over four days, deterministic."""
    import random

    from calsync.model import Schedule, Session, Talk

    rng = random.Random(seed)
    zone = ZoneInfo("America/Los_Angeles")
    out = []
    for s in range(sessions):
        day = datetime(2026, 7, 13 + s % 4, 8, tzinfo=zone) + timedelta(minutes=30 * (s // 4 % 16))
        items = []
        for t in range(talks):
            words = " ".join(rng.choice(WORDS) for _ in range(8))
            items.append(Talk(
                id=f"t{s}-{t}", start=day + timedelta(minutes=5 * t), end=day + timedelta(minutes=5 * t + 5),
                title=f"Talk {s}.{t} on {words}", type=("Oral", "Spotlight", "Poster")[t % 3],
                authors=tuple(f"Author {rng.randrange(2000)}" for _ in range(4)),
                abstract=(f"We study {words}. " * (abstract // 20 + 1))[:abstract],
                url=f"https://conf.invalid/virtual/2026/poster/{s * 100 + t}",
            ))
        out.append(Session(id=f"s{s}", title=f"Session {s}: {WORDS[s % 10]}", timezone="America/Los_Angeles",
                           talks=tuple(items), location=f"Hall {'ABCDEFG'[s % 7]}", moderators=("Ana Lima",)))
    return Schedule(timezone="America/Los_Angeles", sessions=tuple(out))


def stored(url: str, slug: str, schedule: Any) -> Any:
    """A migrated store at ``url`` holding ``schedule`` as conference ``slug``; the store."""
    from calsync.store import Store

    store = Store(url)
    store.migrate()
    store.ensure_conference(slug, "Benchmark Conference 2026", schedule.timezone, 2026, datetime(2026, 1, 1, tzinfo=UTC))
    store.import_schedule(slug, schedule, datetime(2026, 1, 1, tzinfo=UTC))
    return store
