"""Bulk import and incremental snapshots, on SQLite and PostgreSQL.

An import sends one statement per kind of write however many talks it holds; an
unchanged re-import writes nothing; a snapshot made from the one before (only the
sessions that changed read again) equals a snapshot read whole, after every kind of change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from calsync.model import Schedule
from calsync.parse import PageOptions, parse_page
from calsync.store import Snapshot, Store, talk_changes

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def page(n: int, talks: int = 4, moved: int | None = None, title: str = "Talk") -> str:
    """A session page (CEST) with ``talks`` 10-minute slots; talk ``moved`` starts 5 minutes late."""
    lines = ["Session", "", f"Bulk Session {n}", "", f"Room {n % 3}", "", "Moderator: Ana Lima", ""]
    for i in range(talks):
        start = 9 * 60 + 10 * i + (5 if i == moved else 0)
        lines += [f"Tue 14 July {start // 60}:{start % 60:02d} - {(start + 5) // 60}:{(start + 5) % 60:02d} CEST", "",
                  "Oral", f"{title} {n}.{i} on Bulk Writes", "", "Bo Chen · Zoë Þórsdóttir", "", f"Abstract {n}.{i}.", ""]
    return "\n".join(lines)


def schedule(*pages: str) -> Schedule:
    parsed = [parse_page(p, PageOptions(year=2026, source=f"p{i}.txt")) for i, p in enumerate(pages)]
    return Schedule(sessions=tuple(s for p in parsed for s in p.sessions), timezone=parsed[0].timezone)


@pytest.fixture
def store(db_url: str) -> Store:
    store = Store(db_url)
    store.migrate()
    store.ensure_conference("conf", "Conf", "Europe/Vienna", 2026, T0)
    return store


class Statements:
    """SQL statements the store sends (their first word), counted on the engine."""

    def __init__(self, store: Store) -> None:
        self.seen: list[str] = []
        event.listen(store.engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen.append(statement.split(None, 1)[0].upper())

    def writes(self) -> int:
        return sum(1 for s in self.seen if s in ("INSERT", "UPDATE", "DELETE"))


def test_statements_do_not_grow_with_talks(store: Store) -> None:
    counter = Statements(store)
    store.import_schedule("conf", schedule(*[page(n) for n in range(3)]), T0)
    small = len(counter.seen)
    counter.seen.clear()
    report = store.import_schedule("conf", schedule(*[page(n, talks=12) for n in range(3, 33)]), T0)
    assert len(report.created) == 360
    assert len(counter.seen) == small  # 30 sessions of 12 talks: as many statements as 3 of 4


def test_unchanged_reimport_writes_nothing(store: Store) -> None:
    pages = [page(n) for n in range(5)]
    store.import_schedule("conf", schedule(*pages), T0)
    with store.engine.connect() as conn:
        history = conn.execute(select(func.count()).select_from(talk_changes)).scalar_one()
    counter = Statements(store)
    report = store.import_schedule("conf", schedule(*pages), T0 + timedelta(days=1))
    assert not report.touched and len(report.unchanged) == 20
    assert counter.writes() == 0
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(talk_changes)).scalar_one() == history
    assert store.get_conference("conf").version == 1


def test_changes_in_bulk_are_recorded_like_one_by_one(store: Store) -> None:
    store.import_schedule("conf", schedule(*[page(n) for n in range(4)]), T0)
    before = store.load_snapshot("conf")
    ids = {s.title: [t.id for t in s.talks] for s in before.sessions}
    # session 0: talk 1 moved; session 1: talk 3 gone; session 2: retitled; session 3 unchanged; session 4 new
    text = [page(0, moved=1), page(1, talks=3), page(2, title="Lecture"), page(3), page(4)]
    report = store.import_schedule("conf", schedule(*text), T0 + timedelta(hours=1))
    assert report.changed == [ids["Bulk Session 0"][1], *ids["Bulk Session 2"]]
    assert report.removed == [ids["Bulk Session 1"][3]]
    assert len(report.created) == 4 and len(report.unchanged) == 3 + 3 + 4
    after = store.load_snapshot("conf")
    assert [t.id for t in after.sessions[2].talks] == ids["Bulk Session 2"]  # retitled talks keep their ids
    assert after.revisions[ids["Bulk Session 0"][1]].sequence == 1
    assert after.revisions[ids["Bulk Session 1"][3]].sequence == 1
    assert [h["kind"] for h in store.talk_history("conf", ids["Bulk Session 1"][3])] == ["created", "removed"]
    assert store.get_conference("conf").version == 2


def test_same_session_twice_in_one_schedule(store: Store) -> None:
    """The second copy is compared with what the first wrote, as if imported one after the other."""
    store.import_schedule("conf", schedule(page(0)), T0)
    report = store.import_schedule("conf", schedule(page(0, moved=2), page(0)), T0 + timedelta(hours=1))
    assert len(report.changed) == 2 and report.changed[0] == report.changed[1]
    snap = store.load_snapshot("conf")
    assert [t.start.minute for t in snap.sessions[0].talks] == [0, 10, 20, 30]
    assert snap.revisions[report.changed[0]].sequence == 2


def same(a: Snapshot, b: Snapshot) -> None:
    assert a.conference == b.conference
    assert a.sessions == b.sessions
    assert a.revisions == b.revisions
    assert a.removed == b.removed
    assert a.starts == b.starts


def test_incremental_snapshot_equals_a_full_read(store: Store) -> None:
    pages = [page(n) for n in range(8)]
    store.import_schedule("conf", schedule(*pages), T0)
    snap = store.load_snapshot("conf")
    assert snap.reloaded is None and store.load_snapshot("conf", previous=snap) is snap
    steps = [
        (3, page(3, moved=2)),  # one talk moved
        (5, page(5, talks=2)),  # two talks gone
        (5, page(5)),  # and back
        (6, page(6).replace("Ana Lima", "Bo Chen")),  # a moderator: every talk of the session
        (8, page(8)),  # a new session
        (0, page(0, title="Lecture")),  # retitled talks
    ]
    for i, (n, text) in enumerate(steps, start=1):
        while len(pages) <= n:
            pages.append(page(len(pages)))
        pages[n] = text
        store.import_schedule("conf", schedule(*pages), T0 + timedelta(hours=i))
        nxt = store.load_snapshot("conf", previous=snap)
        same(nxt, store.load_snapshot("conf"))
        assert nxt.reloaded is not None and any(s.title == f"Bulk Session {n}" for s in nxt.sessions)
        session = next(s for s in nxt.sessions if s.title == f"Bulk Session {n}")
        assert session.id in nxt.reloaded and len(nxt.reloaded & {s.id for s in nxt.sessions}) == 1
        snap = nxt


def test_incremental_snapshot_after_the_clock_went_back(store: Store) -> None:
    store.import_schedule("conf", schedule(page(0), page(1)), T0)
    snap = store.load_snapshot("conf")
    store.import_schedule("conf", schedule(page(0, moved=1), page(1)), T0 - timedelta(days=3))
    again = store.load_snapshot("conf", previous=snap)
    same(again, store.load_snapshot("conf"))
    assert again.reloaded is None  # read whole


def test_removed_talks_keep_their_order(store: Store) -> None:
    store.import_schedule("conf", schedule(*[page(n) for n in range(4)]), T0)
    snap = store.load_snapshot("conf")
    store.import_schedule("conf", schedule(page(0), page(1, talks=1), page(2), page(3, talks=2)), T0 + timedelta(hours=1))
    snap = store.load_snapshot("conf", previous=snap)
    store.import_schedule("conf", schedule(page(0, talks=3), page(1, talks=1), page(2), page(3, talks=2)), T0 + timedelta(hours=2))
    nxt = store.load_snapshot("conf", previous=snap)
    same(nxt, store.load_snapshot("conf"))
    assert [t.id for _, t, _ in nxt.removed] == [t.id for _, t, _ in store.load_snapshot("conf").removed]
    assert len(nxt.removed) == 1 + 3 + 2


def test_session_only_change_raises_the_version(store: Store) -> None:
    """A session's own abstract changed (no talk did): feeds must see a new version."""
    store.import_schedule("conf", schedule(page(0)), T0)
    sched = schedule(page(0))
    changed = replace(sched, sessions=(replace(sched.sessions[0], abstract="A new session abstract."),))
    report = store.import_schedule("conf", changed, T0 + timedelta(hours=1))
    assert report.touched and report.sessions_changed == [sched.sessions[0].id]
    assert store.get_conference("conf").version == 2
    assert store.load_snapshot("conf").sessions[0].abstract == "A new session abstract."
