"""The other page kinds of conference sites: event pages and day pages.

* **Event page** — one paper, poster or talk. New style: a type label ("Poster"),
  the title, the authors, maybe a room, then the time range, the abstract and
  optionally "Oral presentation: <session name>" with that session's range.
  Old style: a type label, then "Fri Dec 08 06:30 PM -- 10:30 PM (PST) @ Hall B"
  and the title, authors and abstract under it. One session per event; an oral
  presentation becomes a second one-talk session (its range is the whole
  session's, which the talk's description says).
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
from zoneinfo import ZoneInfo

from ..errors import ParseError
from ..model import ParseWarning, Schedule, Session, Talk, make_session_id, make_talk_id, normalize_title
from .page import (
    _ABSTRACT_RE,
    _TIMEZONE_RE,
    NOISE_LINES,
    PageOptions,
    _Header,
    _ignored,
    _resolve_year,
    _resolve_zone,
    _Slot,
    _slot_content,
    _slot_times,
    looks_like_authors,
    split_names,
    without_abstract_labels,
    _is_slot_type,
)
from .context import make_report
from .timeline import TimeRange, match_time_line
from .year import day_from_url

_PRESENTATION_RE = re.compile(r"^(oral|spotlight|poster|contributed talk)\s+presentation\s*:\s*(.+)$", re.I)
_DAY_EVENT_RE = re.compile(r"^(?P<type>[A-Z][^:]{1,40}):\s+(?P<rest>.+)$")


def _one_talk_session(
    title: str,
    start_end: tuple,
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


def is_event_page(header: list[tuple[int, str]]) -> bool:
    """An event page starts (after site chrome) with a type label such as "Poster"."""
    return bool(header) and _is_slot_type(header[0][1])


def parse_event_page(
    header: list[tuple[int, str]], slots: list[_Slot], url: str | None, options: PageOptions, warnings: list[ParseWarning]
) -> Schedule:
    """One paper/poster/talk page → its session (and its oral presentation's, if named)."""
    kind = header[0][1]
    title: str | None = None
    authors: tuple[str, ...] = ()
    location: str | None = None
    abstract_lines: list[str] = []
    zone_line: tuple[int, str] | None = None
    in_abstract = False
    for number, text in header[1:]:
        if (m := _TIMEZONE_RE.match(text)) is not None:
            zone_line = (number, m.group(1))
        elif (m := _ABSTRACT_RE.match(text)) is not None:
            in_abstract = True
            if m.group(1):
                abstract_lines.append(m.group(1))
        elif in_abstract:
            abstract_lines.append(text)
        elif title is None:
            title = text
        elif not authors and looks_like_authors(text, followed=True):
            authors = split_names(text)
        elif location is None:
            location = text
        else:
            warnings.append(ParseWarning(number, f"line not understood, ignored: {text!r}"))

    head = _Header(title=title, timezone=zone_line)
    zone_choice = _resolve_zone(head, slots, options)
    year_choice = _resolve_year(slots, url, options, warnings)
    zone, year = zone_choice.value, year_choice.value
    assert isinstance(zone, ZoneInfo) and isinstance(year, int)
    state: dict[str, object] = {"year": year, "page_day": day_from_url(url, year)}
    first = slots[0]
    times = _slot_times(first, zone, state, options, warnings)

    # The first slot's body: the abstract, and maybe "Oral presentation: S" before the next slot.
    body = [(n, t) for n, t in first.body]
    presentation: str | None = None
    if body and (m := _PRESENTATION_RE.match(body[-1][1])):
        presentation = m.group(2).strip()
        body = body[:-1]
    if title is None:  # old style: the title, authors and abstract follow the time line
        content = _slot_content(replace(first, body=body), warnings)
        title, authors, abstract = content.title, content.authors, content.abstract
    else:
        abstract = "\n".join(abstract_lines + without_abstract_labels(t for _, t in body)) or None
    if title is None:
        raise ParseError("event page without a title", line=first.line, text=first.text, source=options.source)
    where = first.when.room or location
    sessions = [
        _one_talk_session(title, times, zone.key, url, kind=kind, authors=authors, abstract=abstract, location=where)
    ]
    if presentation is not None:
        if len(slots) < 2:
            raise ParseError(f"'{presentation}' is named without its time range", line=first.line, source=options.source)
        oral_times = _slot_times(slots[1], zone, state, options, warnings)
        note = f"Presented in {presentation}; the time is the whole session's."
        sessions.append(
            _one_talk_session(
                presentation, oral_times, zone.key, url, kind="Oral", authors=authors,
                abstract="\n\n".join(x for x in (note, abstract) if x),
                location=slots[1].when.room, identity=f"{url or title}#presentation:{normalize_title(presentation)}",
            )
        )
        sessions[-1] = replace(sessions[-1], talks=(replace(sessions[-1].talks[0], title=title),))
    for extra in slots[1 + (presentation is not None):]:
        warnings.append(ParseWarning(extra.line, f"another time on an event page, ignored: {extra.text!r}"))
    report = make_report("event page", sessions, year_choice, zone_choice, options, _ignored(warnings))
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
    for k in range(1, len(words)):
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


def parse_day_page(lines: list[tuple[int, str]], url: str | None, options: PageOptions) -> Schedule:
    """A day page → one one-talk session per event, in page order."""
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
            kind, title, when = split
            events.append((number, text, kind, title, when))
            pending_type = None
        elif (when := match_time_line(text)) is not None:
            title = content[i + 1][1] if i + 1 < len(content) else None
            if title is not None and (_split_day_event(title) or match_time_line(title)):
                title = None
            events.append((number, text, pending_type, title, when))
            pending_type = None
            i += 1 if title is not None else 0
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
    report = make_report("day page", sessions, year_choice, zone_choice, options, _ignored(warnings))
    return Schedule(timezone=zone.key, sessions=tuple(sessions), warnings=tuple(warnings), reports=(report,))
