"""Build VTIMEZONE components in the "classic" form every reader reads alike, and say which times they state.

Outlook keeps, of a VTIMEZONE, only the STANDARD and the DAYLIGHT with the latest
DTSTART and turns one without an RRULE into a yearly "n-th weekday" rule
(MS-OXCICAL; ``tests/outlook_rules.py``); ical.js (Thunderbird, Nextcloud) skips an
observance's DTSTART when it also has RDATEs. So this module writes only the classic
form: one STANDARD and one DAYLIGHT sub-component, each with a yearly RRULE such as
``FREQ=YEARLY;BYDAY=2SU;BYMONTH=3``, or one STANDARD for a zone without changes —
never one-off observances or RDATE lists.

:func:`zone_plan` derives that form from the zoneinfo data itself (there is no
hand-kept table of rules): it scans the zone's UTC offset day by day over the years
of the feed's events, bisects every change of offset to the exact second, turns each
group of changes (to daylight time, to standard time) into a month, a weekday, an
ordinal (1..4, or -1 for "last") and a local wall-clock time, and checks that
expanding the resulting RRULEs reproduces every change of those years exactly, and
nothing more. When the rules differ between those years (the US change of 2007,
Moscow's permanent switch of 2011, Iran's fixed-date rules), the longest run of
years that has one form is used; when no year has one (a year with a single
permanent change, or Morocco's two Ramadan breaks of 2029), one STANDARD at the
offset the zone keeps longest. :meth:`ZonePlan.exact` then tells, for each event
time, whether the written form maps its wall time to zoneinfo's instant, once;
:mod:`calsync.ical` writes the other times in UTC (repeated and skipped hours, years
of other rules, Morocco's short excursions).

The module is pure: no I/O, no clock, and the same inputs give byte-identical
``to_ical()`` output.

Choices worth knowing:

* ``X-LIC-LOCATION:<tzid>`` is added to every VTIMEZONE, after TZID, as
  Evolution/libical, Thunderbird and Google Calendar do; other clients ignore
  it.
* Of the two offsets of a DST zone the larger one is DAYLIGHT, whatever
  zoneinfo's ``dst()`` says (Europe/Dublin's tzdata uses negative DST in winter;
  clients expect IST in DAYLIGHT).
* Changes of abbreviation alone (Amman's EEST becoming "+03") are not changes: they
  move no instant.
* Sub-components come in the order STANDARD, DAYLIGHT.  icalendar's
  ``to_ical()`` sorts properties (TZID first, then alphabetically; RRULE parts
  in RFC 5545 order, so ``FREQ=YEARLY;BYDAY=2SU;BYMONTH=3``); the insertion
  order (DTSTART, TZOFFSETFROM, TZOFFSETTO, RRULE, TZNAME) only shows with
  ``to_ical(sorted=False)``.  Both are deterministic.
* Only the events' years are verified (no margin: times outside them are checked
  one by one by :meth:`ZonePlan.exact`).  DTSTARTs are moved back to the rule's
  first onsets in 1970, the classic form Outlook writes (``DTSTART:19700308T020000``
  with ``BYMONTH=3;BYDAY=2SU``): inside the years nothing changes, and readers
  that cache one VTIMEZONE per TZID for a whole process (vobject in Radicale)
  do not apply a year-limited definition to other calendars' years.  A zone
  without changes gets one STANDARD observance starting 1970-01-01.
"""

from __future__ import annotations

import calendar
import functools
import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import dateutil.rrule
from icalendar.cal import Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vRecur

__all__ = ["MAX_YEAR", "MIN_YEAR", "ZonePlan", "build_vtimezone", "zone_changes", "zone_plan"]

log = logging.getLogger(__name__)

#: Smallest ``first_year`` and largest ``last_year`` accepted.
MIN_YEAR = 1900
MAX_YEAR = 9000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY = 86_400
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
# Transitions from zoneinfo


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


# --------------------------------------------------------------------------
# Reading the form back: which local times it makes exact


def _nth_weekday(year: int, month: int, byday: str) -> date:
    """The day ``byday`` (``2SU``, ``-1FR``) names in a month.

    >>> _nth_weekday(2022, 3, "2SU"), _nth_weekday(2022, 10, "-1SU")
    (datetime.date(2022, 3, 13), datetime.date(2022, 10, 30))
    """
    ordinal, weekday = int(byday[:-2]), _WEEKDAYS.index(byday[-2:])
    if ordinal > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7 + 7 * (-ordinal - 1))


@functools.lru_cache(maxsize=4096)
def _model(observances: tuple[_Observance, ...], year: int) -> tuple[tuple[datetime, timedelta], ...]:
    """The (naive UTC instant, offset from then on) changes the observances claim in year-1..year+1.

    The first item is the offset before them, at ``datetime.min``.
    """
    changes: list[tuple[datetime, timedelta, timedelta]] = []
    for o in observances:
        for y in (year - 1, year, year + 1):
            if o.month is None or o.byday is None:
                onsets = [o.dtstart] if o.dtstart.year == y else []
            else:
                onsets = [datetime.combine(_nth_weekday(y, o.month, o.byday), o.dtstart.time())]
            changes += [(onset - o.offset_from, o.offset_from, o.offset_to) for onset in onsets]
    changes.sort()
    if not changes:  # a single observance without RRULE: its offset holds throughout
        return ((datetime.min, observances[0].offset_to),)
    return ((datetime.min, changes[0][1]), *((utc, to) for utc, _, to in changes))


def _model_instants(regimes: tuple[tuple[datetime, timedelta], ...], local: datetime) -> list[datetime]:
    """Every UTC instant the regimes of :func:`_model` let a naive local time stand for (none in a gap, two in a fold)."""
    found = []
    for index, (since, offset) in enumerate(regimes):
        until = regimes[index + 1][0] if index + 1 < len(regimes) else datetime.max
        utc = local - offset
        if since <= utc < until:
            found.append(utc)
    return found


@dataclass(frozen=True)
class ZonePlan:
    """The VTIMEZONE written for one zone of a feed, and which times it states exactly.

    ``observances`` is the classic form (STANDARD and DAYLIGHT with yearly RRULEs, or one
    STANDARD); ``years`` the event years it was verified for against zoneinfo (empty when
    no year's rules fit it and it is one fixed offset); ``reason`` why it is not the
    classic form of all the feed's years ("" when it is).
    """

    tzid: str
    observances: tuple[_Observance, ...]
    years: tuple[int, ...]
    reason: str = ""

    def component(self) -> Timezone:
        """A fresh icalendar VTIMEZONE of this plan."""
        return _classic_component(self.tzid, self.observances)

    def to_ical(self) -> bytes:
        """The serialized VTIMEZONE."""
        return _serialized(self)

    def exact(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware, in this zone) may be written as a local time with this TZID.

        True when its wall time exists once in zoneinfo (not in a gap, not in a repeated
        hour) and the VTIMEZONE — read by RFC 5545 or by Outlook's rules, which agree on
        this form — maps that wall time to the same single instant. Otherwise the event
        is written in UTC, which every reader reads alike.
        """
        true = moment.astimezone(UTC).replace(tzinfo=None)
        local = moment.replace(tzinfo=None, fold=0)
        memo = self._memo
        found = memo.get((local, true))
        if found is None:
            if len(memo) > 200_000:
                memo.clear()
            found = memo[local, true] = self._exact(local, true)
        return found

    @functools.cached_property
    def _memo(self) -> dict[tuple[datetime, datetime], bool]:
        """Answers of :meth:`exact` by (wall time, instant): feeds repeat their slots' times."""
        return {}

    @functools.cached_property
    def _years(self) -> dict[int, tuple[tuple[datetime, timedelta], ...]]:
        return {}

    def _exact(self, local: datetime, true: datetime) -> bool:
        zone = ZoneInfo(self.tzid)
        if local.replace(tzinfo=zone).utcoffset() != local.replace(tzinfo=zone, fold=1).utcoffset():
            return False  # a repeated or skipped wall time: ambiguous to readers
        if _in_excursion(self.tzid, true):
            return False
        regimes = self._years.get(local.year)
        if regimes is None:
            regimes = self._years[local.year] = _model(self.observances, local.year)
        return _model_instants(regimes, local) == [true]


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


@functools.lru_cache(maxsize=512)
def _serialized(plan: ZonePlan) -> bytes:
    return bytes(plan.component().to_ical())


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


@functools.lru_cache(maxsize=1024)
def zone_plan(tzid: str, years: tuple[int, ...]) -> ZonePlan:
    """Choose the VTIMEZONE of ``tzid`` for a feed whose events fall in ``years`` (sorted, distinct).

    The classic form verified for exactly those years (first..last) when it exists;
    otherwise the classic form of the longest run of those years that has one (the
    later run on a tie), and where no year has one (a year with a single change of
    offset, or with two Ramadan breaks), one STANDARD at the offset the zone keeps
    longest in the last year. Events the chosen form does not state exactly
    (:meth:`ZonePlan.exact`) are written in UTC by :mod:`calsync.ical`.
    Unknown names raise ``zoneinfo.ZoneInfoNotFoundError``.

    >>> plan = zone_plan("America/Mexico_City", (2022, 2023))
    >>> plan.years, [o.month for o in plan.observances]
    ((2023,), [None])
    """
    if not years:
        raise ValueError("zone_plan needs at least one year")
    if not MIN_YEAR <= years[0] <= years[-1] <= MAX_YEAR:
        raise ValueError(f"need years in {MIN_YEAR}..{MAX_YEAR}, got {years[0]}..{years[-1]}")
    ZoneInfo(tzid)  # unknown names fail here
    whole = _classic_for(tzid, years[0], years[-1])
    if not isinstance(whole, str):
        return ZonePlan(tzid, whole, tuple(range(years[0], years[-1] + 1)))
    best: tuple[int, int, int] | None = None  # (years covered, last, first)
    for i, first in enumerate(years):
        for last in years[i:]:
            covered = sum(1 for y in years if first <= y <= last)
            if best is not None and (covered, last) <= best[:2]:
                continue
            if not isinstance(_classic_for(tzid, first, last), str):
                best = (covered, last, first)
    if best is not None:
        covered, last, first = best
        observances = _classic_for(tzid, first, last)
        assert not isinstance(observances, str)
        reason = f"{whole}; classic form of {first}..{last}, other years' events in UTC"
        return ZonePlan(tzid, observances, tuple(range(first, last + 1)), reason)
    reason = f"{whole}; no year has a classic form: one fixed offset, other events in UTC"
    return ZonePlan(tzid, _fixed(tzid, years[-1]), (), reason)


def build_vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """Return the VTIMEZONE :func:`zone_plan` chooses for events in ``first_year..last_year``.

    Always the classic form (see the module docstring); a fresh copy, free to mutate.

    >>> ics = build_vtimezone("Asia/Tokyo", 2024, 2024).to_ical().decode()
    >>> print(ics.replace("\\r\\n", "\\n").strip())
    BEGIN:VTIMEZONE
    TZID:Asia/Tokyo
    X-LIC-LOCATION:Asia/Tokyo
    BEGIN:STANDARD
    DTSTART:19700101T000000
    TZNAME:JST
    TZOFFSETFROM:+0900
    TZOFFSETTO:+0900
    END:STANDARD
    END:VTIMEZONE
    """
    if not MIN_YEAR <= first_year <= last_year <= MAX_YEAR:
        raise ValueError(
            f"need {MIN_YEAR} <= first_year <= last_year <= {MAX_YEAR},"
            f" got {first_year}..{last_year}"
        )
    plan = zone_plan(tzid, tuple(range(first_year, last_year + 1)))
    if plan.reason:
        log.debug("VTIMEZONE for %s %d..%d: %s", tzid, first_year, last_year, plan.reason)
    return plan.component()
