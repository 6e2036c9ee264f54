"""Feed filters: a feed URL's query string → :class:`FeedQuery` → the talks and sessions it selects.

Pure: no Flask, no I/O, no clock. The web layer passes
``request.args.to_dict(flat=False)`` (or the ``MultiDict`` itself) to
:func:`parse_feed_query`; every problem with the query raises
:class:`InvalidQuery` (HTTP 400) with a message naming the parameter.

A :class:`FeedQuery` is always valid and normalized (its ``__post_init__``
checks and cleans every field), so :func:`canonical_query` can be used as a
cache key and to build feed URLs, and :func:`filter_dict` as the stored form of
a custom feed's filter.

Parameters (``type`` and ``session`` may be repeated, the others given once;
an empty value, ``?room=``, means "not set"):

========== ===========================================================================
type       talk type, case-insensitive (``?type=Oral&type=Spotlight``: either)
room       room, case-insensitive and whitespace-normalized, of the talk or its session
day        ``YYYY-MM-DD``: the talk's local date, in its session's zone
author     substring of any author's name (case- and accent-insensitive)
q          every word occurs in the title, the authors or the abstract (case- and accent-insensitive)
session    session id (``?session=a&session=b``: talks of either)
view       ``talks``, ``sessions`` or ``both`` (unset: the endpoint's default)
abstracts  ``0``/``1``/``false``/``true``: include abstracts (default true)
compact    ``0``/``1``/``false``/``true``: short descriptions, no abstract (default false)
speakers   ``0``/``1``/``false``/``true``: first authors in SUMMARY (``Title — A. Author et al.``)
alarm      minutes before each event, a whole number 0..10080
download   ``0``/``1``/``false``/``true``: serve as a download (default false)
========== ===========================================================================
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from .errors import InvalidQuery
from .ical import FeedOptions
from .model import Session, Talk, normalize_title

__all__ = [
    "FILTER_KEYS",
    "MAX_ALARM_MINUTES",
    "MAX_VALUES",
    "MAX_VALUE_LENGTH",
    "PARAMETERS",
    "REPEATABLE_PARAMETERS",
    "VIEWS",
    "FeedQuery",
    "InvalidQuery",
    "canonical_query",
    "feed_options_for",
    "filter_dict",
    "has_talk_filters",
    "parse_feed_query",
    "query_from_filter_dict",
    "searched_text",
    "select_sessions",
    "select_talks",
]

#: Values of the ``view`` parameter.
VIEWS: tuple[str, ...] = ("talks", "sessions", "both")
#: Parameters that may be given more than once.
REPEATABLE_PARAMETERS: tuple[str, ...] = ("session", "type")
#: Every parameter a feed URL may carry, sorted.
PARAMETERS: tuple[str, ...] = (
    "abstracts", "alarm", "author", "compact", "day", "download", "q", "room", "session", "speakers", "type", "view",
)
#: Keys of :func:`filter_dict` (the filter part of a query, without presentation options).
FILTER_KEYS: tuple[str, ...] = ("type", "room", "day", "author", "q", "session")
#: Longest accepted value of any parameter, in characters.
MAX_VALUE_LENGTH = 200
#: Most values a repeatable parameter may have.
MAX_VALUES = 50
#: Largest alarm: one week before the event.
MAX_ALARM_MINUTES = 10080

_TRUE = ("1", "true")
_FALSE = ("0", "false")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"[0-9]+")


# --------------------------------------------------------------------------- small helpers


def _show(value: object, limit: int = 40) -> str:
    """A value as it appears in an error message: quoted, and cut when long.

    >>> _show("tomorrow")
    "'tomorrow'"
    >>> _show("x" * 100, limit=5)
    "'xxxxx…'"
    """
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit] + "…")
    return repr(value)


def _clean(text: str) -> str:
    """Canonical form of a parameter value: NFC, whitespace collapsed and stripped.

    >>> _clean("  Ballroom\\t  A ")
    'Ballroom A'
    >>> _clean("Zoe\\u0308") == "Zoë"
    True
    >>> _clean("   ")
    ''
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


@functools.cache
def _combining_marks() -> dict[int, None]:
    """A ``str.translate`` table deleting every combining mark (about 0.2 s, once, on first use)."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}


def _strip_marks(text: str) -> str:
    """NFKD without combining marks: "é" → "e", "ﬁ" → "fi"."""
    return unicodedata.normalize("NFKD", text).translate(_combining_marks())


def _fold(text: str) -> str:
    """Search form of a text: case-, accent- and whitespace-insensitive.

    ASCII text (most titles and abstracts) only needs lower case and spaces: NFKD leaves
    it as it is and it has no combining marks. Search folds every talk's text per query,
    so this path matters (10,000 abstracts in ~0.1 s).

    >>> _fold("  Zoë   ÅSTRÖM ")
    'zoe astrom'
    >>> _fold("Straße"), _fold("José Núñez"), _fold("Deep\tNETS ")
    ('strasse', 'jose nunez', 'deep nets')
    """
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join(_strip_marks(_strip_marks(text).casefold()).split())


def _parse_bool(param: str, value: str) -> bool:
    """``0``/``1``/``false``/``true`` (any case) → bool.

    >>> _parse_bool("download", "TRUE"), _parse_bool("abstracts", "0")
    (True, False)
    >>> _parse_bool("download", "yes")
    Traceback (most recent call last):
    ...
    calsync.errors.InvalidQuery: invalid 'download' parameter: 'yes' is not a boolean; use 0, 1, false or true
    """
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise InvalidQuery(
        f"invalid {param!r} parameter: {_show(value)} is not a boolean; use 0, 1, false or true", param
    )


def _parse_alarm(value: str) -> int:
    """Minutes before an event: a whole number 0..10080.

    >>> _parse_alarm("15"), _parse_alarm(" 0 ")
    (15, 0)
    >>> _parse_alarm("1.5")
    Traceback (most recent call last):
    ...
    calsync.errors.InvalidQuery: invalid 'alarm' parameter: '1.5' is not a whole number of minutes (0 to 10080)
    """
    text = value.strip()
    if not _DIGITS.fullmatch(text):
        raise InvalidQuery(
            f"invalid 'alarm' parameter: {_show(value)} is not a whole number of minutes "
            f"(0 to {MAX_ALARM_MINUTES})",
            "alarm",
        )
    return _check_alarm(int(text))


def _check_alarm(minutes: int) -> int:
    if not 0 <= minutes <= MAX_ALARM_MINUTES:
        raise InvalidQuery(
            f"invalid 'alarm' parameter: {minutes} minutes is out of range (0 to {MAX_ALARM_MINUTES})",
            "alarm",
        )
    return minutes


def _parse_day(value: str) -> date:
    """A ``YYYY-MM-DD`` date (nothing else: no week dates, no times).

    >>> _parse_day("2022-07-21")
    datetime.date(2022, 7, 21)
    >>> _parse_day("2022-02-30")
    Traceback (most recent call last):
    ...
    calsync.errors.InvalidQuery: invalid 'day' parameter: '2022-02-30' is not a date (day is out of range for month); use YYYY-MM-DD
    """
    text = value.strip()
    if not _DAY.fullmatch(text):
        raise InvalidQuery(f"invalid 'day' parameter: {_show(value)} is not a date; use YYYY-MM-DD", "day")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidQuery(
            f"invalid 'day' parameter: {_show(value)} is not a date ({exc}); use YYYY-MM-DD", "day"
        ) from None


def _clean_one(param: str, value: object) -> str | None:
    """Validate and clean one text value; empty means not set (``None``)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidQuery(f"invalid {param!r} parameter: {_show(value)} is not text", param)
    cleaned = _clean(value)
    if len(cleaned) > MAX_VALUE_LENGTH:
        raise InvalidQuery(
            f"invalid {param!r} parameter: longer than {MAX_VALUE_LENGTH} characters", param
        )
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in cleaned):
        raise InvalidQuery(f"invalid {param!r} parameter: {_show(value)} contains control characters", param)
    return cleaned or None


def _clean_many(param: str, values: object, *, fold_case: bool) -> tuple[str, ...]:
    """Validate and clean the values of a repeatable parameter: sorted, without duplicates.

    With ``fold_case``, values differing only in case count as duplicates (the
    first in sorted order is kept).

    >>> _clean_many("type", ["Spotlight", "oral", " Oral ", ""], fold_case=True)
    ('Oral', 'Spotlight')
    """
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    if not isinstance(values, Iterable):
        raise InvalidQuery(f"invalid {param!r} parameter: {_show(values)} is not a list of text", param)
    values = list(values)
    for value in values:
        if not isinstance(value, str):
            raise InvalidQuery(f"invalid {param!r} parameter: {_show(value)} is not text", param)
    cleaned = sorted({c for v in values if (c := _clean_one(param, v)) is not None})
    if fold_case:
        seen: set[str] = set()
        kept = []
        for value in cleaned:
            if normalize_title(value) not in seen:
                seen.add(normalize_title(value))
                kept.append(value)
        cleaned = kept
    if len(cleaned) > MAX_VALUES:
        raise InvalidQuery(f"too many {param!r} values: at most {MAX_VALUES}", param)
    return tuple(cleaned)


# --------------------------------------------------------------------------- the query


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


def _multi(args: object) -> dict[str, list[object]]:
    """Query arguments as ``{name: [values]}``, from a dict (of lists or strings) or a MultiDict."""
    getlist = getattr(args, "getlist", None)
    if callable(getlist) and hasattr(args, "keys"):
        return {str(k): list(getlist(k)) for k in args}  # type: ignore[attr-defined]
    if not isinstance(args, Mapping):
        raise TypeError(f"query arguments must be a mapping, not {type(args).__name__}")
    out: dict[str, list[object]] = {}
    for name, values in args.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            values = [values]
        out[str(name)] = list(values)
    return out


def parse_feed_query(args: Mapping[str, list[str]] | object, *, ignore: Collection[str] = ()) -> FeedQuery:
    """Parse a feed URL's arguments (``{name: [values]}``, a plain string value, or a MultiDict).

    ``ignore`` names parameters the caller handles itself (they are neither
    rejected as unknown nor parsed). Raises :class:`InvalidQuery` for unknown
    parameters, a non-repeatable parameter given twice, more than
    :data:`MAX_VALUES` values, values longer than :data:`MAX_VALUE_LENGTH`, and
    any invalid value.

    >>> q = parse_feed_query({"type": ["Oral", "Spotlight"], "day": ["2022-07-21"], "room": [""]})
    >>> q.types, q.day, q.room
    (('Oral', 'Spotlight'), datetime.date(2022, 7, 21), None)
    >>> parse_feed_query({"colour": ["red"]})
    Traceback (most recent call last):
    ...
    calsync.errors.InvalidQuery: unknown parameter 'colour'; allowed parameters: abstracts, alarm, author, compact, day, download, q, room, session, speakers, type, view
    """
    raw = {k: v for k, v in _multi(args).items() if k not in ignore}
    unknown = sorted(k for k in raw if k not in PARAMETERS)
    if unknown:
        names = ", ".join(_show(k) for k in unknown)
        raise InvalidQuery(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {names}; "
            f"allowed parameters: {', '.join(PARAMETERS)}",
            unknown[0],
        )
    single: dict[str, str] = {}
    for name, values in sorted(raw.items()):
        for value in values:
            if not isinstance(value, str):
                raise InvalidQuery(f"invalid {name!r} parameter: {_show(value)} is not text", name)
            if len(value) > MAX_VALUE_LENGTH:
                raise InvalidQuery(
                    f"invalid {name!r} parameter: longer than {MAX_VALUE_LENGTH} characters", name
                )
        if name in REPEATABLE_PARAMETERS:
            if len(values) > MAX_VALUES:
                raise InvalidQuery(f"too many {name!r} values: at most {MAX_VALUES}", name)
        elif len(values) > 1:
            raise InvalidQuery(f"parameter {name!r} given {len(values)} times; give it at most once", name)
        elif values and values[0].strip():  # type: ignore[attr-defined]
            single[name] = values[0]  # type: ignore[assignment]
    return FeedQuery(
        types=tuple(raw.get("type", ())),  # type: ignore[arg-type]
        sessions=tuple(raw.get("session", ())),  # type: ignore[arg-type]
        room=single.get("room"),
        author=single.get("author"),
        q=single.get("q"),
        view=single.get("view"),
        day=_parse_day(single["day"]) if "day" in single else None,
        alarm=_parse_alarm(single["alarm"]) if "alarm" in single else None,
        abstracts=_parse_bool("abstracts", single["abstracts"]) if "abstracts" in single else True,
        download=_parse_bool("download", single["download"]) if "download" in single else False,
        compact=_parse_bool("compact", single["compact"]) if "compact" in single else False,
        speakers=_parse_bool("speakers", single["speakers"]) if "speakers" in single else False,
    )


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


# --------------------------------------------------------------------------- stored filters


def filter_dict(query: FeedQuery) -> dict[str, Any]:
    """The filter part of a query as a JSON-able dict; unset filters are left out.

    Keys: ``type`` (list), ``room``, ``day`` (ISO date), ``author``, ``q``,
    ``session`` (list). View, abstracts, alarm and download are not part of it.

    >>> from datetime import date
    >>> filter_dict(FeedQuery(types=("Oral",), day=date(2022, 7, 21), alarm=5))
    {'type': ['Oral'], 'day': '2022-07-21'}
    """
    out: dict[str, Any] = {}
    if query.types:
        out["type"] = list(query.types)
    if query.room:
        out["room"] = query.room
    if query.day:
        out["day"] = query.day.isoformat()
    if query.author:
        out["author"] = query.author
    if query.q:
        out["q"] = query.q
    if query.sessions:
        out["session"] = list(query.sessions)
    return out


def query_from_filter_dict(data: Mapping[str, Any] | object) -> FeedQuery:
    """The query of a stored filter (see :func:`filter_dict`); presentation options get defaults.

    Missing keys, ``null`` and empty values mean "not set"; ``type`` and
    ``session`` may be a list or one string. Raises :class:`InvalidQuery` for
    anything else (unknown keys, wrong types, invalid values).

    >>> query_from_filter_dict({"type": ["Oral"], "day": "2022-07-21"}).day
    datetime.date(2022, 7, 21)
    >>> query_from_filter_dict({"day": 20220721})
    Traceback (most recent call last):
    ...
    calsync.errors.InvalidQuery: invalid 'day' parameter: 20220721 is not text
    """
    if not isinstance(data, Mapping):
        raise InvalidQuery(f"a feed filter must be an object with keys {', '.join(FILTER_KEYS)}")
    unknown = sorted(str(k) for k in data if k not in FILTER_KEYS)
    if unknown:
        raise InvalidQuery(
            f"unknown filter key{'s' if len(unknown) > 1 else ''} {', '.join(_show(k) for k in unknown)}; "
            f"allowed keys: {', '.join(FILTER_KEYS)}",
            unknown[0],
        )
    for name in ("type", "session"):
        value = data.get(name)
        if value is not None and not isinstance(value, (str, list, tuple)):
            raise InvalidQuery(f"invalid {name!r} parameter: {_show(value)} is not a list of text", name)
    day = _clean_one("day", data.get("day"))
    return FeedQuery(
        types=data.get("type") or (),
        sessions=data.get("session") or (),
        room=data.get("room"),
        author=data.get("author"),
        q=data.get("q"),
        day=_parse_day(day) if day else None,
    )


# --------------------------------------------------------------------------- selecting


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


def searched_text(talk: Talk) -> str:
    """What ``q`` searches, folded: the title, the authors and the abstract (one owner: the
    programme's index folds the same text).

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> searched_text(Talk(id="t", start=datetime(2026, 7, 14, tzinfo=ZoneInfo("UTC")), end=None,
    ...                    title="Deep Nets", authors=("Zoë Ng",), abstract="On nets."))
    'deep nets zoe ng on nets.'
    """
    return _fold(f"{talk.title or ''}\n{', '.join(talk.authors)}\n{talk.abstract or ''}")


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


def feed_options_for(query: FeedQuery, base: FeedOptions, default_view: str) -> FeedOptions:
    """``base`` with the query's view, abstracts, compact, speakers and alarm.

    View ``talks``/``sessions``/``both`` sets ``talks`` and ``sessions``; an
    unset view uses ``default_view``. Abstracts are written only when both the
    query and ``base`` allow them; an unset alarm keeps ``base.alarm_minutes``.

    >>> o = feed_options_for(FeedQuery(view="both", alarm=10), FeedOptions(), "talks")
    >>> o.talks, o.sessions, o.alarm_minutes
    (True, True, 10)
    >>> feed_options_for(FeedQuery(abstracts=False), FeedOptions(), "sessions").sessions
    True
    """
    view = query.view or default_view
    if view not in VIEWS:
        raise ValueError(f"default_view must be one of {', '.join(VIEWS)}, not {view!r}")
    return replace(
        base,
        talks=view in ("talks", "both"),
        sessions=view in ("sessions", "both"),
        abstracts=base.abstracts and query.abstracts,
        compact=base.compact or query.compact,
        speakers=base.speakers or query.speakers,
        alarm_minutes=query.alarm if query.alarm is not None else base.alarm_minutes,
    )
