"""A slot's wall-clock parts → aware start and end (dates, 12-hour clocks, weekday-only days).

Every page kind turns its time lines into instants here: :func:`slot_times` takes a
parsed :class:`~calsync.parse.timeline.TimeRange`, the page's zone (decided by
:mod:`.context`) and a running ``state`` (the year, the last date seen, the dates the
page itself names) and gives the start and end. A slot that names only a weekday
("Mon 11:50 a.m. - 12:15 p.m.") is dated by :func:`weekday_date`: a date the page
gives (its event line, its ``/day/<month>/<day>`` URL), else the one conference day
with that weekday — never a guess.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..errors import ParseError
from ..model import ParseWarning
from ..zones import ZoneError, check_label, format_offset, is_real_local_time
from .timeline import TimeRange, WallTime
from .year import weekday_matches

#: How to give a page the conference's days (named in every weekday-only error).
DAYS_HINT = "set the conference's first_day and last_day (config [[conferences]]) or pass --days FIRST..LAST"


@dataclass
class _Slot:
    """A time line (number, text, parsed range) and the lines under it."""

    line: int
    text: str
    when: TimeRange
    body: list[tuple[int, str]] = field(default_factory=list)


def _clock(w: WallTime, inherit_ampm: str | None = None) -> tuple[int, int, int]:
    """(hour, minute, extra days) of a wall time; raises ValueError when impossible.

    >>> _clock(WallTime(None, None, None, None, 4, 0, "pm", None, None))
    (16, 0, 0)
    >>> _clock(WallTime(None, None, None, None, None, 0, None, "noon", None))
    (12, 0, 0)
    """
    if w.word == "noon":
        return 12, 0, 0
    if w.word == "midnight":
        return 0, 0, 0
    assert w.hour is not None
    hour, minute = w.hour, w.minute
    ampm = w.ampm or inherit_ampm
    if minute > 59:
        raise ValueError(f"minute {minute} out of range")
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} is not a 12-hour clock time")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif hour == 24 and minute == 0:
        return 0, 0, 1
    elif hour > 23:
        raise ValueError(f"hour {hour} out of range")
    return hour, minute, 0


#: An offset with minutes ("UTC+5:30", "UTC+0545"), which no Etc zone holds.
_MINUTES_OFFSET_RE = re.compile(r"^(?:UTC|GMT)\s?([+\-−])\s?(\d{1,2}):?(\d{2})$")


def _label_check(label: str | None, moment: datetime) -> None:
    """Raise :class:`ZoneError` when a time's label contradicts the zone it is read in.

    A label outside the table passes when it is the zone's own abbreviation ("CAT" in
    Africa/Kigali) or an offset with minutes equal to the zone's offset then.

    >>> from zoneinfo import ZoneInfo
    >>> _label_check("UTC+5:30", datetime(2023, 5, 2, 11, 30, tzinfo=ZoneInfo("Asia/Kolkata")))
    >>> _label_check("CAT", datetime(2023, 5, 2, 11, 30, tzinfo=ZoneInfo("Africa/Kigali")))
    """
    if label is None:
        return
    try:
        check_label(label, moment)
    except ZoneError:
        if moment.tzname() == label:  # an abbreviation outside the table but the zone's own
            return
        if (m := _MINUTES_OFFSET_RE.match(label)) is not None:
            sign = -1 if m.group(1) in "-−" else 1
            if moment.utcoffset() == sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))):
                return
        raise


def _occurrence(moment: datetime, label: str | None, line: int, warnings: list[ParseWarning]) -> datetime:
    """Pick which occurrence a wall time in a repeated hour means (``fold``), or say it was guessed.

    A label that names one of the two offsets ("1:10 PST" on the night US clocks go back)
    picks that occurrence; without one the first is taken, with a warning naming the line.
    Other wall times are returned as they are.

    >>> from zoneinfo import ZoneInfo
    >>> la = ZoneInfo("America/Los_Angeles")
    >>> _occurrence(datetime(2022, 11, 6, 1, 10, tzinfo=la), "PST", 3, []).utcoffset()
    datetime.timedelta(days=-1, seconds=57600)
    >>> said = []
    >>> _occurrence(datetime(2022, 11, 6, 1, 30, tzinfo=la), None, 3, said).fold, said[0].message
    (0, 'America/Los_Angeles has 01:30 twice on 2022-11-06 (clocks go back): read as the first, 01:30 PDT (UTC-07:00); write the zone (PDT or PST) to choose')
    """
    first, second = moment.replace(fold=0), moment.replace(fold=1)
    if first.utcoffset() == second.utcoffset() or not is_real_local_time(first):
        return moment
    if label is not None:
        for candidate in (first, second):
            try:
                _label_check(label, candidate)
            except ZoneError:
                continue
            return candidate
        return first  # neither: the label check that follows reports it
    offset = first.utcoffset()
    assert offset is not None
    warnings.append(ParseWarning(
        line,
        f"{getattr(moment.tzinfo, 'key', moment.tzinfo)} has {moment:%H:%M} twice on {moment:%Y-%m-%d} "
        f"(clocks go back): read as the first, {moment:%H:%M} {first.tzname()} "
        f"({format_offset(int(offset.total_seconds()))}); write the zone ({first.tzname()} or {second.tzname()}) to choose",
    ))
    return first


def skipped_time_warning(moment: datetime, line: int, warnings: list[ParseWarning]) -> None:
    """Warn (naming the line) when a wall time does not exist in its zone, and how it is read.

    >>> from zoneinfo import ZoneInfo
    >>> said = []
    >>> skipped_time_warning(datetime(2022, 3, 13, 2, 15, tzinfo=ZoneInfo("America/Los_Angeles")), 7, said)
    >>> said[0].line, said[0].message
    (7, '02:15 does not exist on 2022-03-13 in America/Los_Angeles (clocks go forward): read as 03:15 PDT')
    """
    if is_real_local_time(moment):
        return
    shown = moment.astimezone(UTC).astimezone(moment.tzinfo)
    warnings.append(ParseWarning(
        line,
        f"{moment:%H:%M} does not exist on {moment:%Y-%m-%d} in {getattr(moment.tzinfo, 'key', moment.tzinfo)} "
        f"(clocks go forward): read as {shown:%H:%M} {shown.tzname()}",
    ))


def wall_time_warnings(moment: datetime, line: int, warnings: list[ParseWarning]) -> datetime:
    """For a wall time without a zone label: warn when it is repeated (the first is taken) or skipped."""
    moment = _occurrence(moment, None, line, warnings)
    skipped_time_warning(moment, line, warnings)
    return moment


def _dates(days: Iterable[date]) -> str:
    return ", ".join(d.isoformat() for d in days)


def weekday_date(
    weekday: int, state: dict[str, object], options: object, err: Callable[[str], ParseError]
) -> date:
    """The date of a weekday-only slot ("Mon"): a date the page gives, else the conference day.

    The page's own dates (``state["page_days"]``: its dated event line; ``state["page_day"]``:
    its ``/day/<month>/<day>`` URL) come first; else the one day of ``options.days`` (the
    conference's first_day..last_day, or ``--days``) with that weekday. None or several:
    an error that says how to give the day.

    >>> from calsync.parse.page import PageOptions
    >>> fail = lambda msg: ParseError(msg)
    >>> days = tuple(date(2021, 12, 6) + timedelta(days=n) for n in range(9))
    >>> weekday_date(2, {}, PageOptions(days=days), fail)
    datetime.date(2021, 12, 8)
    >>> weekday_date(0, {"page_days": (date(2021, 12, 6),)}, PageOptions(days=days), fail)
    datetime.date(2021, 12, 6)
    >>> weekday_date(0, {}, PageOptions(days=days), fail)
    Traceback (most recent call last):
    ...
    calsync.errors.ParseError: <page>: the slot names only a weekday (Monday) and 2 conference days are Mondays (2021-12-06, 2021-12-13): pass --days with this page's days, e.g. --days 2021-12-06..2021-12-06
    """
    name = calendar.day_name[weekday]
    own: set[date] = set()
    page_days = state.get("page_days") or ()
    assert isinstance(page_days, tuple)
    for day in (*page_days, state.get("page_day")):
        if isinstance(day, date) and day.weekday() == weekday:
            own.add(day)
    if len(own) == 1:
        return own.pop()
    conference: tuple[date, ...] = getattr(options, "days", ()) or ()
    candidates = sorted(own or {d for d in conference if d.weekday() == weekday})
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        if conference:
            missing = f"the conference days ({conference[0]}..{conference[-1]}) have no {name}"
        else:
            missing = "no conference days are known"
        raise err(
            f"the slot names only a weekday ({name}) and no date: {missing}; {DAYS_HINT}"
            " (or import the page by its /day/<month>/<day> URL)"
        )
    first = candidates[0].isoformat()
    raise err(
        f"the slot names only a weekday ({name}) and {len(candidates)} conference days are {name}s "
        f"({_dates(candidates)}): pass --days with this page's days, e.g. --days {first}..{first}"
    )


def slot_times(
    slot: _Slot,
    zone: ZoneInfo,
    state: dict[str, object],
    options: object,
    warnings: list[ParseWarning],
) -> tuple[datetime, datetime | None]:
    """Aware start and end of a slot; ``state`` carries the running date and year.

    An end earlier than its start is on the next day ("10:30 PM – 12:15 AM"); a
    start without a.m./p.m. takes its end's when that fits ("2 - 3 PM").
    """
    source = getattr(options, "source", None)

    def err(msg: str) -> ParseError:
        return ParseError(msg, line=slot.line, text=slot.text, source=source)

    s, e = slot.when.start, slot.when.end

    def date_of(w: WallTime) -> date | None:
        if w.day is None and w.weekday is not None:
            return weekday_date(w.weekday, state, options, err)
        if w.day is None or w.month is None:
            return None
        year = w.year or int(state["year"])  # type: ignore[call-overload]
        last = state.get("date")
        if w.year is None and isinstance(last, date) and w.month < last.month - 6:
            year = last.year + 1  # a programme running over New Year
        try:
            day = date(year, w.month, w.day)
        except ValueError:
            raise err(f"no such date: {w.day} {calendar.month_name[w.month]} {year}") from None
        if w.weekday is not None and not weekday_matches(year, w.month, w.day, w.weekday):
            raise err(
                f"{w.day} {calendar.month_name[w.month]} {year} is a {calendar.day_name[day.weekday()]}, "
                f"not a {calendar.day_name[w.weekday]}"
            )
        return day

    start_day = date_of(s) or state.get("date") or state.get("page_day")
    if not isinstance(start_day, date):
        raise err("time slot without a date, and no earlier date on the page (nor in its URL: /day/<month>/<day>)")
    state["date"] = start_day
    try:
        inherit = None
        if s.ampm is None and e is not None and e.ampm is not None and s.hour is not None and s.hour <= 12:
            inherit = e.ampm
            end_clock = _clock(e)
            if _clock(s, inherit)[:2] > end_clock[:2]:
                inherit = "am" if e.ampm == "pm" else "pm"
        sh, sm, sdays = _clock(s, inherit)
        start = datetime(start_day.year, start_day.month, start_day.day, sh, sm, tzinfo=zone) + timedelta(days=sdays)
        end: datetime | None = None
        if e is not None:
            eh, em, edays = _clock(e)
            end_day = date_of(e) or start_day
            end = datetime(end_day.year, end_day.month, end_day.day, eh, em, tzinfo=zone) + timedelta(days=edays)
            if end.replace(tzinfo=None) < start.replace(tzinfo=None) and date_of(e) is None:
                end += timedelta(days=1)  # "23:30 - 0:30" ends the next day
    except ValueError as exc:
        raise err(str(exc)) from None
    start_label = s.zone or (e.zone if e else None)
    start = _occurrence(start, start_label, slot.line, warnings)
    try:
        _label_check(start_label, start)
        if end is not None:
            end_label = (e.zone if e else None) or s.zone
            end = _occurrence(end, end_label, slot.line, warnings)
            _label_check(end_label, end)
    except ZoneError as exc:
        raise err(str(exc)) from None
    for moment in (start, end):
        if moment is not None:
            skipped_time_warning(moment, slot.line, warnings)
    if end is not None and end.replace(tzinfo=None) <= start.replace(tzinfo=None):
        what = "ends when it starts" if end == start else "ends before it starts"
        warnings.append(ParseWarning(slot.line, f"slot {what}: end time treated as not published"))
        end = None
    return start, end
