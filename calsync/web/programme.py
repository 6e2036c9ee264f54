"""The programme of a conference as the pages show it: an index for fast selection, days, chunks.

No Flask here. :class:`ProgrammeIndex` is built once per conference data version;
it selects exactly what :func:`calsync.filters.select_talks` selects (the same
folding and normalising functions, checked by ``tests/test_web_programme.py``)
but keeps each talk's folded text, so a search over 10,000 talks is a scan of
prepared strings instead of folding every abstract again. The folded texts are
made off the request (see :meth:`ProgrammeIndex.prepare_search`), or by the first search.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from ..filters import FeedQuery, _fold, _local_date, searched_text
from ..model import Session, Talk, normalize_title
from ..store import Snapshot

#: Talks shown at once; more come in chunks of this size (whole sessions, so a chunk may be larger).
CHUNK_TALKS = 60


@dataclass(frozen=True)
class Entry:
    """One talk of the programme with what selecting it needs (normalised once)."""

    session: Session
    talk: Talk
    day: date
    type: str | None
    room: str | None


@dataclass(frozen=True)
class Group:
    """A session with the talks of it that matched (all of them without filters)."""

    session: Session
    entries: tuple[Entry, ...]
    day: date

    @property
    def start(self) -> datetime:
        """When its first matching talk starts."""
        return self.entries[0].talk.start

    @property
    def end(self) -> datetime:
        """When its last matching talk ends (its start when no end is known)."""
        return max(e.talk.end or e.talk.start for e in self.entries)


@dataclass
class ProgrammeIndex:
    """A conference's talks in (start, session id, talk id) order, ready to be selected."""

    version: int
    entries: list[Entry]
    days: list[date]
    types: list[str]
    rooms: list[str]
    _texts: list[str] | None = None
    _authors: list[tuple[str, ...]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, snapshot: Snapshot) -> ProgrammeIndex:
        """The index of a snapshot (cheap: no text is folded yet)."""
        entries = []
        types: dict[str, str] = {}
        rooms: dict[str, str] = {}
        for session in snapshot.sessions:
            for talk in session.talks:
                where = talk.location or session.location
                kind = normalize_title(talk.type) if talk.type else None
                room = normalize_title(where) if where else None
                entries.append(Entry(session, talk, _local_date(talk, session), kind, room))
                if kind and talk.type:
                    types.setdefault(kind, talk.type)
                if room and where and " #" not in where:  # a poster's board is not a room to pick
                    rooms.setdefault(room, where)
        entries.sort(key=lambda e: (e.talk.start, e.session.id, e.talk.id))
        return cls(
            version=snapshot.conference.version,
            entries=entries,
            days=sorted({e.day for e in entries}),
            types=sorted(types.values(), key=str.casefold),
            rooms=sorted(rooms.values(), key=str.casefold),
        )

    def prepare_search(self) -> None:
        """Fold every talk's text now (a background thread calls this when the index is new)."""
        self._folded()

    def _folded(self) -> tuple[list[str], list[tuple[str, ...]]]:
        with self._lock:
            if self._texts is None or self._authors is None:
                self._texts = [searched_text(e.talk) for e in self.entries]
                self._authors = [tuple(_fold(a) for a in e.talk.authors) for e in self.entries]
            return self._texts, self._authors

    def select(self, query: FeedQuery) -> list[Entry]:
        """The entries :func:`calsync.filters.select_talks` would select for ``query``, in its order."""
        types = {normalize_title(t) for t in query.types}
        room = normalize_title(query.room) if query.room else None
        sessions = set(query.sessions)
        words = _fold(query.q).split() if query.q else None
        author = _fold(query.author) if query.author else None
        texts, authors = self._folded() if (words or author) else ([], [])
        found = []
        for i, entry in enumerate(self.entries):
            if sessions and entry.session.id not in sessions:
                continue
            if types and entry.type not in types:
                continue
            if room is not None and entry.room != room:
                continue
            if query.day is not None and entry.day != query.day:
                continue
            if author is not None and not any(author in name for name in authors[i]):
                continue
            if words is not None and not all(word in texts[i] for word in words):
                continue
            found.append(entry)
        return found


def group(entries: Sequence[Entry]) -> list[Group]:
    """Entries by session, sessions in the order of their first entry (entries are in time order)."""
    order: dict[str, list[Entry]] = {}
    for entry in entries:
        order.setdefault(entry.session.id, []).append(entry)
    return [Group(found[0].session, tuple(found), found[0].day) for found in order.values()]


def chunk(groups: Sequence[Group], start: int, size: int = CHUNK_TALKS) -> tuple[list[Group], int | None]:
    """Whole groups from ``start`` holding at least ``size`` talks (or the rest); and where the next chunk starts.

    >>> from datetime import date
    >>> fake = [Group(None, (None,) * n, date(2026, 1, 1)) for n in (30, 30, 30)]  # type: ignore[arg-type]
    >>> [len(g.entries) for g in chunk(fake, 0, 50)[0]], chunk(fake, 0, 50)[1], chunk(fake, 2, 50)[1]
    ([30, 30], 2, None)
    """
    taken, talks, i = [], 0, max(0, start)
    while i < len(groups) and talks < size:
        taken.append(groups[i])
        talks += len(groups[i].entries)
        i += 1
    return taken, (i if i < len(groups) else None)


def current_index(groups: Sequence[Group], now: datetime) -> int | None:
    """The first group still running or to come at ``now`` (``None``: all are over)."""
    return next((i for i, g in enumerate(groups) if g.end > now), None)
