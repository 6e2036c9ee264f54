"""The feed query model: :class:`FeedQuery` (always valid and normalized) and its canonical query string.

Construction checks and cleans every field (see :mod:`calsync.filters.values`), so
:func:`canonical_query` is deterministic: a cache key, and the query of a feed URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from ..errors import InvalidQuery
from .values import PARAMETERS, VIEWS, _check_alarm, _clean_many, _clean_one, _show


@dataclass(frozen=True)
class FeedQuery:
    """What a feed URL asks for: which talks (filters) and how to write them.

    Always valid and normalized: construction checks every field (raising
    :class:`InvalidQuery`) and cleans text (NFC, whitespace collapsed, empty →
    ``None``); repeated values are sorted and de-duplicated (``types``
    case-insensitively). Text filters keep their case; matching ignores it.

    >>> FeedQuery(types=("Spotlight", "oral", "Oral"), room="  Hall   J ", author="")
    FeedQuery(types=('Oral', 'Spotlight'), room='Hall J', day=None, author=None, q=None, sessions=(), view=None, abstracts=True, alarm=None, download=False, compact=False, speakers=False)
    """

    types: tuple[str, ...] = ()
    room: str | None = None
    day: date | None = None
    author: str | None = None
    q: str | None = None
    sessions: tuple[str, ...] = ()
    view: str | None = None
    abstracts: bool = True
    alarm: int | None = None
    download: bool = False
    compact: bool = False
    speakers: bool = False

    def filters_only(self) -> FeedQuery:
        """This query's filters alone — what selects talks and sessions — without view, presentation or download.

        >>> FeedQuery(types=("Oral",), view="both", alarm=5, speakers=True).filters_only() == FeedQuery(types=("Oral",))
        True
        """
        return FeedQuery(types=self.types, room=self.room, day=self.day, author=self.author, q=self.q,
                         sessions=self.sessions)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "types", _clean_many("type", self.types, fold_case=True))
        put(self, "sessions", _clean_many("session", self.sessions, fold_case=False))
        for name in ("room", "author", "q"):
            put(self, name, _clean_one(name, getattr(self, name)))
        view = _clean_one("view", self.view)
        if view is not None:
            view = view.lower()
            if view not in VIEWS:
                raise InvalidQuery(
                    f"invalid 'view' parameter: {_show(self.view)}; use one of {', '.join(VIEWS)}", "view"
                )
        put(self, "view", view)
        if self.day is not None and (not isinstance(self.day, date) or isinstance(self.day, datetime)):
            raise InvalidQuery(f"invalid 'day' parameter: {_show(self.day)} is not a date", "day")
        for name in ("abstracts", "download", "compact", "speakers"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidQuery(
                    f"invalid {name!r} parameter: {_show(getattr(self, name))} is not a boolean", name
                )
        if self.alarm is not None:
            if not isinstance(self.alarm, int) or isinstance(self.alarm, bool):
                raise InvalidQuery(
                    f"invalid 'alarm' parameter: {_show(self.alarm)} is not a whole number of minutes",
                    "alarm",
                )
            _check_alarm(self.alarm)


def canonical_query(query: FeedQuery) -> str:
    """The normalized query string of a query: sorted keys, sorted values, defaults omitted.

    Deterministic (a cache key, and the query of a feed URL), and
    ``parse_feed_query(parse_qs(canonical_query(q))) == q``.

    >>> canonical_query(FeedQuery(types=("Spotlight", "Oral"), room="Hall  J", alarm=10, abstracts=False))
    'abstracts=0&alarm=10&room=Hall+J&type=Oral&type=Spotlight'
    >>> canonical_query(FeedQuery())
    ''
    """
    values: dict[str, Sequence[str]] = {
        "abstracts": () if query.abstracts else ("0",),
        "alarm": () if query.alarm is None else (str(query.alarm),),
        "author": (query.author,) if query.author else (),
        "compact": ("1",) if query.compact else (),
        "speakers": ("1",) if query.speakers else (),
        "day": (query.day.isoformat(),) if query.day else (),
        "download": ("1",) if query.download else (),
        "q": (query.q,) if query.q else (),
        "room": (query.room,) if query.room else (),
        "session": query.sessions,
        "type": query.types,
        "view": (query.view,) if query.view else (),
    }
    return urlencode([(name, value) for name in PARAMETERS for value in values[name]])
