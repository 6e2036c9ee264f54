"""The recent changes of talks and the Atom feed of changes, on a real SQLite file and on
PostgreSQL (when CALSYNC_TEST_POSTGRES_URL is set); the feed is read by feedparser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from lxml import etree

from calsync.errors import NotFound
from calsync.exports.atom import ChangesFeedInfo, changes_atom, entry_id
from calsync.exports.changes import page_rows
from calsync.parse import PageOptions, parse_page
from calsync.store import Store

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOST = "calsync.test"
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


@pytest.fixture
def store(db_url: str) -> Store:
    store = Store(db_url)
    store.migrate()
    store.ensure_conference("conf", "Conf", "Europe/Vienna", 2026, T0)
    return store


def put(store: Store, text: str, when: datetime) -> None:
    """Import the page (from its URL: a session keeps its id when its room changes)."""
    options = PageOptions(year=2026, url="https://conf.example/virtual/2026/session/1")
    store.import_schedule("conf", parse_page(text, options), when)


def atom(store: Store, now: datetime, **kwargs: object) -> bytes:
    changes = store.recent_changes("conf", now, **kwargs)  # type: ignore[arg-type]
    info = ChangesFeedInfo(title="What changed: Conf", self_url="http://127.0.0.1:8000/conferences/conf/changes.atom",
                           page_url="http://127.0.0.1:8000/conferences/conf", host=HOST, modified=T0)
    return changes_atom(changes, info)


def test_moving_a_talk_and_reimporting_gives_one_entry_with_the_old_and_new_times(store: Store) -> None:
    put(store, PAGE, T0)
    assert store.recent_changes("conf", T0 + timedelta(hours=1)) == []  # the first import is not a change
    moved_at = T0 + timedelta(days=1)
    put(store, PAGE.replace("9:20 - 9:25", "11:40 - 11:45"), moved_at)
    put(store, PAGE.replace("9:20 - 9:25", "11:40 - 11:45"), moved_at + timedelta(hours=1))  # unchanged again
    body = atom(store, moved_at + timedelta(hours=2))
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.title == "What changed: Conf"
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.title == "Moved: Second Talk on Width"
    assert entry.summary == "Time: Tue 14 Jul 2026 09:20–09:25 → Tue 14 Jul 2026 11:40–11:45"
    assert entry.content[0].value.splitlines() == [
        "Time: Tue 14 Jul 2026 09:20–09:25 → Tue 14 Jul 2026 11:40–11:45",
        "Times in Europe/Vienna.",
        "Session: Deep Nets",
    ]
    assert [t.term for t in entry.tags] == ["moved"]
    assert entry.updated == "2026-03-02T12:00:00Z" and feed.feed.updated == "2026-03-02T12:00:00Z"
    talk_id = store.load_snapshot("conf").sessions[0].talks[1].id
    change = store.recent_changes("conf", moved_at + timedelta(hours=2))[0]
    assert entry.id == entry_id(change, HOST) and change.talk_id == talk_id and change.sequence == 1
    assert atom(store, moved_at + timedelta(hours=3)) == body  # stable: the same bytes later on


def test_every_kind_newest_first_with_stable_ids(store: Store) -> None:
    put(store, PAGE, T0)
    t1, t2, t3, t4 = (T0 + timedelta(days=n) for n in (1, 2, 3, 4))
    retitled = PAGE.replace("Second Talk on Width", "Second Talk on Breadth")
    put(store, retitled, t1)  # same slot, new title: the same talk
    put(store, retitled.replace("Hall A", "Hall B"), t2)  # the session's room: every talk's room
    without_qa = retitled.replace("Hall A", "Hall B").split("Tue 14 July 9:25")[0]
    put(store, without_qa, t3)  # the Q&A vanished
    with_addition = without_qa + "Tue 14 July 9:25 - 9:40 CEST\n\nPoster\nA Late Addition\n\nNew Person\n"
    put(store, with_addition, t4)
    changes = store.recent_changes("conf", t4)
    seen = [(c.kinds, c.title) for c in changes]
    assert seen[:2] == [(("added",), "A Late Addition"), (("cancelled",), "Joint Q&A")]
    assert sorted(seen[2:5]) == [(("room",), "First Talk on Depth"), (("room",), "Joint Q&A"), (("room",), "Second Talk on Breadth")]
    assert seen[5:] == [(("retitled",), "Second Talk on Breadth")]
    assert [c.at for c in changes] == sorted((c.at for c in changes), reverse=True)
    rows = page_rows(changes)
    assert rows[0]["headline"] == "Added: A Late Addition"
    assert rows[0]["details"][0] == "Added: Tue 14 Jul 2026 09:25–09:40, Hall B"
    assert rows[1]["details"][0] == "Cancelled; it was Tue 14 Jul 2026 09:25–09:30, Hall B"
    rooms = [r for r in rows if r["kinds"] == ["room"]]
    assert len(rooms) == 3 and all(r["details"][0] == "Room: Hall A → Hall B" for r in rooms)
    assert rows[-1]["details"][0] == "Title: “Second Talk on Width” → “Second Talk on Breadth”"
    feed = feedparser.parse(atom(store, t4))
    assert not feed.bozo and len(feed.entries) == 6 and len({e.id for e in feed.entries}) == 6
    # A later change adds an entry on top and leaves the others' ids as they were.
    put(store, with_addition.replace("9:00 - 9:20", "8:00 - 8:20"), T0 + timedelta(days=5))
    later = feedparser.parse(atom(store, T0 + timedelta(days=5)))
    assert [e.id for e in later.entries[1:]] == [e.id for e in feed.entries]
    assert later.entries[0].title == "Moved: First Talk on Depth"


def test_the_window_the_talks_of_a_feed_and_changes_subscribers_do_not_read(store: Store) -> None:
    put(store, PAGE, T0)
    put(store, PAGE.replace("An abstract.", "A better abstract."), T0 + timedelta(days=1))  # not listed
    assert store.recent_changes("conf", T0 + timedelta(days=2)) == []
    put(store, PAGE.replace("9:00 - 9:20", "9:05 - 9:20").replace("9:25 - 9:30", "9:25 - 9:35"), T0 + timedelta(days=2))
    now = T0 + timedelta(days=2, hours=1)
    talks = store.load_snapshot("conf").sessions[0].talks
    assert len(store.recent_changes("conf", now)) == 2
    assert [c.talk_id for c in store.recent_changes("conf", now, talk_ids={talks[2].id})] == [talks[2].id]
    assert store.recent_changes("conf", now, talk_ids=set()) == []
    assert store.recent_changes("conf", T0 + timedelta(days=32, hours=1)) == []  # 30 days later
    assert len(store.recent_changes("conf", T0 + timedelta(days=32, hours=1), days=31)) == 2
    with pytest.raises(NotFound):
        store.recent_changes("nope", now)


def test_a_feed_without_changes_is_well_formed_atom(store: Store) -> None:
    put(store, PAGE, T0)
    body = atom(store, T0 + timedelta(days=1))
    etree.fromstring(body)  # well-formed XML
    feed = feedparser.parse(body)
    assert not feed.bozo and feed.entries == [] and feed.feed.updated == "2026-03-01T12:00:00Z"
    assert feed.feed.links[0].href.endswith("/changes.atom")


def test_the_last_change_of_a_conference_or_of_some_talks(store: Store) -> None:
    assert store.last_change_at("conf") is None
    put(store, PAGE, T0)
    assert store.last_change_at("conf") == T0
    put(store, PAGE.replace("9:25 - 9:30", "9:25 - 9:35"), T0 + timedelta(days=3))
    talks = store.load_snapshot("conf").sessions[0].talks
    assert store.last_change_at("conf") == T0 + timedelta(days=3)
    assert store.last_change_at("conf", talk_ids=[talks[0].id]) == T0
    many = [f"t-{n}" for n in range(1200)] + [talks[2].id]  # more ids than one IN list holds
    assert store.last_change_at("conf", talk_ids=many) == T0 + timedelta(days=3)
    assert store.last_change_at("conf", talk_ids=[]) is None
