"""The whole comparison in one command: calsync against a trivial Flask endpoint, a
pretalx-like handler (icalendar per request) and nginx serving the same bytes as files.

    .venv/bin/python bench/compare.py [--sessions 500] [--talks 20] [--rounds 3] [--seconds 3]

One process tree: a generated conference (``harness.conference``: 500 sessions × 20 talks,
~1.5 KB abstracts) in a temporary SQLite file, the in-process figures (CPU seconds of this
process, median of the rounds, each round running every case once: interleaved), then the
four servers side by side under the same load, interleaved the same way. Prints a table of
ratios (bench/README.md explains each line). Its set-up installs nginx (``nginx-light``) and
wrk with apt when they are missing and it runs as root (``--no-install``: not); without them
nginx's column is skipped with a message, and a Python load generator replaces wrk.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import harness
from apps import pretalx_calendar
from harness import cpu, fmt, median

from calsync.config import Config
from calsync.filters import FeedQuery
from calsync.model import Schedule
from calsync.service import FeedService

SLUG = "bench"
TALKS = FeedQuery(view="talks")
SESSIONS = FeedQuery(view="sessions")
#: Variants of the warm conference (its talks and sessions views served), each new to the service.
VARIANTS = [
    ("a new alarm", replace(TALKS, alarm=10)),
    ("view=both", replace(TALKS, view="both")),
    ("abstracts=0", replace(TALKS, abstracts=False)),
    ("speakers=1", replace(TALKS, speakers=True)),
    ("compact=1", replace(TALKS, compact=True)),
    ("a filter: type=Oral", replace(TALKS, types=("Oral",))),
    ("abstracts=0 with a new alarm", replace(TALKS, abstracts=False, alarm=20)),
]


def in_process(db: Path, args: argparse.Namespace, schedule: Schedule) -> dict[str, float]:
    """CPU seconds of each in-process case, median over the rounds."""
    from calsync.icalfold import install
    from calsync.store import Store

    url = f"sqlite:///{db}"
    store = Store(url)
    config = Config(database_url=url, sample=False)
    found: dict[str, list[float]] = {}

    def note(name: str, seconds: float) -> None:
        found.setdefault(name, []).append(seconds)
        print(f"  {name}: {fmt(seconds)}", flush=True)

    def one_round(r: int) -> None:
            service = FeedService(store, config)
            seconds, feed = cpu(lambda: service.conference_feed(SLUG, TALKS))
            note("cold", seconds)
            seconds, scratch = cpu(lambda: pretalx_calendar(store.load_snapshot(SLUG)))
            note("icalendar from scratch", seconds)
            from icalendar.parser import content_line

            original = getattr(content_line, "_foldline")  # noqa: B009
            try:  # icalendar as it would be with the fold of bench/upstream/ (calsync.icalfold.fold)
                install()
                seconds, patched = cpu(lambda: pretalx_calendar(store.load_snapshot(SLUG)))
            finally:
                setattr(content_line, "_foldline", original)  # noqa: B010
            note("icalendar from scratch, ASCII fold", seconds)
            assert patched == scratch  # the fold changes no byte
            note("warm", harness.per_call(lambda: service.conference_feed(SLUG, TALKS), 10000))
            note("first sessions view", cpu(lambda: service.conference_feed(SLUG, SESSIONS))[0])
            for name, query in VARIANTS:
                new = replace(query, alarm=query.alarm + r) if query.alarm is not None else query  # a new value each round
                note(f"variant ({name})", cpu(functools.partial(service.conference_feed, SLUG, new))[0])
            note("gzip of the feed", cpu(lambda: service.gzipped(feed))[0])
            session = schedule.sessions[len(schedule.sessions) // 2]
            talk = session.talks[7]
            shift = timedelta(minutes=2 * (r + 1))
            moved = replace(session, talks=tuple(replace(t, start=t.start + shift, end=t.end + shift if t.end else None)
                                                 if t.id == talk.id else t for t in session.talks))
            now = datetime.now(UTC) + timedelta(seconds=r)
            note("one-change import", cpu(lambda: store.import_schedule(SLUG, Schedule(schedule.timezone, (moved,)), now))[0])
            service.config = replace(config, limits=replace(config.limits, cache_check_seconds=0))
            note("one-change reload", cpu(lambda: service.snapshot(SLUG))[0])
            note("one-change feed", cpu(lambda: service.conference_feed(SLUG, TALKS))[0])

    # The first change after a whole-conference import compares every row once (all were
    # stamped by that import); a running service pays it once. Not measured: one change first.
    first = schedule.sessions[0]
    primed = replace(first, talks=(replace(first.talks[0], title="Primed"), *first.talks[1:]))
    store.import_schedule(SLUG, Schedule(schedule.timezone, (primed,)), datetime.now(UTC) - timedelta(minutes=5))
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds} (in process)", flush=True)
        one_round(r)
    for name, database in imports(args, schedule):
        note(name, database)
    return {k: median(v) for k, v in found.items()}


def imports(args: argparse.Namespace, schedule: Schedule) -> list[tuple[str, float]]:
    """Seconds per talk of importing the whole conference into a new database (SQLite; PostgreSQL when set)."""
    from calsync.store import Store

    talks = sum(len(s.talks) for s in schedule.sessions)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        urls = [("import, SQLite", f"sqlite:///{tmp}/import.db")]
        pg = os.environ.get("CALSYNC_TEST_POSTGRES_URL")
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        if pg:
            from sqlalchemy import create_engine, text

            admin = create_engine(pg)
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            urls.append(("import, PostgreSQL", f"{pg}{'&' if '?' in pg else '?'}options=-csearch_path%3D{schema}"))
        try:
            for name, url in urls:
                store = Store(url)
                store.migrate()
                store.ensure_conference(SLUG, "B", schedule.timezone, 2026, datetime(2026, 1, 1, tzinfo=UTC))
                started = time.perf_counter()
                store.import_schedule(SLUG, schedule, datetime(2026, 1, 1, tzinfo=UTC))
                out.append((name, (time.perf_counter() - started) / talks))
                store.engine.dispose()
        finally:
            if pg:
                with admin.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    return out


def over_http(db: Path, tmp: Path, args: argparse.Namespace, schedule: Schedule) -> dict[str, float]:
    """req/s of each server and case, median over interleaved rounds."""
    from contextlib import ExitStack

    env = {"CALSYNC_BENCH_DB": str(db)}
    session = schedule.sessions[len(schedule.sessions) // 5].id
    found: dict[str, list[float]] = {}
    with ExitStack() as stack:
        ports = {name: harness.free_port() for name in ("trivial", "pretalx", "calsync", "nginx")}
        servers = {
            name: stack.enter_context(harness.gunicorn(f"apps:{name}()", ports[name], tmp / f"{name}.log", env))
            for name in ("trivial", "pretalx", "calsync")
        }
        session_path = f"/conferences/{SLUG}/sessions/{session}.ics"
        status, headers, body = harness.get(ports["calsync"], session_path)
        assert status == 200, status
        etag = headers["etag"]
        harness.get(ports["calsync"], f"/conferences/{SLUG}.ics?view=talks", timeout=600)
        if harness.NGINX:
            root = tmp / "static"
            (root / "conferences" / SLUG / "sessions").mkdir(parents=True)
            (root / ("." + session_path)).write_bytes(body)
            (root / "ok.txt").write_text("ok\n")
            servers["nginx"] = stack.enter_context(harness.nginx_static(root, ports["nginx"], tmp / "nginx.log"))
        else:
            print("nginx is not installed: its column is skipped (apt-get install nginx-light)")
        cases = {
            "trivial": ("trivial", "/", {}),
            "calsync session feed": ("calsync", session_path, {}),
            "calsync 304": ("calsync", session_path, {"If-None-Match": etag}),
            "pretalx-like session feed": ("pretalx", session_path, {}),
        }
        if "nginx" in servers:
            cases["nginx static session feed"] = ("nginx", session_path, {})
        for _ in range(2):  # every worker warm
            for server, path, headers in cases.values():
                harness.load(servers[server].url, path, 1, 4, headers)
        for r in range(args.rounds):
            for name, (server, path, headers) in cases.items():
                rps = harness.load(servers[server].url, path, args.seconds, args.connections, headers)
                found.setdefault(name, []).append(rps)
                print(f"  round {r + 1}: {name}: {rps:.0f} req/s", flush=True)
        found["calsync worker RSS (MB)"] = [sum(harness.rss_mb(p) for p in servers["calsync"].children())]
    return {k: median(v) for k, v in found.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--talks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="load per HTTP case and round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--no-install", action="store_true", help="do not apt-get install nginx-light and wrk when missing")
    args = parser.parse_args()
    if not (args.skip_http or args.no_install):
        harness.install_tools()
    print(f"load average {os.getloadavg()[0]:.1f}; wrk: {harness.WRK or 'absent (Python load)'}; nginx: {harness.NGINX or 'absent'}")
    schedule = harness.conference(args.sessions, args.talks)
    talks = args.sessions * args.talks
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = tmp / "bench.db"
        harness.stored(f"sqlite:///{db}", SLUG, schedule).engine.dispose()
        local = in_process(db, args, schedule)
        http = {} if args.skip_http else over_http(db, tmp, args, schedule)
    rows = [["measure", "calsync", "reference", "ratio"]]

    def ratio(name: str, ours: float, ref_name: str, ref: float, faster_is_smaller: bool = True) -> None:
        """A row: "how many times the reference" (speed-up for times, share of its req/s for rates)."""
        value = ref / ours if faster_is_smaller else ours / ref
        rows.append([name, fmt(ours) if faster_is_smaller else f"{ours:.0f}/s", f"{ref_name} "
                     + (fmt(ref) if faster_is_smaller else f"{ref:.0f}/s"), f"{value:.2f}×"])

    def share(name: str, ours: float, ref_name: str, ref: float) -> None:
        """A row: the cost as a share of the reference's."""
        rows.append([name, fmt(ours), f"{ref_name} {fmt(ref)}", f"{100 * ours / ref:.1f} %"])

    scratch = local["icalendar from scratch"]
    ratio(f"cold render, {talks:,} talks (CPU)", local["cold"], "icalendar from scratch", scratch)
    ratio("cold render vs icalendar with the ASCII fold", local["cold"], "icalendar + fold (bench/upstream)",
          local["icalendar from scratch, ASCII fold"])
    ratio("warm feed call", local["warm"], "icalendar from scratch", scratch)
    share("first sessions view (500 session events written)", local["first sessions view"], "cold render", local["cold"])
    for name, _query in VARIANTS:
        share(f"variant of the warm conference: {name}", local[f"variant ({name})"], "cold render", local["cold"])
    share("gzip of the talks feed (once per version)", local["gzip of the feed"], "cold render", local["cold"])
    share("one-talk change: import", local["one-change import"], "cold render", local["cold"])
    share("one-talk change: reload (per worker)", local["one-change reload"], "cold render", local["cold"])
    share("one-talk change: next feed", local["one-change feed"], "cold render", local["cold"])
    for name in ("import, SQLite", "import, PostgreSQL"):
        if name in local:
            rows.append([f"{name} ({talks:,} new talks)", f"{1 / local[name]:,.0f} talks/s", "", ""])
    if "import, PostgreSQL" in local:
        rows.append(["PostgreSQL / SQLite import time", "", "", f"{local['import, PostgreSQL'] / local['import, SQLite']:.2f}×"])
    if http:
        trivial = http["trivial"]
        for name in ("calsync session feed", "calsync 304"):
            ratio(f"{name} (HTTP)", http[name], "trivial Flask", trivial, faster_is_smaller=False)
        ratio("calsync session feed (HTTP)", http["calsync session feed"], "pretalx-like", http["pretalx-like session feed"],
              faster_is_smaller=False)
        if "nginx static session feed" in http:
            ratio("calsync session feed (HTTP)", http["calsync session feed"], "nginx static",
                  http["nginx static session feed"], faster_is_smaller=False)
        rows.append(["calsync worker RSS after the load", f"{http['calsync worker RSS (MB)']:.0f} MB", "", ""])
    print()
    print(harness.table(rows))
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
