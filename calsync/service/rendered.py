"""A rendered answer as HTTP serves it: bytes, strong ETag, Last-Modified, encoding.

Feeds, pages and JSON answers all come out of :class:`calsync.service.FeedService` as a
:class:`RenderedFeed`; the web layer turns it into a response. Gzip is negotiated here
(:func:`accepts_gzip`); the compressed form is made and cached by the service.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime

#: Bodies shorter than this are not gzipped (the header would eat the gain).
GZIP_MIN_BYTES = 1024


@dataclass(frozen=True)
class RenderedFeed:
    """A feed's bytes with what HTTP needs: a strong ETag from the bytes, Last-Modified, a name."""

    body: bytes
    etag: str
    last_modified: datetime
    name: str
    filename: str
    #: ``"gzip"`` for the compressed form (:meth:`FeedService.gzipped`), else ``None``.
    encoding: str | None = None
    #: (conference slug, data version) the feed was made from: its cache entries go with that version.
    tag: Hashable = field(default=None, compare=False, repr=False)

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.body)


def make_etag(body: bytes) -> str:
    """Strong ETag of a body (quoted, as HTTP wants it).

    >>> make_etag(b"x")
    '"2d711642b726b04401627ca9fbac32f5"'
    """
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'



def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (``gzip`` or ``*`` without ``q=0``).

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("gzip;q=0"), accepts_gzip("identity"), accepts_gzip(None)
    (True, False, False, False)
    """
    if not accept_encoding:
        return False
    allowed: dict[str, bool] = {}
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        allowed[coding.strip()] = q > 0
    return allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", False)))
