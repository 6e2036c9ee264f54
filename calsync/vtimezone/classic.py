"""The classic form of a VTIMEZONE: one STANDARD and one DAYLIGHT with yearly RRULEs, verified.

:func:`_classic` turns a zone's changes over a span of years into two observances, each
with a month, a weekday, an ordinal (1..4, or -1 for "last") and a wall-clock time, and
checks that expanding their RRULEs reproduces every change of those years exactly and
nothing more (:func:`_verify`); a zone without changes gets one STANDARD. A verified
observance's DTSTART is moved back to its first onset in 1970 (:func:`_from_1970`).
:func:`_classic_for` caches that per zone and span; :func:`_fixed` is the one STANDARD
for a year no classic form fits. :func:`_classic_component` serializes observances as
an icalendar VTIMEZONE (TZID, X-LIC-LOCATION, then STANDARD before DAYLIGHT).

Of the two offsets of a DST zone the larger one is DAYLIGHT, whatever zoneinfo's
``dst()`` says (Europe/Dublin's negative DST in winter).
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dateutil.rrule
from icalendar.cal import Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vRecur

from .transitions import _changes, _seconds, _State, _state, _Transition

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NO_DST_DTSTART = datetime(1970, 1, 1)


# --------------------------------------------------------------------------
# Small pure helpers


def _weekday_position(day: date) -> tuple[int, bool]:
    """Return which occurrence of its weekday ``day`` is in its month.

    The result is ``(ordinal, is_last)``: ordinal 1..5 counts from the start of
    the month, ``is_last`` tells whether no later day of the month has the same
    weekday.

    >>> _weekday_position(date(2022, 3, 13))   # 2nd Sunday of March
    (2, False)
    >>> _weekday_position(date(2022, 10, 30))  # 5th and last Sunday
    (5, True)
    >>> _weekday_position(date(2022, 3, 27))   # 4th Sunday, also the last
    (4, True)
    """
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1, day.day + 7 > days_in_month


def _choose_ordinal(days: list[date]) -> int | None:
    """Return the BYDAY ordinal (1..4, or -1 for last) that fits all ``days``.

    The days are assumed to share month and weekday.  A fixed ordinal is used
    when every day has the same one, except that a 4th weekday that is also
    the last one every time becomes -1 (tzdata's ``lastSun`` rules are far
    more common than ``Sun>=22``, and both describe the span).  ``None`` means
    no single ordinal fits.

    >>> _choose_ordinal([date(2021, 3, 14), date(2022, 3, 13)])  # US: 2nd Sunday
    2
    >>> _choose_ordinal([date(2021, 10, 31), date(2022, 10, 30)])  # EU: last
    -1
    >>> _choose_ordinal([date(2021, 3, 28), date(2022, 3, 27), date(2023, 3, 26)])
    -1
    >>> _choose_ordinal([date(2023, 3, 24), date(2024, 3, 29)]) is None  # 4th, then 5th
    True
    """
    positions = [_weekday_position(day) for day in days]
    ordinals = {ordinal for ordinal, _ in positions}
    all_last = all(is_last for _, is_last in positions)
    if len(ordinals) == 1:
        (ordinal,) = ordinals
        if ordinal <= 3 or (ordinal == 4 and not all_last):
            return ordinal
    return -1 if all_last else None


def _byday(ordinal: int, weekday: int) -> str:
    """Return the RRULE BYDAY value for an ordinal and a Python weekday (0 = Monday).

    >>> _byday(2, 6)
    '2SU'
    >>> _byday(-1, 4)
    '-1FR'
    """
    return f"{ordinal}{_WEEKDAYS[weekday]}"


# --------------------------------------------------------------------------
# The classic form


@dataclass(frozen=True)
class _Observance:
    """One STANDARD or DAYLIGHT sub-component of the classic form."""

    daylight: bool
    dtstart: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    month: int | None = None  # None: no RRULE
    byday: str | None = None

    def rrule(self) -> vRecur | None:
        """Return the yearly RRULE, or None for a single observance."""
        if self.month is None:
            return None
        return vRecur({"FREQ": "YEARLY", "BYMONTH": [self.month], "BYDAY": [self.byday]})

    def expand(self, until: datetime) -> list[datetime]:
        """Return the local onsets of this observance up to ``until``."""
        if self.month is None or self.byday is None:
            return [self.dtstart] if self.dtstart <= until else []
        ordinal, weekday = int(self.byday[:-2]), _WEEKDAYS.index(self.byday[-2:])
        rule = dateutil.rrule.rrule(
            dateutil.rrule.YEARLY,
            dtstart=self.dtstart,
            bymonth=self.month,
            byweekday=dateutil.rrule.weekday(weekday, ordinal),
            until=until,
        )
        return list(rule)


def _group_rule(group: list[_Transition], first: int, last: int) -> tuple[int, str] | str:
    """Return ``(month, byday)`` for one group of transitions, or why none fits."""
    if [t.local.year for t in group] != list(range(first, last + 1)):
        return "not exactly one transition a year"
    if len({(t.offset_from, t.offset_to, t.name_to) for t in group}) != 1:
        return "offsets or names differ between years"
    if len({(t.local.month, t.local.weekday(), t.local.time()) for t in group}) != 1:
        return "month, weekday or time of day differs between years"
    ordinal = _choose_ordinal([t.local.date() for t in group])
    if ordinal is None:
        return "no single weekday ordinal fits"
    return group[0].local.month, _byday(ordinal, group[0].local.weekday())


def _classic(
    zone: ZoneInfo, transitions: list[_Transition], first: int, last: int
) -> tuple[_Observance, ...] | str:
    """Return the classic observances for the zone's transitions, or why none fit."""
    if not transitions:
        offset, name = _state(zone, _seconds(datetime(first, 7, 1)))
        dtstart = min(_NO_DST_DTSTART, datetime(first, 1, 1))
        return (_Observance(False, dtstart, offset, offset, name),)
    offsets = {t.offset_to for t in transitions} | {t.offset_from for t in transitions}
    if len(offsets) != 2 or len({(t.offset_to, t.name_to) for t in transitions}) != 2:
        return f"{len(transitions)} transitions do not alternate between two states"
    daylight_offset = max(offsets)
    observances = []
    for daylight in (False, True):
        group = [t for t in transitions if (t.offset_to == daylight_offset) == daylight]
        rule = _group_rule(group, first, last)
        if isinstance(rule, str):
            return f"{'DAYLIGHT' if daylight else 'STANDARD'}: {rule}"
        onset = group[0]
        observances.append(
            _Observance(
                daylight, onset.local, onset.offset_from, onset.offset_to, onset.name_to, *rule
            )
        )
    result = tuple(observances)
    problem = _verify(_implied_transitions(result, last), transitions)
    return problem or tuple(_from_1970(o) for o in result)


def _from_1970(observance: _Observance) -> _Observance:
    """Move a verified yearly observance's DTSTART back to its first onset in 1970.

    The rule was verified over the span only; starting it in 1970 (the classic
    form Outlook writes and reads) changes nothing inside the span, and keeps
    readers that cache one VTIMEZONE per TZID for a whole process (vobject, as
    in Radicale) from applying a span-limited definition to other years as
    "before the first onset".
    """
    if observance.month is None or observance.byday is None or observance.dtstart.year <= 1970:
        return observance
    ordinal, weekday = int(observance.byday[:-2]), _WEEKDAYS.index(observance.byday[-2:])
    onset = dateutil.rrule.rrule(
        dateutil.rrule.YEARLY,
        dtstart=datetime.combine(date(1970, 1, 1), observance.dtstart.time()),
        bymonth=observance.month,
        byweekday=dateutil.rrule.weekday(weekday, ordinal),
        count=1,
    )[0]
    return replace(observance, dtstart=onset)


def _implied_transitions(
    observances: tuple[_Observance, ...], last: int
) -> list[_Transition]:
    """Expand observances into the transitions they claim up to the end of ``last``."""
    until = datetime(last, 12, 31, 23, 59, 59)
    return sorted(
        _Transition(onset - o.offset_from, o.offset_from, o.offset_to, o.name)
        for o in observances
        for onset in o.expand(until)
    )


def _verify(claimed: list[_Transition], actual: list[_Transition]) -> str:
    """Return "" when the claimed transitions are exactly zoneinfo's, else the first difference."""
    if claimed == actual:
        return ""
    for mine, real in zip(claimed, actual):
        if mine != real:
            return f"VTIMEZONE says {mine}, zoneinfo {real}"
    return f"VTIMEZONE has {len(claimed)} transitions, zoneinfo {len(actual)}"


def _classic_component(tzid: str, observances: tuple[_Observance, ...]) -> Timezone:
    """Serialize classic observances as an icalendar VTIMEZONE."""
    vtimezone = Timezone()
    vtimezone.add("TZID", tzid)
    vtimezone.add("X-LIC-LOCATION", tzid)
    for o in sorted(observances, key=lambda o: o.daylight):
        sub = TimezoneDaylight() if o.daylight else TimezoneStandard()
        sub.DTSTART = o.dtstart
        sub.TZOFFSETFROM = o.offset_from
        sub.TZOFFSETTO = o.offset_to
        rrule = o.rrule()
        if rrule is not None:
            sub.add("RRULE", rrule)
        sub.add("TZNAME", o.name)
        vtimezone.add_component(sub)
    return vtimezone


@functools.lru_cache(maxsize=4096)
def _classic_for(tzid: str, first: int, last: int) -> tuple[_Observance, ...] | str:
    """The classic observances exact for the years first..last, or why there are none."""
    zone = ZoneInfo(tzid)
    return _classic(zone, _changes(zone, first, last), first, last)


def _fixed(tzid: str, year: int) -> tuple[_Observance, ...]:
    """One STANDARD at the offset the zone keeps longest in ``year`` (no classic form fits it)."""
    zone = ZoneInfo(tzid)
    start, end = _seconds(datetime(year, 1, 1)), _seconds(datetime(year + 1, 1, 1))
    bounds = [start, *(_seconds(t.utc) for t in _changes(zone, year, year)), end]
    held: dict[_State, int] = {}
    for low, high in zip(bounds, bounds[1:]):
        state = _state(zone, low)
        held[state] = held.get(state, 0) + high - low
    (offset, name), _ = max(held.items(), key=lambda item: item[1])
    return (_Observance(False, _NO_DST_DTSTART, offset, offset, name),)
