"""An event written once per revision, and the options it is kept under.

An :class:`EventPiece` holds the lines of an event that no feed option changes and, per
variant, the few that options change; :func:`piece_options` and :func:`piece_token` name
what a cache keeps pieces under; :class:`PieceCache` is what
:func:`calsync.ical.calendar.assemble_feed` asks of that cache. Pure.
"""

from __future__ import annotations

import functools
import itertools
import threading
from dataclasses import replace
from typing import Protocol, cast

from .events import FeedOptions


class EventPiece:
    """One event as it is written once per revision, for every presentation of it.

    ``fixed`` holds the lines no feed option changes, in three runs: the revision stamps
    (after UID), the times to URL (after SUMMARY), STATUS and TRANSP (after DESCRIPTION
    and RELATED-TO). The lines that options change are kept per variant, written when a
    feed first asks for one: :meth:`text` is (UID, DESCRIPTION with RELATED-TO) of a
    description variant (full, ``abstracts=0``, ``compact=1``: :func:`text_variant`),
    :meth:`title` is (SUMMARY, the VALARM's DESCRIPTION, which repeats SUMMARY) of a
    ``speakers`` setting. ``alarmed`` is false for an event that never gets a VALARM (a
    break). A feed's alarm is added when it is assembled (:meth:`EventWriter.close`).
    ``size`` counts the bytes of the lines held. Variants are kept in flat tuples, not
    dicts: most pieces hold one of each, and a worker keeps tens of thousands of pieces.
    """

    __slots__ = ("_texts", "_titles", "alarmed", "fixed", "size")

    def __init__(self, fixed: tuple[bytes, bytes, bytes], alarmed: bool) -> None:
        self.fixed = fixed
        self.alarmed = alarmed
        self._texts: tuple[object, ...] = ()  # variant, UID, DESCRIPTION, variant, …
        self._titles: tuple[object, ...] = ()  # speakers, SUMMARY, VALARM DESCRIPTION, …
        self.size = sum(map(len, fixed))

    def text(self, variant: str) -> tuple[bytes, bytes] | None:
        """The UID and DESCRIPTION (+ RELATED-TO) lines of a description variant, if written."""
        return _find(self._texts, variant)

    def title(self, speakers: bool) -> tuple[bytes, bytes] | None:
        """The SUMMARY and VALARM DESCRIPTION lines of a ``speakers`` setting, if written."""
        return _find(self._titles, speakers)

    def add_text(self, variant: str, uid: bytes, description: bytes) -> None:
        """Keep a description variant's UID and DESCRIPTION (+ RELATED-TO) lines (once).

        Pieces are shared between threads: two feeds may add different variants to one
        piece at once, and neither addition may be lost (a closing feed needs its lines).
        """
        with _GROWING:
            if _find(self._texts, variant) is None:
                self._texts += (variant, uid, description)
                self.size += len(uid) + len(description)

    def add_title(self, speakers: bool, summary: bytes, alarm: bytes) -> None:
        """Keep the SUMMARY line and the VALARM DESCRIPTION line of one ``speakers`` setting (once)."""
        with _GROWING:
            if _find(self._titles, speakers) is None:
                self._titles += (speakers, summary, alarm)
                self.size += len(summary) + len(alarm)


#: Held while a piece gets a variant's lines (rare, short: one lock for all pieces).
_GROWING = threading.Lock()


def _find(flat: tuple[object, ...], wanted: object) -> tuple[bytes, bytes] | None:
    """The two lines after key ``wanted`` in a flat (key, line, line, …) tuple.

    Keys are strings or booleans and lines bytes, which never compare equal to them, so
    ``tuple.index`` (in C) finds only a key.
    """
    try:
        at = flat.index(wanted)
    except ValueError:
        return None
    return cast(bytes, flat[at + 1]), cast(bytes, flat[at + 2])


def text_variant(options: FeedOptions) -> str:
    """Which description an event gets: ``compact``, ``short`` (no abstract) or ``full``.

    The UID, DESCRIPTION and RELATED-TO lines depend on it and on nothing else of the options
    that :func:`piece_options` leaves out.

    >>> text_variant(FeedOptions()), text_variant(FeedOptions(abstracts=False)), text_variant(FeedOptions(compact=True))
    ('full', 'short', 'compact')
    """
    return "compact" if options.compact else ("full" if options.abstracts else "short")


@functools.lru_cache(maxsize=256)
def piece_options(options: FeedOptions) -> FeedOptions:
    """The options an event's :class:`EventPiece` is kept under: ``options`` without the presentation.

    The view (``talks``/``sessions``) chooses events; the alarm is added when a feed is
    assembled (:meth:`EventWriter.close`); ``abstracts``, ``compact`` and ``speakers``
    choose among a piece's variant lines. So every such variant of a feed shares one
    piece per event.

    >>> piece_options(FeedOptions(alarm_minutes=5, speakers=True)) == piece_options(FeedOptions(abstracts=False))
    True
    """
    return replace(options, talks=True, sessions=False, alarm_minutes=None, abstracts=True, compact=False,
                   speakers=False)


def piece_token(options: FeedOptions) -> int:
    """A number that names :func:`piece_options` of ``options`` in the pieces' cache keys.

    An int hashes and compares at once; the options would be hashed field by field at every
    lookup. A number is never given to other options (after the table is cleared, the same
    options get a new one: their pieces are written again, never mixed up).

    >>> piece_token(FeedOptions(alarm_minutes=5)) == piece_token(FeedOptions(speakers=True))
    True
    >>> piece_token(FeedOptions()) == piece_token(FeedOptions(host="other.example"))
    False
    """
    shared = piece_options(options)
    token = _TOKENS.get(shared)
    if token is None:
        if len(_TOKENS) > 1024:  # (only the host, conference and default duration count: a few per deployment)
            _TOKENS.clear()
        token = _TOKENS.setdefault(shared, next(_NUMBERS))
    return token


_TOKENS: dict[FeedOptions, int] = {}
_NUMBERS = itertools.count(1)


class PieceCache(Protocol):
    """Where :func:`calsync.ical.calendar.assemble_feed` keeps each event's :class:`EventPiece`."""

    def get(self, key: tuple[object, ...], /) -> EventPiece | None: ...

    def __setitem__(self, key: tuple[object, ...], value: EventPiece, /) -> None: ...

    def grew(self, pieces: list[tuple[tuple[object, ...], EventPiece]], /) -> None:
        """These kept pieces got a variant's lines in place (a cache that counts sizes counts them again)."""
