"""The iCalendar feeds (``.ics``): conference, session, talk and custom feeds, with HTTP validators.

Feeds are rendered and cached by :class:`~calsync.service.FeedService`; this
module adds the headers (ETag, Last-Modified, caching, CORS for public feeds,
Content-Disposition) and answers conditional requests with 304.
"""

from __future__ import annotations

import functools
from datetime import datetime

from flask import Blueprint, Response, g, request
from werkzeug.http import http_date, parse_date, parse_etags

from ..filters import InvalidQuery, parse_feed_query
from ..links import content_disposition
from ..service import RenderedFeed
from .services import feed_query, services

bp = Blueprint("feeds", __name__)


@functools.lru_cache(maxsize=4096)
def feed_headers(
    etag: str, modified: datetime, filename: str, public: bool, download: bool, max_age: int,
    encoding: str | None = None,
) -> tuple[tuple[str, str], ...]:
    """Validators and caching headers of a feed (computed once per feed version and encoding).

    The first four (five when public: CORS) are the ones a 304 repeats; ``Vary`` is on every
    answer, since the same URL is sent gzipped to clients that ask for it.
    """
    headers = [
        ("ETag", etag),
        ("Last-Modified", http_date(modified)),
        ("Cache-Control", f"{'public' if public else 'private'}, max-age={max_age}"),
        ("Vary", "Accept-Encoding"),
    ]
    if public:
        headers += [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "ETag, Last-Modified")]
    disposition = content_disposition(filename.removesuffix(".ics"))
    headers.append(("Content-Disposition", disposition if download else disposition.replace("attachment", "inline", 1)))
    headers.append(("X-Content-Type-Options", "nosniff"))
    if encoding is not None:
        headers.append(("Content-Encoding", encoding))
    return tuple(headers)


def not_modified(feed: RenderedFeed) -> bool:
    """RFC 9110 §13.1: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return if_none_match == feed.etag or parse_etags(if_none_match).contains_weak(feed.etag.strip('"'))
    since = parse_date(request.headers.get("If-Modified-Since"))
    return since is not None and feed.last_modified.replace(microsecond=0) <= since


def feed_response(feed: RenderedFeed, *, download: bool, public: bool) -> Response:
    """A feed's 200 (or 304) answer, gzipped for clients that accept it (``feed.gzip``).

    The gzipped bytes are made once per feed version and have their own ETag, so a
    conditional request is compared with the validator of the form it would get.
    """
    feed = services().service.negotiate(feed, request.headers.get("Accept-Encoding"))
    headers = feed_headers(feed.etag, feed.last_modified, feed.filename, public, download, services().max_age,
                           feed.encoding)
    g.feed_id = feed.etag
    if not_modified(feed):  # RFC 9110 §15.4.5: the validators and caching headers a 200 would carry
        return Response(status=304, headers=headers[:5] if public else headers[:4])
    return Response(feed.body, content_type="text/calendar; charset=utf-8", headers=list(headers))


@bp.get("/conferences/<id:slug>.ics")
def conference_feed(slug: str) -> Response:
    query = feed_query()
    return feed_response(services().service.conference_feed(slug, query), download=query.download, public=True)


@bp.get("/conferences/<id:slug>/sessions/<id:session_id>.ics")
def session_feed(slug: str, session_id: str) -> Response:
    query = feed_query()
    return feed_response(services().service.session_feed(slug, session_id, query), download=query.download, public=True)


@bp.get("/conferences/<id:slug>/talks/<id:talk_id>.ics")
def talk_feed(slug: str, talk_id: str) -> Response:
    query = feed_query()  # the same options and errors as every feed (a bad alarm, an unknown parameter: 400)
    return feed_response(services().service.talk_feed(slug, talk_id, query), download=True, public=True)


@bp.get("/feeds/<token:token>.ics")
def custom_feed(token: str) -> Response:
    options = parse_feed_query({k: v for k, v in request.args.lists() if k in ("download", "compact")})
    unknown = set(request.args) - {"download", "compact"}
    if unknown:
        raise InvalidQuery(f"a custom feed takes no parameter but download and compact; got {', '.join(sorted(unknown))}", "query")
    return feed_response(services().service.custom_feed(token, compact=options.compact), download=options.download, public=False)
