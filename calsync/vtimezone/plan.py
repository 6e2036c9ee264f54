"""The VTIMEZONE chosen for one zone of a feed (:class:`ZonePlan`), and which times it states exactly.

:func:`zone_plan` picks the classic form verified for the feed's event years, else the
longest (latest) run of those years that has one, else one fixed STANDARD.
:meth:`ZonePlan.exact` reads the chosen form back (:func:`_model`, by RFC 5545 and
Outlook's rules, which agree on it) and tells, for each event time, whether its wall
time maps to zoneinfo's instant, once; :mod:`calsync.ical` writes the other times in
UTC. :func:`build_vtimezone` is the VTIMEZONE of a span of years, and logs (debug)
why it is not the classic form of all of them when it is not.

Results are cached (``functools.lru_cache``) and deterministic: the same inputs give
byte-identical ``to_ical()`` output.
"""

from __future__ import annotations

import calendar
import functools
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar.cal import Timezone

from .classic import _WEEKDAYS, _classic_component, _classic_for, _fixed, _Observance
from .transitions import _in_excursion

__all__ = ["MAX_YEAR", "MIN_YEAR", "ZonePlan", "build_vtimezone", "zone_plan"]

log = logging.getLogger(__name__)

#: Smallest ``first_year`` and largest ``last_year`` accepted.
MIN_YEAR = 1900
MAX_YEAR = 9000


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



@functools.lru_cache(maxsize=512)
def _serialized(plan: ZonePlan) -> bytes:
    return bytes(plan.component().to_ical())


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
