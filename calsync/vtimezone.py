"""Build VTIMEZONE components in the "classic" form that Outlook reads correctly.

Outlook misreads VTIMEZONEs made of one-off observances or RDATE lists (the
form :meth:`icalendar.Timezone.from_tzinfo` and ``add_missing_timezones()``
emit).  It reads the classic form: one STANDARD and one DAYLIGHT sub-component,
each with a yearly RRULE such as ``FREQ=YEARLY;BYDAY=2SU;BYMONTH=3``.

:func:`build_vtimezone` derives that form from the zoneinfo data itself (there
is no hand-kept table of rules): it scans the zone's UTC offset day by day over
the span, bisects every change to the exact second, turns each group of
transitions (to daylight time, to standard time) into a month, a weekday, an
ordinal (1..4, or -1 for "last") and a local wall-clock time, and then checks
that expanding the resulting RRULEs reproduces every transition of the span
exactly, and nothing more.  When the zone's rules are not stable inside the
span (the US change of 2007, Moscow's permanent switch of 2011, Iran's
fixed-date rules, Morocco's Ramadan breaks, ...) it falls back to the RDATE
form of icalendar's own ``Timezone.from_tzinfo``, checked the same way:

* icalendar 7.3 writes the onset of a forward (spring) change in the new
  offset's wall time, an hour late by RFC 5545; those onsets are corrected
  from the exact transitions (:func:`_from_tzinfo`);
* its search also jumps over short excursions (Morocco's Ramadan breaks in
  some years); when its output still does not match zoneinfo, the same RDATE
  form is written straight from the exact transitions (:func:`_rdate_form`).

Either way a debug log line says why the classic form was not used.

The module is pure: no I/O, no clock, and the same inputs give byte-identical
``to_ical()`` output.

Choices worth knowing:

* ``X-LIC-LOCATION:<tzid>`` is added to every VTIMEZONE, after TZID, as
  Evolution/libical, Thunderbird and Google Calendar do; other clients ignore
  it.
* Of the two offsets of a DST zone the larger one is DAYLIGHT, whatever
  zoneinfo's ``dst()`` says (Europe/Dublin's tzdata uses negative DST in winter;
  clients expect IST in DAYLIGHT).
* Sub-components come in the order STANDARD, DAYLIGHT.  icalendar's
  ``to_ical()`` sorts properties (TZID first, then alphabetically; RRULE parts
  in RFC 5545 order, so ``FREQ=YEARLY;BYDAY=2SU;BYMONTH=3``); the insertion
  order (DTSTART, TZOFFSETFROM, TZOFFSETTO, RRULE, TZNAME) only shows with
  ``to_ical(sorted=False)``.  Both are deterministic.
* Only the span ``first_year - 1 .. last_year + 1`` is verified: the classic
  form is exact there.  Its DTSTARTs are then moved back to the rule's first
  onsets in 1970, the classic form Outlook writes (``DTSTART:19700308T020000``
  with ``BYMONTH=3;BYDAY=2SU``): inside the span nothing changes, and readers
  that cache one VTIMEZONE per TZID for a whole process (vobject in Radicale)
  do not apply a span-limited definition to other calendars' years.  Before
  the span the rule may not match history (the US rules of 2007, say); no event
  of the feed lies there.  A zone without transitions in the span gets one
  STANDARD observance starting 1970-01-01.  The fallback RDATE forms start
  at the first onsets in ``first_year - 1``: before them RFC 5545 leaves the
  offset undefined and readers differ, which is what the margin year is for.
"""

from __future__ import annotations

import calendar
import copy
import functools
import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import dateutil.rrule
from icalendar.cal import Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vRecur

__all__ = ["MAX_YEAR", "MIN_YEAR", "build_vtimezone"]

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
        if self.month is None:
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
    if observance.month is None or observance.dtstart.year <= 1970:
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
# The fallback


def _from_tzinfo(
    tzid: str, zone: ZoneInfo, transitions: list[_Transition], first: int, last: int
) -> tuple[Timezone, str]:
    """Return icalendar's RDATE form for the span, with exact onsets.

    icalendar 7.3's ``Timezone.from_tzinfo`` writes the onset of a transition
    that moves the clock forward as the wall-clock time *after* it (03:00 for
    the US spring change); RFC 5545 wants the time in TZOFFSETFROM (02:00), so
    such a VTIMEZONE changes offset an hour late.  Each onset is therefore moved
    to the exact transition zoneinfo has (whichever of the two readings matches
    one), and the result is checked like the classic form.  The second value
    is "" if that check passed, else what differs (from_tzinfo also skips short
    excursions, such as Morocco's Ramadan breaks in some years).
    """
    vtimezone = Timezone.from_tzinfo(
        zone, tzid=tzid, first_date=date(first, 1, 1), last_date=date(last, 12, 31)
    )
    vtimezone.add("X-LIC-LOCATION", tzid)
    exact = {(t.utc, t.offset_from, t.offset_to): t.local for t in transitions}

    def onset(local: datetime, offset_from: timedelta, offset_to: timedelta) -> datetime:
        for offset in (offset_from, offset_to):
            found = exact.get((local - offset, offset_from, offset_to))
            if found is not None:
                return found
        return local

    for sub in vtimezone.subcomponents:
        offset_from, offset_to = sub.TZOFFSETFROM, sub.TZOFFSETTO
        onsets = [onset(sub.DTSTART, offset_from, offset_to)]
        onsets += [onset(dt, offset_from, offset_to) for dt, _ in sub.rdates]
        sub.DTSTART = onsets[0]
        if "RDATE" in sub:
            del sub["RDATE"]
            sub.add("RDATE", onsets[1:])
    return vtimezone, _verify(_rdate_claims(vtimezone), transitions)


def _rdate_claims(vtimezone: Timezone) -> list[_Transition]:
    """Return the transitions a VTIMEZONE of DTSTART and RDATE onsets claims.

    The initial observance (the earliest, TZOFFSETFROM = TZOFFSETTO, no RDATE)
    only states what holds at the start of the span and is left out; later
    observances with equal offsets are changes of abbreviation and count.
    """
    claimed = []
    subs = sorted(vtimezone.subcomponents, key=lambda sub: sub.DTSTART)
    for index, sub in enumerate(subs):
        offset_from, offset_to = sub.TZOFFSETFROM, sub.TZOFFSETTO
        if index == 0 and offset_from == offset_to and "RDATE" not in sub:
            continue
        name = str(sub.get("TZNAME", ""))
        onsets = [sub.DTSTART] + [dt for dt, _ in sub.rdates]
        claimed += [_Transition(o - offset_from, offset_from, offset_to, name) for o in onsets]
    return sorted(claimed)


def _rdate_form(
    tzid: str, zone: ZoneInfo, transitions: list[_Transition], first: int, last: int
) -> Timezone:
    """Return the RDATE form written straight from the exact transitions.

    Same shape as icalendar's ``from_tzinfo``: an initial observance on January 1
    of ``first`` (TZOFFSETFROM = TZOFFSETTO), then one STANDARD or DAYLIGHT
    (after zoneinfo's ``dst()``) per kind of transition, DTSTART its first onset
    and RDATE the others, all in TZOFFSETFROM.
    """

    def daylight(utc: datetime) -> bool:
        return bool(utc.replace(tzinfo=UTC).astimezone(zone).dst())

    before = transitions[0].utc - timedelta(seconds=1) if transitions else datetime(first, 7, 1)
    offset, name = _state(zone, _seconds(before))
    # the last item of a key only keeps the initial observance apart
    groups: dict[tuple[timedelta, timedelta, str, bool, bool], list[datetime]] = {
        (offset, offset, name, daylight(before), True): [datetime(first, 1, 1)]
    }
    for t in transitions:
        key = (t.offset_from, t.offset_to, t.name_to, daylight(t.utc), False)
        groups.setdefault(key, []).append(t.local)
    vtimezone = Timezone()
    vtimezone.add("TZID", tzid)
    span = f"{date(first, 1, 1)} to {date(last, 12, 31)}"
    vtimezone.add("COMMENT", f"This timezone only works from {span}.")  # as icalendar
    vtimezone.add("X-LIC-LOCATION", tzid)
    for (offset_from, offset_to, name, is_daylight, _), onsets in groups.items():
        sub = TimezoneDaylight() if is_daylight else TimezoneStandard()
        sub.DTSTART = onsets[0]
        sub.TZOFFSETFROM = offset_from
        sub.TZOFFSETTO = offset_to
        if onsets[1:]:
            sub.add("RDATE", onsets[1:])
        sub.add("TZNAME", name)
        vtimezone.add_component(sub)
    return vtimezone


# --------------------------------------------------------------------------
# Public API


@functools.lru_cache(maxsize=256)
def _build(tzid: str, first: int, last: int) -> tuple[Timezone, str]:
    """Build (and cache) the VTIMEZONE for a zone and margin years; never hand it out.

    The second value is "" for the classic form, else why it was not used.
    """
    zone = ZoneInfo(tzid)
    transitions = _find_transitions(zone, first, last)
    classic = _classic(zone, transitions, first, last)
    if not isinstance(classic, str):
        return _classic_component(tzid, classic), ""
    vtimezone, problem = _from_tzinfo(tzid, zone, transitions, first, last)
    if not problem:
        return vtimezone, f"{classic}; using icalendar's from_tzinfo form"
    vtimezone = _rdate_form(tzid, zone, transitions, first, last)
    still = _verify(_rdate_claims(vtimezone), transitions)
    if still:  # not expected: the form is written from these very transitions
        log.warning("VTIMEZONE for %s %d..%d is not exact: %s", tzid, first, last, still)
    return vtimezone, (
        f"{classic}; icalendar's from_tzinfo is not exact ({problem});"
        " using the RDATE form of the zoneinfo transitions"
    )


def build_vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """Return a VTIMEZONE for ``tzid`` valid for the years ``first_year - 1 .. last_year + 1``.

    The classic form (one STANDARD and one DAYLIGHT, each with a yearly RRULE;
    or a single STANDARD without RRULE for a zone without transitions in the
    span) is used whenever it reproduces every zoneinfo transition of the span
    exactly; otherwise the RDATE form of icalendar's ``Timezone.from_tzinfo``
    (corrected, or rewritten from the exact transitions, see the module
    docstring), with a debug log line saying why.  Results are cached; each
    call returns a fresh copy, free to mutate.

    :param tzid: an IANA zone name such as ``"Europe/Berlin"``; it is also the
        TZID written.  Unknown names raise ``zoneinfo.ZoneInfoNotFoundError``.
    :param first_year: the first year the feed covers.
    :param last_year: the last year the feed covers.
    :raises ValueError: if the years are reversed or outside MIN_YEAR..MAX_YEAR.

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
    vtimezone, reason = _build(tzid, first_year - 1, last_year + 1)
    if reason:
        log.debug("no classic VTIMEZONE for %s %d..%d: %s", tzid, first_year, last_year, reason)
    return copy.deepcopy(vtimezone)
