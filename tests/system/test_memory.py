"""Worker memory stays bounded whatever requests arrive (issue: a byte budget).

A generated conference of 500 sessions × 20 talks (10,000 talks, ~1.5 KB abstracts) is
served by a real gunicorn (calsync.gunicorn_conf, one worker so that it gets every
request) with the default budget (``limits.cache_megabytes`` = 256). The worker's
resident memory must stay under 400 MB after each of: 100 distinct filters of the
conference feed, 24 distinct alarm values, and 1,000 random query strings.
"""

from __future__ import annotations

import random
import string
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from test_slow_clients import gunicorn

from calsync.model import Schedule, Session, Talk
from calsync.store import Store

SLUG = "big"
LIMIT_KB = 400 * 1024
WORDS = ("learning", "robust", "sparse", "graph", "causal", "kernel", "privacy", "neural", "bandit", "diffusion")
ROOMS = [f"Hall {c}" for c in "ABCDEFG"]
TYPES = ("Oral", "Spotlight", "Poster", "Break")


def conference(sessions: int = 500, talks: int = 20) -> Schedule:
    """A synthetic conference over four days (deterministic)."""
    rng = random.Random(7)
    zone = ZoneInfo("America/Los_Angeles")
    out = []
    for s in range(sessions):
        day = datetime(2026, 7, 13 + s % 4, 8, tzinfo=zone) + timedelta(minutes=30 * (s // 4 % 16))
        items = []
        for t in range(talks):
            words = " ".join(rng.choice(WORDS) for _ in range(8))
            items.append(Talk(
                id=f"t{s}-{t}", start=day + timedelta(minutes=5 * t), end=day + timedelta(minutes=5 * t + 5),
                title=f"Talk {s}.{t} on {words}", type=TYPES[t % 4],
                authors=tuple(f"Author {rng.randrange(2000)}" for _ in range(4)),
                abstract=(f"We study {words}. " * 40)[:1500], url=f"https://conf.invalid/virtual/2026/poster/{s * 100 + t}",
            ))
        out.append(Session(id=f"s{s}", title=f"Session {s}: {WORDS[s % 10]}", timezone="America/Los_Angeles",
                           talks=tuple(items), location=ROOMS[s % 7], moderators=("Ana Lima",)))
    return Schedule(timezone="America/Los_Angeles", sessions=tuple(out))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    tmp = tmp_path_factory.mktemp("memory")
    store = Store(f"sqlite:///{tmp / 'calsync.db'}")
    store.migrate()
    store.ensure_conference(SLUG, "Big Conference 2026", "America/Los_Angeles", 2026, datetime(2026, 1, 1, tzinfo=UTC))
    store.import_schedule(SLUG, conference(), datetime(2026, 1, 1, tzinfo=UTC))
    store.engine.dispose()
    with gunicorn(tmp, CALSYNC_WORKERS="1", CALSYNC_SAMPLE="false", CALSYNC_CACHE_CHECK_SECONDS="60") as url:
        health = requests.get(f"{url}/healthz", timeout=10)
        pid = int(health.headers.get("X-Worker-Pid", 0)) or worker_pid(tmp)
        yield url, pid


def worker_pid(tmp: Path) -> int:
    """The one worker's pid, from gunicorn's log ("Booting worker with pid: N")."""
    for line in (tmp / "gunicorn.log").read_text(errors="replace").splitlines():
        if "Booting worker with pid" in line:
            return int(line.rsplit(":", 1)[1])
    raise AssertionError("no worker in the gunicorn log")


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def run(url: str, queries: list[str], threads: int = 4) -> dict[int, int]:
    """GET the conference feed with each query (``threads`` at a time); counts of status codes."""
    def one(query: str) -> int:
        return requests.get(f"{url}/conferences/{SLUG}.ics?{query}", timeout=300).status_code

    statuses: dict[int, int] = {}
    with ThreadPoolExecutor(threads) as pool:
        for status in pool.map(one, queries):
            statuses[status] = statuses.get(status, 0) + 1
    return statuses


def filters() -> list[str]:
    out = []
    for i in range(100):
        words = WORDS[i % 10] + (f"+{WORDS[(i // 10 + 3) % 10]}" if i >= 10 else "")
        parts = ["view=" + ("talks", "both", "sessions", "talks")[i % 4], f"q={words}"]
        if i % 3:
            parts.append(f"type={TYPES[i % 3]}")
        if i % 5 == 1:
            parts.append(f"room={ROOMS[i % 7].replace(' ', '+')}")
        if i % 7 == 2:
            parts.append(f"day=2026-07-{13 + i % 4}")
        if i % 11 == 3:
            parts.append("abstracts=0")
        if i % 13 == 4:
            parts.append(f"author=Author+{i}")
        out.append("&".join(parts))
    assert len(set(out)) == 100
    return out


def random_queries(count: int) -> list[str]:
    rng = random.Random(11)
    keys = ["view", "type", "room", "day", "author", "q", "session", "alarm", "abstracts", "download", "x", ""]
    values = [*WORDS, *TYPES, "talks", "both", "sessions", "0", "1", "15", "-3", "99999", "2026-07-14", "Hall+B",
              "%C3%A9", "%00", "' or 1=1", "s1", "s499", "Author+17"]
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randrange(1, 5)):
            key = rng.choice(keys)
            value = rng.choice(values) if rng.random() < 0.8 else "".join(rng.choices(string.ascii_letters, k=6))
            parts.append(f"{key}={value}")
        out.append("&".join(parts))
    return out


def test_rss_stays_bounded(server: tuple[str, int]) -> None:
    url, pid = server
    started = time.monotonic()
    assert run(url, ["view=talks"], threads=1) == {200: 1}
    report = [f"after the talks feed: {rss_kb(pid) // 1024} MB"]
    for name, queries in (
        ("100 filters", filters()),
        ("24 alarms", [f"view=talks&alarm={m}" for m in range(5, 125, 5)]),
        ("1,000 random query strings", random_queries(1000)),
    ):
        statuses = run(url, queries)
        rss = rss_kb(pid)
        report.append(f"after {name}: {rss // 1024} MB {statuses}")
        assert rss < LIMIT_KB, "\n".join(report)
        assert set(statuses) <= {200, 400}, statuses
        if name != "1,000 random query strings":
            assert statuses == {200: len(queries)}, statuses
    print("\n".join(report), f"({time.monotonic() - started:.0f} s)")
