"""Speed and memory of the service: cached feeds, HTTP under gunicorn, worker RSS.

Targets (issue "Service"), on a synthetic conference of 500 sessions / 10,000 talks:

1. A warm conference feed (talks view) is ≥ 50× faster than building the same
   events with icalendar from scratch (no cache, as pretalx and Indico do on every
   request), and within 3× of copying its bytes once. A re-import that moves one
   talk makes the next request rebuild that talk's piece only.
2. Under gunicorn, a 304 and a (small) cached feed answer ≥ 0.8× the requests/s
   of a trivial Flask endpoint served with the same settings and the same load.
3. One gunicorn worker that served the conference feed and every session feed
   stays ≤ 200 MB resident.

    .venv/bin/python bench/bench_service.py            # prints the figures
    .venv/bin/python bench/bench_service.py --check    # exits 1 when a target is missed

Load comes from Debian's ``wrk`` when installed (``apt-get install -y wrk``), else
from a Python keep-alive client; it goes to 127.0.0.1 only, for a bounded time.
gunicorn must be in the venv (``.venv/bin/pip install gunicorn``). Pages are
synthetic (``bench_core.make_page``), so the run needs nothing outside the
repository. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import http.client
import io
import json
import logging
import multiprocessing
import os
import pstats
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from bench_core import make_page
from icalendar import Calendar
from service_app import DB_ENV, bench_config

import calsync.ical
import calsync.service
from calsync.filters import FeedQuery
from calsync.ical import build_calendar_header, build_talk_event, render_vtimezone
from calsync.model import Schedule
from calsync.parse import PageOptions, parse_page
from calsync.service import FeedService
from calsync.store import Store

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
SLUG = "bench"
NAME = "Benchmark Conference 2022"
SESSIONS, TALKS_PER_SESSION = 500, 20
#: The talk moved by the "one-talk change" re-import: (session index, talk index).
MOVED = (250, 7)
TALKS_QUERY = FeedQuery(view="talks")
MB = 1024 * 1024


# --------------------------------------------------------------------------- helpers


def per_call(fn: Callable[[], Any], calls: int, repeat: int = 5) -> float:
    """Seconds per call: the best, over ``repeat`` rounds, of the mean of ``calls`` calls."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def proc_status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS / VmHWM of a process, in kB."""
    out = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out


@dataclass
class Results:
    lines: list[str] = field(default_factory=list)
    targets: list[tuple[str, bool, str]] = field(default_factory=list)

    def say(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)

    def target(self, name: str, ok: bool, detail: str) -> None:
        self.targets.append((name, ok, detail))
        self.say(f"  [{'PASS' if ok else 'FAIL'}] {name}: {detail}")


# --------------------------------------------------------------------------- the conference


def conference_schedule() -> Schedule:
    """500 synthetic session pages (bench_core's text format), each parsed by ``parse_page``."""
    options = PageOptions(year=2022)
    parsed = [parse_page(make_page(s, TALKS_PER_SESSION), replace(options, source=f"session-{s}.txt")) for s in range(SESSIONS)]
    sessions = tuple(session for sch in parsed for session in sch.sessions)
    ids = {s.id for s in sessions}
    assert len(ids) == SESSIONS and sum(len(s.talks) for s in sessions) == SESSIONS * TALKS_PER_SESSION
    return Schedule(timezone=parsed[0].timezone, sessions=sessions)


def with_moved_talk(schedule: Schedule, minutes: int = 2) -> tuple[Schedule, str]:
    """The same schedule with one talk (``MOVED``) later by ``minutes``; and that talk's parsed id."""
    s_index, t_index = MOVED
    session = schedule.sessions[s_index]
    talk = session.talks[t_index]
    shift = timedelta(minutes=minutes)
    moved = replace(talk, start=talk.start + shift, end=talk.end + shift if talk.end else None)
    talks = session.talks[:t_index] + (moved,) + session.talks[t_index + 1:]
    sessions = schedule.sessions[:s_index] + (replace(session, talks=talks),) + schedule.sessions[s_index + 1:]
    return replace(schedule, sessions=sessions), talk.id


def make_database(path: str, schedule: Schedule, res: Results) -> Store:
    store = Store(bench_config(path).database_url)
    store.migrate()
    now = datetime.now(UTC)
    store.ensure_conference(SLUG, NAME, schedule.timezone, 2022, now, [])  # no sources: nothing to refresh
    seconds, report = timed(lambda: store.import_schedule(SLUG, schedule, now))
    res.say(f"  import into a fresh SQLite file: {seconds:.2f} s ({report.summary()})")
    return store


# --------------------------------------------------------------------------- 1. FeedService


@contextmanager
def spy_render() -> Iterator[list[tuple[tuple[Any, ...], dict[str, Any]]]]:
    """Record the arguments of the service's ``render_calendar`` calls."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    original = calsync.service.render_calendar

    def spy(*args: Any, **kwargs: Any) -> bytes:
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    calsync.service.render_calendar = spy  # type: ignore[assignment]
    try:
        yield calls
    finally:
        calsync.service.render_calendar = original  # type: ignore[assignment]


@contextmanager
def count_pieces() -> Iterator[dict[str, int]]:
    """Count VEVENTs serialized (pieces built, not taken from the piece cache)."""
    counts = {"talk": 0, "session": 0}
    talk, session = calsync.ical.render_talk_event, calsync.ical.render_session_event

    def talk_spy(*a: Any, **k: Any) -> bytes:
        counts["talk"] += 1
        return talk(*a, **k)

    def session_spy(*a: Any, **k: Any) -> bytes:
        counts["session"] += 1
        return session(*a, **k)

    calsync.ical.render_talk_event, calsync.ical.render_session_event = talk_spy, session_spy  # type: ignore[assignment]
    try:
        yield counts
    finally:
        calsync.ical.render_talk_event, calsync.ical.render_session_event = talk, session  # type: ignore[assignment]


def bench_feed_service(db_path: str, store: Store, schedule: Schedule, res: Results, skip_change: bool) -> None:
    res.say("1. FeedService.conference_feed(slug, FeedQuery(view='talks')), in process")
    config = bench_config(db_path)
    skew = [0.0]
    service = FeedService(store, config, clock=lambda: time.monotonic() + skew[0])
    def feed():
        return service.conference_feed(SLUG, TALKS_QUERY)

    with spy_render() as calls, count_pieces() as built:
        cold_s, cold = timed(feed)
    (args, kwargs), = calls
    body = cold.body
    events = body.count(b"BEGIN:VEVENT")
    res.say(f"  body: {len(body):,} bytes ({len(body) / MB:.1f} MiB), {events:,} VEVENTs")
    res.say(f"  cold (snapshot read + {built['talk']:,} events built + ETag): {fmt_s(cold_s)}")

    # -- warm
    assert feed() is cold
    warm = per_call(feed, 10_000)
    res.say(f"  warm (after one warm-up; cache_check_seconds={config.limits.cache_check_seconds}): {fmt_s(warm)} per call")
    service.config = replace(config, limits=replace(config.limits, cache_check_seconds=0))
    warm_checked = per_call(feed, 500)
    service.config = config
    res.say(f"  warm with cache_check_seconds=0 (a SQLite version query on every call): {fmt_s(warm_checked)} per call")

    # -- baselines: from scratch (no cache), and one copy of the bytes
    render = calsync.service.render_calendar
    scratch_args = {**kwargs, "cache": None}
    sessions_arg, info, revision_of, options = args

    def from_scratch() -> bytes:
        return render(sessions_arg, info, revision_of, options, **scratch_args)

    def icalendar_alone() -> bytes:
        # Every VEVENT built as an icalendar Event and the whole Calendar serialized by
        # icalendar in one to_ical(), as pretalx/Indico do per request.
        cal = build_calendar_header(info, options)
        for tz, (lo, hi) in calsync.ical.zone_years(sessions_arg).items():
            cal.add_component(Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + render_vtimezone(tz, lo, hi) + b"END:VCALENDAR\r\n").walk("VTIMEZONE")[0])
        for session, talk in kwargs["talks"]:
            cal.add_component(build_talk_event(talk, session, revision_of(talk.id), options))
        return cal.to_ical()

    # Each takes seconds: two runs of each, interleaved (so that drift in machine load
    # hits both alike), the first also checked for content; the best run is kept.
    first_scratch, scratch_body = timed(from_scratch)
    first_alone, alone_body = timed(icalendar_alone)
    same = scratch_body == body
    assert alone_body.count(b"BEGIN:VEVENT") == events, "icalendar_alone built other events"
    scratch_s = min(first_scratch, timed(from_scratch)[0])
    alone_s = min(first_alone, timed(icalendar_alone)[0])
    copy_s = per_call(lambda: bytearray(body), 50)
    copy2_s = per_call(lambda: bytes(bytearray(body)), 50)
    res.say(f"  from scratch, render_calendar(cache=None): {fmt_s(scratch_s)} (bytes identical to the cached feed: {same})")
    res.say(f"  from scratch, icalendar Events + Calendar.to_ical(): {fmt_s(alone_s)}")
    res.say(f"  copy of the body, bytearray(body) (one allocation + memcpy): {fmt_s(copy_s)}; "
            f"bytes(bytearray(body)) (two copies): {fmt_s(copy2_s)}")
    reference = min(scratch_s, alone_s)
    res.target("warm ≥ 50× faster than from scratch", reference / warm >= 50,
               f"{reference / warm:,.0f}× (vs the faster from-scratch way, {fmt_s(reference)}; "
               f"{scratch_s / warm:,.0f}× vs render_calendar, {alone_s / warm:,.0f}× vs icalendar alone)")
    res.target("warm within 3× of one copy of its bytes", warm <= 3 * copy_s,
               f"warm/copy = {warm / copy_s:.4f} (warm {fmt_s(warm)}, copy {fmt_s(copy_s)}; "
               f"with a version check on every call {warm_checked / copy_s:.3f})")

    if skip_change:
        return
    # -- a re-import that moves one talk, then the first request
    changed_schedule, parsed_id = with_moved_talk(schedule)
    seconds, report = timed(lambda: store.import_schedule(SLUG, changed_schedule, datetime.now(UTC)))
    res.say(f"  re-import of the whole conference with one talk moved by 2 min: {seconds:.2f} s ({report.summary()})")
    assert report.changed == [parsed_id], report.changed
    skew[0] += config.limits.cache_check_seconds + 1  # the cached version is now due for its check
    with spy_render() as calls, count_pieces() as built:
        change_s, changed = timed(feed)
    assert changed.body != body and changed.body.count(b"BEGIN:VEVENT") == events
    (args2, kwargs2), = calls
    # Where that time goes, each step timed again on its own:
    version_s = per_call(lambda: store.conference_version(SLUG), 50, repeat=3)
    snapshot_s = min(timed(lambda: store.load_snapshot(SLUG))[0] for _ in range(3))
    assemble_s = min(timed(lambda: render(*args2, **kwargs2))[0] for _ in range(3))
    etag_s = per_call(lambda: hashlib.sha256(changed.body).hexdigest(), 5, repeat=3)
    res.say(f"  first request after it: {fmt_s(change_s)} = {change_s / cold_s:.2f}× cold; "
            f"rebuilt {built['talk']} talk piece(s), {built['session']} session piece(s)")
    res.say(f"    of which (each timed again alone): version query {fmt_s(version_s)}, "
            f"store.load_snapshot {fmt_s(snapshot_s)}, render_calendar from cached pieces {fmt_s(assemble_s)}, "
            f"ETag sha256 {fmt_s(etag_s)}")
    res.target("one-talk change rebuilds only that talk's piece", built == {"talk": 1, "session": 0},
               f"{built['talk']} talk + {built['session']} session piece(s) rebuilt")
    assert feed() is changed

    # -- the same again, but the first request after the change comes from 4 threads at once
    again, _ = with_moved_talk(schedule, minutes=4)
    store.import_schedule(SLUG, again, datetime.now(UTC))
    skew[0] += config.limits.cache_check_seconds + 1
    loads = [0]
    load_snapshot = store.load_snapshot

    def counted_load(slug: str) -> Any:
        loads[0] += 1
        return load_snapshot(slug)

    store.load_snapshot = counted_load  # type: ignore[method-assign]
    try:
        with spy_render() as calls, count_pieces() as built:
            threads = [threading.Thread(target=feed) for _ in range(4)]
            burst_s = timed(lambda: ([t.start() for t in threads], [t.join() for t in threads]))[0]
    finally:
        del store.load_snapshot
    res.say(f"  4 concurrent first requests after another such change: {fmt_s(burst_s)}; "
            f"{loads[0]} snapshot read(s), {len(calls)} render(s), {built['talk']} talk piece(s) built "
            f"(1 read and 1 render would do)")


# --------------------------------------------------------------------------- 2. HTTP under gunicorn


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


class Server:
    """A gunicorn master on 127.0.0.1:<free port>, always stopped on exit."""

    def __init__(self, app: str, workers: int, threads: int, env: dict[str, str], logdir: str, name: str) -> None:
        self.port = free_port()
        self.log_path = os.path.join(logdir, f"gunicorn-{name}-{self.port}.log")
        self.cmd = [
            sys.executable, "-m", "gunicorn", "--pythonpath", BENCH_DIR,
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads),
            "--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning", app,
        ]
        self.env = {**os.environ, **env}
        self.proc: subprocess.Popen[bytes] | None = None
        self.workers = workers

    def __enter__(self) -> Self:
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                     cwd=os.path.dirname(BENCH_DIR), start_new_session=True)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}): {self.log()}")
            try:
                http_get(self.port, "/", timeout=5)
                if len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 60 s: {self.log()}")

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()[-3000:]

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children", encoding="ascii") as f:
                return [int(p) for p in f.read().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group of the master we started
            self.proc.wait(5)


@dataclass
class Load:
    rps: float
    requests: int
    bad: int
    bytes_per_s: float
    tool: str


def _unit(value: str, unit: str) -> float:
    scale = {"B": 1, "KB": 1024, "MB": MB, "GB": 1024 * MB}
    return float(value) * scale.get(unit.upper(), 1)


def wrk_load(url: str, headers: dict[str, str], duration: int, connections: int) -> Load:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "30s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=duration + 60, check=False).stdout
    rps = re.search(r"Requests/sec:\s*([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    transfer = re.search(r"Transfer/sec:\s*([\d.]+)(\w+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if not (rps and total):
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    failed = int(bad.group(1)) if bad else 0
    if errors:
        failed += sum(int(errors.group(i)) for i in range(1, 5))
    return Load(float(rps.group(1)), int(total.group(1)), failed,
                _unit(transfer.group(1), transfer.group(2)) if transfer else 0.0, "wrk")


def _client_process(args: tuple[int, str, dict[str, str], float, int]) -> tuple[int, int, int]:
    port, path, headers, deadline, threads = args
    counts = [0, 0, 0]
    lock = threading.Lock()

    def loop() -> None:
        done = bad = size = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.time() < deadline:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                size += len(response.read())
                done += 1
                bad += response.status >= 400
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        except OSError:
            bad += 1
        finally:
            conn.close()
        with lock:
            counts[0] += done
            counts[1] += bad
            counts[2] += size

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return counts[0], counts[1], counts[2]


def python_load(port: int, path: str, headers: dict[str, str], duration: int, connections: int) -> Load:
    """Fallback load: ``connections`` keep-alive http.client connections over 2 processes."""
    processes = 2
    deadline = time.time() + duration
    per = [connections // processes + (i < connections % processes) for i in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        started = time.time()
        parts = pool.map(_client_process, [(port, path, headers, deadline, n) for n in per])
        elapsed = time.time() - started
    done, bad, size = (sum(p[i] for p in parts) for i in range(3))
    return Load(done / elapsed, done, bad, size / elapsed, "python http.client")


def load(port: int, path: str, headers: dict[str, str], duration: int, connections: int, use_wrk: bool) -> Load:
    if use_wrk:
        return wrk_load(f"http://127.0.0.1:{port}{path}", headers, duration, connections)
    return python_load(port, path, headers, duration, connections)


def warm_workers(server: Server, path: str, headers: dict[str, str] | None = None, limit: float = 120) -> None:
    """Request ``path`` on fresh connections until a round of parallel requests is all fast.

    Every worker must have rendered (and cached) the feed before a timed run, but
    which worker accepts a connection cannot be chosen: rounds of 8 parallel
    requests go on until none of them was slow (a cold render).
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        slow: list[bool] = []

        def one(slow: list[bool] = slow) -> None:
            seconds, (status, _, _) = timed(lambda: http_get(server.port, path, headers))
            assert status in (200, 304), status
            slow.append(seconds > 0.25)

        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if not any(slow):
            return
    raise RuntimeError(f"{path} did not become warm within {limit:.0f} s")


def wsgi_cost(app: Any, path: str, headers: dict[str, str] | None = None, calls: int = 2000) -> tuple[float, int]:
    """Seconds per request through the WSGI app itself (no socket, no server), and the status."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path=path, headers=headers or {}).get_environ()
    status: list[str] = []

    def start_response(s: str, h: Any, exc_info: Any = None) -> None:
        status[:] = [s]

    def call() -> None:
        body = app(dict(environ), start_response)
        for _ in body:
            pass
        if hasattr(body, "close"):
            body.close()

    call()
    return per_call(call, calls, repeat=3), int(status[0].split()[0])


def http_get_wsgi(app: Any, path: str) -> tuple[int, dict[str, str], bytes]:
    response = app.test_client().get(path)
    return response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.data


def profile_wsgi(app: Any, path: str, headers: dict[str, str], calls: int = 3000) -> str:
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path=path, headers=headers).get_environ()

    def run() -> None:
        for _ in range(calls):
            body = app(dict(environ), lambda s, h, e=None: None)
            for _ in body:
                pass
            body.close()

    profiler = cProfile.Profile()
    profiler.runcall(run)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(14)
    return "\n".join(line for line in out.getvalue().splitlines() if line.strip())


def bench_http(db_path: str, session_id: str, talk_id: str, tmp: str, args: argparse.Namespace, res: Results) -> None:
    duration, connections = args.duration, args.connections
    use_wrk = shutil.which("wrk") is not None and not args.python_load
    tool = "wrk -t1" if use_wrk else "Python http.client (2 processes)"
    res.say()
    res.say(f"2. HTTP under gunicorn (gthread, {args.workers} workers × {args.threads} threads, 127.0.0.1), "
            f"{tool}, {connections} keep-alive connections, {duration} s per case "
            f"in {max(1, args.rounds)} alternating round(s)")
    env = {DB_ENV: db_path}
    conf_path = f"/conferences/{SLUG}.ics?view=talks"
    session_path = f"/conferences/{SLUG}/sessions/{session_id}.ics"
    rates: dict[str, Load] = {}
    rounds = max(1, args.rounds)
    per_run = max(1, round(duration / rounds))

    # Both servers run side by side (an idle one costs nothing) and the cases alternate
    # in rounds, so that a change in the machine's load hits every case alike.
    with Server("trivial_app:app", args.workers, args.threads, {}, tmp, "trivial") as trivial_server, \
            Server("service_app:create_app()", args.workers, args.threads, env, tmp, "calsync") as server:
        status, _, body = http_get(trivial_server.port, "/")
        assert status == 200 and body == b"ok\n"
        status, head, conf_body = http_get(server.port, conf_path)
        assert status == 200 and conf_body.count(b"BEGIN:VEVENT") == SESSIONS * TALKS_PER_SESSION, status
        conf_etag = head["etag"]
        status, head, session_body = http_get(server.port, session_path)
        assert status == 200, status
        session_etag = head["etag"]
        status, _, empty = http_get(server.port, conf_path, {"If-None-Match": conf_etag})
        assert status == 304 and not empty, status
        warm_workers(trivial_server, "/")
        for path in (conf_path, session_path):
            warm_workers(server, path)
        cases = [
            ("trivial", trivial_server, "/", {}),
            ("conference feed 200", server, conf_path, {}),
            ("session feed 200", server, session_path, {}),
            ("conference feed 304", server, conf_path, {"If-None-Match": conf_etag}),
            ("session feed 304", server, session_path, {"If-None-Match": session_etag}),
        ]
        runs: dict[str, list[Load]] = {name: [] for name, *_ in cases}
        for _ in range(rounds):
            for name, srv, path, headers in cases:
                runs[name].append(load(srv.port, path, headers, per_run, connections, use_wrk))
        rss = {pid: proc_status(pid) for pid in server.worker_pids()}
    for name, results in runs.items():
        seconds = sum(r.requests / r.rps for r in results if r.rps)
        requests = sum(r.requests for r in results)
        rates[name] = Load(requests / seconds if seconds else 0.0, requests, sum(r.bad for r in results),
                           sum(r.bytes_per_s * r.requests / r.rps for r in results if r.rps) / seconds if seconds else 0.0,
                           results[0].tool)
    spread = {name: [r.rps / t.rps for r, t in zip(results, runs["trivial"])] for name, results in runs.items()}

    trivial = rates["trivial"].rps
    sizes = {"trivial": 3, "conference feed 200": len(conf_body), "session feed 200": len(session_body)}
    for name, result in rates.items():
        size = sizes.get(name, 0)
        extra = f", body {size:,} B" if size else ", no body"
        if name == "conference feed 200":
            extra += f", {result.bytes_per_s / MB:,.0f} MiB/s on the wire"
        bad = f", {result.bad} failed" if result.bad else ""
        each = ", ".join(f"{x:.2f}" for x in spread[name])
        res.say(f"  {name:22s} {result.rps:9,.0f} req/s  ({result.requests:,} requests{bad}{extra}; "
                f"{result.rps / trivial:.2f}× trivial{'' if name == 'trivial' else f'; per round {each}'})")
    res.say("  RSS of the 2 workers after this load: " + ", ".join(
        f"VmRSS {v['VmRSS'] / 1024:.0f} MB (peak {v['VmHWM'] / 1024:.0f} MB)" for v in rss.values()))

    # The same requests through the WSGI app alone: CPU per request, no socket, no server.
    import service_app
    import trivial_app

    os.environ[DB_ENV] = db_path
    app = service_app.create_app()
    costs = {
        "trivial": wsgi_cost(trivial_app.app, "/"),
        "conference feed 200": wsgi_cost(app, conf_path, calls=500),
        "session feed 200": wsgi_cost(app, session_path),
        "conference feed 304": wsgi_cost(app, conf_path, {"If-None-Match": conf_etag}),
        "session feed 304": wsgi_cost(app, session_path, {"If-None-Match": session_etag}),
    }
    talk_path = f"/conferences/{SLUG}/talks/{talk_id}.ics"
    status, head, _ = http_get_wsgi(app, talk_path)
    costs["talk feed 304 (last talk)"] = wsgi_cost(app, talk_path, {"If-None-Match": head["etag"]}, calls=300)
    # As deployed with calsync/gunicorn_conf.py (log level info), each request also writes its log line.
    web_log = logging.getLogger("calsync.web")
    with open(os.devnull, "w", encoding="utf-8") as sink:
        handler, level = logging.StreamHandler(sink), web_log.level
        web_log.addHandler(handler)
        web_log.setLevel(logging.INFO)
        try:
            costs["session feed 304, request log at INFO to /dev/null"] = wsgi_cost(app, session_path, {"If-None-Match": session_etag})
        finally:
            web_log.removeHandler(handler)
            web_log.setLevel(level)
    res.say("  in process, WSGI app alone (CPU per request, no socket): " + "; ".join(
        f"{name} {fmt_s(seconds)} ({code})" for name, (seconds, code) in costs.items()))

    for name in ("conference feed 304", "session feed 304", "session feed 200"):
        ratio = rates[name].rps / trivial
        res.target(f"{name} ≥ 0.8× trivial req/s", ratio >= 0.8 and rates[name].bad == 0,
                   f"{ratio:.2f}× ({rates[name].rps:,.0f} vs {trivial:,.0f} req/s)")
    res.say(f"  (conference feed 200, {len(conf_body) / MB:.1f} MiB a response, is bandwidth-bound: "
            f"{rates['conference feed 200'].rps / trivial:.3f}× trivial, shown for information)")
    if any(not ok for name, ok, _ in res.targets if "trivial" in name):
        res.say("  profile of 3,000 in-process 304 answers of the session feed (by own time):")
        for line in profile_wsgi(app, session_path, {"If-None-Match": session_etag}).splitlines():
            res.say("    " + line)


# --------------------------------------------------------------------------- 3. memory


SNAPSHOT_RSS = """
import json, sys
def rss():
    with open('/proc/self/status') as f:
        return {l.split(':')[0]: int(l.split()[1]) for l in f if l.startswith(('VmRSS', 'VmHWM'))}
before = rss()
from calsync.store import Store
imported = rss()
snap = Store(sys.argv[1]).load_snapshot(sys.argv[2])
after = rss()
print(json.dumps({"start": before, "imported": imported, "loaded": after,
                  "talks": sum(len(s.talks) for s in snap.sessions)}))
"""


def serve_feeds(db_path: str, session_ids: list[str], tmp: str, threads: int, burst: int) -> dict[str, Any]:
    """A one-worker server; ``burst`` concurrent cold requests of the talks view first (0: none);
    then the conference feed (both views) and every session feed, one after the other."""
    with Server("service_app:create_app()", 1, threads, {DB_ENV: db_path}, tmp, f"memory{burst}") as server:
        (pid,) = server.worker_pids()
        out: dict[str, Any] = {"booted": proc_status(pid)}
        if burst:
            errors: list[BaseException] = []

            def one() -> None:
                try:
                    status, _, _ = http_get(server.port, f"/conferences/{SLUG}.ics?view=talks", timeout=300)
                    assert status == 200, status
                except BaseException as exc:
                    errors.append(exc)

            workers = [threading.Thread(target=one) for _ in range(burst)]
            out["burst_s"] = timed(lambda: ([w.start() for w in workers], [w.join() for w in workers]))[0]
            if errors:
                raise errors[0]
            out["after_burst"] = proc_status(pid)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        size = 0
        paths = [f"/conferences/{SLUG}.ics", f"/conferences/{SLUG}.ics?view=talks",
                 *(f"/conferences/{SLUG}/sessions/{s}.ics" for s in session_ids)]
        try:
            t0 = time.perf_counter()
            for path in paths:
                conn.request("GET", path)
                response = conn.getresponse()
                size += len(response.read())
                assert response.status == 200, (path, response.status)
            out["elapsed"] = time.perf_counter() - t0
        finally:
            conn.close()
        out.update(after=proc_status(pid), feeds=len(paths), size=size)
        return out


def bench_memory(db_path: str, session_ids: list[str], tmp: str, args: argparse.Namespace, res: Results) -> None:
    res.say()
    res.say(f"3. Memory of one gunicorn worker (gthread, 1 worker × {args.threads} threads, so that one worker serves every request)")
    plain_run = serve_feeds(db_path, session_ids, tmp, args.threads, burst=0)
    booted, after = plain_run["booted"], plain_run["after"]
    res.say(f"  after boot: VmRSS {booted['VmRSS'] / 1024:.0f} MB")
    res.say(f"  after the conference feed (sessions and talks views) and all {len(session_ids)} session feeds, "
            f"one request at a time ({plain_run['feeds']} feeds, {plain_run['size'] / MB:.1f} MiB served, "
            f"{plain_run['elapsed']:.1f} s): VmRSS {after['VmRSS'] / 1024:.0f} MB, peak VmHWM {after['VmHWM'] / 1024:.0f} MB")
    burst = args.threads
    burst_run = serve_feeds(db_path, session_ids, tmp, args.threads, burst=burst)
    res.say(f"  same, but first {burst} concurrent cold requests of the talks view (one per thread, as after a boot or "
            f"an import): burst {burst_run['burst_s']:.1f} s, VmRSS {burst_run['after_burst']['VmRSS'] / 1024:.0f} MB after it; "
            f"after all feeds VmRSS {burst_run['after']['VmRSS'] / 1024:.0f} MB, peak VmHWM {burst_run['after']['VmHWM'] / 1024:.0f} MB")
    out = subprocess.run([sys.executable, "-c", SNAPSHOT_RSS, bench_config(db_path).database_url, SLUG],
                         capture_output=True, text=True, check=True, timeout=120)
    plain = json.loads(out.stdout)
    res.say(f"  plain Python process: {plain['start']['VmRSS'] / 1024:.0f} MB at start, "
            f"{plain['imported']['VmRSS'] / 1024:.0f} MB after importing calsync.store, "
            f"{plain['loaded']['VmRSS'] / 1024:.0f} MB after load_snapshot ({plain['talks']:,} talks; "
            f"peak {plain['loaded']['VmHWM'] / 1024:.0f} MB)")
    res.target("worker RSS ≤ 200 MB (feeds requested one at a time)", after["VmRSS"] <= 200 * 1024,
               f"{after['VmRSS'] / 1024:.0f} MB")


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per HTTP case (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, one per core)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument("--rounds", type=int, default=2, help="the HTTP cases alternate in this many rounds (default 2)")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even when wrk is installed")
    parser.add_argument("--skip-http", action="store_true", help="only the in-process figures (part 1)")
    args = parser.parse_args()
    started = time.perf_counter()
    res = Results()
    with tempfile.TemporaryDirectory(prefix="calsync-bench-") as tmp:
        db_path = os.path.join(tmp, "bench.db")
        res.say(f"Load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
        res.say(f"Synthetic conference: {SESSIONS} sessions × {TALKS_PER_SESSION} talks, SQLite at {db_path}")
        seconds, schedule = timed(conference_schedule)
        res.say(f"  parse of {SESSIONS} pages: {seconds:.2f} s")
        store = make_database(db_path, schedule, res)
        res.say()
        bench_feed_service(db_path, store, schedule, res, skip_change=False)
        snap = store.load_snapshot(SLUG)
        session_ids = [s.id for s in snap.sessions]
        if not args.skip_http:
            bench_http(db_path, session_ids[0], snap.sessions[-1].talks[-1].id, tmp, args, res)
            bench_memory(db_path, session_ids, tmp, args, res)
        store.engine.dispose()
    missed = [name for name, ok, _ in res.targets if not ok]
    res.say()
    res.say(f"Load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    res.say(f"{len(res.targets) - len(missed)} of {len(res.targets)} targets met"
            + (f"; missed: {'; '.join(missed)}" if missed else "") + f" (run took {time.perf_counter() - started:.0f} s)")
    if args.check and missed:
        print("a target was missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
