"""A zone's changes of UTC offset, read from the zoneinfo data to the exact second.

:func:`_find_transitions` probes the zone's offset once a day over the years asked
for and bisects every change to the second (zoneinfo transitions fall on whole
seconds); :func:`_transitions` caches that scan per zone and span. :func:`_changes`
and the public :func:`zone_changes` leave out changes of abbreviation alone (Amman's
EEST becoming "+03"): they move no instant.

:func:`_in_excursion` tells the short excursions from a zone's usual offset
(Morocco's Ramadan breaks, under :data:`EXCURSION`), whose times are written in UTC.

Pure: no I/O, no clock; results depend only on the installed zoneinfo data.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["EXCURSION", "zone_changes"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY = 86_400


# A zone's state at an instant: its UTC offset and its abbreviation.
_State = tuple[timedelta, str]


@dataclass(frozen=True, order=True)
class _Transition:
    """One change of offset or abbreviation, at an exact second."""

    utc: datetime  # naive UTC instant of the change
    offset_from: timedelta
    offset_to: timedelta
    name_to: str

    @property
    def local(self) -> datetime:
        """The naive wall-clock onset, in TZOFFSETFROM as RFC 5545 requires."""
        return self.utc + self.offset_from

    def __str__(self) -> str:
        return (
            f"{self.utc.isoformat()}Z {_hours(self.offset_from)} -> "
            f"{_hours(self.offset_to)} {self.name_to}"
        )


def _hours(offset: timedelta) -> str:
    """Return an offset as [+-]HH:MM[:SS].

    >>> _hours(timedelta(hours=-3, minutes=-30)), _hours(timedelta(hours=5, minutes=45))
    ('-03:30', '+05:45')
    """
    sign = "-" if offset < timedelta(0) else "+"
    minutes, seconds = divmod(int(abs(offset).total_seconds()), 60)
    text = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{text}:{seconds:02d}" if seconds else text


def _seconds(utc: datetime) -> int:
    """Return the POSIX timestamp of a naive UTC datetime.

    >>> _seconds(datetime(1970, 1, 2))
    86400
    """
    return (utc - datetime(1970, 1, 1)) // timedelta(seconds=1)


def _state(zone: ZoneInfo, seconds: int) -> _State:
    """Return the zone's offset and abbreviation at a POSIX timestamp."""
    moment = (_EPOCH + timedelta(seconds=seconds)).astimezone(zone)
    return moment.utcoffset(), moment.tzname() or ""  # type: ignore[return-value]


def _find_transitions(zone: ZoneInfo, first: int, last: int) -> list[_Transition]:
    """Return the zone's transitions whose local onset falls in years first..last.

    Scans one probe a day and bisects each change to the second (zoneinfo
    transitions fall on whole seconds).  A change that is undone within the same
    day would be missed; tzdata has none in modern times.
    """
    # offsets are less than a day: two days either side cover every onset
    start = _seconds(datetime(first, 1, 1)) - 2 * _DAY
    end = _seconds(datetime(last + 1, 1, 1)) + 2 * _DAY
    found: list[_Transition] = []
    before, state = start, _state(zone, start)
    while before < end:
        after = before + _DAY
        while (new := _state(zone, after)) != state:
            low, high = before, after  # state(low) == state != state(high)
            while high - low > 1:
                middle = (low + high) // 2
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            new = _state(zone, high)
            utc = (_EPOCH + timedelta(seconds=high)).replace(tzinfo=None)
            found.append(_Transition(utc, state[0], new[0], new[1]))
            before, state = high, new
        before = after
    return [t for t in found if first <= t.local.year <= last]


def _changes(zone: ZoneInfo, first: int, last: int) -> list[_Transition]:
    """The zone's changes of UTC offset whose local onset is in years first..last.

    Changes of abbreviation alone are left out: they move no instant.
    """
    return [t for t in _transitions(zone.key, first, last) if t.offset_from != t.offset_to]


def zone_changes(tzid: str, year: int) -> list[_Transition]:
    """The zone's changes of UTC offset whose local onset is in ``year`` (``.utc``, ``.local`` naive).

    >>> [str(t) for t in zone_changes("Europe/Berlin", 2022)]
    ['2022-03-27T01:00:00Z +01:00 -> +02:00 CEST', '2022-10-30T01:00:00Z +02:00 -> +01:00 CET']
    """
    return _changes(ZoneInfo(tzid), year, year)


@functools.lru_cache(maxsize=8192)
def _transitions(tzid: str, first: int, last: int) -> tuple[_Transition, ...]:
    return tuple(_find_transitions(ZoneInfo(tzid), first, last))


#: An offset that holds for less than this between two changes back is an excursion.
EXCURSION = timedelta(days=60)


def _in_excursion(tzid: str, utc: datetime) -> bool:
    """Whether a naive UTC instant falls in a short excursion from the zone's usual offset.

    Morocco leaves +01 for about a month each Ramadan, on dates set by announcement.
    The VTIMEZONE states those weeks correctly, but node-ical reads the TZID by name
    through its own Temporal polyfill, which misplaces several of them (2019-2021, 2030):
    such times are written in UTC, which no reader's zone data can change.

    >>> _in_excursion("Africa/Casablanca", datetime(2019, 5, 15, 9)), _in_excursion("Africa/Casablanca", datetime(2019, 7, 1))
    (True, False)
    """
    return any(since <= utc < until for since, until in _excursions(tzid, utc.year))


@functools.lru_cache(maxsize=4096)
def _excursions(tzid: str, year: int) -> tuple[tuple[datetime, datetime], ...]:
    """The (start, end) naive UTC instants of the zone's short excursions around ``year``."""
    zone = ZoneInfo(tzid)
    changes = [t for y in (year - 1, year, year + 1) for t in _changes(zone, y, y)]
    return tuple(
        (left.utc, right.utc)
        for left, right in zip(changes, changes[1:])
        if right.utc - left.utc < EXCURSION and left.offset_from == right.offset_to
    )
