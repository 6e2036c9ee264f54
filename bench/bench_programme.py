"""The programme page of a 10,000-talk conference: first screen time and size, search time.

Builds a synthetic conference (5 days, 8 parallel rooms, 10 talks a session with
~90-word abstracts and four authors; deterministic), imports it into a fresh SQLite
file, serves calsync on 127.0.0.1 (Werkzeug's threaded server, one process) and
measures over real HTTP with ``requests``:

* the first screen (``/conferences/bench``: today's or the first day, one chunk of
  whole sessions): time of the very first request (snapshot read from the
  database), then the median of warm requests; its size in bytes (and gzipped);
* search as you type (``/conferences/bench/programme?q=…``): the first search
  (which folds every talk's text once), then the median of warm searches over
  several words, a two-word search, an author search and a search with a day.

Targets (issue 10): first screen < 300 ms and < 300 KB; search < 100 ms.

    .venv/bin/python bench/bench_programme.py [--talks 10000] [--check]
"""

from __future__ import annotations

import argparse
import gzip
import logging
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from werkzeug.serving import make_server

from calsync.config import Config, LimitsConfig, RefreshConfig
from calsync.model import Schedule, Session, Talk, make_session_id, make_talk_id
from calsync.store import Store
from calsync.web import create_app

SLUG = "bench"
ZONE = "Europe/Vienna"
WORDS = ("sparse widgets gradients transformers kernels diffusion agents graphs priors robust scalable causal "
         "federated contrastive bandits manifolds tokens optimal implicit equivariant latent spectral adaptive "
         "private memory reasoning").split()
TALKS_PER_SESSION = 10


def make_schedule(talks: int, seed: int = 7) -> Schedule:
    """``talks`` talks in sessions of 10: five days, eight rooms in parallel, six slots a day."""
    rnd = random.Random(seed)
    zone = ZoneInfo(ZONE)
    sessions = []
    for s in range(-(-talks // TALKS_PER_SESSION)):
        day, room, slot = s % 5, (s // 5) % 8, (s // 40) % 6
        start = datetime(2026, 7, 13 + day, 8 + 2 * slot, tzinfo=zone)
        title = f"{rnd.choice(['Orals', 'Posters', 'Spotlights'])}: {rnd.choice(WORDS).title()} {s}"
        sid = make_session_id(title, f"Room {room}", start, None)
        items = []
        for i in range(min(TALKS_PER_SESSION, talks - s * TALKS_PER_SESSION)):
            text = " ".join(rnd.choice(WORDS) for _ in range(6)).capitalize()
            items.append(Talk(
                id=make_talk_id(sid, text, i + 1), start=start + timedelta(minutes=10 * i),
                end=start + timedelta(minutes=10 * i + 10), title=text, type=rnd.choice(["Oral", "Poster", "Spotlight"]),
                authors=tuple(f"{rnd.choice(WORDS).title()} {rnd.choice(WORDS).title()}" for _ in range(4)),
                abstract=" ".join(rnd.choice(WORDS) for _ in range(90)),
            ))
        sessions.append(Session(id=sid, title=title, timezone=ZONE, talks=tuple(items), location=f"Room {room}",
                                moderators=("Ana Lima", "Bo Chen")))
    return Schedule(timezone=ZONE, sessions=tuple(sessions))


def timed_get(http: requests.Session, url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = http.get(url, timeout=120)
    seconds = time.perf_counter() - started
    response.raise_for_status()
    return seconds, response.content


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=10_000)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log lines between the figures
    with tempfile.TemporaryDirectory() as tmp:
        config = Config(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", sample=False,
                        limits=LimitsConfig(cache_check_seconds=1), refresh=RefreshConfig(interval_minutes=0))
        schedule = make_schedule(args.talks)
        store = Store(config.database_url)
        store.migrate()
        now = datetime.now(UTC)
        store.ensure_conference(SLUG, "Bench 2026", ZONE, 2026, now)
        started = time.perf_counter()
        store.import_schedule(SLUG, schedule, now)
        print(f"conference: {sum(len(s.talks) for s in schedule.sessions)} talks in {len(schedule.sessions)} sessions, "
              f"imported in {time.perf_counter() - started:.1f} s")
        server = make_server("127.0.0.1", 0, create_app(replace(config)), threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.socket.getsockname()[1]}"
        http = requests.Session()
        http.trust_env = False
        try:
            page = f"{base}/conferences/{SLUG}"
            cold, body = timed_get(http, page)
            warm = statistics.median(timed_get(http, page)[0] for _ in range(15))
            size, zipped = len(body), len(gzip.compress(body))
            day2 = statistics.median(timed_get(http, page + "?day=2026-07-15")[0] for _ in range(9))
            fragment = f"{base}/conferences/{SLUG}/programme"
            first_search, _ = timed_get(http, f"{fragment}?q=spectral")  # right after the page: folding may still run
            searches = {
                "one word": [f"{fragment}?q={w}" for w in ("robust", "latent", "tokens", "agents", "priors")],
                "two words": [f"{fragment}?q=sparse+graphs", f"{fragment}?q=causal+memory"],
                "as typed: r, re, rea, reas": [f"{fragment}?q={p}" for p in ("r", "re", "rea", "reas")],
                "author": [f"{fragment}?author=lima", f"{fragment}?author=tokens+graphs"],
                "word and day": [f"{fragment}?q=kernels&day=2026-07-16"],
            }
            results = {name: statistics.median(timed_get(http, u)[0] for u in urls for _ in range(3)) for name, urls in searches.items()}
        finally:
            server.shutdown()
            thread.join(timeout=10)
    ok = []

    def report(name: str, value: str, passed: bool | None = None) -> None:
        mark = "" if passed is None else (" [PASS]" if passed else " [FAIL]")
        if passed is not None:
            ok.append(passed)
        print(f"  {name}: {value}{mark}")

    print("first screen (/conferences/bench):")
    report("first request after start (reads the snapshot)", f"{cold * 1000:.0f} ms")
    report("warm, median of 15", f"{warm * 1000:.1f} ms (target < 300 ms)", warm < 0.3)
    report("another day, warm median", f"{day2 * 1000:.1f} ms", day2 < 0.3)
    report("size", f"{size / 1000:.1f} kB, {zipped / 1000:.1f} kB gzipped (target < 300 kB)", size < 300_000)
    print("search (/conferences/bench/programme):")
    report("first search, right after the first page (waits for the text folding)", f"{first_search * 1000:.0f} ms")
    for name, seconds in results.items():
        report(f"{name}, warm median", f"{seconds * 1000:.1f} ms (target < 100 ms)", seconds < 0.1)
    return 1 if args.check and not all(ok) else 0


if __name__ == "__main__":
    sys.exit(main())
