"""Parameter values of feed queries: the parameters, their limits, and cleaning and parsing one value.

Every problem raises :class:`~calsync.errors.InvalidQuery` with a message naming the
parameter (:func:`_show` quotes and cuts the offending value). Text is cleaned to NFC with
whitespace collapsed (:func:`_clean`); empty means "not set".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from ..errors import InvalidQuery
from ..model import normalize_title

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
