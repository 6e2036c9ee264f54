"""Calendar pages (``/virtual/YEAR/calendar``) copied as text: days, time blocks, sessions, talks.

The sites' calendar prints a ``Timezone: Area/City`` line once, then per day a header
and per start time a block::

    THU 23 APR
    10:30 a.m.
    Oral Session 1A [10:30-12:00]
    Orals 10:30-11:40
    [10:30] A Talk
    [10:42] Another Talk
    (ends 12:00 PM)
    Poster Session 1 [10:30-1:00]
    (ends 1:00 PM)

Times in brackets are on a 12-hour clock without a.m./p.m.: the block's header
("10:30 a.m.") and the "(ends 12:00 PM)" line decide. Each event becomes a session;
its ``[h:mm]`` items become its talks (a talk ends where the next starts, the last
where the talks' span line — "Orals 10:30-11:40" — ends, else with the session);
an event without items is a one-talk session ("Invited Talk: Title" → type and title). Year and zone come from :mod:`.context`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..errors import ParseError
from ..model import ParseWarning, Schedule, Session, Talk, make_session_id, make_talk_id, normalize_title
from .context import YearHint, make_report, resolve_year, resolve_zone
from .labels import is_type_label
from .page import _TIMEZONE_RE, PageOptions
from .slottimes import wall_time_warnings
from .timeline import MONTHS, WEEKDAYS

_WD = r"(?P<wd>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?"
_MON = r"(?P<m>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY_RE = re.compile(rf"^{_WD}\s+(?:(?P<d>\d{{1,2}})\s+{_MON}|{_MON.replace('<m>', '<m2>')}\s+(?P<d2>\d{{1,2}}))$", re.I)
_BLOCK_RE = re.compile(r"^(?P<h>\d{1,2})(?::(?P<min>\d\d))?\s?(?P<ap>[ap])\.?\s?m\.?$|^(?P<noon>noon)$", re.I)
_RANGE = r"(?P<sh>\d{1,2}):(?P<sm>\d\d)\s*[-–]\s*(?P<eh>\d{1,2}):(?P<em>\d\d)"
_SESSION_RE = re.compile(rf"^(?P<title>.{{1,300}}?)\s*\[{_RANGE}\]$")
_SPAN_RE = re.compile(rf"^(?P<label>[^\[\]]{{1,40}}?)\s+{_RANGE}$")
_ITEM_RE = re.compile(r"^\[(?P<h>\d{1,2}):(?P<m>\d\d)\]\s+(?P<title>.+)$")
_ENDS_RE = re.compile(r"^\(ends\s+(?P<h>\d{1,2}):(?P<m>\d\d)\s?(?P<ap>[ap])\.?\s?m\.?\)$", re.I)
_DAY_MINUTES = 24 * 60


def _minutes(hour: int, minute: int, ampm: str | None) -> int:
    return (hour % 12 + (12 if (ampm or "").lower() == "p" else 0)) * 60 + minute


def _twelve(hour: int, minute: int, floor: int) -> int:
    """A 12-hour time without a.m./p.m.: the first reading at or after ``floor`` (minutes).

    >>> _twelve(1, 0, 630), _twelve(11, 30, 630), _twelve(12, 6, 630)
    (780, 690, 726)
    """
    for candidate in ((hour % 12) * 60 + minute, (hour % 12) * 60 + minute + 720):
        if candidate >= floor:
            return candidate
    return (hour % 12) * 60 + minute + 720


@dataclass
class _Event:
    line: int
    text: str
    title: str
    day: date
    start: int
    end: int | None = None
    items: list[tuple[int, int, str]] = field(default_factory=list)  # line, minutes, title
    span_end: int | None = None


def is_calendar_page(lines: list[tuple[int, str]]) -> bool:
    """A day header ("THU 23 APR") and an "(ends …)" line or a bracketed session range."""
    has_day = has_event = False
    for _, text in lines:
        has_day = has_day or _DAY_RE.match(text) is not None
        has_event = has_event or _ENDS_RE.match(text) is not None or _SESSION_RE.match(text) is not None
        if has_day and has_event:
            return True
    return False


def _day_of(m: re.Match[str], year: int) -> date:
    month = MONTHS.index((m.group("m") or m.group("m2"))[:3].lower()) + 1
    return date(year, month, int(m.group("d") or m.group("d2")))


def _events(lines: list[tuple[int, str]], year: int, unused: list[tuple[int, str]]) -> list[_Event]:
    events: list[_Event] = []
    day: date | None = None
    anchor: int | None = None
    current: _Event | None = None
    for number, text in lines:
        if (m := _DAY_RE.match(text)) is not None:
            day, anchor, current = _day_of(m, year), None, None
        elif (m := _BLOCK_RE.match(text)) is not None:
            anchor = 720 if m.group("noon") else _minutes(int(m.group("h")), int(m.group("min") or 0), m.group("ap"))
            current = None
        elif _TIMEZONE_RE.match(text):
            continue  # read by parse_calendar_page
        elif day is None:
            unused.append((number, text))
        elif (m := _ENDS_RE.match(text)) is not None and current is not None:
            current.end = _minutes(int(m.group("h")), int(m.group("m")), m.group("ap"))
            current = None
        elif (m := _ITEM_RE.match(text)) is not None and current is not None:
            floor = current.items[-1][1] if current.items else current.start
            current.items.append((number, _twelve(int(m.group("h")), int(m.group("m")), floor), m.group("title")))
        elif (m := _SESSION_RE.match(text)) is not None:
            start = _twelve(int(m.group("sh")), int(m.group("sm")), anchor or 0)
            current = _Event(number, text, m.group("title"), day, start, _twelve(int(m.group("eh")), int(m.group("em")), start))
            events.append(current)
        elif current is not None and (m := _SPAN_RE.match(text)) is not None:
            current.span_end = _twelve(int(m.group("eh")), int(m.group("em")), current.start)
        elif current is None and anchor is not None:
            current = _Event(number, text, text, day, anchor)
            events.append(current)
        else:
            unused.append((number, text))
    return events


def _at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The wall time ``minutes`` after midnight of ``day`` in ``zone`` (past 24:00: the next day)."""
    day += timedelta(days=minutes // _DAY_MINUTES)
    minutes %= _DAY_MINUTES
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=zone)


def parse_calendar_page(
    lines: list[tuple[int, str]],
    url: str | None,
    options: PageOptions,
    *,
    ignored: list[tuple[int, str]] | tuple[tuple[int, str], ...] = (),
) -> Schedule:
    """A calendar page → one session per event (its ``[h:mm]`` items as talks)."""
    warnings: list[ParseWarning] = []
    zone_line = next(((n, m.group(1)) for n, t in lines if (m := _TIMEZONE_RE.match(t))), None)
    days = [(n, t, m) for n, t in lines if (m := _DAY_RE.match(t))]
    hints = [
        YearHint(n, t, None, MONTHS.index((m.group("m") or m.group("m2"))[:3].lower()) + 1,
                 int(m.group("d") or m.group("d2")), WEEKDAYS.index(m.group("wd")[:3].lower()))
        for n, t, m in days
    ]
    zone_choice = resolve_zone(zone_line, [], options, (days[0][0], days[0][1]) if days else None)
    year_choice = resolve_year(hints, url, options, warnings)
    zone, year = zone_choice.value, year_choice.value
    assert isinstance(zone, ZoneInfo) and isinstance(year, int)
    for hint in hints:
        assert hint.month is not None and hint.day is not None and hint.weekday is not None
        try:
            real = date(year, hint.month, hint.day).weekday()
        except ValueError:
            real = -1
        if real != hint.weekday:
            raise ParseError(f"the day header does not fall on its weekday in {year}", line=hint.line,
                             text=hint.text, source=options.source)
    unused = list(ignored)
    sessions: list[Session] = []
    for event in _events(lines, year, unused):
        ends = [*(minute for _, minute, _ in event.items[1:]), event.span_end or event.end] if event.items else []
        entries = [(line, minute, title, end) for (line, minute, title), end in zip(event.items, ends, strict=True)]
        start, end = _at(event.day, event.start, zone), _at(event.day, event.end, zone) if event.end else None
        kind: str | None = None
        name = event.title
        if not entries:  # an event without items: one talk ("Invited Talk: Title" gives its type)
            label, _, rest = event.title.partition(": ")
            kind, name = (label, rest) if rest and is_type_label(label) else (None, event.title)
            entries = [(event.line, event.start, name, event.end)]
        session_id = make_session_id(name, None, start, f"{url or ''}#{normalize_title(name)}@{start:%Y-%m-%dT%H:%M}")
        seen: Counter[str] = Counter()
        talks = []
        for line, minute, title, until in entries:
            seen[normalize_title(title)] += 1
            talk_end = _at(event.day, until, zone) if until is not None and until > minute else None
            talk_start = wall_time_warnings(_at(event.day, minute, zone), line, warnings)
            if talk_end is not None:
                talk_end = wall_time_warnings(talk_end, line, warnings)
            talks.append(Talk(id=make_talk_id(session_id, title, seen[normalize_title(title)]),
                              start=talk_start, end=talk_end, title=title, type=kind))
        if end is None:
            warnings.append(ParseWarning(event.line, f"event {event.title!r} has no end time on the calendar"))
        sessions.append(Session(id=session_id, title=name, timezone=zone.key, talks=tuple(talks), source_url=url))
    if not sessions:
        raise ParseError("a calendar page with no events under its day headers", source=options.source)
    if options.source:
        warnings = [replace(w, source=options.source) for w in warnings]
    report = make_report("calendar page", sessions, year_choice, zone_choice, options, sorted(unused))
    return Schedule(timezone=zone.key, sessions=tuple(sessions), warnings=tuple(warnings), reports=(report,))
