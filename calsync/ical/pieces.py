"""An event written once per revision, and the options it is kept under.

An :class:`EventPiece` holds every line of an event, for every presentation of it: the
lines no feed option changes and, per variant, the few that options change;
:func:`piece_options` and :func:`piece_token` name what a cache keeps pieces under;
:class:`PieceCache` is what :func:`calsync.ical.calendar.assemble_feed` asks of that
cache. Pure.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import replace
from typing import Protocol

from .events import FeedOptions

#: The description variants (:func:`text_variant`), in the order a piece is written.
TEXT_VARIANTS = ("full", "short", "compact")

#: A variant's lines: (UID, DESCRIPTION, RELATED-TO) of a description, (SUMMARY, VALARM DESCRIPTION) of a title.
Lines = tuple[bytes, ...]


class EventPiece:
    """One event as it is written once per revision, for every presentation of it.

    ``fixed`` holds the lines no feed option changes, in three runs: the revision stamps
    (after UID), the times to URL (after SUMMARY), STATUS and TRANSP (after DESCRIPTION
    and RELATED-TO). The lines that options change are written with them, every variant
    at once, so that any feed is an assembly of pieces (:meth:`EventWriter.close`), one
    attribute per variant (:func:`variant_slots` names the three a feed reads):

    * ``full``, ``short`` (``abstracts=0``), ``compact``: (UID, DESCRIPTION, RELATED-TO or
      nothing) of a description variant (:func:`text_variant`);
    * ``plain``, ``named`` (``speakers=1``): the SUMMARY line;
    * ``plain_reminder``, ``named_reminder``: the VALARM's DESCRIPTION, which repeats
      SUMMARY (empty for an event that never gets a VALARM: ``alarmed`` is false, a break).

    A piece never changes once made (threads share it without a lock). Variants that
    write the same bytes share one object, counted once in ``size``: the DESCRIPTION of a
    talk without an abstract in ``full`` and ``short``, the titles of an event without
    speakers (a RELATED-TO line, shared by a session's talks, is counted in each piece).
    Attributes, not a dict: a worker keeps tens of thousands of pieces, and a feed reads
    three of them per event (``operator.attrgetter``, in C).
    """

    __slots__ = ("alarmed", "compact", "fixed", "full", "named", "named_reminder", "plain", "plain_reminder",
                 "short", "size")

    def __init__(self, fixed: tuple[bytes, bytes, bytes], alarmed: bool, texts: tuple[Lines, Lines, Lines],
                 titles: tuple[Lines, Lines]) -> None:
        self.fixed = fixed
        self.alarmed = alarmed
        self.full, self.short, self.compact = texts
        (self.plain, self.plain_reminder), (self.named, self.named_reminder) = titles
        full, short, compact = texts
        plain, named = titles
        size = sum(map(len, fixed)) + sum(map(len, full)) + sum(map(len, short)) + sum(map(len, compact))
        size += sum(map(len, plain)) + (sum(map(len, named)) if named is not plain else 0)
        self.size = size - len(short[1]) if short[1] is full[1] else size

    def title(self, speakers: bool) -> Lines:
        """The SUMMARY line and the VALARM's DESCRIPTION line of a ``speakers`` setting."""
        return (self.named, self.named_reminder) if speakers else (self.plain, self.plain_reminder)


def text_variant(options: FeedOptions) -> str:
    """Which description an event gets: ``compact``, ``short`` (no abstract) or ``full``.

    The UID, DESCRIPTION and RELATED-TO lines depend on it and on nothing else of the options
    that :func:`piece_options` leaves out.

    >>> text_variant(FeedOptions()), text_variant(FeedOptions(abstracts=False)), text_variant(FeedOptions(compact=True))
    ('full', 'short', 'compact')
    """
    return "compact" if options.compact else ("full" if options.abstracts else "short")


def variant_slots(options: FeedOptions) -> tuple[str, str, str]:
    """The :class:`EventPiece` attributes a feed with ``options`` reads: its description, SUMMARY, VALARM text.

    >>> variant_slots(FeedOptions(abstracts=False, speakers=True))
    ('short', 'named', 'named_reminder')
    """
    title = "named" if options.speakers else "plain"
    return text_variant(options), title, title + "_reminder"


def variant_options(options: FeedOptions) -> tuple[FeedOptions, ...]:
    """The options each of :data:`TEXT_VARIANTS` is written with, then ``speakers=1`` (from :func:`piece_options`).

    >>> [text_variant(o) for o in variant_options(FeedOptions(alarm_minutes=5))[:3]]
    ['full', 'short', 'compact']
    >>> variant_options(FeedOptions())[3].speakers
    True
    """
    shared = piece_options(options)
    return (shared, replace(shared, abstracts=False), replace(shared, compact=True), replace(shared, speakers=True))


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
