"""Fault injection: ``kill -9`` during imports, of gunicorn workers, and of the worker loading the sample.

Requirement: "kill -9 of a worker during an import: after restart, the store is consistent
(the import is either fully there or not at all)". Three scenarios, on a fresh database
each time (a temporary SQLite file, or a fresh schema ``faults_<hex>`` on the PostgreSQL
server at 127.0.0.1:5432, dropped at the end):

1. **Import killed.** A synthetic conference ``big`` (30 session pages x 100 talks = 3,000
   talks, ``bench_core.make_page``) is written to temporary files. A baseline run times
   ``calsync import FILES --conference big --year 2022`` (start-up + parsing, then the write
   transaction). Then, for several kill points spread over the write transaction, the
   import runs as a subprocess and gets SIGKILL:
   * ``first`` imports into an empty database (allowed afterwards: no talks, or all 3,000);
   * ``update`` imports of a second version of every page (every abstract changed) over a
     complete first version (allowed afterwards: all 3,000 talks of version 1 — SEQUENCE 0,
     conference version 1 — or all 3,000 of version 2 — SEQUENCE 1, version 2).
   Just before each kill the script records whether a write transaction was open (SQLite:
   the write lock is held; PostgreSQL: the import's backend has a transaction id and its
   last statement). After the kill the store is opened (``Store(url)``, ``migrate()``) and
   checked: talks, sessions, sessions without talks, talks without session, SEQUENCEs,
   abstracts, ``talk_changes`` rows and the conference's ``version`` must all describe one
   of the allowed states, and ``load_snapshot`` must agree. Then the import runs again to
   completion (all 3,000 there) and a third time (it must report 0 new, 0 changed).
2. **Worker killed under load, during an import.** calsync under gunicorn (2 gthread
   workers x 4 threads) serves 8 reader threads and 2 feed editors (keep-alive connections
   opened 0.15 s apart) while ``calsync import`` writes the 3,000-talk conference into the
   same database; the busier worker gets SIGKILL in the middle of the import's write
   transaction, and later the other original worker (no import running). Checks:
   the master replaces each killed worker, failed requests happen only around a kill (a
   failed GET is retried once on a new connection, as any client would; retries must
   succeed), /healthz answers 200 on new connections afterwards, every acknowledged feed
   edit is there, the import completed, and both workers serve all 3,000 talks.
3. **Worker killed while loading the sample at start-up.** gunicorn starts on an empty
   database; the worker holding the ``bootstrap`` lease (it imports the sample conference)
   gets SIGKILL (a) as soon as the lease row appears, (b) as soon as the sample's
   conference row appears (between ``ensure_conference`` and the sample's import). The
   service must answer /healthz within ``--boot-wait`` seconds. For (b), the lease is then
   expired by hand (``leases.until = 0``, what 120 s of waiting would do) and gunicorn
   started again: the sample must then be complete (34 talks) or absent — not present and
   empty.

    .venv/bin/python bench/faults.py [--database sqlite|postgresql] [--skip-bootstrap]

Exit status 1 on any inconsistency or failed check. Loopback only; every wait is bounded;
every process started here is stopped (gunicorn by SIGTERM, then SIGKILL of its process
group), temporary files and schemas removed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_core import make_page
from stress import (
    GUNICORN,
    PG_ADMIN_DSN,
    ROOT,
    SAMPLE,
    VENV_BIN,
    Client,
    FeedRecord,
    Server,
    calsync_env,
    check_feed,
    log_trouble,
    pg_admin,
    pg_url,
    request_once,
    vevent_uids,
)

from calsync.store import Store

SLUG = "big"
SESSIONS, TALKS_PER_SESSION = 30, 100
N_TALKS = SESSIONS * TALKS_PER_SESSION
SAMPLE_TALKS = 34
CALSYNC = VENV_BIN / "calsync"
SUMMARY = re.compile(r"big: (\d+) new, (\d+) changed, (\d+) unchanged, (\d+) removed talks")
V2_MARK = "Benchmarked Learning II,"


# --------------------------------------------------------------------------- databases


class Databases:
    """Fresh databases for each attempt; all removed by :meth:`drop_all`."""

    def __init__(self, kind: str, tmpdir: str) -> None:
        self.kind, self.tmpdir = kind, tmpdir
        self.schemas: list[str] = []
        self.count = 0

    def fresh(self) -> Db:
        self.count += 1
        if self.kind == "sqlite":
            path = os.path.join(self.tmpdir, f"db{self.count}.sqlite")
            return Db(kind="sqlite", url=f"sqlite:///{path}", import_url=f"sqlite:///{path}", path=path, where=path)
        schema = f"faults_{secrets.token_hex(5)}"
        pg_admin(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        app = f"calsync_import_{schema}"
        return Db(kind="postgresql", url=pg_url(schema), import_url=pg_url(schema, app), schema=schema, app_name=app,
                  where=f"schema {schema}")

    def drop_all(self) -> list[str]:
        problems = []
        for schema in self.schemas:
            try:
                pg_admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            except Exception as exc:
                problems.append(f"could not drop schema {schema}: {exc}")
        self.schemas = []
        return problems


@dataclass
class Db:
    kind: str
    url: str  # for the service and for inspection
    import_url: str  # for `calsync import` (PostgreSQL: with an application_name to find its backend)
    where: str
    path: str | None = None
    schema: str | None = None
    app_name: str | None = None
    _conn: Any = None

    # A light probe connection of our own (not SQLAlchemy), to watch the import.

    def _probe(self) -> Any:
        if self._conn is None:
            if self.kind == "sqlite":
                if not os.path.exists(self.path):
                    return None
                self._conn = sqlite3.connect(self.path, timeout=0, isolation_level=None)
            else:
                import psycopg

                self._conn = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=10,
                                             options=f"-csearch_path={self.schema}")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]] | None:
        """Rows of a query, or None when the table is not there yet / the database is busy."""
        conn = self._probe()
        if conn is None:
            return None
        try:
            if self.kind == "sqlite":
                return conn.execute(sql, params).fetchall()
            return conn.execute(sql.replace("?", "%s"), params).fetchall()
        except (sqlite3.Error, Exception):
            return None

    def execute(self, sql: str) -> None:
        conn = self._probe()
        assert conn is not None
        conn.execute(sql)

    def has_row(self, table: str, where: str, params: tuple[Any, ...]) -> bool:
        return bool(self.query(f"SELECT 1 FROM {table} WHERE {where}", params))

    def write_state(self) -> str:
        """Whether a write transaction is open right now (just before a kill)."""
        if self.kind == "sqlite":
            conn = self._probe()
            if conn is None:
                return "no database file yet"
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                return f"write transaction open ({exc})"
            conn.execute("ROLLBACK")
            return "no write transaction open"
        rows = self.query("SELECT state, backend_xid::text, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) "
                          "FROM pg_stat_activity WHERE application_name = ?", (self.app_name,))
        if not rows:
            return "import not connected"
        state, xid, query = rows[0]
        if xid:
            return f"write transaction open (xid {xid}, {state}: {query})"
        return f"no write transaction open ({state}: {query})"

    def wait_backend_gone(self, timeout: float = 15.0) -> bool:
        """PostgreSQL: wait until the killed import's backend has ended (its transaction rolled back)."""
        if self.kind != "postgresql":
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", (self.app_name,))
            if rows is not None and rows[0][0] == 0:
                return True
            time.sleep(0.05)
        return False


# --------------------------------------------------------------------------- inspecting the store


@dataclass
class StoreState:
    exists: bool
    version: int | None = None
    sessions: int = 0
    talks: int = 0
    active: int = 0
    seq: dict[int, int] = field(default_factory=dict)
    v2_abstracts: int = 0
    empty_sessions: int = 0
    orphan_talks: int = 0
    changes: dict[str, int] = field(default_factory=dict)
    snapshot_talks: int | None = None
    schema_version: int | None = None

    def describe(self) -> str:
        if not self.exists:
            return "no conference"
        return (f"version {self.version}, {self.sessions} sessions, {self.active}/{self.talks} active talks, "
                f"SEQUENCEs {dict(sorted(self.seq.items()))}, {self.v2_abstracts} v2 abstracts, "
                f"{self.empty_sessions} sessions without talks, {self.orphan_talks} talks without session, "
                f"changes {dict(sorted(self.changes.items()))}, snapshot {self.snapshot_talks} talks")


def inspect_store(url: str, slug: str = SLUG) -> StoreState:
    """Open the store as calsync does (``Store(url)``, ``migrate()``) and describe conference ``slug``."""
    from sqlalchemy import text

    store = Store(url)
    try:
        schema_version = store.migrate()
        with store.engine.connect() as conn:
            row = conn.execute(text("SELECT version FROM conferences WHERE slug = :s"), {"s": slug}).first()
            if row is None:
                return StoreState(exists=False, schema_version=schema_version)

            def one(sql: str) -> int:
                return int(conn.execute(text(sql), {"s": slug}).scalar() or 0)

            state = StoreState(
                exists=True,
                version=row[0],
                schema_version=schema_version,
                sessions=one("SELECT count(*) FROM sessions WHERE conference = :s"),
                talks=one("SELECT count(*) FROM talks WHERE conference = :s"),
                active=one("SELECT count(*) FROM talks WHERE conference = :s AND status = 'active'"),
                v2_abstracts=int(conn.execute(text("SELECT count(*) FROM talks WHERE conference = :s AND abstract LIKE :p"),
                                              {"s": slug, "p": f"%{V2_MARK}%"}).scalar() or 0),
                empty_sessions=one(
                    "SELECT count(*) FROM sessions s WHERE s.conference = :s AND NOT EXISTS "
                    "(SELECT 1 FROM talks t WHERE t.conference = s.conference AND t.session_id = s.id AND t.status = 'active')"),
                orphan_talks=one(
                    "SELECT count(*) FROM talks t WHERE t.conference = :s AND NOT EXISTS "
                    "(SELECT 1 FROM sessions s WHERE s.conference = t.conference AND s.id = t.session_id)"),
                seq={int(k): int(v) for k, v in conn.execute(
                    text("SELECT sequence, count(*) FROM talks WHERE conference = :s GROUP BY sequence"), {"s": slug})},
                changes={str(k): int(v) for k, v in conn.execute(
                    text("SELECT kind, count(*) FROM talk_changes WHERE conference = :s GROUP BY kind"), {"s": slug})},
            )
        snap = store.load_snapshot(slug)
        state.snapshot_talks = sum(len(s.talks) for s in snap.sessions)
        return state
    finally:
        store.engine.dispose()


def classify(state: StoreState, sessions: int = SESSIONS, talks: int = N_TALKS) -> str:
    """``none``, ``v1``, ``v2`` — or ``INCONSISTENT: …``."""
    if not state.exists:
        return "none"
    s = state
    if s.version == 0 and s.sessions == 0 and s.talks == 0 and not s.changes and s.snapshot_talks == 0:
        return "none (conference row, 0 talks)"
    base = (s.sessions == sessions and s.talks == s.active == talks and s.empty_sessions == 0 and s.orphan_talks == 0
            and s.snapshot_talks == talks)
    if base and s.version == 1 and s.seq == {0: talks} and s.v2_abstracts == 0 and s.changes == {"created": talks}:
        return "v1"
    if base and s.version == 2 and s.seq == {1: talks} and s.v2_abstracts == talks \
            and s.changes == {"created": talks, "changed": talks}:
        return "v2"
    return f"INCONSISTENT: {s.describe()}"


# --------------------------------------------------------------------------- running imports


@dataclass
class ImportRun:
    rc: int | None
    seconds: float
    summary: tuple[int, int, int, int] | None
    stderr: str
    t_conf: float | None = None  # seconds from spawn until the conference row was visible
    killed_at: float | None = None
    state_at_kill: str | None = None


def write_pages(tmpdir: str) -> tuple[list[str], list[str]]:
    v1, v2 = [], []
    for s in range(SESSIONS):
        text = make_page(s, TALKS_PER_SESSION)
        assert "Benchmarked Learning," in text
        for version, files in ((1, v1), (2, v2)):
            path = os.path.join(tmpdir, f"v{version}-session{s:02d}.txt")
            Path(path).write_text(text if version == 1 else text.replace("Benchmarked Learning,", V2_MARK), encoding="utf-8")
            files.append(path)
    return v1, v2


def spawn_import(db: Db, files: list[str], log_path: str) -> tuple[subprocess.Popen[bytes], Any]:
    log = open(log_path, "wb")  # noqa: SIM115 - open while the import runs
    proc = subprocess.Popen(
        [str(CALSYNC), "import", *files, "--conference", SLUG, "--year", "2022"],
        cwd=str(ROOT), env=calsync_env(db.import_url), stdout=log, stderr=subprocess.STDOUT,
    )
    return proc, log


def finish_import(proc: subprocess.Popen[bytes], log: Any, log_path: str, started: float, timeout: float = 180.0) -> ImportRun:
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    seconds = time.monotonic() - started
    log.close()
    text = Path(log_path).read_text(errors="replace")
    m = SUMMARY.search(text)
    return ImportRun(rc=proc.returncode, seconds=seconds, summary=tuple(int(x) for x in m.groups()) if m else None,
                     stderr=text)


def run_import(db: Db, files: list[str], log_path: str, watch_conference: bool = False) -> ImportRun:
    """Run an import to completion; optionally note when the conference row became visible."""
    started = time.monotonic()
    proc, log = spawn_import(db, files, log_path)
    t_conf = None
    if watch_conference:
        while proc.poll() is None and time.monotonic() - started < 180:
            if t_conf is None and db.has_row("conferences", "slug = ?", (SLUG,)):
                t_conf = time.monotonic() - started
                break
            time.sleep(0.005)
    run = finish_import(proc, log, log_path, started)
    run.t_conf = t_conf
    return run


def killed_import(db: Db, files: list[str], log_path: str, wait_conference: bool, delay: float) -> ImportRun:
    """Start an import, wait (for the conference row when ``wait_conference``, then ``delay`` s), SIGKILL it."""
    started = time.monotonic()
    proc, log = spawn_import(db, files, log_path)
    t_conf = None
    if wait_conference:
        while proc.poll() is None and time.monotonic() - started < 120:
            if db.has_row("conferences", "slug = ?", (SLUG,)):
                t_conf = time.monotonic() - started
                break
            time.sleep(0.003)
    target = time.monotonic() + delay
    while proc.poll() is None and time.monotonic() < target:
        time.sleep(min(0.002, max(0.0, target - time.monotonic())))
    state = db.write_state() if proc.poll() is None else "import had already exited"
    killed_at = time.monotonic() - started
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    run = finish_import(proc, log, log_path, started, timeout=30)
    run.t_conf, run.killed_at, run.state_at_kill = t_conf, killed_at, state
    return run


# --------------------------------------------------------------------------- scenario 1


def scenario_imports(dbs: Databases, tmpdir: str, rng: random.Random, first_attempts: int, update_attempts: int) -> list[str]:
    problems: list[str] = []
    v1, v2 = write_pages(tmpdir)
    logp = os.path.join(tmpdir, "import.log")
    print(f"\n== 1. calsync import killed (SIGKILL): {SESSIONS} pages x {TALKS_PER_SESSION} talks = {N_TALKS} talks, "
          f"{dbs.kind}", flush=True)

    # Baseline: how long start-up + parsing and the write transaction take.
    db = dbs.fresh()
    base1 = run_import(db, v1, logp, watch_conference=True)
    s1 = classify(inspect_store(db.url))
    base2 = run_import(db, v2, logp)
    s2 = classify(inspect_store(db.url))
    base3 = run_import(db, v2, logp)
    s3 = classify(inspect_store(db.url))
    db.close()
    print(f"baseline: first import {base1.seconds:.2f} s (conference row after {base1.t_conf or 0:.2f} s) → {base1.summary} {s1}; "
          f"update {base2.seconds:.2f} s → {base2.summary} {s2}; again {base3.seconds:.2f} s → {base3.summary} {s3}")
    for run, state, want_state, want in ((base1, s1, "v1", (N_TALKS, 0, 0, 0)), (base2, s2, "v2", (0, N_TALKS, 0, 0)),
                                         (base3, s3, "v2", (0, 0, N_TALKS, 0))):
        if run.rc != 0 or run.summary != want or state != want_state:
            problems.append(f"baseline import: rc {run.rc}, summary {run.summary} (want {want}), state {state}\n{run.stderr[-1500:]}")
    if problems or base1.t_conf is None:
        problems.append("baseline failed; no kill attempts")
        return problems
    write1 = max(0.05, base1.seconds - base1.t_conf)
    write2 = max(0.05, base2.seconds - base1.t_conf)  # parsing costs the same for both versions

    def fractions(n: int) -> list[float]:
        return [min(0.9, max(0.02, (i + 0.5) / n + rng.uniform(-0.3, 0.3) / n)) for i in range(n)]

    attempts = [("first", f) for f in fractions(first_attempts)] + [("update", f) for f in fractions(update_attempts)]
    print(f"{'#':>2} {'kind':6} {'kill at':>8} {'frac':>5}  {'at the kill':50}  after the kill → re-import → again")
    landed_in_tx = 0
    for n, (kind, frac) in enumerate(attempts, 1):
        db = dbs.fresh()
        if kind == "update":
            setup = run_import(db, v1, logp)
            if setup.rc != 0 or classify(inspect_store(db.url)) != "v1":
                problems.append(f"attempt {n}: set-up import failed: rc {setup.rc}\n{setup.stderr[-1000:]}")
                continue
            run = killed_import(db, v2, logp, wait_conference=False, delay=base1.t_conf + frac * write2)
            allowed, files, final = ("v1", "v2"), v2, "v2"
        else:
            run = killed_import(db, v1, logp, wait_conference=True, delay=frac * write1)
            allowed, files, final = ("none", "none (conference row, 0 talks)", "v1"), v1, "v1"
        gone = db.wait_backend_gone()
        db.close()
        after = classify(inspect_store(db.url))
        again = run_import(db, files, logp)
        after_again = classify(inspect_store(db.url))
        third = run_import(db, files, logp)
        after_third = classify(inspect_store(db.url))
        db.close()
        in_tx = run.state_at_kill.startswith("write transaction open")
        landed_in_tx += in_tx
        killed = run.rc == -signal.SIGKILL
        line = (f"{n:>2} {kind:6} {run.killed_at:7.3f}s {frac:5.2f}  {run.state_at_kill[:50]:50}  "
                f"{after} → {again.summary} {after_again} → {third.summary} {after_third}")
        print(line, flush=True)
        ok = (after in allowed and again.rc == 0 and after_again == final and third.rc == 0
              and third.summary is not None and third.summary[0] == third.summary[1] == third.summary[3] == 0
              and after_third == final and gone)
        if not killed:
            print(f"   (the import was not killed: rc {run.rc}; it finished before the kill point)")
        if not ok:
            problems.append(f"attempt {n} ({kind}, kill at {run.killed_at:.3f} s): after kill {after} (allowed {allowed}); "
                            f"re-import rc {again.rc} {again.summary} {after_again}; third rc {third.rc} {third.summary} "
                            f"{after_third}; backend gone {gone}\n{again.stderr[-800:]}")
    print(f"{landed_in_tx} of {len(attempts)} kills landed while the import's write transaction was open")
    if landed_in_tx == 0:
        problems.append("no kill landed inside the write transaction: the test proved nothing")
    return problems


# --------------------------------------------------------------------------- scenario 2


@dataclass
class Failure:
    at: float
    what: str
    recovered: bool


def scenario_worker(dbs: Databases, tmpdir: str, rng: random.Random) -> list[str]:
    problems: list[str] = []
    v1, _ = write_pages(tmpdir)
    print(f"\n== 2. gunicorn worker killed (SIGKILL) under load, during `calsync import`, {dbs.kind}", flush=True)
    db = dbs.fresh()
    server = Server(db.url, os.path.join(tmpdir, "gunicorn-worker.log"))
    stop = threading.Event()
    failures: list[Failure] = []
    ok_requests = [0]
    lock = threading.Lock()
    feeds: list[list[FeedRecord]] = [[], []]
    threads: list[threading.Thread] = []
    import_proc = None
    try:
        server.start()
        originals = server.worker_pids()
        _, _, body = request_once(server.port, "GET", f"/api/conferences/{SAMPLE}/sessions")
        sessions = json.loads(body)["sessions"]
        session_ids = [s["id"] for s in sessions]
        talk_ids = [t["id"] for s in sessions for t in s["talks"]]
        print(f"gunicorn pid {server.proc.pid}, workers {originals}, {server.base}, {db.where}")
        t0 = time.monotonic()
        hard_deadline = t0 + 240

        def note(what: str, recovered: bool) -> None:
            with lock:
                failures.append(Failure(time.monotonic() - t0, what, recovered))

        def reader(seed: int) -> None:
            r = random.Random(seed)
            client = Client(server.port, timeout=20)
            for _ in range(100_000):
                if stop.is_set() or time.monotonic() > hard_deadline:
                    break
                path = r.choice([f"/conferences/{SAMPLE}.ics", f"/conferences/{SAMPLE}.ics?view=talks",
                                 f"/conferences/{SAMPLE}/sessions/{r.choice(session_ids)}.ics",
                                 f"/conferences/{SAMPLE}/talks/{r.choice(talk_ids)}.ics", "/healthz", "/api/conferences"])
                try:
                    st, _, _ = client.request("GET", path, retry_stale=False)
                    if st != 200:
                        note(f"GET {path}: {st}", False)
                    else:
                        with lock:
                            ok_requests[0] += 1
                    continue
                except Exception as exc:
                    first = f"GET {path}: {exc.__class__.__name__}: {exc}"
                try:  # retried once on a new connection, as any HTTP client would for a GET
                    st, _, _ = client.request("GET", path, retry_stale=False)
                    note(first, st == 200)
                except Exception as exc:
                    note(f"{first}; retry: {exc.__class__.__name__}", False)
            client.close()

        def writer(wid: int) -> None:
            r = random.Random(rng.random())
            client = Client(server.port, timeout=20)
            mine = feeds[wid]
            for _ in range(100_000):
                if stop.is_set() or time.monotonic() > hard_deadline:
                    break
                ids = tuple(r.sample(talk_ids, r.randint(1, 8)))
                try:
                    if len(mine) < 5:
                        name = f"faults w{wid} f{len(mine)} edit 0"
                        st, _, body = client.request("POST", "/api/feeds", json.dumps(
                            {"name": name, "talk_ids": list(ids), "conference": SAMPLE}).encode(),
                            {"Content-Type": "application/json"}, retry_stale=False)
                        if st == 201:
                            a = json.loads(body)
                            mine.append(FeedRecord(a["token"], a["edit_key"], ids, name))
                        else:
                            note(f"POST /api/feeds: {st}", False)
                        continue
                    rec = r.choice(mine)
                    name = f"faults w{wid} {rec.token[:6]} edit {rec.edit + 1}"
                    try:
                        st, _, body = client.request("PUT", f"/api/feeds/{rec.token}", json.dumps(
                            {"name": name, "talk_ids": list(ids)}).encode(),
                            {"Content-Type": "application/json", "Authorization": f"Bearer {rec.key}"}, retry_stale=False)
                    except Exception:
                        rec.uncertain.append((ids, name))  # the edit may or may not have been stored
                        raise
                    if st == 200:
                        rec.talk_ids, rec.name, rec.edit, rec.uncertain = ids, name, rec.edit + 1, []
                    else:
                        note(f"PUT /api/feeds: {st}", False)
                except Exception as exc:
                    note(f"write: {exc.__class__.__name__}: {exc}", False)
                time.sleep(0.01)
            client.close()

        threads = [threading.Thread(target=reader, args=(rng.random(),), daemon=True) for _ in range(8)]
        threads += [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(2)]
        for t in threads:
            t.start()
            time.sleep(0.15)  # one connection after the other, so that both workers get some
        time.sleep(1.0)

        def wait_replaced(killed: int, timeout: float = 60.0) -> float | None:
            began = time.monotonic()
            while time.monotonic() - began < timeout:
                pids = server.worker_pids()
                if killed not in pids and len(pids) == 2:
                    # the new worker is up once it answers; give it the time to boot
                    return time.monotonic() - began
                time.sleep(0.02)
            return None

        def wait_serving(timeout: float = 60.0) -> float | None:
            """Until several new connections in a row get /healthz 200 (both workers booted)."""
            began = time.monotonic()
            good = 0
            while time.monotonic() - began < timeout:
                try:
                    good = good + 1 if request_once(server.port, "GET", "/healthz", timeout=5)[0] == 200 else 0
                except OSError:
                    good = 0
                if good >= 8:
                    return time.monotonic() - began
                time.sleep(0.05)
            return None

        # Kill 1: in the middle of the import's write transaction.
        logp = os.path.join(tmpdir, "import-worker.log")
        imp_started = time.monotonic()
        import_proc, imp_log = spawn_import(db, v1, logp)
        while import_proc.poll() is None and time.monotonic() - imp_started < 120:
            if db.has_row("conferences", "slug = ?", (SLUG,)):
                break
            time.sleep(0.005)
        # The victim: the worker that did more work over the last 0.3 s (so it has requests in flight).
        cpu0 = server.cpu_by_pid()
        time.sleep(0.3)
        cpu1 = server.cpu_by_pid()
        victim = max(originals, key=lambda pid: (cpu1.get(pid, 0.0) - cpu0.get(pid, 0.0), rng.random()))
        state = db.write_state() if import_proc.poll() is None else "import had already exited"
        kills = [(time.monotonic() - t0, victim, f"during the import ({state[:70]})")]
        os.kill(victim, signal.SIGKILL)
        replaced = wait_replaced(victim)
        imp = finish_import(import_proc, imp_log, logp, imp_started)
        import_proc = None
        serving = wait_serving()
        print(f"kill 1: worker {victim} at t={kills[0][0]:.2f} s, {kills[0][2]}; replaced after "
              f"{replaced if replaced is None else round(replaced, 2)} s; all answering after "
              f"{serving if serving is None else round(serving, 2)} s more; workers now {server.worker_pids()}")
        print(f"import: rc {imp.rc}, {imp.seconds:.2f} s, {imp.summary}")
        if replaced is None or serving is None:
            problems.append(f"kill 1: worker not replaced / not serving ({replaced}, {serving})")
        if imp.rc != 0 or imp.summary != (N_TALKS, 0, 0, 0):
            problems.append(f"import during the kill: rc {imp.rc}, {imp.summary}\n{imp.stderr[-1500:]}")

        # Kill 2: the other original worker, with requests only.
        time.sleep(1.5)
        victim2 = next((p for p in originals if p != victim and p in server.worker_pids()), None)
        if victim2 is not None:
            kills.append((time.monotonic() - t0, victim2, "requests only"))
            os.kill(victim2, signal.SIGKILL)
            replaced2 = wait_replaced(victim2)
            serving2 = wait_serving()
            print(f"kill 2: worker {victim2} at t={kills[1][0]:.2f} s (requests only); replaced after "
                  f"{replaced2 if replaced2 is None else round(replaced2, 2)} s; all answering after "
                  f"{serving2 if serving2 is None else round(serving2, 2)} s more; workers now {server.worker_pids()}")
            if replaced2 is None or serving2 is None:
                problems.append(f"kill 2: worker not replaced / not serving ({replaced2}, {serving2})")
        time.sleep(2.0)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        elapsed = time.monotonic() - t0

        # Checks.
        alive = server.proc.poll() is None
        health = [request_once(server.port, "GET", "/healthz")[0] for _ in range(8)]
        counts = []
        for _ in range(6):
            st, _, body = request_once(server.port, "GET", f"/conferences/{SLUG}.ics?view=talks")
            counts.append(len(vevent_uids(body)) if st == 200 else f"status {st}")
        lost = [p for rec in feeds[0] + feeds[1] for p in check_feed(server.port, rec, None, "after the kills")]
        state = classify(inspect_store(db.url))
        window = 3.0
        near = [f for f in failures if any(k[0] - 0.2 <= f.at <= k[0] + window for k in kills)]
        far = [f for f in failures if f not in near]
        unrecovered = [f for f in failures if not f.recovered]
        edits = sum(r.edit for r in feeds[0] + feeds[1])
        print(f"load: {elapsed:.1f} s, {ok_requests[0]} successful GETs, {edits} acknowledged edits of "
              f"{len(feeds[0]) + len(feeds[1])} feeds")
        bad_gets = [f for f in unrecovered if f.what.startswith("GET")]
        print(f"failed requests: {len(failures)} ({len(near)} within {window:.0f} s after a kill, {len(far)} elsewhere): "
              f"{len(failures) - len(unrecovered)} GETs that succeeded when retried on a new connection, "
              f"{len(bad_gets)} GETs that failed again, {len(unrecovered) - len(bad_gets)} writes (not retried)")
        for f in failures[:20]:
            print(f"  t={f.at:6.2f} s {'recovered' if f.recovered else 'NOT recovered'}: {f.what[:150]}")
        print(f"master alive: {alive}; /healthz on 8 new connections: {health}")
        print(f"/conferences/{SLUG}.ics?view=talks VEVENTs on 6 new connections: {counts}")
        print(f"store: {state}; acknowledged edits lost: {len(lost)}")
        for p in lost[:5]:
            print(f"  {p}")
        per_pid = {}
        for pid in re.findall(r"^\S+ \S+ INFO (\d+) calsync\.web: request ", server.log_text(), re.MULTILINE):
            per_pid[pid] = per_pid.get(pid, 0) + 1
        print("requests served per worker pid: " + ", ".join(f"{p}: {n}" for p, n in sorted(per_pid.items()))
              + f" (killed: {[k[1] for k in kills]})")
        trouble = log_trouble(server.log_text(), limit=30)
        print(f"gunicorn log, error lines: {len(trouble)}")
        for line in trouble[:30]:
            print(f"  {line[:220]}")
        if not alive:
            problems.append("the gunicorn master died")
        if any(h != 200 for h in health):
            problems.append(f"/healthz after the kills: {health}")
        if any(c != N_TALKS for c in counts):
            problems.append(f"the imported conference as served: {counts}")
        if state != "v1":
            problems.append(f"store after the kills: {state}")
        if lost:
            problems.append(f"{len(lost)} acknowledged edits lost")
        if far:
            problems.append(f"{len(far)} requests failed away from a kill: {[f.what for f in far[:5]]}")
        bad = [f for f in unrecovered if f.what.startswith("GET")]
        if bad:
            problems.append(f"{len(bad)} GETs failed even when retried on a new connection: {[f.what for f in bad[:5]]}")
        writes_failed = [f for f in unrecovered if not f.what.startswith("GET")]
        if writes_failed and not all(any(k[0] - 0.2 <= f.at <= k[0] + window for k in kills) for f in writes_failed):
            problems.append(f"writes failed away from a kill: {[f.what for f in writes_failed[:5]]}")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        if import_proc is not None and import_proc.poll() is None:
            import_proc.kill()
            import_proc.wait(timeout=10)
        rc, secs = server.stop()
        print(f"gunicorn stopped: exit {rc} after {secs:.1f} s")
        db.close()
    return problems


# --------------------------------------------------------------------------- scenario 3


def scenario_bootstrap(dbs: Databases, tmpdir: str, boot_wait: float) -> list[str]:
    problems: list[str] = []
    print(f"\n== 3. the worker loading the sample at start-up killed (SIGKILL), {dbs.kind}; "
          f"the service must answer within {boot_wait:.0f} s", flush=True)
    for variant, table, where in (("a", "leases", "name = 'bootstrap'"), ("b", "conferences", f"slug = '{SAMPLE}'")):
        db = dbs.fresh()
        log_path = os.path.join(tmpdir, f"gunicorn-boot-{variant}.log")
        server = Server(db.url, log_path)
        server._log = open(log_path, "ab")  # noqa: SIM115
        started = time.monotonic()
        server.proc = subprocess.Popen(
            [str(GUNICORN), "-c", "python:calsync.gunicorn_conf", "--no-control-socket", "calsync.web:create_app()"],
            cwd=str(ROOT), env=server.env, stdout=server._log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            killed = None
            while time.monotonic() - started < 60 and server.proc.poll() is None:
                if db.has_row(table, where, ()):
                    rows = db.query("SELECT holder FROM leases WHERE name = 'bootstrap'")
                    if rows:
                        pid = int(rows[0][0].split(":")[1])
                        try:
                            os.kill(pid, signal.SIGKILL)
                            killed = (pid, time.monotonic() - started)
                        except ProcessLookupError:
                            pass
                        break
                time.sleep(0.001)
            if killed is None:
                problems.append(f"3{variant}: could not catch the bootstrap lease holder")
                print(f"3{variant}: could not catch the bootstrap lease holder")
                continue
            what = "as soon as it took the bootstrap lease" if variant == "a" else "as soon as the sample's conference row appeared"
            at_kill = classify(inspect_store(db.url, SAMPLE), sessions=5, talks=SAMPLE_TALKS)
            print(f"3{variant}: killed worker {killed[0]} {what} (t={killed[1]:.2f} s); sample then: {at_kill}")
            answered, exited = None, None
            while time.monotonic() - started < killed[1] + boot_wait:
                if server.proc.poll() is not None:
                    exited = time.monotonic() - started
                    break
                try:
                    if request_once(server.port, "GET", "/healthz", timeout=2)[0] == 200:
                        answered = time.monotonic() - started
                        break
                except OSError:
                    pass
                time.sleep(0.5)
            lease = db.query("SELECT holder, until FROM leases WHERE name = 'bootstrap'")
            sample = classify(inspect_store(db.url, SAMPLE), sessions=5, talks=SAMPLE_TALKS)
            if answered is not None:
                print(f"    /healthz 200 after {answered - killed[1]:.1f} s; sample: {sample}")
            else:
                how = f"the gunicorn master EXITED (code {server.proc.returncode}) {exited - killed[1]:.1f} s after the kill" \
                    if exited is not None else f"no answer within {boot_wait:.0f} s"
                print(f"    {how}; bootstrap lease still {lease}; sample: {sample}")
                problems.append(f"3{variant}: after SIGKILL of the worker loading the sample, {how}")
                for line in [ln for ln in log_trouble(server.log_text(), limit=400)
                             if "CalsyncError" in ln or "failed to boot" in ln or "exited with code" in ln][:6]:
                    print(f"    log: {line[:200]}")
            server.stop()
            # What a restart finds once the lease has expired (after 120 s): expire it by hand, start again.
            db.execute("UPDATE leases SET until = 0 WHERE name = 'bootstrap'")
            db.close()
            again = Server(db.url, log_path)
            try:
                again.start(timeout=60)
                st, _, body = request_once(again.port, "GET", f"/api/conferences/{SAMPLE}/talks")
                served = len(json.loads(body)["talks"]) if st == 200 else f"status {st}"
                st2, _, body2 = request_once(again.port, "GET", "/api/conferences")
                listed = [c["slug"] for c in json.loads(body2)["conferences"]] if st2 == 200 else st2
            except Exception as exc:
                served, listed = f"{exc.__class__.__name__}: {exc}", None
            finally:
                again.stop()
            final = classify(inspect_store(db.url, SAMPLE), sessions=5, talks=SAMPLE_TALKS)
            print(f"    restarted with the lease expired by hand: conferences {listed}, sample talks served: {served}; "
                  f"store: {final}")
            if final != "v1" or served != SAMPLE_TALKS:
                problems.append(f"3{variant}: after a restart (lease expired) the sample conference is {final!r}, "
                                f"serving {served} talks (expected all {SAMPLE_TALKS})")
        finally:
            server.stop()
            db.close()
    return problems


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--first-attempts", type=int, default=5, help="kills of a first import (default 5)")
    parser.add_argument("--update-attempts", type=int, default=3, help="kills of an update import (default 3)")
    parser.add_argument("--boot-wait", type=float, default=75.0,
                        help="seconds the service may take to answer after the bootstrap kill (default 75)")
    parser.add_argument("--skip-bootstrap", action="store_true", help="leave out scenario 3 (it waits up to --boot-wait s)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    if not (0 <= args.first_attempts <= 20 and 0 <= args.update_attempts <= 20 and 0 < args.boot_wait <= 300):
        parser.error("attempts must be 0..20, --boot-wait in (0, 300]")
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"faults on {args.database}; seed {seed}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    tmpdir = tempfile.mkdtemp(prefix="calsync-faults-")
    dbs = Databases(args.database, tmpdir)
    problems: list[str] = []
    try:
        problems += [f"[1] {p}" for p in scenario_imports(dbs, tmpdir, rng, args.first_attempts, args.update_attempts)]
        problems += [f"[2] {p}" for p in scenario_worker(dbs, tmpdir, rng)]
        if not args.skip_bootstrap:
            problems += [f"[3] {p}" for p in scenario_bootstrap(dbs, tmpdir, args.boot_wait)]
    finally:
        problems += dbs.drop_all()
        shutil.rmtree(tmpdir, ignore_errors=True)
    print()
    if problems:
        print(f"RESULT: FAIL ({len(problems)} problem(s))")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("RESULT: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
