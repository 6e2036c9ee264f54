"""What a custom feed contains (:class:`FeedSpec`) and the one rule that turns a JSON body into it.

Pure: no Flask, no store, no I/O. The web layer reads the request body and calls
:func:`feed_spec_from_json` with the configured limit; the store keeps and hands out
:class:`FeedSpec` values as they are. Which conference a spec's ids belong to needs the
data, so it is decided later (:meth:`calsync.service.FeedService.resolve_conference`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ApiError, InvalidQuery
from .filters import VIEWS, FeedQuery, filter_dict, query_from_filter_dict
from .ical import clean_text

__all__ = [
    "FIELDS", "MAX_ID_CHARS", "MAX_NAME_CHARS", "FeedSpec", "feed_spec_from_json", "name_problem", "text_problem",
]

#: The fields a feed's JSON body may have (``talks``/``sessions`` are aliases of the ``*_ids``).
FIELDS: frozenset[str] = frozenset(
    {"name", "conference", "talk_ids", "session_ids", "talks", "sessions", "filter", "alarm", "view"}
)
#: Longest feed name, in characters.
MAX_NAME_CHARS = 200
#: Longest talk or session id, in characters.
MAX_ID_CHARS = 100


@dataclass(frozen=True)
class FeedSpec:
    """What a custom feed contains: talks, whole sessions, and/or a filter of one conference."""

    name: str
    conference: str | None = None
    talk_ids: tuple[str, ...] = ()
    session_ids: tuple[str, ...] = ()
    filter: dict[str, Any] | None = None
    alarm: int | None = None
    view: str = "talks"


def text_problem(value: object, depth: int = 0) -> str | None:
    r"""Why a JSON value cannot be stored (lone surrogates, control characters), or ``None``.

    >>> text_problem({"name": "A\u0000B"}), text_problem(["\ud800"]), text_problem({"name": "Zoë"})
    ('control characters are not allowed in text', 'text must be valid Unicode (a lone surrogate)', None)
    """
    if depth > 20:
        return "malformed JSON: nested too deeply"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "text must be valid Unicode (a lone surrogate)"
        if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
            return "control characters are not allowed in text"
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if (problem := text_problem(key, depth + 1) if isinstance(key, str) else None) or (
            problem := text_problem(item, depth + 1)
        ):
            return problem
    return None


def name_problem(name: str) -> str | None:
    r"""Why a feed's name cannot be its calendar's name, or ``None``.

    The name becomes NAME and X-WR-CALNAME: one line of text, so beyond what every JSON
    text may not hold (:func:`text_problem`) it may hold no tab, line or paragraph
    separator and no bidirectional override (which would reorder what people read).

    >>> [name_problem(n) is None for n in ("My ICIL", "a" + chr(0x202E) + "b", "a" + chr(9) + "b", "a" + chr(0x2028) + "b")]
    [True, False, False, False]
    """
    if clean_text(name) != name or any(c in name for c in "\t\n\u2028\u2029"):
        return "must not contain control characters or bidirectional overrides"
    return None


def feed_spec_from_json(body: object, *, max_items: int) -> FeedSpec:
    """Validate a feed's JSON body (already decoded) into a :class:`FeedSpec`; :class:`ApiError` if not.

    ``max_items`` is the most talk + session ids a feed may list (``limits.max_feed_items``).
    Ids are kept in order without repeats; a filter is stored in its canonical form.

    >>> feed_spec_from_json({"name": " Mine ", "talks": ["t1", "t2", "t1"], "view": "both"}, max_items=10)
    FeedSpec(name='Mine', conference=None, talk_ids=('t1', 't2'), session_ids=(), filter=None, alarm=None, view='both')
    >>> feed_spec_from_json({"name": "Mine", "talk_ids": ["t1", "t2"]}, max_items=1)
    Traceback (most recent call last):
    ...
    calsync.errors.ApiError: too many ids: a feed holds at most 1 talks and sessions
    """
    if not isinstance(body, dict):
        raise ApiError("malformed JSON: expected an object")
    if (problem := text_problem(body)) is not None:
        raise ApiError(problem)
    unknown = set(body) - FIELDS
    if unknown:
        raise ApiError(f"unknown field(s): {', '.join(sorted(unknown))}")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_CHARS:
        raise ApiError(f"'name' must be a non-empty string of at most {MAX_NAME_CHARS} characters")
    if (problem := name_problem(name)) is not None:
        raise ApiError(f"'name' {problem}")

    def ids(*keys: str) -> tuple[str, ...]:
        values: list[Any] = []
        for key in keys:
            got = body.get(key, [])
            if not isinstance(got, list) or not all(isinstance(v, str) and 0 < len(v) <= MAX_ID_CHARS for v in got):
                raise ApiError(f"'{key}' must be a list of id strings")
            values.extend(got)
        return tuple(dict.fromkeys(values))

    talk_ids, session_ids = ids("talk_ids", "talks"), ids("session_ids", "sessions")
    if len(talk_ids) + len(session_ids) > max_items:
        raise ApiError(f"too many ids: a feed holds at most {max_items} talks and sessions")
    filt = body.get("filter")
    if filt is not None:
        filt = filter_dict(query_from_filter_dict(filt)) or None
    if not (talk_ids or session_ids or filt):
        raise ApiError("give talk_ids, session_ids or a filter")
    alarm = body.get("alarm")
    if alarm is not None:
        try:
            FeedQuery(alarm=alarm)  # the same rule as ?alarm= on feeds
        except InvalidQuery:
            raise ApiError("'alarm' must be a whole number of minutes (0..10080)") from None
    view = body.get("view", "talks")
    if view not in VIEWS:
        raise ApiError("'view' must be talks, sessions or both")
    conference = body.get("conference")
    if conference is not None and not isinstance(conference, str):
        raise ApiError("'conference' must be a slug string")
    return FeedSpec(name=name.strip(), conference=conference, talk_ids=talk_ids, session_ids=session_ids,
                    filter=filt, alarm=alarm, view=view)
