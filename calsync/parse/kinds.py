"""The other page kinds of conference sites: event pages and day pages.

* **Event page** — one paper, poster or talk. New style: a type label ("Poster",
  "Spotlight Poster"), the title, the authors, maybe a room ("Hall J (level 1) #302")
  and award badges, then the time range, the abstract and optionally "Oral
  presentation: <session name>" with that session's range. Old style: a type label,
  then "Fri Dec 08 06:30 PM -- 10:30 PM (PST) @ Hall B" and the title, authors and
  abstract under it; old multitrack pages put the time after the authors, sometimes
  with no label at all; markdown captures put the room after the time. The lines are
  read by :func:`.fields.read_event_fields`. One session per event; an oral
  presentation becomes a second one-talk session (its range is the whole session's,
  which the talk's description says).
* **Event list** — an old ``Schedule`` listing copied as text: several old-style
  events (label, time with ``@ room``, title, authors, abstract), no session title;
  one one-talk session per event.
* **Day page** — many events with start times only: lines such as
  "Poster Session: Poster Session 3 Wed 24 Jul 11:30 a.m." or a type line, a
  time line ("7:30 AM - 4:00 PM", the date from the URL's ``/day/<month>/<day>``)
  and a title line. Each event becomes a one-talk session; an event without an
  end has ``end`` ``None``.

Session pages (many slots under one session header) are in :mod:`.page`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from ..errors import ParseError
from ..model import ParseWarning, Schedule, Session, Talk, make_session_id, make_talk_id, normalize_title
from .context import make_report
from .fields import read_event_fields
from .labels import is_prose, is_type_label
from .page import (
    _TIMEZONE_RE,
    NOISE_LINES,
    PageOptions,
    _Header,
    _resolve_year,
    _resolve_zone,
    _Slot,
    _slot_times,
    looks_like_authors,
)
from .timeline import TimeRange, match_time_line
from .year import day_from_url

_PRESENTATION_RE = re.compile(r"^(oral|spotlight|poster|contributed talk)\s+presentation\s*:\s*(.+)$", re.I)
_DAY_EVENT_RE = re.compile(r"^(?P<type>[A-Z][^:]{1,40}):\s+(?P<rest>.+)$")
#: The most words a day-page event's time takes ("Wed 24 Jul 11:30 a.m. PDT — 1:30 p.m. PDT").
_DAY_TIME_WORDS = 16


def _one_talk_session(
    title: str,
    start_end: tuple[datetime, datetime | None],
    zone: str,
    url: str | None,
    *,
    kind: str | None,
    authors: tuple[str, ...] = (),
    abstract: str | None = None,
    location: str | None = None,
    identity: str | None = None,
) -> Session:
    start, end = start_end
    session_id = make_session_id(title, location, start, identity or url)
    talk = Talk(
        id=make_talk_id(session_id, title, 1), start=start, end=end, title=title, type=kind,
        authors=authors, abstract=abstract,
    )
    return Session(id=session_id, title=title, timezone=zone, talks=(talk,), location=location, source_url=url)


def is_event_page(header: list[tuple[int, str]], slots: list[_Slot] | tuple[_Slot, ...] = ()) -> bool:
    """An event page: a type label first ("Poster", "Spotlight Poster", "Tutorial"), or the
    title above its label and the names, or — old style without a label — a title and authors
    above one time line with a paragraph under it.

    A label such as "Oral Session" above several time lines is a session page instead.
    """
    content = [t for _, t in header if not _TIMEZONE_RE.match(t)]
    if content and is_type_label(content[0]):
        return not (content[0].casefold().endswith("session") and len(slots) > 1)
    if len(slots) == 1 and len(content) >= 3 and is_type_label(content[1]) and not is_prose(content[0]):
        return "·" in content[2] or "⋅" in content[2]  # the title printed above its label, names under it
    return (
        len(slots) == 1
        and len(content) >= 2
        and not is_prose(content[0])
        and looks_like_authors(content[1], followed=True)
        and bool(slots[0].body)
        and is_prose(slots[0].body[0][1])
    )


def parse_event_page(
    header: list[tuple[int, str]],
    slots: list[_Slot],
    url: str | None,
    options: PageOptions,
    warnings: list[ParseWarning],
    *,
    headings: set[int] | frozenset[int] = frozenset(),
    ignored: list[tuple[int, str]] | tuple[tuple[int, str], ...] = (),
) -> Schedule:
    """One paper/poster/talk page → its session (and its oral presentation's, if named).

    The header lines and the lines under the first time line are read as one event
    (:func:`.fields.read_event_fields`): new style (label, title, authors, room, time,
    abstract), old style (label, time, title, authors, abstract) and markdown captures
    (label, time, room, title, authors, ``Abstract`` heading) alike.
    """
    fields = read_event_fields(header, headings=headings)
    first = slots[0]
    body = list(first.body)
    presentation: str | None = None
    if body and (m := _PRESENTATION_RE.match(body[-1][1])):
        presentation = m.group(2).strip()
        body = body[:-1]
    read_event_fields(body, headings=headings, fields=fields, rooms=False)
    head = _Header(title=fields.title, timezone=fields.zone_line)
    zone_choice = _resolve_zone(head, slots, options)
    year_choice = _resolve_year(slots, url, options, warnings)
    zone, year = zone_choice.value, year_choice.value
    assert isinstance(zone, ZoneInfo) and isinstance(year, int)
    state: dict[str, object] = {"year": year, "page_day": day_from_url(url, year)}
    times = _slot_times(first, zone, state, options, warnings)
    title, kind, authors = fields.title, fields.type, fields.authors
    if title is None:
        raise ParseError("event page without a title", line=first.line, text=first.text, source=options.source)
    abstract = "\n".join(fields.abstract) or None
    where = first.when.room or fields.location
    sessions = [
        _one_talk_session(title, times, zone.key, url, kind=kind, authors=authors, abstract=abstract, location=where)
    ]
    if presentation is not None:
        if len(slots) < 2:
            raise ParseError(f"'{presentation}' is named without its time range", line=first.line, source=options.source)
        oral_times = _slot_times(slots[1], zone, state, options, warnings)
        if not fields.abstract:  # the abstract may follow the presentation's range
            read_event_fields(slots[1].body, headings=headings, fields=fields, rooms=False)
            abstract = "\n".join(fields.abstract) or None
            sessions[0] = replace(sessions[0], talks=(replace(sessions[0].talks[0], abstract=abstract),))
        note = f"Presented in {presentation}; the time is the whole session's."
        sessions.append(
            _one_talk_session(
                presentation, oral_times, zone.key, url, kind="Oral", authors=authors,
                abstract="\n\n".join(x for x in (note, abstract) if x),
                location=slots[1].when.room, identity=f"{url or title}#presentation:{normalize_title(presentation)}",
            )
        )
        sessions[-1] = replace(sessions[-1], talks=(replace(sessions[-1].talks[0], title=title),))
    unused = list(ignored) + fields.ignored + fields.unread
    for number, text in fields.unread:
        warnings.append(ParseWarning(number, f"line not understood, ignored: {text!r}"))
    for extra in slots[1 + (presentation is not None):]:
        warnings.append(ParseWarning(extra.line, f"another time on an event page, ignored: {extra.text!r}"))
        unused.append((extra.line, extra.text))
        unused.extend(extra.body)
    report = make_report("event page", sessions, year_choice, zone_choice, options, sorted(unused))
    return Schedule(timezone=zone.key, sessions=tuple(sessions), warnings=tuple(warnings), reports=(report,))


def is_event_list(header: list[tuple[int, str]], slots: list[_Slot]) -> bool:
    """Several old-style events one after another (an old ``Schedule`` listing copied as text):
    no session title above the first time line — nothing, or only the first event's label —
    and under every time line a title rather than a paragraph."""
    content = [t for _, t in header if not _TIMEZONE_RE.match(t)]
    if len(slots) < 2 or len(content) > 1 or (content and not is_type_label(content[0])):
        return False
    return all(slot.body and not is_prose(slot.body[0][1]) and not is_type_label(slot.body[0][1]) for slot in slots)


def parse_event_list(
    header: list[tuple[int, str]],
    slots: list[_Slot],
    url: str | None,
    options: PageOptions,
    *,
    headings: set[int] | frozenset[int] = frozenset(),
    ignored: list[tuple[int, str]] | tuple[tuple[int, str], ...] = (),
) -> Schedule:
    """An old listing → one one-talk session per event; an event's label is the last line above its time."""
    warnings: list[ParseWarning] = []
    content = [(n, t) for n, t in header if not _TIMEZONE_RE.match(t)]
    zone_line = next(((n, m.group(1)) for n, t in header if (m := _TIMEZONE_RE.match(t))), None)
    zone_choice = _resolve_zone(_Header(timezone=zone_line), slots, options)
    year_choice = _resolve_year(slots, url, options, warnings)
    zone, year = zone_choice.value, year_choice.value
    assert isinstance(zone, ZoneInfo) and isinstance(year, int)
    state: dict[str, object] = {"year": year, "page_day": day_from_url(url, year)}
    unused = list(ignored)
    sessions: list[Session] = []
    label = content[0][1] if content else None
    for index, slot in enumerate(slots):
        body = list(slot.body)
        following = None
        if index + 1 < len(slots) and body and is_type_label(body[-1][1]):
            following, body = body[-1][1], body[:-1]  # the next event's label
        fields = read_event_fields(body, headings=headings, rooms=False)
        unused += fields.ignored + fields.unread
        times = _slot_times(slot, zone, state, options, warnings)
        title = fields.title or f"Untitled {(label or 'event').lower()}"
        if fields.title is None:
            warnings.append(ParseWarning(slot.line, "event has a time and no title: kept as an untitled event"))
        identity = f"{url or ''}#{normalize_title(title)}@{times[0].isoformat()}"
        sessions.append(_one_talk_session(
            title, times, zone.key, url, kind=label, authors=fields.authors,
            abstract="\n".join(fields.abstract) or None, location=slot.when.room or fields.location, identity=identity,
        ))
        label = following
    if options.source:
        warnings = [replace(w, source=options.source) for w in warnings]
    report = make_report("event list", sessions, year_choice, zone_choice, options, sorted(unused))
    return Schedule(timezone=zone.key, sessions=tuple(sessions), warnings=tuple(warnings), reports=(report,))


def _split_day_event(text: str) -> tuple[str, str, TimeRange] | None:
    """("Poster Session", "Poster Session 3", time) for a day-page line, else None.

    >>> kind, title, when = _split_day_event("Poster Session: Poster Session 3 Wed 24 Jul 11:30 a.m.")
    >>> kind, title, (when.start.day, when.start.hour, when.end)
    ('Poster Session', 'Poster Session 3', (24, 11, None))
    >>> _split_day_event("Note: see the map for rooms") is None
    True
    """
    m = _DAY_EVENT_RE.match(text)
    if not m:
        return None
    words = m.group("rest").split()
    # The time is at the end and at most _DAY_TIME_WORDS words long: a long line costs linear time.
    for k in range(max(1, len(words) - _DAY_TIME_WORDS), len(words)):
        when = match_time_line(" ".join(words[k:]))
        if when is not None and when.start.day is not None:
            return m.group("type").strip(), " ".join(words[:k]), when
    return None


def is_day_page(lines: list[tuple[int, str]], url: str | None) -> bool:
    """A day page lists "Type: Title <date> <time>" lines, or is a ``/day/M/D`` URL with bare times."""
    if any(_split_day_event(t) for _, t in lines):
        return True
    return bool(url and "/day/" in url) and any(
        (w := match_time_line(t)) is not None and w.start.day is None and w.start.weekday is None for _, t in lines
    )


def parse_day_page(
    lines: list[tuple[int, str]],
    url: str | None,
    options: PageOptions,
    *,
    ignored: list[tuple[int, str]] | tuple[tuple[int, str], ...] = (),
) -> Schedule:
    """A day page → one one-talk session per event, in page order (``ignored``: lines dropped before)."""
    warnings: list[ParseWarning] = []
    zone_line = next(((n, m.group(1)) for n, t in lines if (m := _TIMEZONE_RE.match(t))), None)
    events: list[tuple[int, str, str | None, str | None, TimeRange]] = []  # line, text, type, title, when
    pending_type: str | None = None
    i = 0
    content = [(n, t) for n, t in lines if t.casefold() not in NOISE_LINES and not _TIMEZONE_RE.match(t)]
    while i < len(content):
        number, text = content[i]
        split = _split_day_event(text)
        if split is not None:
            events.append((number, text, *split))
            pending_type = None
        elif (when := match_time_line(text)) is not None:
            name = content[i + 1][1] if i + 1 < len(content) else None
            if name is not None and (_split_day_event(name) or match_time_line(name)):
                name = None
            events.append((number, text, pending_type, name, when))
            pending_type = None
            i += 1 if name is not None else 0
        elif len(text) <= 40 and not text.endswith("."):
            pending_type = text
        i += 1
    if not events:
        raise ParseError("no events with a time on this day page", source=options.source)
    slots = [_Slot(n, t, w) for n, t, _, _, w in events]
    zone_choice = _resolve_zone(_Header(timezone=zone_line), slots, options)
    year_choice = _resolve_year(slots, url, options, warnings)
    zone, year = zone_choice.value, year_choice.value
    assert isinstance(zone, ZoneInfo) and isinstance(year, int)
    state: dict[str, object] = {"year": year, "page_day": day_from_url(url, year)}
    sessions: list[Session] = []
    seen: set[str] = set()
    for slot, (_, _, kind, title, _) in zip(slots, events, strict=True):
        times = _slot_times(slot, zone, state, options, warnings)
        if title is None:
            warnings.append(ParseWarning(slot.line, "event has a time and no title: kept as an untitled event"))
        name = title or f"Untitled {kind or 'event'}"
        identity = f"{url or ''}#{normalize_title(name)}@{times[0].isoformat()}"
        session = _one_talk_session(name, times, zone.key, url, kind=kind, location=slot.when.room, identity=identity)
        if session.id in seen:
            warnings.append(ParseWarning(slot.line, f"event {name!r} listed twice: kept once"))
            continue
        seen.add(session.id)
        sessions.append(session)
    if options.source:
        warnings = [replace(w, source=options.source) for w in warnings]
    report = make_report("day page", sessions, year_choice, zone_choice, options, sorted(ignored))
    return Schedule(timezone=zone.key, sessions=tuple(sessions), warnings=tuple(warnings), reports=(report,))
