"""Selecting by a query: the talks and sessions a :class:`~calsync.filters.query.FeedQuery` matches.

``type`` and ``room`` compare case-insensitively, ``day`` is the talk's local date in its
session's zone, ``author`` and ``q`` compare folded text (:mod:`calsync.filters.folding`).
Talk-level filters are folded once per query (:class:`_TalkMatcher`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..model import Session, Talk, normalize_title
from .folding import _fold, searched_text
from .query import FeedQuery


def has_talk_filters(query: FeedQuery) -> bool:
    """Whether the query filters talks (type, room, day, author or q), not only sessions.

    >>> has_talk_filters(FeedQuery(sessions=("s1",), view="both")), has_talk_filters(FeedQuery(q="nets"))
    (False, True)
    """
    return bool(query.types or query.room or query.day or query.author or query.q)


def _local_date(talk: Talk, session: Session) -> date:
    """The talk's date in its session's zone (in its own zone when that name is unknown)."""
    try:
        zone = ZoneInfo(session.timezone)
    except (ValueError, LookupError, TypeError):  # ZoneInfoNotFoundError is a KeyError
        return talk.start.date()
    return talk.start.astimezone(zone).date()


class _TalkMatcher:
    """The talk-level filters of a query, folded once."""

    def __init__(self, query: FeedQuery) -> None:
        self.types = {normalize_title(t) for t in query.types}
        self.room = normalize_title(query.room) if query.room else None
        self.day = query.day
        self.author = _fold(query.author) if query.author else None
        self.words = _fold(query.q).split() if query.q else None
        #: Whether every talk matches (no talk-level filter): then nothing is checked per talk.
        self.everything = not (self.types or self.room is not None or self.day is not None
                               or self.author is not None or self.words is not None)

    def __call__(self, session: Session, talk: Talk) -> bool:
        if self.types and (talk.type is None or normalize_title(talk.type) not in self.types):
            return False
        where = talk.location or session.location  # where the talk takes place
        if self.room is not None and (where is None or normalize_title(where) != self.room):
            return False
        if self.day is not None and _local_date(talk, session) != self.day:
            return False
        if self.author is not None and not any(self.author in _fold(name) for name in talk.authors):
            return False
        if self.words is not None:
            text = searched_text(talk)
            if not all(word in text for word in self.words):
                return False
        return True


def _wanted(sessions: Iterable[Session], query: FeedQuery) -> list[Session]:
    ids = set(query.sessions)
    return [s for s in sessions if not ids or s.id in ids]


def select_talks(sessions: Sequence[Session], query: FeedQuery) -> list[tuple[Session, Talk]]:
    """The talks matching every filter of the query, in (start, session id, talk id) order.

    ``room`` matches a talk held in that room (its own room, else its session's); ``day`` is the talk's local date in its session's zone; ``q``
    needs every word in the title, the authors or the abstract. View, abstracts,
    compact, alarm and download do not select anything.
    """
    match = _TalkMatcher(query)
    if match.everything:
        found = [(s, t) for s in _wanted(sessions, query) for t in s.talks]
    else:
        found = [(s, t) for s in _wanted(sessions, query) for t in s.talks if match(s, t)]
    found.sort(key=_talk_order)
    return found


def _talk_order(pair: tuple[Session, Talk]) -> tuple[datetime, str, str]:
    return pair[1].start, pair[0].id, pair[1].id


def select_sessions(
    sessions: Sequence[Session], query: FeedQuery, matched: Iterable[tuple[Session, Talk]] | None = None
) -> list[Session]:
    """The sessions of the query, in (start, id) order, sessions without talks last.

    With talk-level filters (:func:`has_talk_filters`), the sessions having at
    least one matching talk; without, every session (those without talks too).
    The ``sessions`` filter restricts by id in both cases. ``matched``: the query's
    :func:`select_talks` of the same sessions, when the caller has it (then no talk is
    matched twice).
    """
    chosen = _wanted(sessions, query)
    if has_talk_filters(query):
        if matched is not None:
            having = {s.id for s, _ in matched}
            chosen = [s for s in chosen if s.id in having]
        else:
            match = _TalkMatcher(query)
            chosen = [s for s in chosen if any(match(s, t) for t in s.talks)]
    return sorted(chosen, key=lambda s: (0, s.start, s.id) if s.start is not None else (1, s.id))
