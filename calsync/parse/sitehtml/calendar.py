"""Calendar pages of the virtual-site platform (``/virtual/<year>/calendar``).

The page states ``Timezone: Area/City`` once, then per day::

    div.hdrbox                 "THU 23 APR"
    div.timebox
        div.time               "10:30 a.m."  (the start of the sessions below it)
        div.eventsession.oral-session        (or .poster-session)
            .sessiontitle      "Oral Session 1A" + span.sessiontime "[10:30-12:00]"
            div                "[10:42] <a href=/virtual/2026/oral/…>Title</a>"  (a talk)
            span.end-time      "(ends 12:00 PM)"

Clock times in brackets are 12-hour without a.m./p.m.: a session's start is the
first reading at or after its time box, its end is "(ends …)" (or the first reading
after the start), and each talk is the first reading at or after the session's
start. A talk ends when the next one starts, the last when the session ends. A
session that lists no talks becomes a session with itself as its one event.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bs4 import Tag

from ...errors import NoEvents, ParseError
from ...model import ParseWarning, Schedule
from ..page import PageOptions, _Slot
from ..timeline import MONTHS, WEEKDAYS, match_time_line
from .common import (
    Built,
    Clock,
    Item,
    PageContext,
    finish,
    links_year,
    make_session,
    resolve_clock,
    slot_times,
    zone_line,
)
from .soup import PageIndex, block_lines, classes, line_of, text_of

logger = logging.getLogger(__name__)

KIND = "calendar page (HTML)"
SESSION_CLASSES = ("eventsession", "oral-session", "poster-session")
_TYPES = {"oral-session": ("Oral Session", "Oral"), "poster-session": ("Poster Session", "Poster")}

_DAY_RE = re.compile(
    r"^(?P<wd>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+(?P<day>\d{1,2})\s+(?P<mon>[a-z]{3})[a-z]*\.?(?:,?\s+(?P<year>(?:19|20)\d\d))?$",
    re.I,
)
_CLOCK_RE = re.compile(r"^(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?:(?P<ampm>[ap])\.?\s?m\.?)?$", re.I)
_RANGE_RE = re.compile(r"\[\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*\]")
_ENDS_RE = re.compile(r"ends\s+(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s?m\.?", re.I)
_TALK_RE = re.compile(r"^\[\s*(\d{1,2}):(\d{2})\s*\]\s*(.+)$")


def is_calendar_page(index: PageIndex, ctx: PageContext) -> bool:
    """Day boxes and session boxes."""
    return index.first("hdrbox", "div") is not None and any(index.first(c, "div") is not None for c in SESSION_CLASSES)


def read_day(text: str) -> tuple[int, int, int, int | None] | None:
    """(weekday, day, month, year or None) of a day box.

    >>> read_day("THU 23 APR"), read_day("Friday 24 April 2026"), read_day("Posters")
    ((3, 23, 4, None), (4, 24, 4, 2026), None)
    """
    m = _DAY_RE.match(text.strip())
    if not m or m.group("mon").lower()[:3] not in MONTHS:
        return None
    year = int(m.group("year")) if m.group("year") else None
    return WEEKDAYS.index(m.group("wd").lower()[:3]), int(m.group("day")), MONTHS.index(m.group("mon").lower()[:3]) + 1, year


def read_clock(text: str) -> int | None:
    """Minutes after midnight of a time box ("10:30 a.m.", "3 p.m.", "13:00"); ``None`` without a.m./p.m. below 13.

    >>> read_clock("10:30 a.m."), read_clock("12:15 p.m."), read_clock("12 a.m."), read_clock("13:00"), read_clock("4:00")
    (630, 735, 0, 780, None)
    """
    m = _CLOCK_RE.match(text.strip())
    if not m:
        return None
    hour, minute = int(m.group("h")), int(m.group("m") or 0)
    if m.group("ampm"):
        if not 1 <= hour <= 12 or minute > 59:
            return None
        return (hour % 12 + (12 if m.group("ampm").lower() == "p" else 0)) * 60 + minute
    return hour * 60 + minute if 12 < hour < 24 and minute < 60 else None


def reading_after(hour: int, minute: int, after: int) -> int:
    """Minutes of a 12-hour reading without a.m./p.m.: the first such time at or after ``after``.

    A reading above 12 is a 24-hour time. Results may pass 24 hours (the next day).

    >>> reading_after(10, 30, 630), reading_after(3, 15, 900), reading_after(12, 10, 690), reading_after(1, 0, 630)
    (630, 915, 730, 780)
    """
    if hour > 12:
        base = hour * 60 + minute
        return base if base >= after else base + 1440
    first = (hour % 12) * 60 + minute
    candidate = first
    while candidate < after:
        candidate += 720
    return candidate


def _hhmm(minutes: int) -> str:
    return f"{(minutes // 60) % 24}:{minutes % 60:02d}"


def _day_text(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()].title()} {day.day} {MONTHS[day.month - 1].title()}"


@dataclass
class _Session:
    line: int | None
    header: str
    day: tuple[int, int, int, int | None]
    title: str
    kind: str | None
    talk_type: str | None
    href: Tag | None
    start: int
    end: int | None
    talks: list[tuple[int, int, str, Tag | None]] = field(default_factory=list)  # line, minutes, title, link


def _read_session(
    box: Tag, day: tuple[int, int, int, int | None] | None, header: str, box_time: int | None,
    built: Built, options: PageOptions,
) -> _Session | None:
    title_el = box.find(class_="sessiontitle") or box.find("a", href=re.compile(r"/session/"))
    range_el = box.find(class_="sessiontime")
    ends_el = box.find(class_="end-time")
    link = title_el if title_el is not None and title_el.name == "a" else (title_el.find("a", href=True) if title_el else None)
    title_text = text_of(title_el)
    range_text = text_of(range_el) if range_el is not None else title_text
    if range_el is not None:
        title_text = title_text.replace(range_text, "")
    title = _RANGE_RE.sub("", title_text).strip()
    def err(msg: str) -> ParseError:
        return ParseError(msg, line=line_of(box), text=title or None, source=options.source)

    if day is None:
        raise err("a calendar session before any day heading")
    rng = _RANGE_RE.search(range_text)
    ends = _ENDS_RE.search(text_of(ends_el)) if ends_el is not None else None
    end_at = read_clock(f"{ends.group(1)}:{ends.group(2) or '00'} {ends.group(3)}m") if ends else None
    if rng is None and box_time is None:
        built.warnings.append(ParseWarning(line_of(box), f"calendar session without a time, ignored: {title!r}"))
        return None
    end: int | None
    if rng is not None:
        h, m = int(rng.group(1)), int(rng.group(2))
        if box_time is not None:
            start = reading_after(h, m, box_time)
        elif end_at is not None:
            start = reading_after(h, m, max(end_at - 719, 0))
        elif h > 12:
            start = h * 60 + m
        else:
            raise err("the session's time has no a.m./p.m., and no time box or end says which")
        end = end_at if end_at is not None else reading_after(int(rng.group(3)), int(rng.group(4)), start + 1)
    else:
        assert box_time is not None
        start, end = box_time, end_at
    while end is not None and end < start:
        end += 1440  # "(ends 1:00 AM)" after a late start
    kinds = [_TYPES[c] for c in classes(box) if c in _TYPES]
    kind, talk_type = kinds[0] if kinds else (None, None)
    session = _Session(line_of(box), header, day, title or "Untitled session", kind, talk_type,
                       link if isinstance(link, Tag) else None, start, end)
    links = {text_of(a): a for a in box.find_all("a", href=True) if title_el is None or (a is not title_el and title_el not in a.parents)}
    for number, text in block_lines(box, skip=(title_el, range_el, ends_el)):
        talk = _TALK_RE.match(text)
        if talk is None:
            built.ignored.append((number, text))
            continue
        name = talk.group(3).strip()
        session.talks.append((number, reading_after(int(talk.group(1)), int(talk.group(2)), start - 60), name, links.get(name)))
    return session


@dataclass(frozen=True)
class _Span:
    """Minutes after midnight of a day (``start`` may pass 24 hours) on a page line."""

    line: int
    day: date
    dated_with_year: bool
    start: int
    end: int | None


def _times(span: _Span, clock: Clock, options: PageOptions, warnings: list[ParseWarning]) -> tuple[datetime, datetime | None]:
    """Aware start and end of a span, through the text grammar's slot times (date checks, zone)."""
    end = span.end
    if end is not None and end <= span.start:
        warnings.append(ParseWarning(span.line, "an event ends when or before it starts: end time treated as not published"))
        end = None
    day = span.day + timedelta(days=span.start // 1440)
    year = f" {day.year}" if span.dated_with_year else ""
    until = f" - {_hhmm(end)}" if end is not None else ""
    text = f"{_day_text(day)}{year} {_hhmm(span.start)}{until}"
    when = match_time_line(text)
    assert when is not None
    return slot_times(_Slot(span.line, text, when), clock, options, warnings)


def parse_calendar_page(index: PageIndex, ctx: PageContext, options: PageOptions) -> Schedule:
    """A calendar page → one session per session box, its talks inside (see the module doc)."""
    built = Built()
    raw: list[_Session] = []
    day: tuple[int, int, int, int | None] | None = None
    header = ""
    box_time: int | None = None
    taken: set[int] = set()
    wanted = {id(t): t for c in ("hdrbox", "time", *SESSION_CLASSES) for t in index.all(c, "div")}
    for el in sorted(wanted.values(), key=lambda t: index.position[id(t)]):
        names = classes(el)
        if "hdrbox" in names:
            header = text_of(el)
            day, box_time = read_day(header), None
            if day is None:
                built.ignored.append((line_of(el) or 0, header))
        elif "time" in names and el.parent is not None and "timebox" in classes(el.parent):
            box_time = read_clock(text_of(el))
        elif any(c in names for c in SESSION_CLASSES) and not any(id(p) in taken for p in el.parents):
            taken.add(id(el))
            session = _read_session(el, day, header, box_time, built, options)
            if session is not None:
                raw.append(session)
    if not raw:
        raise NoEvents("a calendar page with no dated session on it: nothing to import", kind=KIND, source=options.source)
    probes = []
    for s in raw:
        wd, d, mon, y = s.day
        text = f"{WEEKDAYS[wd].title()} {d} {MONTHS[mon - 1].title()}{f' {y}' if y else ''} {_hhmm(s.start)}"
        when = match_time_line(text)
        assert when is not None
        probes.append(_Slot(s.line or 0, text, when))
    page_year = links_year(a for a in index.anchors if "/virtual/" in str(a.get("href")))
    clock = resolve_clock(probes, ctx, options, built.warnings, page_zone=zone_line(index), page_year=page_year)
    for s in raw:
        _, d, mon, y = s.day
        try:
            first_day = date(y or int(clock.year.value), mon, d)
        except ValueError:
            raise ParseError(f"no such date: {s.header}", line=s.line, source=options.source) from None
        link = ctx.link(s.href.get("href")) if s.href is not None else None
        if s.talks:
            items = []
            for i, (line, start, name, a) in enumerate(s.talks):
                end = s.talks[i + 1][1] if i + 1 < len(s.talks) else s.end
                begin, until = _times(_Span(line, first_day, y is not None, start, end), clock, options, built.warnings)
                items.append(Item(begin, until, name, type=s.talk_type, url=ctx.link(a.get("href")) if a is not None else None))
        else:
            begin, until = _times(_Span(s.line or 0, first_day, y is not None, s.start, s.end), clock, options, built.warnings)
            items = [Item(begin, until, s.title, type=s.kind, url=link)]
        identity = link or (f"{ctx.url}#{s.title}@{items[0].start.isoformat()}" if ctx.url else None)
        built.sessions.append(make_session(s.title, items, clock.tz.key, identity=identity, source_url=link or ctx.url))
    return finish(KIND, built, clock, options)
