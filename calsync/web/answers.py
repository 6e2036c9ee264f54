"""Pages and JSON answers cached like feeds: per data version and request, gzipped once per version.

A programme page or a ``/api/.../talks`` answer at 10,000 talks costs tens of
milliseconds to make; people reload them and share their URLs. Their bytes are kept in
the feed service's byte budget (:meth:`calsync.service.FeedService.cached_body`), keyed by
the conference's data version, the address asked (host, path and query: the pages link
by the request's host) and whatever else the answer depends on (the day and the session
running now, the sources' state), and dropped with their version. Clients that accept
gzip get bytes compressed once per version, with their own ETag and
``Vary: Accept-Encoding``; ``If-None-Match`` gets a 304.

Pages that carry a per-person secret (the admin's CSRF token) are never cached here.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Response, request

from ..store import Snapshot
from .feeds import not_modified
from .services import services


def cached_answer(
    kind: str, snap: Snapshot, build: Callable[[], str | bytes], media_type: str, *, depends: Hashable = ()
) -> Response:
    """The answer ``build()`` makes for this request, from the cache when this version already made it.

    ``snap`` is the snapshot the view read and ``build`` makes the answer from: the answer
    is kept under that snapshot's version (not under one read again here, which another
    thread's reload may have moved on). ``kind`` names the answer (``"page"``,
    ``"api-talks"``…); ``depends`` is what the body depends on beyond the data version and
    the URL (e.g. today's date); it must be hashable and its ``repr`` stable. ``build``
    runs in the request (templates, ``url_for``).
    """
    key = repr((request.host_url, request.full_path, depends))
    found = services().service

    def make() -> tuple[bytes, str]:
        body = build()
        return (body.encode("utf-8") if isinstance(body, str) else body), media_type

    answer = found.negotiate(found.cached_body(kind, snap, key, make), request.headers.get("Accept-Encoding"))
    headers = [("ETag", answer.etag), ("Vary", "Accept-Encoding")]
    if not_modified(answer):  # the feeds' rule (no Last-Modified is sent, so If-None-Match decides)
        return Response(status=304, headers=headers)
    if answer.encoding is not None:
        headers.append(("Content-Encoding", answer.encoding))
    return Response(answer.body, content_type=media_type, headers=headers)
