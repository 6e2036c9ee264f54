"""The schedule formats and the feed of changes over HTTP, with the feeds' validators.

* ``/conferences/<conf>/schedule.xml`` and ``/feeds/<token>/schedule.xml`` — frab schedule XML;
* ``/conferences/<conf>/schedule.json`` and ``/feeds/<token>/schedule.json`` — c3voc schedule JSON;
* ``/conferences/<conf>/changes.atom`` and ``/feeds/<token>/changes.atom`` — the Atom feed of changes.

The documents are made by :mod:`calsync.exports` (pure) and kept per data version (the
conference's, and a custom feed's) like the ``.ics`` feeds — in the feed service's byte
budget, single-flight, dropped with their version — with a strong ETag from the bytes,
Last-Modified from the data, ``If-None-Match``/``If-Modified-Since`` → 304, ``HEAD``,
``Cache-Control`` (``public`` with CORS for conferences, ``private`` for custom feeds), gzip
for clients that ask (``feed.gzip``; made once per version by the feed service, with its own ETag). No
parameters are taken; errors are plain text. For the pages: :func:`what_changed` gives the
"What changed" sections their rows, :func:`format_links` the subscribe kit every format.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, g, request, url_for
from werkzeug.http import http_date

from ..errors import CalsyncError, NotFound
from ..exports.atom import CONTENT_TYPE as ATOM_CONTENT_TYPE
from ..exports.atom import ChangesFeedInfo, changes_atom
from ..exports.c3voc import write_schedule_json
from ..exports.changes import TalkChange, page_rows
from ..exports.common import ExportEvent, ScheduleInfo, build_schedule
from ..exports.formats import FORMATS
from ..exports.frab import write_schedule_xml
from ..feedspec import FeedSpec
from ..filters import InvalidQuery, has_talk_filters, query_from_filter_dict, select_talks
from ..model import Session, Talk
from ..service import RenderedFeed, make_etag
from ..store import Snapshot, StoredFeed
from ..store.changes import CHANGES_DAYS
from .feeds import not_modified
from .kit import absolute, base_url
from .services import services

bp = Blueprint("exports", __name__)

#: Entries of an Atom feed of changes at most (the newest; the feed says how many there were).
MAX_CHANGES = 500

CONTENT_TYPES = {
    "xml": "application/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "atom": ATOM_CONTENT_TYPE,
}


class ExportCache:
    """What one schedule render hands the next: built events and their XML elements (each
    dict emptied past its size by :mod:`calsync.exports`), so a new version of a big
    schedule builds only what changed. The documents themselves are kept by
    :meth:`calsync.service.FeedService.cached`, within the worker's byte budget."""

    def __init__(self) -> None:
        self.events: dict[tuple[object, ...], ExportEvent] = {}
        self.fragments: dict[ExportEvent, str] = {}


def _kept(key: tuple[Any, ...], snap: Snapshot, render: Callable[[], RenderedFeed]) -> RenderedFeed:
    """The document under ``key``, rendered once per key (single flight) and kept with ``snap``'s version."""
    conf = snap.conference
    return services().service.cached(("export", *key), (conf.slug, conf.version), render)


def _cache() -> ExportCache:
    cache = current_app.extensions.get("calsync.exports")
    if cache is None:
        cache = current_app.extensions.setdefault("calsync.exports", ExportCache())
    assert isinstance(cache, ExportCache)
    return cache


def _document(body: bytes, modified: datetime, name: str) -> RenderedFeed:
    return RenderedFeed(body=body, etag=make_etag(body), last_modified=modified, name=name, filename=name)


def _answer(build: Callable[[], RenderedFeed], kind: str, *, public: bool) -> Response:
    """The 200 (or 304) of a document; a CalsyncError becomes plain text with its status."""
    try:
        if request.args:
            raise InvalidQuery(f"this document takes no parameter; got {', '.join(sorted(request.args))}", "query")
        document = build()
    except CalsyncError as exc:
        return Response(f"{exc.message}\n", status=exc.status, content_type="text/plain; charset=utf-8")
    if request.accept_encodings["gzip"] > 0:  # as the feeds: gzip once per version, its own ETag
        document = services().service.gzipped(document)
    headers = _headers(document.etag, document.last_modified, public, services().max_age)
    g.feed_id = document.etag
    if not_modified(document):
        return Response(status=304, headers=[*(headers[:4] if public else headers[:3]), ("Vary", "Accept-Encoding")])
    response = Response(document.body, content_type=CONTENT_TYPES[kind], headers=[*headers, ("Vary", "Accept-Encoding")])
    if document.encoding is not None:
        response.headers["Content-Encoding"] = document.encoding
    return response


@functools.lru_cache(maxsize=1024)
def _headers(etag: str, modified: datetime, public: bool, max_age: int) -> tuple[tuple[str, str], ...]:
    headers = [
        ("ETag", etag),
        ("Last-Modified", http_date(modified)),
        ("Cache-Control", f"{'public' if public else 'private'}, max-age={max_age}"),
    ]
    if public:
        headers += [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "ETag, Last-Modified")]
    headers.append(("X-Content-Type-Options", "nosniff"))
    return tuple(headers)


# -- what a conference or a custom feed holds ------------------------------------------------


def _conference(snap: Snapshot) -> tuple[list[tuple[Session, Talk]], ScheduleInfo]:
    """A conference's talks and its schedule's texts, from the snapshot the request read."""
    conf = snap.conference
    slug = conf.slug
    info = ScheduleInfo(
        slug=conf.slug, title=conf.name, timezone=conf.timezone,
        url=absolute(url_for("pages.conference_page", slug=slug)), version=str(conf.version), modified=conf.modified,
    )
    return [(s, t) for s in snap.sessions for t in s.talks], info


def _custom(token: str) -> tuple[StoredFeed, Snapshot, list[tuple[Session, Talk]], ScheduleInfo]:
    service = services().service
    stored = service.stored_feed(token)
    if stored.spec.conference is None:
        raise NotFound("no such feed")
    snap = service.snapshot(stored.spec.conference)
    _, talks = service.select_custom(snap, stored)
    conf = snap.conference
    info = ScheduleInfo(
        slug=conf.slug, title=stored.spec.name, timezone=conf.timezone,
        url=absolute(url_for("personal.custom_feed_page", token=token)),
        version=f"{conf.version}.{stored.version}", modified=max(conf.modified, stored.modified),
    )
    return stored, snap, talks, info


def feed_talk_ids(snap: Snapshot, spec: FeedSpec, chosen: list[tuple[Session, Talk]]) -> set[str]:
    """The talks whose changes a custom feed's subscribers read: those it holds now, those it
    lists by id, and the removed talks of its sessions or matching its filter (a cancelled talk
    is no longer in it, but its cancellation is news)."""
    ids = {t.id for _, t in chosen} | set(spec.talk_ids)
    wanted_sessions = set(spec.session_ids)
    query = query_from_filter_dict(spec.filter) if spec.filter else None
    by_filter = query is not None and (has_talk_filters(query) or bool(query.sessions))
    for session, talk, _ in snap.removed:
        alone = replace(session, talks=(talk,))  # the removed talk, as the filter would have seen it
        if session.id in wanted_sessions or (by_filter and query is not None and select_talks([alone], query)):
            ids.add(talk.id)
    return ids


def _hour() -> int:
    return int(services().service.now().timestamp() // 3600)


def recent_changes_for(slug: str, token: str | None = None) -> list[TalkChange]:
    """The last 30 days of changes of a conference's talks, or of a custom feed's, newest first.

    For the conference page and a custom feed's page ("What changed": render
    :func:`calsync.exports.changes.page_rows` of it) and for the Atom feeds.
    """
    now = services().service.now()
    if token is None:
        return services().store.recent_changes(slug, now, days=CHANGES_DAYS)
    stored, snap, talks, _ = _custom(token)
    return services().store.recent_changes(slug, now, days=CHANGES_DAYS, talk_ids=feed_talk_ids(snap, stored.spec, talks))


def what_changed(slug: str, token: str | None = None) -> list[dict[str, Any]]:
    """The rows of a page's "What changed" section (see :func:`calsync.exports.changes.page_rows`)."""
    return page_rows(recent_changes_for(slug, token))


def format_links(slug: str | None = None, token: str | None = None) -> list[dict[str, str]]:
    """Every format of a conference (``slug``) or a custom feed (``token``) for the subscribe kit:
    ``key``, ``name``, ``url`` (absolute), ``readers`` (what reads it), ``content_type``."""
    if (slug is None) == (token is None):
        raise ValueError("give a conference slug or a feed token")
    base = absolute(f"/conferences/{slug}" if slug is not None else f"/feeds/{token}")
    return [
        {"key": f.key, "name": f.name, "url": base + f.suffix, "readers": f.readers, "content_type": f.content_type}
        for f in FORMATS
    ]


def _atom(changes: list[TalkChange], title: str, page_url: str, modified: datetime) -> bytes:
    info = ChangesFeedInfo(
        title=title, self_url=absolute(request.path), page_url=page_url, host=services().config.feed.uid_host,
        modified=modified, days=CHANGES_DAYS, total=len(changes),
    )
    return changes_atom(changes[:MAX_CHANGES], info)


# -- routes ---------------------------------------------------------------------------------


def _write(kind: str, talks: list[tuple[Session, Talk]], info: ScheduleInfo) -> bytes:
    """The XML or JSON document of ``talks``, reusing the events and elements of earlier versions."""
    cache = _cache()
    schedule = build_schedule(talks, info, services().config.feed.feed_options(), cache.events)
    return write_schedule_xml(schedule, cache.fragments) if kind == "xml" else write_schedule_json(schedule)


def _conference_schedule(slug: str, kind: str) -> Response:
    def build() -> RenderedFeed:
        snap = services().service.snapshot(slug)
        key = (kind, slug, snap.conference.version, base_url())

        def render() -> RenderedFeed:
            talks, info = _conference(snap)
            return _document(_write(kind, talks, info), info.modified, f"{slug}.{kind}")

        return _kept(key, snap, render)

    return _answer(build, kind, public=True)


def _custom_schedule(token: str, kind: str) -> Response:
    def build() -> RenderedFeed:
        stored, snap, talks, info = _custom(token)
        key = (kind, token, stored.version, snap.conference.version, base_url())

        return _kept(key, snap, lambda: _document(_write(kind, talks, info), info.modified, f"feed.{kind}"))

    return _answer(build, kind, public=False)


@bp.get("/conferences/<id:slug>/schedule.xml")
def conference_schedule_xml(slug: str) -> Response:
    return _conference_schedule(slug, "xml")


@bp.get("/conferences/<id:slug>/schedule.json")
def conference_schedule_json(slug: str) -> Response:
    return _conference_schedule(slug, "json")


@bp.get("/feeds/<token:token>/schedule.xml")
def custom_schedule_xml(token: str) -> Response:
    return _custom_schedule(token, "xml")


@bp.get("/feeds/<token:token>/schedule.json")
def custom_schedule_json(token: str) -> Response:
    return _custom_schedule(token, "json")


@bp.get("/conferences/<id:slug>/changes.atom")
def conference_changes(slug: str) -> Response:
    def build() -> RenderedFeed:
        snap = services().service.snapshot(slug)
        conf = snap.conference
        key = ("atom", slug, conf.version, _hour(), base_url())

        def render() -> RenderedFeed:
            changes = recent_changes_for(slug)
            page = absolute(url_for("pages.conference_page", slug=slug))
            return _document(_atom(changes, f"What changed: {conf.name}", page, conf.modified), _modified(changes, conf.modified), f"{slug}.atom")

        return _kept(key, snap, render)

    return _answer(build, "atom", public=True)


@bp.get("/feeds/<token:token>/changes.atom")
def custom_changes(token: str) -> Response:
    def build() -> RenderedFeed:
        stored, snap, _, info = _custom(token)
        key = ("atom", token, stored.version, snap.conference.version, _hour(), base_url())

        def render() -> RenderedFeed:
            changes = recent_changes_for(snap.conference.slug, token)
            body = _atom(changes, f"What changed: {stored.spec.name}", info.url, info.modified)
            return _document(body, _modified(changes, info.modified), "feed.atom")

        return _kept(key, snap, render)

    return _answer(build, "atom", public=False)


def _modified(changes: list[TalkChange], fallback: datetime) -> datetime:
    """Last-Modified of a feed of changes: its newest change, else the data's last change."""
    return max((c.at for c in changes), default=fallback)


__all__ = ["MAX_CHANGES", "bp", "feed_talk_ids", "format_links", "recent_changes_for", "what_changed"]
