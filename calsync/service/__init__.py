"""Feeds from the store: selection, rendering from cached pieces, and the caches.

No Flask here: the web layer calls :class:`FeedService` and turns its
:class:`RenderedFeed` into a response. A conference's data is read once per data
version, and after a change only the sessions that changed are read again
(:meth:`calsync.store.Store.load_snapshot` with ``previous``). Each event's bytes are
built once per revision and shared by every variant of a feed (:mod:`.pieces`: the view,
the alarm, the descriptions and SUMMARY's speakers are applied at assembly); each feed's
:class:`~.selection.Selection` (sessions, talks, layout) is kept per data version and
query without those, and its bytes, ETag and gzipped bytes (:mod:`.rendered`) per data
version and canonical query. Everything rendered lives in one
:class:`~calsync.service.cache.ByteCache` of ``limits.cache_megabytes``; the versions a
new one supersedes are dropped when it is read. A warm feed request — or a 304 — costs a
dictionary lookup and a version check at most every ``limits.cache_check_seconds``;
cold renders are single-flight per feed and at most :data:`RENDER_SLOTS` at a time per
worker, so they cannot take every thread's CPU from cached requests.
"""

from __future__ import annotations

import gzip
import logging
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, cast

from ..clock import utcnow  # also re-exported: `from calsync.service import utcnow` keeps working
from ..config import Config
from ..errors import InvalidFeed, NotFound
from ..exports.changes import last_change_note
from ..feedspec import FeedSpec
from ..filters import FeedQuery, feed_options_for, select_sessions, select_talks
from ..ical import (
    CalendarInfo,
    FeedOptions,
    assemble_feed,
    feed_layout,
    merge_layouts,
    piece_options,
    talk_summary,
)
from ..links import safe_filename
from ..model import Session, Talk
from ..store import Snapshot, Store, StoredFeed
from ..zones import describe_zone
from .cache import ByteCache
from .freshness import Flights, Versioned
from .pieces import PieceView, piece_revision, piece_tag
from .rendered import GZIP_MIN_BYTES, RenderedFeed, accepts_gzip, make_etag
from .selection import Selection, describe_query, query_key, select_custom

__all__ = [
    "GZIP_MIN_BYTES",
    "RENDER_SLOTS",
    "FeedService",
    "RenderedFeed",
    "Selection",
    "accepts_gzip",
    "describe_query",
    "make_etag",
    "query_key",
    "select_custom",
    "utcnow",
]

log = logging.getLogger(__name__)

#: Renders that missed the cache running at once in one worker (the others wait their turn).
RENDER_SLOTS = 1


class FeedService:
    """Snapshots, selection and rendering of every feed kind; thread-safe."""

    def __init__(
        self,
        store: Store,
        config: Config,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utcnow,
        observe_render: Callable[[str, float], None] | None = None,
    ) -> None:
        self.observe_render = observe_render
        self.store = store
        self.config = config
        self.clock = clock
        self.now = now
        self._lock = threading.RLock()
        # Single flight: one thread loads a snapshot or renders a feed; the others wait for it.
        self._flight = Flights()
        self._snapshots: Versioned[Snapshot] = Versioned(
            store.conference_version, lambda s: s.conference.version, self._load_snapshot,
            lambda slug: f"no conference {slug!r}", self._flight, clock)
        self._feed_specs: Versioned[StoredFeed] = Versioned(
            store.feed_version, lambda f: f.version, lambda token, _previous: self.store.get_feed(token),
            lambda _token: "no such feed", self._flight, clock)
        #: Every rendered thing (feeds, gzipped feeds, pages, event pieces) within one byte budget.
        self.cache = ByteCache(getattr(config.limits, "cache_megabytes", 256) * 1024 * 1024)
        self._versions: dict[str, set[int]] = {}  # the data versions of each conference in the cache
        self._render_slots = threading.BoundedSemaphore(RENDER_SLOTS)
        #: Event pieces written so far (every other event of a feed came from the piece cache).
        self.events_rendered = 0

    # -- data -----------------------------------------------------------------

    def snapshot(self, slug: str) -> Snapshot:
        """A conference's data, re-read only when its version changed (and then only what changed)."""
        return self._snapshots.get(slug, self.config.limits.cache_check_seconds)

    def _load_snapshot(self, slug: str, previous: Snapshot | None) -> Snapshot:
        snap = self.store.load_snapshot(slug, previous=previous)
        if previous is not None and snap is not previous:
            self._supersede(slug, snap, previous)
        return snap

    def _supersede(self, slug: str, snap: Snapshot, previous: Snapshot) -> None:
        """Drop what older versions of a conference left: its feeds, and its changed events' old pieces."""
        version = snap.conference.version
        with self._lock:
            older = [v for v in self._versions.get(slug, ()) if v < version]
            self._versions[slug] = {v for v in self._versions.get(slug, ()) if v >= version}
        feeds = sum(self.cache.drop(self.cache.tagged((slug, v))) for v in older)
        pieces = 0
        if snap.reloaded is not None:
            revisions = snap.revisions
            stale = []
            for item in snap.reloaded:
                current = revisions.get(item)
                for key in self.cache.tagged(piece_tag(item)):
                    assert isinstance(key, tuple)
                    if current is None or piece_revision(key) != (current.sequence, current.modified):
                        stale.append(key)
            pieces = self.cache.drop(stale)
        log.debug("%s version %d: dropped %d feeds and %d pieces of older versions", slug, version, feeds, pieces)

    def stored_feed(self, token: str) -> StoredFeed:
        """A custom feed's definition, re-read only when its version changed.

        The version is checked on every request (one primary-key read), so a feed that
        was edited, rotated or deleted on another worker or instance changes at once.
        """
        return self._feed_specs.get(token, ttl=0)

    def forget_feed(self, token: str) -> None:
        """Drop a custom feed's cached definition (after an edit in this process)."""
        self._feed_specs.forget(token)

    # -- cache ----------------------------------------------------------------

    def cached(
        self, key: tuple[Any, ...], tag: Hashable, build: Callable[[], RenderedFeed], *, slot: bool = True
    ) -> RenderedFeed:
        """The cached answer of ``key``, else ``build()`` once (single-flight per key).

        A feed render takes one of the worker's :data:`RENDER_SLOTS`; a page or JSON answer
        (``slot=False``) does not, since it may ask for feeds itself (its kit measures them).
        """
        found: RenderedFeed | None = self.cache.get(key)
        if found is not None:
            return found
        with self._flight(key):
            found = self.cache.get(key)
            if found is not None:  # rendered by another thread while this one waited
                return found
            if not slot:
                return self._build(key, tag, build)
            with self._render_slots:
                return self._build(key, tag, build)

    def _build(self, key: tuple[Any, ...], tag: Hashable, build: Callable[[], RenderedFeed]) -> RenderedFeed:
        started = time.perf_counter()
        feed = replace(build(), tag=tag)
        seconds = time.perf_counter() - started
        log.debug("rendered %s (%d bytes) in %.1f ms", key[0], feed.size, seconds * 1000)
        if self.observe_render is not None:
            self.observe_render(str(key[0]), seconds)
        self._keep_version(tag)
        return cast(RenderedFeed, self.cache.put(key, feed, feed.size, tag=tag))

    def _keep_version(self, tag: Hashable) -> None:
        if isinstance(tag, tuple) and len(tag) == 2 and isinstance(tag[1], int):
            with self._lock:
                self._versions.setdefault(str(tag[0]), set()).add(tag[1])

    def gzipped(self, feed: RenderedFeed) -> RenderedFeed:
        """``feed`` gzip-compressed (deterministic: no name, no time), made once per version and cached.

        Its ETag is the feed's with ``-gzip`` added (a strong ETag names one representation).
        Bodies under :data:`GZIP_MIN_BYTES`, and every body when ``feed.gzip`` is off, come back as they are.
        """
        if feed.encoding is not None or feed.size < GZIP_MIN_BYTES or not getattr(self.config.feed, "gzip", True):
            return feed

        def pack() -> RenderedFeed:
            body = gzip.compress(feed.body, compresslevel=6, mtime=0)
            return replace(feed, body=body, etag=feed.etag[:-1] + '-gzip"', encoding="gzip")

        return self.cached(("gzip", feed.etag), feed.tag, pack)

    def negotiate(self, feed: RenderedFeed, accept_encoding: str | None) -> RenderedFeed:
        """The form of ``feed`` to send for a request's ``Accept-Encoding``: gzipped when it allows gzip."""
        return self.gzipped(feed) if accepts_gzip(accept_encoding) else feed

    def cached_body(self, kind: str, snap: Snapshot, key: str, build: Callable[[], tuple[bytes, str]]) -> RenderedFeed:
        """Any other bytes made from a conference's data (a page, a JSON answer), cached like feeds.

        ``build()`` makes the body and its media type from ``snap``; the result is kept per
        (``snap``'s data version, ``kind``, ``key``) within the same byte budget and dropped
        with its version. Its ``filename`` holds the media type; :meth:`gzipped` works on it
        as on a feed.
        """
        slug, version = snap.conference.slug, snap.conference.version

        def make() -> RenderedFeed:
            body, media_type = build()
            return RenderedFeed(body=body, etag=make_etag(body), last_modified=snap.conference.modified,
                                name=kind, filename=media_type)

        return self.cached((kind, slug, version, key), (slug, version), make, slot=False)

    def _cancel_window(self) -> int | None:
        days = self.config.feed.cancelled_days
        return None if days == 0 else int(self.now().timestamp() // 86400)

    def _cancelled(self, snap: Snapshot) -> list[Session]:
        """Talks removed within ``feed.cancelled_days``, each in a one-talk copy of its session."""
        days = self.config.feed.cancelled_days
        if days == 0:
            return []
        horizon = self.now() - timedelta(days=days)
        return [replace(s, talks=(t,)) for s, t, when in snap.removed if when >= horizon]

    def _options(self, snap: Snapshot, query: FeedQuery, default_view: str) -> FeedOptions:
        """The feed options of a query on a conference: its view, presentation, the conference's settings."""
        options = feed_options_for(query, self.config.feed.feed_options(), default_view)
        configured = next((c for c in self.config.conferences if c.slug == snap.conference.slug), None)
        # speakers in SUMMARY: asked by the feed (speakers=1) or set for the conference
        return replace(options, conference=snap.conference.slug,
                       speakers=options.speakers or (configured is not None and configured.speakers))

    def _selection(
        self, snap: Snapshot, scope: tuple[Hashable, ...], query: FeedQuery | None, options: FeedOptions,
        select: Callable[[], tuple[Sequence[Session], Sequence[tuple[Session, Talk]]]],
    ) -> Selection:
        """What a feed holds — its sessions, talks and :class:`~calsync.ical.FeedLayout` — kept per data version.

        The key leaves out the presentation (alarm, abstracts, compact, speakers), so every
        such variant of a feed is assembled from one selection and one layout: no filter is
        run and no event placed again. ``scope`` names the feed (conference, session, talk,
        custom feed and its version); ``query`` its filters.
        """
        slug, version = snap.conference.slug, snap.conference.version
        filters = None if query is None else query_key(query.filters_only())
        key = ("selection", slug, version, *scope, filters, options.talks, options.sessions, piece_options(options),
               self._cancel_window())
        found: Selection | None = self.cache.get(key)
        if found is not None:
            return found
        info = self._info(snap, "", "", None)
        layout = None
        if options.talks and options.sessions:  # view=both: the two views' layouts merged, when they agree
            alone = self._selection(snap, scope, query, replace(options, talks=False), select)
            talks_view = self._selection(snap, scope, query, replace(options, sessions=False), select)
            sessions: Sequence[Session] = alone.sessions
            talks: Sequence[tuple[Session, Talk]] = talks_view.talks
            layout = merge_layouts(alone.layout, talks_view.layout)
        else:
            sessions, talks = select()
        if layout is None:
            layout = feed_layout(sessions, info, snap.revision_of, options, talks=talks)
        made = Selection(tuple(sessions), tuple(talks), layout)
        self._keep_version((slug, version))
        return cast(Selection, self.cache.put(key, made, made.size, tag=(slug, version)))

    @staticmethod
    def _info(snap: Snapshot, name: str, description: str, url: str | None) -> CalendarInfo:
        return CalendarInfo(name=name, description=description, timezone=snap.conference.timezone, url=url,
                            year=snap.conference.year)

    def _render(
        self,
        snap: Snapshot,
        name: str,
        description: str,
        selection: Selection,
        options: FeedOptions,
        url: str | None,
        modified: datetime | None = None,
    ) -> RenderedFeed:
        pieces = PieceView(self.cache)
        body = assemble_feed(selection.layout, self._info(snap, name, description, url), options, pieces)
        if pieces.built:
            self.events_rendered += pieces.built
            log.debug("%s: %d events rendered", name, pieces.built)
        last = max([snap.conference.modified, *([modified] if modified else [])])
        return RenderedFeed(body=body, etag=make_etag(body), last_modified=last, name=name, filename=safe_filename(name))

    # -- feeds ----------------------------------------------------------------

    def conference_feed(self, slug: str, query: FeedQuery, page_url: str | None = None) -> RenderedFeed:
        """The conference feed (sessions view by default), filtered by ``query``."""
        snap = self.snapshot(slug)
        version = snap.conference.version
        key = ("conference", slug, version, query_key(query), self._cancel_window())

        def build() -> RenderedFeed:
            options = self._options(snap, query, "sessions")
            chosen = self._selection(snap, ("conference",), query, options, lambda: self._conference_selection(snap, query))
            summary = describe_query(query)
            name = snap.conference.name + (f" ({summary})" if summary else "")
            description = f"{snap.conference.name}: {len(chosen.sessions)} sessions, {len(chosen.talks)} slots. Times in {describe_zone(snap.conference.timezone)}. Made by calsync. {self._last_change(snap)}"
            return self._render(snap, name, description, chosen, options, page_url)

        return self.cached(key, (slug, version), build)

    def session_feed(self, slug: str, session_id: str, query: FeedQuery, page_url: str | None = None) -> RenderedFeed:
        """One session's feed (its talks by default; ``view=sessions|both``)."""
        snap = self.snapshot(slug)
        session = snap.session(session_id)
        if session is None:
            raise NotFound(f"no session {session_id!r} in {slug!r}")
        version = snap.conference.version
        key = ("session", slug, version, session_id, query_key(query), self._cancel_window())

        def build() -> RenderedFeed:
            options = self._options(snap, query, "talks")
            chosen = self._selection(snap, ("session", session_id), query, options, lambda: (
                [session], select_talks([session, *[s for s in self._cancelled(snap) if s.id == session_id]], query)))
            description = f"{session.title} — {snap.conference.name}. Times in {describe_zone(session.timezone)}. Made by calsync. {self._last_change(snap, [t.id for t in session.talks])}"
            return self._render(snap, session.title, description, chosen, options, page_url or session.source_url)

        return self.cached(key, (slug, version), build)

    def talk_feed(self, slug: str, talk_id: str, query: FeedQuery | None = None) -> RenderedFeed:
        """One talk as a calendar (a download), with the feeds' options (``alarm``, ``abstracts``…)."""
        query = query if query is not None else FeedQuery(view="talks")
        snap = self.snapshot(slug)
        found = snap.talk(talk_id)
        if found is None:
            raise NotFound(f"no talk {talk_id!r} in {slug!r}")
        session, talk = found
        version = snap.conference.version
        key = ("talk", slug, version, talk_id, query_key(query))

        def build() -> RenderedFeed:
            options = self._options(snap, query, "talks")
            chosen = self._selection(snap, ("talk", talk_id), None, options, lambda: ([session], [(session, talk)]))
            name = talk_summary(talk, session)
            description = f"{name} — {session.title}, {snap.conference.name}. Made by calsync."
            return self._render(snap, name, description, chosen, options, talk.url or session.source_url)

        return self.cached(key, (slug, version), build)

    def _conference_selection(self, snap: Snapshot, query: FeedQuery) -> tuple[list[Session], list[tuple[Session, Talk]]]:
        """A conference feed's sessions and talks (talks removed lately included, as cancelled)."""
        talks = select_talks([*snap.sessions, *self._cancelled(snap)], query)
        live = [pair for pair in talks if snap.talk(pair[1].id) is not None]
        return select_sessions(snap.sessions, query, live), talks

    def _last_change(self, snap: Snapshot, talk_ids: Sequence[str] | None = None, since: datetime | None = None) -> str:
        """X-WR-CALDESC's last sentence: when the conference's talks (or ``talk_ids``) last changed;
        ``since`` (a custom feed's own edit) counts too."""
        found = self.store.last_change_at(snap.conference.slug, talk_ids)
        moments = [m for m in (found, since) if m is not None]
        return last_change_note(max(moments) if moments else None, snap.conference.timezone)

    def custom_feed(self, token: str, compact: bool = False) -> RenderedFeed:
        """A custom (personal) feed by its read token (``compact``: its compact variant, ``compact=1``)."""
        feed = self.stored_feed(token)
        spec = feed.spec
        if spec.conference is None:
            raise NotFound("no such feed")
        snap = self.snapshot(spec.conference)
        version = snap.conference.version
        key = ("custom", spec.conference, version, token, feed.version, self._cancel_window(), compact)

        def build() -> RenderedFeed:
            options = self._options(snap, FeedQuery(view=spec.view, alarm=spec.alarm, compact=compact), "talks")
            chosen = self._selection(snap, ("custom", token, feed.version), None, options,
                                     lambda: self.select_custom(snap, feed))
            note = self._last_change(snap, [t.id for _, t in chosen.talks], feed.modified)
            description = f"{spec.name}: {len(chosen.talks)} slots of {snap.conference.name}, chosen on calsync. {note}"
            return self._render(snap, spec.name, description, chosen, options, None, feed.modified)

        found: RenderedFeed | None = self.cache.get(key)
        if found is None:  # a new version of this custom feed: its older ones go (both variants of the current stay)
            self.cache.discard(lambda k, _t: not _older_custom(k, key, token, feed.version))
        return self.cached(key, (spec.conference, version), build)

    def select_custom(self, snap: Snapshot, stored: StoredFeed) -> tuple[list[Session], list[tuple[Session, Talk]]]:
        """The sessions and talks a custom feed holds (:func:`.selection.select_custom`), kept per data and feed version.

        Its feed, page, edit page and exports all ask; a filter runs over every talk of the
        conference, so it runs once per version of the data and of the feed, not per request.
        """
        slug, version = snap.conference.slug, snap.conference.version
        key = ("custom-selection", slug, version, stored.token, stored.version)
        found: tuple[list[Session], list[tuple[Session, Talk]]] | None = self.cache.get(key)
        if found is None:
            found = select_custom(snap, stored.spec)
            self._keep_version((slug, version))
            self.cache.put(key, found, 80 * (len(found[0]) + len(found[1])), tag=(slug, version))
        return found

    def resolve_conference(self, spec: FeedSpec) -> str:
        """The one conference holding a feed's ids (or named by it); errors name what is wrong."""
        slugs = [spec.conference] if spec.conference else [c.slug for c in self.store.list_conferences()]
        holders = []
        for slug in slugs:
            snap = self.snapshot(slug)
            talk_ok = all(snap.talk(t) for t in spec.talk_ids)
            session_ok = all(snap.session(s) for s in spec.session_ids)
            if talk_ok and session_ok:
                holders.append(slug)
        if spec.conference and not holders:
            snap = self.snapshot(spec.conference)
            missing = [t for t in spec.talk_ids if not snap.talk(t)] + [s for s in spec.session_ids if not snap.session(s)]
            raise NotFound(f"unknown id(s) in {spec.conference!r}: {', '.join(missing[:10])}")
        if not holders:
            raise NotFound("unknown talk or session id(s)")
        if len(holders) > 1:
            if not (spec.talk_ids or spec.session_ids):
                raise InvalidFeed("name the conference: a filter alone matches several conferences")
            raise InvalidFeed("the ids are found in several conferences: name the conference")
        return holders[0]


def _older_custom(entry: Hashable, current: tuple[object, ...], token: str, feed_version: int) -> bool:
    """Whether a cache key is an older version of a custom feed (its bytes, its choice or its selection)."""
    if not isinstance(entry, tuple) or len(entry) < 5:
        return False
    if entry[0] == "custom":
        return entry[3] == token and entry[:6] != current[:6]
    if entry[0] == "custom-selection":
        return bool(entry[3] == token and entry[4] != feed_version)
    return entry[0] == "selection" and entry[3:5] == ("custom", token) and entry[5] != feed_version
