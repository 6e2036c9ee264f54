"""The store on a real SQLite file: identity across imports, SEQUENCE, history, atomicity, feeds."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from helpers import make_test_config

from calsync.config import FeedConfig
from calsync.errors import NotFound
from calsync.filters import FeedQuery
from calsync.model import Session
from calsync.parse import PageOptions, parse_page
from calsync.service import FeedService
from calsync.store import FeedSpec, Store, StoreError

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PAGE = """Session

Deep Nets

Hall A

Moderator: Ana Lima

Tue 14 July 9:00 - 9:20 CEST

Oral
First Talk on Depth

Bo Chen · Zoë Þórsdóttir

An abstract.

Tue 14 July 9:20 - 9:25 CEST

Spotlight
Second Talk on Width

Ana Lima

Another abstract, longer.

Tue 14 July 9:25 - 9:30 CEST

Q&A
Joint Q&A
"""


def parse(text: str) -> Session:
    return parse_page(text, PageOptions(year=2026)).sessions[0]


@pytest.fixture
def store(db_url: str) -> Store:
    store = Store(db_url)
    store.migrate()
    store.ensure_conference("conf", "Conf", "Europe/Vienna", 2026, T0)
    return store


def put(store: Store, text: str, when: datetime):
    return store.import_schedule("conf", parse_page(text, PageOptions(year=2026)), when)


def feed_bytes(store: Store, tmp_path: Path, **feed: object) -> bytes:
    config = make_test_config(tmp_path, database_url=store.url, feed=FeedConfig(**feed))  # type: ignore[arg-type]
    return FeedService(store, config, now=lambda: T0 + timedelta(days=2)).conference_feed("conf", FeedQuery(view="talks")).body


def test_migrate_is_idempotent_and_versioned(store: Store) -> None:
    assert store.migrate() == 3 and store.migrate() == 3
    assert store.health()["schema_version"] == 3


def _migrate(url: str) -> int:
    return Store(url).migrate()


def test_concurrent_migrations(db_url: str) -> None:
    """Eight processes start together on one database: the schema is made once, safely."""
    url = db_url
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert pool.map(_migrate, [url] * 8) == [3] * 8
    assert Store(url).health()["schema_version"] == 3


def test_reimport_unchanged_keeps_bytes(store: Store, tmp_path: Path) -> None:
    first = put(store, PAGE, T0)
    assert len(first.created) == 3 and first.touched
    before = feed_bytes(store, tmp_path)
    again = put(store, PAGE, T0 + timedelta(days=1))
    assert not again.touched and len(again.unchanged) == 3
    assert feed_bytes(store, tmp_path) == before
    assert store.get_conference("conf").version == 1


def test_time_change_keeps_uid_raises_sequence(store: Store) -> None:
    put(store, PAGE, T0)
    ids = [t.id for t in store.load_snapshot("conf").sessions[0].talks]
    later = T0 + timedelta(days=1)
    report = put(store, PAGE.replace("9:20 - 9:25", "9:40 - 9:45"), later)
    assert report.changed == [ids[1]]
    snap = store.load_snapshot("conf")
    assert [t.id for t in snap.sessions[0].talks] == ids
    assert snap.revisions[ids[1]].sequence == 1 and snap.revisions[ids[1]].modified == later
    assert snap.revisions[ids[0]].sequence == 0 and snap.revisions[ids[0]].modified == T0
    history = store.talk_history("conf", ids[1])
    assert [h["kind"] for h in history] == ["created", "changed"]
    assert set(history[1]["fields"]) == {"start_ts", "end_ts"}


def test_retitled_talk_keeps_uid(store: Store) -> None:
    put(store, PAGE, T0)
    ids = [t.id for t in store.load_snapshot("conf").sessions[0].talks]
    report = put(store, PAGE.replace("Second Talk on Width", "Second Talk on Breadth"), T0 + timedelta(hours=1))
    assert report.changed == [ids[1]] and not report.created
    talk = store.load_snapshot("conf").sessions[0].talks[1]
    assert (talk.id, talk.title) == (ids[1], "Second Talk on Breadth")


def test_first_talk_moving_keeps_session_and_all_ids(store: Store) -> None:
    put(store, PAGE, T0)
    snap = store.load_snapshot("conf")
    report = put(store, PAGE.replace("9:00 - 9:20", "8:50 - 9:20"), T0 + timedelta(hours=1))
    after = store.load_snapshot("conf")
    assert len(after.sessions) == 1 and after.sessions[0].id == snap.sessions[0].id
    assert [t.id for t in after.sessions[0].talks] == [t.id for t in snap.sessions[0].talks]
    assert len(report.changed) == 1


def test_removed_then_restored_talk(store: Store, tmp_path: Path) -> None:
    put(store, PAGE, T0)
    ids = [t.id for t in store.load_snapshot("conf").sessions[0].talks]
    without = PAGE.split("Tue 14 July 9:20")[0] + "Tue 14 July 9:25" + PAGE.split("Tue 14 July 9:25")[1]
    report = put(store, without, T0 + timedelta(days=1))
    assert report.removed == [ids[1]]
    snap = store.load_snapshot("conf")
    assert [t.id for t in snap.sessions[0].talks] == [ids[0], ids[2]]
    assert [t.id for _, t, _ in snap.removed] == [ids[1]]
    dropped = icalendar.Calendar.from_ical(feed_bytes(store, tmp_path)).walk("VEVENT")
    assert len(dropped) == 2
    kept = icalendar.Calendar.from_ical(feed_bytes(store, tmp_path, cancelled_days=7)).walk("VEVENT")
    cancelled = [e for e in kept if e.get("STATUS") == "CANCELLED"]
    assert len(kept) == 3 and [str(e["UID"]).split("@")[0] for e in cancelled] == [f"{ids[1]}.conf"]  # <talk>.<conference>
    assert cancelled[0]["SEQUENCE"] == 1
    restored = put(store, PAGE, T0 + timedelta(days=3))
    assert restored.changed == [ids[1]]
    assert store.load_snapshot("conf").revisions[ids[1]].sequence == 2


def test_new_talk_gets_new_uid(store: Store) -> None:
    put(store, PAGE, T0)
    ids = {t.id for t in store.load_snapshot("conf").sessions[0].talks}
    more = PAGE + "\nTue 14 July 9:30 - 9:35 CEST\n\nSpotlight\nA Late Addition\n\nNew Person\n"
    report = put(store, more, T0 + timedelta(days=1))
    assert len(report.created) == 1 and report.created[0] not in ids


def test_moderator_change_reversions_every_talk(store: Store) -> None:
    put(store, PAGE, T0)
    report = put(store, PAGE.replace("Moderator: Ana Lima", "Moderator: Bo Chen"), T0 + timedelta(days=1))
    assert len(report.changed) == 3
    snap = store.load_snapshot("conf")
    assert all(snap.revisions[t.id].sequence == 1 for t in snap.sessions[0].talks)
    assert snap.sessions[0].moderators == ("Bo Chen",)


def test_import_is_one_transaction(store: Store) -> None:
    good = parse(PAGE)
    broken = replace(parse(PAGE.replace("Deep Nets", "Other Nets")), title=None)  # violates NOT NULL
    schedule = parse_page(PAGE, PageOptions(year=2026))
    with pytest.raises(StoreError):
        store.import_schedule("conf", replace(schedule, sessions=(good, broken)), T0)
    assert store.load_snapshot("conf").sessions == ()
    assert store.get_conference("conf").version == 0


def test_import_into_unknown_conference(store: Store) -> None:
    with pytest.raises(NotFound):
        store.import_schedule("nope", parse_page(PAGE, PageOptions(year=2026)), T0)


def test_feeds_crud_and_keys(store: Store) -> None:
    put(store, PAGE, T0)
    talk = store.load_snapshot("conf").sessions[0].talks[0].id
    feed, key = store.create_feed(FeedSpec(name="Mine", conference="conf", talk_ids=(talk,)), T0)
    assert store.check_edit_key(feed.token, key) and not store.check_edit_key(feed.token, feed.token)
    assert store.get_feed(feed.token).spec.talk_ids == (talk,)
    updated = store.update_feed(feed.token, FeedSpec(name="Renamed", conference="conf", view="both"), T0)
    assert (updated.token, updated.spec.name, updated.version) == (feed.token, "Renamed", 1)
    rotated = store.rotate_feed_token(feed.token, T0)
    assert rotated.token != feed.token and store.check_edit_key(rotated.token, key)
    with pytest.raises(NotFound):
        store.get_feed(feed.token)
    store.delete_feed(rotated.token)
    with pytest.raises(NotFound):
        store.delete_feed(rotated.token)


def test_unusable_database_url_is_config_error() -> None:
    from calsync.errors import ConfigError

    with pytest.raises(ConfigError):
        Store("nosuchdialect://x")


def test_migrates_a_version_1_database(db_url: str) -> None:
    from sqlalchemy import text

    url = db_url
    store = Store(url)
    store.migrate()
    with store.engine.begin() as conn:  # make it look like a v1 database
        conn.execute(text("DROP TABLE sources"))
        conn.execute(text("DROP TABLE leases"))
        conn.execute(text("ALTER TABLE talks DROP COLUMN url"))
        if conn.dialect.name == "postgresql":  # the bounded columns of v1 and v2
            conn.execute(text("ALTER TABLE talks ALTER COLUMN match_key TYPE VARCHAR(100)"))
        conn.execute(text("UPDATE calsync_meta SET value = '1' WHERE key = 'schema_version'"))
    assert Store(url).migrate() == 3
    again = Store(url)
    again.ensure_conference("conf", "Conf", "Europe/Vienna", 2026, T0)
    assert len(put(again, PAGE.replace("First Talk on Depth", "Long " * 40), T0).created) == 3
    again.ensure_conference("c", "C", "UTC", None, T0)
    again.add_source("c", "https://icml.cc/virtual/2022/session/1")
    assert [s.url for s in again.list_sources("c")] == ["https://icml.cc/virtual/2022/session/1"]


def test_lease_is_exclusive_until_it_expires(store: Store) -> None:
    assert store.try_lease("refresh", "a", T0, 60)
    assert not store.try_lease("refresh", "b", T0 + timedelta(seconds=30), 60)
    assert store.try_lease("refresh", "a", T0 + timedelta(seconds=30), 60)  # renew
    assert store.try_lease("refresh", "b", T0 + timedelta(seconds=200), 60)  # expired
    store.release_lease("refresh", "a")  # not the holder: no effect
    assert not store.try_lease("refresh", "a", T0 + timedelta(seconds=210), 60)
    store.release_lease("refresh", "b")
    assert store.try_lease("refresh", "a", T0 + timedelta(seconds=210), 60)


def test_bootstrap_recovers_from_a_killed_holder(tmp_path: Path) -> None:
    """A worker killed while loading the sample: its lease expires, and the sample is loaded again."""
    from calsync.web import SAMPLE_SLUG, bootstrap

    config = make_test_config(tmp_path)
    store = Store(config.database_url)
    store.migrate()
    now = datetime.now(UTC)
    assert store.try_lease("bootstrap", "killed-worker", now, 1)  # held by a worker that died…
    store.ensure_conference(SAMPLE_SLUG, "Sample", "Europe/Vienna", 2026, now)  # …after this, before the import
    bootstrap(store, config, lease_seconds=1, wait_seconds=10)
    snapshot = store.load_snapshot(SAMPLE_SLUG)
    assert sum(len(s.talks) for s in snapshot.sessions) == 34 and snapshot.conference.version == 1


def test_long_titles_types_urls_and_talk_urls_are_stored(store: Store) -> None:
    """Real titles run past 100 characters; PostgreSQL enforces column lengths (SQLite does not)."""
    long_title = "A " + "very " * 60 + "long title"
    long_type = "Type " * 60
    schedule = parse_page(PAGE.replace("First Talk on Depth", long_title), PageOptions(year=2026))
    talk = replace(schedule.sessions[0].talks[0], type=long_type, url="https://icml.cc/virtual/2026/poster/1")
    session = replace(schedule.sessions[0], talks=(talk,) + schedule.sessions[0].talks[1:])
    report = store.import_schedule("conf", replace(schedule, sessions=(session,)), T0)
    assert len(report.created) == 3
    url = "https://icml.cc/virtual/2026/session/" + "x" * 1200
    store.add_source("conf", url)
    assert [s.url for s in store.list_sources("conf")] == [url]
    stored = store.load_snapshot("conf").sessions[0].talks[0]
    assert (stored.title, stored.type, stored.url) == (long_title, long_type, "https://icml.cc/virtual/2026/poster/1")


def test_a_new_sqlite_file_written_by_another_worker_is_waited_for(tmp_path: Path) -> None:
    """Two workers start on a new SQLite file: one already writes (rollback journal) when the other
    migrates. SQLite refuses the other's switch to WAL at once, busy timeout or not; it waits, then
    migrates (before, the worker failed to boot and gunicorn shut down)."""
    import sqlite3
    import threading

    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE other (a)")
    migrated: list[int] = []
    thread = threading.Thread(target=lambda: migrated.append(Store(f"sqlite:///{path}").migrate()))
    thread.start()
    thread.join(0.5)
    assert thread.is_alive() and not migrated  # waiting for the writer, not failed
    holder.execute("COMMIT")
    holder.close()
    thread.join(30)
    assert migrated == [3]
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
