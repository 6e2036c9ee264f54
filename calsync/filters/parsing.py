"""Feed queries from outside: a URL's query arguments, and a custom feed's stored filter dict.

:func:`parse_feed_query` reads ``{name: [values]}`` (or a ``MultiDict``);
:func:`filter_dict` / :func:`query_from_filter_dict` are the stored form of a filter and
its way back. Every problem raises :class:`~calsync.errors.InvalidQuery` naming the
parameter (or key).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from ..errors import InvalidQuery
from .query import FeedQuery
from .values import (
    FILTER_KEYS,
    MAX_VALUE_LENGTH,
    MAX_VALUES,
    PARAMETERS,
    REPEATABLE_PARAMETERS,
    _clean_one,
    _parse_alarm,
    _parse_bool,
    _parse_day,
    _show,
)


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
