"""FeedService caches: variants assembled from shared event pieces are byte-identical to
icalendar's own rendering; the byte budget holds; superseded versions go; gzip once per version."""

from __future__ import annotations

import gzip
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import make_test_config

from calsync.bootstrap import SAMPLE_SLUG, bootstrap
from calsync.config import Config
from calsync.filters import FeedQuery
from calsync.model import Schedule
from calsync.service import FeedService, accepts_gzip
from calsync.service.cache import ENTRY_OVERHEAD, ByteCache
from calsync.store import Store

QUERIES = [
    FeedQuery(),
    FeedQuery(view="talks"),
    FeedQuery(view="both"),
    FeedQuery(view="both", alarm=15),
    FeedQuery(view="talks", alarm=0),
    FeedQuery(view="sessions", alarm=10080),
    FeedQuery(view="talks", abstracts=False, alarm=5),
    FeedQuery(view="talks", types=("Oral",), alarm=30),
    FeedQuery(view="both", q="learning", alarm=1),
]


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Store, Config]:
    config = make_test_config(tmp_path)
    store = Store(config.database_url)
    store.migrate()
    bootstrap(store, config)
    return store, config


def fresh(store: Store, config: Config) -> FeedService:
    return FeedService(store, config, now=lambda: datetime(2026, 7, 1, tzinfo=UTC))


@pytest.mark.parametrize("query", QUERIES, ids=[str(i) for i in range(len(QUERIES))])
def test_variants_from_shared_pieces_are_icalendars_bytes(setup: tuple[Store, Config], query: FeedQuery) -> None:
    """A warm service assembles the variant from pieces made for other variants; a cold one renders it all."""
    store, config = setup
    cold = fresh(store, config).conference_feed(SAMPLE_SLUG, query).body
    warm = fresh(store, config)
    for other in QUERIES:
        if other != query:
            warm.conference_feed(SAMPLE_SLUG, replace(other, alarm=None))
            warm.conference_feed(SAMPLE_SLUG, other)
    rendered = warm.events_rendered
    assert warm.conference_feed(SAMPLE_SLUG, query).body == cold
    if query.abstracts is not False and query.compact is False:
        assert warm.events_rendered == rendered  # a new alarm or view writes no event: assembled from pieces


def test_session_and_talk_feeds_match_a_cold_service(setup: tuple[Store, Config]) -> None:
    store, config = setup
    warm = fresh(store, config)
    snap = warm.snapshot(SAMPLE_SLUG)
    warm.conference_feed(SAMPLE_SLUG, FeedQuery(view="both"))
    for session in snap.sessions:
        for query in (FeedQuery(), FeedQuery(alarm=20), FeedQuery(view="both", alarm=20)):
            assert warm.session_feed(SAMPLE_SLUG, session.id, query).body == \
                fresh(store, config).session_feed(SAMPLE_SLUG, session.id, query).body
        talk = session.talks[0]
        assert warm.talk_feed(SAMPLE_SLUG, talk.id).body == fresh(store, config).talk_feed(SAMPLE_SLUG, talk.id).body


def test_byte_budget_holds(setup: tuple[Store, Config]) -> None:
    store, config = setup
    service = fresh(store, config)
    service.cache = ByteCache(400_000)
    for alarm in range(0, 60, 5):
        for view in ("talks", "sessions", "both"):
            feed = service.conference_feed(SAMPLE_SLUG, FeedQuery(view=view, alarm=alarm))
            assert service.cache.size <= 400_000
    assert service.conference_feed(SAMPLE_SLUG, FeedQuery(view="both", alarm=55)) is feed  # the newest stays


def test_byte_cache_evicts_least_recently_used() -> None:
    cache = ByteCache(4 * (1000 + ENTRY_OVERHEAD))
    for key in "abcd":
        cache.put(key, key, 1000)
    assert cache.get("a") == "a"  # a is now the most recent
    cache.put("e", "e", 1000)
    assert cache.get("b") is None and {k for k in "acde" if cache.get(k)} == {"a", "c", "d", "e"}
    assert cache.size == 4 * (1000 + ENTRY_OVERHEAD)
    assert cache.put("huge", "x", cache.budget // 2) == "x" and cache.get("huge") is None  # too large to keep


def test_superseded_versions_are_dropped(setup: tuple[Store, Config]) -> None:
    store, config = setup
    service = fresh(store, config)
    old = service.conference_feed(SAMPLE_SLUG, FeedQuery(view="talks"))
    session = service.snapshot(SAMPLE_SLUG).sessions[0]
    service.conference_feed(SAMPLE_SLUG, FeedQuery(view="talks", alarm=5))
    moved = replace(session, talks=(replace(session.talks[0], title="A Retitled Talk"), *session.talks[1:]))
    from calsync.model import Schedule

    report = store.import_schedule(SAMPLE_SLUG, Schedule(sessions=(moved,), timezone=session.timezone),
                                   datetime.now(UTC) + timedelta(seconds=5))
    assert report.changed == [session.talks[0].id]
    rendered = service.events_rendered
    new = service.conference_feed(SAMPLE_SLUG, FeedQuery(view="talks"))
    assert new.body != old.body and b"A Retitled Talk" in new.body
    assert service.events_rendered == rendered + 1  # that talk only
    snap = service.snapshot(SAMPLE_SLUG)
    assert snap.reloaded is not None and session.id in snap.reloaded
    tags = [e[2] for e in service.cache._entries.values() if isinstance(e[2], tuple)]
    versions = {tag[1] for tag in tags if tag[0] == SAMPLE_SLUG}
    assert versions == {snap.conference.version}
    stale = [k for k, e in service.cache._entries.items() if e[2] == ("piece", session.talks[0].id)]
    assert len(stale) == 1  # the old revision's piece went with it


def test_gzip_once_per_version(setup: tuple[Store, Config]) -> None:
    store, config = setup
    service = fresh(store, config)
    feed = service.conference_feed(SAMPLE_SLUG, FeedQuery(view="talks"))
    packed = service.gzipped(feed)
    assert packed.encoding == "gzip" and gzip.decompress(packed.body) == feed.body
    assert packed.etag == feed.etag[:-1] + '-gzip"' and len(packed.body) < feed.size / 3
    assert service.gzipped(feed) is packed  # compressed once
    assert fresh(store, config).gzipped(feed).body == packed.body  # the same bytes in every worker
    assert service.negotiate(feed, "gzip, br") is packed and service.negotiate(feed, "identity") is feed
    assert service.negotiate(feed, "gzip;q=0, *") is feed and service.negotiate(feed, None) is feed
    off = replace(config, feed=replace(config.feed, gzip=False)) if hasattr(config.feed, "gzip") else None
    if off is not None:
        assert fresh(store, off).gzipped(feed) is feed


def test_accepts_gzip() -> None:
    assert accepts_gzip("deflate, gzip;q=0.5") and accepts_gzip("*") and accepts_gzip("GZIP")
    assert not accepts_gzip("gzip;q=0") and not accepts_gzip("br") and not accepts_gzip("gzip;q=x")


def test_pages_cached_per_version(setup: tuple[Store, Config]) -> None:
    store, config = setup
    service = fresh(store, config)
    calls: list[int] = []

    snap = service.snapshot(SAMPLE_SLUG)

    def build() -> tuple[bytes, str]:
        calls.append(snap.conference.version)
        return f"{len(snap.sessions)} sessions".encode(), "text/plain"

    first = service.cached_body("page", snap, "q=", build)
    assert service.cached_body("page", snap, "q=", build) is first and calls == [1]
    assert service.cached_body("page", snap, "q=x", build) is not first and calls == [1, 1]
    assert first.body == b"5 sessions" and first.filename == "text/plain" and first.etag.startswith('"')

    # The data moves on: an answer built from the older snapshot is kept under the older version only.
    session = snap.sessions[0]
    changed = replace(session, talks=(replace(session.talks[0], title="Renamed"), *session.talks[1:]))
    store.import_schedule(SAMPLE_SLUG, Schedule(session.timezone, (changed,)), datetime(2026, 7, 2, tzinfo=UTC))
    newer = fresh(store, config).snapshot(SAMPLE_SLUG)
    assert newer.conference.version > snap.conference.version
    assert service.cached_body("page", newer, "q=", lambda: (b"new", "text/plain")).body == b"new"
    assert service.cached_body("page", snap, "q=", build) is first and calls == [1, 1]


def test_a_custom_feeds_older_versions_leave_the_cache(setup: tuple[Store, Config]) -> None:
    """After an edit, neither the old bytes nor the old selection of a custom feed stay cached."""
    from calsync.feedspec import FeedSpec

    store, config = setup
    service = fresh(store, config)
    snap = service.snapshot(SAMPLE_SLUG)
    ids = tuple(t.id for s in snap.sessions for t in s.talks)
    now = datetime(2026, 7, 1, tzinfo=UTC)
    feed, _key = store.create_feed(FeedSpec(name="Mine", conference=SAMPLE_SLUG, talk_ids=ids[:2]), now)
    first = service.custom_feed(feed.token)
    service.custom_feed(feed.token, compact=True)

    def entries(kind: str) -> list[tuple[object, ...]]:
        return [k for k in service.cache._entries if isinstance(k, tuple) and k[0] == kind
                and feed.token in k]

    assert len(entries("custom")) == 2 and len(entries("selection")) == 1  # compact=1 is the same selection
    assert len(entries("custom-selection")) == 1
    chosen = service.select_custom(snap, service.stored_feed(feed.token))
    assert service.select_custom(snap, service.stored_feed(feed.token)) is chosen  # pages ask again: kept
    store.update_feed(feed.token, FeedSpec(name="Mine", conference=SAMPLE_SLUG, talk_ids=ids[:3]), now)
    second = service.custom_feed(feed.token)
    assert second.body != first.body and second.body.count(b"BEGIN:VEVENT") == 3
    assert len(entries("custom")) == 1 and len(entries("selection")) == 1 and len(entries("custom-selection")) == 1
    assert len(service.select_custom(snap, service.stored_feed(feed.token))[1]) == 3


def test_an_entry_stored_again_is_counted_once_and_keeps_its_tag() -> None:
    """A value stored again under its key replaces its own cost, not adds to it."""
    cache = ByteCache(1200 + 6 * ENTRY_OVERHEAD)
    cache.put("a", "a", 100, tag="t")
    cache.put("b", "b", 200)
    cache.put("c", "c", 200)
    cache.put("a", "a2", 300, tag="t")  # larger: now the most recent
    assert cache.size == 700 + 3 * ENTRY_OVERHEAD and cache.tagged("t") == ["a"] and cache.get("a") == "a2"
    for key in "def":
        cache.put(key, key, 350)  # over the budget at f: the least recent entries (b, then c) go
    assert cache.get("b") is None and cache.get("c") is None and cache.size == 1350 + 4 * ENTRY_OVERHEAD
    cache.put("a", "a3", cache.budget // 4, tag="t")  # too large to keep: the old value goes too
    assert cache.get("a") is None and cache.tagged("t") == [] and cache.size == 1050 + 3 * ENTRY_OVERHEAD


def test_concurrent_first_requests_build_an_answer_once(setup: tuple[Store, Config]) -> None:
    """Single flight: threads asking for a key being built wait for it instead of building it too."""
    import threading
    import time

    from calsync.service import RenderedFeed

    store, config = setup
    service = fresh(store, config)
    started, release = threading.Event(), threading.Event()
    builds: list[int] = []

    def build() -> RenderedFeed:
        builds.append(1)
        started.set()
        release.wait(5)
        return RenderedFeed(body=b"doc", etag='"e"', last_modified=datetime(2026, 1, 1, tzinfo=UTC), name="n", filename="n")

    got: list[bytes] = []
    threads = [threading.Thread(target=lambda: got.append(service.cached(("k",), None, build).body)) for _ in range(4)]
    threads[0].start()
    assert started.wait(5)
    for t in threads[1:]:
        t.start()
    time.sleep(0.2)  # the others reach the cache while the first one builds
    release.set()
    for t in threads:
        t.join(5)
    assert got == [b"doc"] * 4 and builds == [1]


def test_presentation_variants_write_no_piece(setup: tuple[Store, Config]) -> None:
    """A description or SUMMARY variant of a warm conference is an assembly: no piece written, none grows."""
    from calsync.ical.pieces import EventPiece
    from calsync.service.pieces import PIECE_OVERHEAD

    store, config = setup
    service = fresh(store, config)
    service.conference_feed(SAMPLE_SLUG, FeedQuery(view="both"))

    def pieces() -> dict[object, int]:
        return {key: cost for key, (value, cost, _tag) in service.cache._entries.items() if isinstance(value, EventPiece)}

    before = pieces()
    assert before and all(cost == value.size + PIECE_OVERHEAD + ENTRY_OVERHEAD
                          for value, cost, _tag in service.cache._entries.values() if isinstance(value, EventPiece))
    for query in (FeedQuery(view="both", abstracts=False), FeedQuery(view="both", speakers=True, compact=True, alarm=5)):
        service.conference_feed(SAMPLE_SLUG, query)
    assert pieces() == before