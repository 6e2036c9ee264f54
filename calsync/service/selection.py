"""What a feed holds, before any bytes: its query's cache key and name, a custom feed's choice,
and the kept :class:`Selection` (sessions, talks, layout) that every presentation variant shares.

Pure: no store, no cache; :class:`calsync.service.FeedService` keeps selections per data version.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from ..feedspec import FeedSpec
from ..filters import FeedQuery, canonical_query, has_talk_filters, query_from_filter_dict, select_talks
from ..ical import FeedLayout
from ..model import Session, Talk
from ..store import Snapshot


@dataclass(frozen=True)
class Selection:
    """The sessions and talks a feed holds and their layout (events in order, VTIMEZONEs), per data version."""

    sessions: tuple[Session, ...]
    talks: tuple[tuple[Session, Talk], ...]
    layout: FeedLayout

    @property
    def size(self) -> int:
        """Bytes it holds, roughly (the objects it refers to are the snapshot's, counted there)."""
        return 200 * len(self.layout.slots) + 80 * (len(self.sessions) + len(self.talks)) + sum(
            map(len, self.layout.timezones))


@functools.lru_cache(maxsize=4096)
def query_key(query: FeedQuery) -> str:
    """The cache key of a feed query: its canonical form without ``download`` (memoized)."""
    return canonical_query(replace(query, download=False))


def describe_query(query: FeedQuery) -> str:
    """Human summary of a filter, for calendar names.

    >>> from datetime import date
    >>> describe_query(FeedQuery(types=("Oral",), day=date(2026, 7, 14)))
    'Oral, 2026-07-14'
    """
    parts = [*query.types]
    if query.day:
        parts.append(query.day.isoformat())
    if query.room:
        parts.append(query.room)
    if query.author:
        parts.append(f"author: {query.author}")
    if query.q:
        parts.append(f"“{query.q}”")
    return ", ".join(parts)



def select_custom(snap: Snapshot, spec: FeedSpec) -> tuple[list[Session], list[tuple[Session, Talk]]]:
    """The sessions and talks a custom feed holds: listed talks, listed sessions, filter matches.

    Ids no longer in the conference (a talk removed from its page) are skipped.
    """
    chosen: dict[str, tuple[Session, Talk]] = {}
    sessions: dict[str, Session] = {}
    for talk_id in spec.talk_ids:
        found = snap.talk(talk_id)
        if found:
            chosen[talk_id] = found
    for session_id in spec.session_ids:
        session = snap.session(session_id)
        if session:
            sessions[session.id] = session
            chosen.update({t.id: (session, t) for t in session.talks})
    if spec.filter:
        query = query_from_filter_dict(spec.filter)
        if has_talk_filters(query) or query.sessions:
            chosen.update({t.id: (s, t) for s, t in select_talks(snap.sessions, query)})
    for session, _ in chosen.values():
        sessions.setdefault(session.id, session)
    ordered = sorted(chosen.values(), key=lambda p: (p[1].start, p[0].id, p[1].id))
    return sorted(sessions.values(), key=lambda s: (s.start, s.id)), ordered

