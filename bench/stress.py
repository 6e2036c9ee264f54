"""Stress test of the service: many concurrent readers and a few feed editors, under gunicorn.

calsync runs under gunicorn (gthread, 2 workers x 4 threads, ``calsync/gunicorn_conf.py``)
on a free 127.0.0.1 port over a fresh database — a temporary SQLite file, or a fresh
schema ``stress_<hex>`` on the PostgreSQL server at 127.0.0.1:5432 (dropped at the end) —
with ``CALSYNC_CACHE_CHECK_SECONDS=0`` (an edit is visible at once in both workers) and a
feed-creation rate limit high enough not to matter. The bundled sample conference loads
itself. Then, for ``--seconds``:

* ``--clients`` reader threads, each with its own keep-alive ``http.client`` connection,
  read the conference feed (sessions and talks views), session feeds, talk downloads and
  custom feeds; half of them send ``If-None-Match`` with the last ETag they got for the URL
  (so they mostly get 304s);
* ``--writers`` writer threads create custom feeds and edit them (``PUT`` with a new random
  set of talk ids and a name holding the edit number). Every feed belongs to one writer, so
  its last acknowledged edit is well defined. After each acknowledged edit the writer reads
  the feed back on a new connection (either worker) and checks it shows that edit
  ("stale reads" otherwise).

At the end every custom feed is checked on several new connections: the VEVENT UIDs of its
``.ics`` must be the talk ids of its last acknowledged edit, and ``GET /api/feeds/<token>``
must show that edit ("lost edits" otherwise). Every public feed URL must have answered with
one ETag only (the data does not change during the run).

    .venv/bin/python bench/stress.py [--seconds 60] [--clients 50] [--database sqlite|postgresql]
                                     [--writers 4] [--stagger 0] [--seed N] [--keep-log FILE]

The readers open their connections all at once by default; gunicorn's gthread worker then
tends to accept all of them in one worker (the report shows requests and CPU per worker).
``--stagger S`` spreads the first connections over S seconds, which spreads them over both
workers.

Exit status 1 on any error (a status other than 200/201/304, an exception, a malformed
body), lost edit, stale read or ETag disagreement. Everything goes to 127.0.0.1 only; every
loop is bounded in count and in time; gunicorn is always stopped (SIGTERM, then SIGKILL of
its process group after a grace period) and the database removed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import free_port

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GUNICORN = VENV_BIN / "gunicorn"
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
SAMPLE = "icil-2026"
HOST = "127.0.0.1"
#: Hard cap on requests per client thread, whatever --seconds says.
MAX_REQUESTS_PER_CLIENT = 200_000
#: Each writer owns at most this many custom feeds.
MAX_FEEDS_PER_WRITER = 20
#: Log lines that mean trouble in gunicorn's / calsync's log.
LOG_TROUBLE = re.compile(r"Traceback|^\S+ \S+ (ERROR|CRITICAL) |WORKER TIMEOUT|unhandled error|was sent SIG")


# --------------------------------------------------------------------------- database


@dataclass
class Database:
    """A fresh, empty database for one run, and how to remove it."""

    url: str
    kind: str
    where: str  # a path or a schema name, for the report
    cleanup: Any = None

    def drop(self) -> None:
        if self.cleanup is not None:
            self.cleanup()
            self.cleanup = None


def pg_admin(sql: str) -> None:
    """Run one statement on the PostgreSQL server (autocommit)."""
    import psycopg

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)


def pg_url(schema: str, application_name: str | None = None) -> str:
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    if application_name:
        url += f"&application_name={application_name}"
    return url


def fresh_database(kind: str, tmpdir: str, prefix: str = "stress", application_name: str | None = None) -> Database:
    """A temporary SQLite file in ``tmpdir`` or a new PostgreSQL schema ``<prefix>_<hex>``."""
    if kind == "sqlite":
        path = os.path.join(tmpdir, f"{prefix}.db")
        return Database(url=f"sqlite:///{path}", kind=kind, where=path)
    schema = f"{prefix}_{secrets.token_hex(6)}"
    pg_admin(f'CREATE SCHEMA "{schema}"')
    return Database(url=pg_url(schema, application_name), kind=kind, where=f"schema {schema}",
                    cleanup=lambda: pg_admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


# --------------------------------------------------------------------------- gunicorn


def calsync_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment for calsync processes: ours only among ``CALSYNC_*`` variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALSYNC_", "GUNICORN_"))}
    env["CALSYNC_DATABASE_URL"] = database_url
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


class Server:
    """calsync under gunicorn (calsync/gunicorn_conf.py; 2 gthread workers x 4 threads by default)."""

    def __init__(self, database_url: str, log_path: str, *, workers: int = 2, threads: int = 4, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log_path = log_path
        self.env = calsync_env(
            database_url,
            CALSYNC_BIND=f"{HOST}:{self.port}",
            CALSYNC_BASE_URL=self.base,
            CALSYNC_WORKERS=str(workers),
            CALSYNC_THREADS=str(threads),
            CALSYNC_CACHE_CHECK_SECONDS="0",
            CALSYNC_FEED_CREATIONS_PER_HOUR="10000000",
            **env,
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = None

    def start(self, timeout: float = 90.0) -> None:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - open while gunicorn runs
        self.proc = subprocess.Popen(
            # --no-control-socket: never bind gunicorn's ~/.gunicorn/gunicorn.ctl, shared by every instance on
            # the host (calsync/gunicorn_conf.py sets control_socket_disable too; this holds whatever it says).
            [str(GUNICORN), "-c", "python:calsync.gunicorn_conf", "--no-control-socket", "calsync.web:create_app()"],
            cwd=str(ROOT), env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _, _ = request_once(self.port, "GET", "/healthz", timeout=5)
                if status == 200 and len(self.worker_pids()) >= int(self.env["CALSYNC_WORKERS"]):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The master's child processes (its workers), from /proc."""
        if self.proc is None:
            return []
        children: list[int] = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*/children"):
            try:
                children += [int(p) for p in task.read_text().split()]
            except OSError:
                pass
        return sorted(children)

    def cpu_by_pid(self) -> dict[int, float]:
        """CPU time (user + system) so far of the master and of each current worker."""
        out: dict[int, float] = {}
        for pid in [self.proc.pid if self.proc else 0, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                pass
        return out

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the master and its current workers so far."""
        return sum(self.cpu_by_pid().values())

    def stop(self, grace: float = 30.0) -> tuple[int | None, float]:
        """SIGTERM to the master, wait; SIGKILL the process group after ``grace`` s. Returns (rc, seconds)."""
        if self.proc is None:
            return None, 0.0
        started = time.monotonic()
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        # Workers are in the master's process group: make sure none outlives it.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.proc.returncode, time.monotonic() - started

    def log_text(self) -> str:
        try:
            return Path(self.log_path).read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_text()[-chars:]


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    tck = os.sysconf("SC_CLK_TCK")
    total = sum(fields[:8]) / tck
    idle = (fields[3] + fields[4]) / tck
    return total - idle, total


def log_trouble(text: str, limit: int = 40) -> list[str]:
    """Lines of a gunicorn log that show errors, with the traceback lines after them."""
    lines = text.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if LOG_TROUBLE.search(line):
            out.append(line)
            # a traceback's lines follow without a timestamp
            j = i + 1
            while j < len(lines) and not re.match(r"^\d{4}-\d\d-\d\d |^\[\d{4}-", lines[j]) and len(out) < limit:
                out.append(lines[j])
                j += 1
        if len(out) >= limit:
            break
    return out


# --------------------------------------------------------------------------- HTTP


class Client:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1 (``http.client``), reopened when the server closed it."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.used = False  # whether self.conn already carried a request (so may be stale)
        self.reconnects = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn, self.used = None, False

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                retry_stale: bool = True) -> tuple[int, dict[str, str], bytes]:
        """Send one request; a request that finds a kept-alive connection closed is sent again once on a
        new connection (``retry_stale``, for idempotent requests) — what every HTTP client does."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
                self.used = False
            reused = self.used
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                self.close()
                if reused and retry_stale and attempt == 1:
                    self.reconnects += 1
                    continue
                raise
            except Exception:
                self.close()
                raise
            self.used = True
            hdrs = {k.lower(): v for k, v in response.getheaders()}
            if response.will_close:
                self.close()
            return response.status, hdrs, data
        raise AssertionError("unreachable")


def request_once(port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                 timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    """One request on a new connection (so it may land on any worker), closed after."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={**(headers or {}), "Connection": "close"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def vevent_uids(ics: bytes) -> list[str]:
    """UIDs of the VEVENTs of a calendar (lines unfolded)."""
    text = ics.decode("utf-8")
    text = re.sub(r"\r\n[ \t]", "", text)
    uids, in_event = [], False
    for line in text.split("\r\n"):
        if line == "BEGIN:VEVENT":
            in_event = True
        elif line == "END:VEVENT":
            in_event = False
        elif in_event and line.startswith("UID:"):
            uids.append(line[4:])
    return uids


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


# --------------------------------------------------------------------------- the load


@dataclass
class Stats:
    """What one thread saw (merged at the end; no locking on the hot path)."""

    read_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    reconnects: int = 0
    etags: dict[str, set[str]] = field(default_factory=dict)  # public URL -> ETags of 200s
    stale_reads: list[str] = field(default_factory=list)
    readbacks: int = 0

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < 20:
            self.errors.append(message)

    def merge(self, other: Stats) -> None:
        self.read_ms += other.read_ms
        self.write_ms += other.write_ms
        self.statuses.update(other.statuses)
        self.kinds.update(other.kinds)
        self.errors += other.errors[: max(0, 40 - len(self.errors))]
        self.error_count += other.error_count
        self.reconnects += other.reconnects
        for url, tags in other.etags.items():
            self.etags.setdefault(url, set()).update(tags)
        self.stale_reads += other.stale_reads
        self.readbacks += other.readbacks


@dataclass
class FeedRecord:
    """A custom feed and its last acknowledged edit (owned by one writer thread)."""

    token: str
    key: str
    talk_ids: tuple[str, ...]
    name: str
    edit: int = 0
    uncertain: list[tuple[tuple[str, ...], str]] = field(default_factory=list)  # edits whose answer was lost


class Catalog:
    """Ids of the sample conference and the custom feeds created so far (shared, locked)."""

    def __init__(self, sessions: list[str], talks: list[str]) -> None:
        self.sessions, self.talks = sessions, talks
        self._tokens: list[str] = []
        self._lock = threading.Lock()

    def add_token(self, token: str) -> None:
        with self._lock:
            self._tokens.append(token)

    def random_token(self, rng: random.Random) -> str | None:
        with self._lock:
            return rng.choice(self._tokens) if self._tokens else None


def reader(port: int, catalog: Catalog, conditional: bool, deadline: float, seed: int, stats: Stats,
           delay: float = 0.0) -> None:
    rng = random.Random(seed)
    client = Client(port)
    time.sleep(delay)  # --stagger: open the connections one after the other rather than all at once
    last_etag: dict[str, str] = {}
    try:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                break
            roll = rng.random()
            public = True
            if roll < 0.15:
                kind, path = "conference(sessions)", f"/conferences/{SAMPLE}.ics"
            elif roll < 0.30:
                kind, path = "conference(talks)", f"/conferences/{SAMPLE}.ics?view=talks"
            elif roll < 0.55:
                kind, path = "session", f"/conferences/{SAMPLE}/sessions/{rng.choice(catalog.sessions)}.ics"
            elif roll < 0.75:
                kind, path = "talk", f"/conferences/{SAMPLE}/talks/{rng.choice(catalog.talks)}.ics"
            else:
                token = catalog.random_token(rng)
                if token is None:
                    kind, path = "session", f"/conferences/{SAMPLE}/sessions/{rng.choice(catalog.sessions)}.ics"
                else:
                    kind, path, public = "custom", f"/feeds/{token}.ics", False
            headers = {}
            if conditional and path in last_etag:
                headers["If-None-Match"] = last_etag[path]
            started = time.perf_counter()
            try:
                status, hdrs, body = client.request("GET", path, headers=headers)
            except Exception as exc:
                stats.read_ms.append((time.perf_counter() - started) * 1000)
                stats.error(f"GET {path}: {exc.__class__.__name__}: {exc}")
                continue
            stats.read_ms.append((time.perf_counter() - started) * 1000)
            stats.statuses[status] += 1
            stats.kinds[f"{kind} {status}"] += 1
            if status == 200:
                if not body.startswith(b"BEGIN:VCALENDAR\r\n") or not body.endswith(b"END:VCALENDAR\r\n"):
                    stats.error(f"GET {path}: 200 with a malformed body ({len(body)} bytes)")
                elif not hdrs.get("etag"):
                    stats.error(f"GET {path}: 200 without ETag")
                else:
                    last_etag[path] = hdrs["etag"]
                    if public:
                        stats.etags.setdefault(path, set()).add(hdrs["etag"])
            elif status == 304:
                if "If-None-Match" not in headers:
                    stats.error(f"GET {path}: 304 to an unconditional request")
                elif hdrs.get("etag") != headers["If-None-Match"]:
                    stats.error(f"GET {path}: 304 with ETag {hdrs.get('etag')} for If-None-Match {headers['If-None-Match']}")
            else:
                stats.error(f"GET {path}: status {status}: {body[:200]!r}")
    finally:
        stats.reconnects += client.reconnects
        client.close()


def writer(port: int, catalog: Catalog, deadline: float, seed: int, stats: Stats, feeds: list[FeedRecord], wid: int,
           max_ops: int) -> None:
    rng = random.Random(seed)
    client = Client(port)
    json_headers = {"Content-Type": "application/json"}

    def pick() -> tuple[str, ...]:
        return tuple(rng.sample(catalog.talks, rng.randint(1, min(12, len(catalog.talks)))))

    try:
        for _ in range(max_ops):
            if time.monotonic() >= deadline:
                break
            create = not feeds or (len(feeds) < MAX_FEEDS_PER_WRITER and rng.random() < 0.2)
            talk_ids = pick()
            if create:
                name = f"stress w{wid} f{len(feeds)} edit 0"
                payload = {"name": name, "talk_ids": list(talk_ids), "conference": SAMPLE}
                started = time.perf_counter()
                try:
                    # a POST is never re-sent: a lost answer would be a feed we do not track
                    status, _, body = client.request("POST", "/api/feeds", json.dumps(payload).encode(), json_headers,
                                                     retry_stale=False)
                except Exception as exc:
                    stats.write_ms.append((time.perf_counter() - started) * 1000)
                    stats.error(f"POST /api/feeds: {exc.__class__.__name__}: {exc}")
                    continue
                stats.write_ms.append((time.perf_counter() - started) * 1000)
                stats.statuses[status] += 1
                stats.kinds[f"create {status}"] += 1
                if status != 201:
                    stats.error(f"POST /api/feeds: status {status}: {body[:300]!r}")
                    continue
                answer = json.loads(body)
                record = FeedRecord(token=answer["token"], key=answer["edit_key"], talk_ids=talk_ids, name=name)
                feeds.append(record)
                catalog.add_token(record.token)
                check_feed(port, record, stats, "after create")
                continue
            record = rng.choice(feeds)
            edit = record.edit + 1
            name = f"stress w{wid} {record.token[:8]} edit {edit}"
            payload = {"name": name, "talk_ids": list(talk_ids)}
            headers = {**json_headers, "Authorization": f"Bearer {record.key}"}
            started = time.perf_counter()
            try:
                status, _, body = client.request("PUT", f"/api/feeds/{record.token}", json.dumps(payload).encode(), headers)
            except Exception as exc:
                stats.write_ms.append((time.perf_counter() - started) * 1000)
                stats.error(f"PUT /api/feeds/{record.token[:8]}…: {exc.__class__.__name__}: {exc}")
                record.uncertain.append((talk_ids, name))
                continue
            stats.write_ms.append((time.perf_counter() - started) * 1000)
            stats.statuses[status] += 1
            stats.kinds[f"edit {status}"] += 1
            if status != 200:
                stats.error(f"PUT /api/feeds/{record.token[:8]}…: status {status}: {body[:300]!r}")
                continue
            answer = json.loads(body)
            if tuple(answer.get("talk_ids", ())) != talk_ids or answer.get("name") != name:
                stats.error(f"PUT /api/feeds/{record.token[:8]}…: answer does not show the edit: {answer}")
            record.talk_ids, record.name, record.edit, record.uncertain = talk_ids, name, edit, []
            check_feed(port, record, stats, f"after edit {edit}")
    finally:
        stats.reconnects += client.reconnects
        client.close()


def check_feed(port: int, record: FeedRecord, stats: Stats | None, when: str) -> list[str]:
    """Read a feed's .ics and definition on new connections; what differs from its last acknowledged edit."""
    problems = []
    expected = set(record.talk_ids)
    alternatives = [set(t) for t, _ in record.uncertain]
    try:
        status, _, body = request_once(port, "GET", f"/feeds/{record.token}.ics")
        if status != 200:
            problems.append(f"{record.token[:8]}… {when}: ics status {status}: {body[:200]!r}")
        else:
            got = {u.rsplit("@", 1)[0] for u in vevent_uids(body)}
            if got != expected and got not in alternatives:
                problems.append(f"{record.token[:8]}… {when}: ics has {sorted(got)}, expected edit {record.edit} {sorted(expected)}")
        status, _, body = request_once(port, "GET", f"/api/feeds/{record.token}")
        if status != 200:
            problems.append(f"{record.token[:8]}… {when}: api status {status}: {body[:200]!r}")
        else:
            answer = json.loads(body)
            names = [record.name] + [n for _, n in record.uncertain]
            if set(answer["talk_ids"]) not in [expected, *alternatives] or answer["name"] not in names:
                problems.append(f"{record.token[:8]}… {when}: api shows {answer['name']!r} {sorted(answer['talk_ids'])}, "
                                f"expected {record.name!r} {sorted(expected)}")
    except Exception as exc:
        problems.append(f"{record.token[:8]}… {when}: {exc.__class__.__name__}: {exc}")
    if stats is not None:
        stats.stale_reads += problems
        stats.readbacks += 2
    return problems


def run_threads(threads: list[threading.Thread], deadline: float, slack: float = 60.0) -> list[str]:
    for t in threads:
        t.start()
    hung = []
    for t in threads:
        t.join(timeout=max(0.1, deadline + slack - time.monotonic()))
        if t.is_alive():
            hung.append(t.name)
    return hung


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load (default 60)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent reader threads (default 50)")
    parser.add_argument("--writers", type=int, default=4, help="concurrent writer threads (default 4)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random, printed)")
    parser.add_argument("--stagger", type=float, default=0.0,
                        help="spread the readers' first connections over this many seconds (default 0: all at once)")
    parser.add_argument("--keep-log", metavar="FILE", help="copy gunicorn's log to FILE")
    args = parser.parse_args()
    if not 0 < args.seconds <= 3600 or not 0 < args.clients <= 500 or not 0 <= args.writers <= 32 \
            or not 0 <= args.stagger < args.seconds:
        parser.error("--seconds must be in (0, 3600], --clients in 1..500, --writers in 0..32, --stagger in [0, --seconds)")
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"stress: {args.clients} readers + {args.writers} writers for {args.seconds:.0f} s on {args.database}; seed {seed}; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs", flush=True)

    tmpdir = tempfile.mkdtemp(prefix="calsync-stress-")
    db: Database | None = None
    server: Server | None = None
    failed = True
    try:
        db = fresh_database(args.database, tmpdir)
        server = Server(db.url, os.path.join(tmpdir, "gunicorn.log"))
        boot = time.monotonic()
        server.start()
        print(f"gunicorn: pid {server.proc.pid}, workers {server.worker_pids()}, {server.base}, database {db.where} "
              f"(up in {time.monotonic() - boot:.1f} s)", flush=True)
        status, _, body = request_once(server.port, "GET", f"/api/conferences/{SAMPLE}/sessions")
        if status != 200:
            raise RuntimeError(f"sessions API: {status} {body[:200]!r}")
        sessions = json.loads(body)["sessions"]
        catalog = Catalog([s["id"] for s in sessions], [t["id"] for s in sessions for t in s["talks"]])
        print(f"sample: {len(catalog.sessions)} sessions, {len(catalog.talks)} talks", flush=True)

        by_pid0 = server.cpu_by_pid()
        server_cpu0, client_cpu0, machine0 = sum(by_pid0.values()), sum(os.times()[:2]), machine_cpu()
        started = time.monotonic()
        deadline = started + args.seconds
        reader_stats = [Stats() for _ in range(args.clients)]
        writer_stats = [Stats() for _ in range(args.writers)]
        feeds: list[list[FeedRecord]] = [[] for _ in range(args.writers)]
        threads = [
            threading.Thread(target=reader, name=f"reader-{i}", daemon=True,
                             args=(server.port, catalog, i % 2 == 1, deadline, seed + i, reader_stats[i],
                                   args.stagger * i / args.clients))
            for i in range(args.clients)
        ] + [
            threading.Thread(target=writer, name=f"writer-{i}", daemon=True,
                             args=(server.port, catalog, deadline, seed + 10_000 + i, writer_stats[i], feeds[i], i,
                                   MAX_REQUESTS_PER_CLIENT))
            for i in range(args.writers)
        ]
        hung = run_threads(threads, deadline)
        elapsed = time.monotonic() - started
        by_pid1 = server.cpu_by_pid()
        server_cpu, client_cpu = sum(by_pid1.values()) - server_cpu0, sum(os.times()[:2]) - client_cpu0
        worker_cpu = {pid: by_pid1[pid] - by_pid0.get(pid, 0.0) for pid in by_pid1 if pid != server.proc.pid}
        machine1 = machine_cpu()
        busy, total_cpu = machine1[0] - machine0[0], machine1[1] - machine0[1]

        # Final check: every feed, several times on new connections (so on both workers).
        all_feeds = [f for fs in feeds for f in fs]
        lost: list[str] = []
        for record in all_feeds:
            for _ in range(4):
                problems = check_feed(server.port, record, None, "at the end")
                if problems:
                    lost += problems
                    break
        health, _, health_body = request_once(server.port, "GET", "/healthz")
        rc, stop_seconds = server.stop()
        log_text = server.log_text()
        log_lines = log_trouble(log_text)
        per_worker = Counter(re.findall(r"^\S+ \S+ INFO (\d+) calsync\.web: request ", log_text, re.MULTILINE))
        in_app_ms = sorted(float(m) for m in re.findall(r" request method=\S+ .*? ms=([\d.]+) ", log_text))
        if args.keep_log:
            shutil.copyfile(server.log_path, args.keep_log)

        reads, writes = Stats(), Stats()
        for s in reader_stats:
            reads.merge(s)
        for s in writer_stats:
            writes.merge(s)
        total = Stats()
        total.merge(reads)
        total.merge(writes)
        etag_disagreements = {u: sorted(t) for u, t in total.etags.items() if len(t) > 1}
        edits = sum(f.edit for f in all_feeds)
        n_requests = len(total.read_ms) + len(total.write_ms)

        def lat(values: list[float]) -> str:
            v = sorted(values)
            return (f"n={len(v)} p50 {percentile(v, 50):.1f} ms, p95 {percentile(v, 95):.1f} ms, "
                    f"p99 {percentile(v, 99):.1f} ms, max {v[-1] if v else float('nan'):.1f} ms")

        print()
        print(f"duration:        {elapsed:.1f} s (asked {args.seconds:.0f} s)")
        print(f"requests:        {n_requests} ({n_requests / elapsed:.0f} req/s) — reads {len(total.read_ms)}, "
              f"writes {len(total.write_ms)}; plus {total.readbacks} read-back requests of the writers (not timed)")
        print(f"CPU:             gunicorn {server_cpu:.1f} s, this load generator {client_cpu:.1f} s "
              f"({os.cpu_count()} CPUs x {elapsed:.0f} s = {os.cpu_count() * elapsed:.0f} CPU-s); whole machine busy "
              f"{busy:.1f} of {total_cpu:.1f} CPU-s ({100 * busy / max(total_cpu, 1e-9):.0f} %), so other processes "
              f"{max(0.0, busy - server_cpu - client_cpu):.1f} s")
        print("per worker:      " + ", ".join(
            f"pid {pid}: {cpu:.1f} CPU-s, {per_worker.get(str(pid), 0)} requests" for pid, cpu in sorted(worker_cpu.items())))
        print(f"read latency:    {lat(total.read_ms)}")
        print(f"write latency:   {lat(total.write_ms)}")
        print(f"in the app:      {lat(in_app_ms)} (calsync's own request log: time inside Flask, "
              f"without gunicorn's queueing and the socket)")
        print("statuses:        " + ", ".join(f"{k}: {v}" for k, v in sorted(total.statuses.items())))
        print("by kind:         " + ", ".join(f"{k}: {v}" for k, v in sorted(total.kinds.items())))
        print(f"custom feeds:    {len(all_feeds)} created, {edits} acknowledged edits "
              f"(each read back at once on a new connection)")
        print(f"keep-alive reconnects (server closed an idle connection; GET re-sent): {total.reconnects}")
        print(f"errors:          {total.error_count}")
        for e in total.errors[:20]:
            print(f"  {e}")
        print(f"stale reads:     {len(total.stale_reads)} (an acknowledged edit not shown by the next read)")
        for e in total.stale_reads[:10]:
            print(f"  {e}")
        print(f"lost edits:      {len(lost)} of {len(all_feeds)} feeds")
        for e in lost[:10]:
            print(f"  {e}")
        print(f"ETag agreement:  {len(total.etags) - len(etag_disagreements)} of {len(total.etags)} public URLs had one ETag")
        for u, t in list(etag_disagreements.items())[:5]:
            print(f"  {u}: {t}")
        print(f"load average:    {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
        print(f"/healthz after:  {health} {health_body[:120]!r}")
        print(f"gunicorn stop:   exit {rc} after {stop_seconds:.1f} s (SIGTERM)")
        print(f"log trouble:     {len(log_lines)} line(s)")
        for line in log_lines[:40]:
            print(f"  {line}")
        if hung:
            print(f"threads still running after the deadline: {hung}")
        failed = bool(total.error_count or lost or total.stale_reads or etag_disagreements or hung or health != 200
                      or log_lines)
        print("RESULT:", "FAIL" if failed else "OK")
    finally:
        if server is not None:
            server.stop()
        if db is not None:
            try:
                db.drop()
            except Exception as exc:
                print(f"warning: could not drop {db.where}: {exc}", file=sys.stderr)
                failed = True
        shutil.rmtree(tmpdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
