"""Model → iCalendar bytes (pure: no clock, no request, no I/O).

icalendar does all the serializing. Each VEVENT and VTIMEZONE is rendered on its
own (``render_*``) so that a caller can keep an event's bytes until its revision
changes and assemble feeds from cached pieces: :func:`render_calendar` takes that
cache as an argument, and :class:`calsync.service.FeedService` owns it (the store
keeps no bytes, only the revisions). :func:`assemble_calendar` only places
already-serialized components between a calendar's header and its
``END:VCALENDAR`` line.

Rendering the same input twice gives byte-identical output: DTSTAMP and
LAST-MODIFIED come from the data (:class:`Revision`), never from the clock.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDuration, vText

from . import __version__
from .model import Schedule, Session, Talk
from .vtimezone import build_vtimezone

PRODID = f"-//calsync//calsync {__version__}//EN"
_END_CALENDAR = b"END:VCALENDAR\r\n"


@dataclass(frozen=True)
class Revision:
    """What the store knows of an event's history: SEQUENCE and LAST-MODIFIED (UTC).

    DTSTAMP is the same instant: in a published feed it says when this version
    of the event was made (RFC 5545 §3.8.7.2).
    """

    modified: datetime
    sequence: int = 0

    def __post_init__(self) -> None:
        if self.modified.tzinfo is None:
            raise ValueError("Revision.modified must be an aware datetime")


@dataclass(frozen=True)
class FeedOptions:
    """How events are written; the defaults suit a subscribed feed.

    ``host`` is the right-hand side of every UID (``<id>@<host>``);
    ``default_duration`` is used for slots whose end is not published;
    ``alarm_minutes`` adds a VALARM that many minutes before each event.
    """

    host: str = "calsync.invalid"
    talks: bool = True
    sessions: bool = False
    abstracts: bool = True
    alarm_minutes: int | None = None
    refresh: timedelta = timedelta(hours=1)
    default_duration: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class CalendarInfo:
    """Calendar-level texts: name (X-WR-CALNAME and NAME), description, main zone, link."""

    name: str
    description: str
    timezone: str
    url: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def talk_uid(talk: Talk, options: FeedOptions) -> str:
    """Stable UID of a talk's event.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> t = Talk(id="t1", start=datetime(2022, 7, 21, 7, 30, tzinfo=ZoneInfo("UTC")), end=None, title="x")
    >>> talk_uid(t, FeedOptions(host="example.org"))
    't1@example.org'
    """
    return f"{talk.id}@{options.host}"


def session_uid(session: Session, options: FeedOptions) -> str:
    """Stable UID of a session's event."""
    return f"{session.id}@{options.host}"


def talk_summary(talk: Talk, session: Session) -> str:
    """SUMMARY of a talk: its title; an untitled slot says so.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> t = Talk(id="t1", start=datetime(2022, 7, 21, tzinfo=ZoneInfo("UTC")), end=None, title=None)
    >>> s = Session(id="s", title="Deep Nets", timezone="UTC", talks=(t,))
    >>> talk_summary(t, s)
    'Untitled slot (Deep Nets)'
    """
    return talk.title if talk.title else f"Untitled slot ({session.title})"


def event_end(talk: Talk, options: FeedOptions) -> datetime:
    """A talk's end, or its start plus ``options.default_duration`` when no end is published."""
    return talk.end or talk.start + options.default_duration


def _people(label: str, names: Sequence[str]) -> str | None:
    if not names:
        return None
    return f"{label}{'s' if len(names) > 1 else ''}: {', '.join(names)}"


def build_talk_description(talk: Talk, session: Session, options: FeedOptions) -> str:
    """Plain-text DESCRIPTION of a talk: authors, type, session, moderator(s), room, abstract, link."""
    lines = [
        "Authors: " + ", ".join(talk.authors) if talk.authors else None,
        f"Type: {talk.type}" if talk.type else None,
        f"Session: {session.title}",
        _people("Moderator", session.moderators),
        f"Room: {talk.location or session.location}" if (talk.location or session.location) else None,
        "End time not published." if talk.end is None else None,
    ]
    parts = ["\n".join(x for x in lines if x)]
    if options.abstracts and talk.abstract:
        parts.append(talk.abstract)
    if talk.url or session.source_url:
        parts.append(talk.url or session.source_url or "")
    return "\n\n".join(parts)


def _clock_range(talk: Talk, options: FeedOptions) -> str:
    end = event_end(talk, options)
    text = f"{talk.start:%H:%M}–{end:%H:%M}"
    return text if talk.end else text + " (end not published)"


def build_session_description(session: Session, options: FeedOptions) -> str:
    """Plain-text DESCRIPTION of a session: moderator(s), room, and its talks with their times."""
    head = [
        _people("Moderator", session.moderators),
        f"Room: {session.location}" if session.location else None,
        f"Times in {session.timezone}",
    ]
    rows = []
    for talk in session.talks:
        what = f"{talk.type}: " if talk.type and talk.type != talk.title else ""
        who = f" — {', '.join(talk.authors)}" if talk.authors else ""
        rows.append(f"{_clock_range(talk, options)} {what}{talk_summary(talk, session)}{who}")
    parts = ["\n".join(x for x in head if x), "\n".join(rows)]
    if options.abstracts and session.abstract:
        parts.insert(1, session.abstract)
    if session.source_url:
        parts.append(session.source_url)
    return "\n\n".join(p for p in parts if p)


def _common(event: Event, uid: str, revision: Revision) -> None:
    event.add("uid", uid)
    event.add("dtstamp", _utc(revision.modified))
    event.add("last-modified", _utc(revision.modified))
    event.add("sequence", revision.sequence)


def _alarm(event: Event, summary: str, options: FeedOptions) -> None:
    if options.alarm_minutes is None:
        return
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", vText(summary))
    alarm.add("trigger", timedelta(minutes=-options.alarm_minutes))
    event.add_component(alarm)


def build_talk_event(talk: Talk, session: Session, revision: Revision, options: FeedOptions) -> Event:
    """The VEVENT of one talk (times in the session's IANA zone, RELATED-TO its session)."""
    event = Event()
    _common(event, talk_uid(talk, options), revision)
    summary = talk_summary(talk, session)
    event.add("summary", vText(summary))
    event.add("dtstart", talk.start)
    event.add("dtend", event_end(talk, options))
    location = talk.location or session.location
    if location:
        event.add("location", vText(location))
    if talk.type:
        event.add("categories", [talk.type])
    if talk.url or session.source_url:
        event.add("url", talk.url or session.source_url)
    event.add("description", vText(build_talk_description(talk, session, options)))
    event.add("related-to", session_uid(session, options))
    event.add("transp", "OPAQUE")
    if talk.cancelled:
        event.add("status", "CANCELLED")
    _alarm(event, summary, options)
    return event


def build_session_event(session: Session, revision: Revision, options: FeedOptions) -> Event:
    """The VEVENT spanning a whole session (first start to last end)."""
    assert session.start is not None and session.end is not None
    event = Event()
    _common(event, session_uid(session, options), revision)
    event.add("summary", vText(session.title))
    event.add("dtstart", session.start)
    last = max(event_end(t, options) for t in session.talks)
    event.add("dtend", last)
    if session.location:
        event.add("location", vText(session.location))
    if session.source_url:
        event.add("url", session.source_url)
    event.add("description", vText(build_session_description(session, options)))
    event.add("transp", "OPAQUE")
    _alarm(event, session.title, options)
    return event


def render_talk_event(talk: Talk, session: Session, revision: Revision, options: FeedOptions) -> bytes:
    """Serialized VEVENT of one talk (a cacheable piece of a feed)."""
    return build_talk_event(talk, session, revision, options).to_ical(sorted=False)


def render_session_event(session: Session, revision: Revision, options: FeedOptions) -> bytes:
    """Serialized VEVENT of one session (a cacheable piece of a feed)."""
    return build_session_event(session, revision, options).to_ical(sorted=False)


@functools.lru_cache(maxsize=512)
def render_vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """Serialized VTIMEZONE in the classic STANDARD/DAYLIGHT + RRULE form."""
    return build_vtimezone(tzid, first_year, last_year).to_ical()


def build_calendar_header(info: CalendarInfo, options: FeedOptions) -> Calendar:
    """The VCALENDAR with its calendar-level properties and no components."""
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", vText(info.name))
    cal.add("x-wr-calname", vText(info.name))
    cal.add("description", vText(info.description))
    cal.add("x-wr-caldesc", vText(info.description))
    cal.add("x-wr-timezone", info.timezone)
    if info.url:
        cal.add("url", info.url)
    cal.add("refresh-interval", vDuration(options.refresh), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(options.refresh))
    for key, value in info.extra.items():
        cal.add(key, vText(value))
    return cal


def assemble_calendar(header: Calendar, timezones: Iterable[bytes], events: Iterable[bytes]) -> bytes:
    """Place serialized VTIMEZONEs and VEVENTs inside ``header``'s VCALENDAR.

    The pieces were each written by icalendar; this only concatenates them.
    """
    head = header.to_ical()
    assert head.endswith(_END_CALENDAR)
    return b"".join([head[: -len(_END_CALENDAR)], *timezones, *events, _END_CALENDAR])


def _zone_spans(events: Iterable[tuple[str, Talk]]) -> dict[str, tuple[int, int]]:
    """For each zone, the first and last year of the (zone, talk) events given."""
    spans: dict[str, tuple[int, int]] = {}
    for zone, talk in events:
        first, last = talk.start.year, (talk.end or talk.start).year
        lo, hi = spans.get(zone, (first, last))
        spans[zone] = (min(lo, first), max(hi, last))
    return spans


def zone_years(sessions: Iterable[Session]) -> dict[str, tuple[int, int]]:
    """For each IANA zone used, the first and last year of its events."""
    return _zone_spans((s.timezone, t) for s in sessions for t in s.talks)


def render_calendar(
    sessions: Sequence[Session],
    info: CalendarInfo,
    revision_of: Callable[[str], Revision],
    options: FeedOptions,
    *,
    talks: Iterable[tuple[Session, Talk]] | None = None,
    cache: MutableMapping[tuple[object, ...], bytes] | None = None,
) -> bytes:
    """A whole feed: header, one VTIMEZONE per zone, session and/or talk events.

    ``revision_of(id)`` gives the :class:`Revision` of a talk or session id.
    ``talks`` overrides which talk events are written (default: every talk of
    ``sessions``; a filtered feed passes its selection). ``cache`` keeps each
    event's bytes under (id, revision, options): a caller whose revisions change
    whenever an event's content does (the store) builds each event once.
    Events are in time order (then id), so output does not depend on input order.
    """

    def piece(kind: str, item_id: str, build: Callable[[], bytes], extra: object = None) -> bytes:
        if cache is None:
            return build()
        revision = revision_of(item_id)
        key = (kind, item_id, revision.sequence, revision.modified, extra, options)
        data = cache.get(key)
        if data is None:
            data = cache[key] = build()
        return data

    selected = list(talks) if talks is not None else [(s, t) for s in sessions for t in s.talks]
    pieces: list[tuple[datetime, int, str, bytes]] = []
    if options.sessions:
        for session in sessions:
            if session.talks:
                assert session.start is not None
                pieces.append((_utc(session.start), 0, session.id, piece(
                    "s", session.id, lambda s=session: render_session_event(s, revision_of(s.id), options))))
    if options.talks:
        for session, talk in selected:
            pieces.append((_utc(talk.start), 1, talk.id, piece(
                "t", talk.id, lambda s=session, t=talk: render_talk_event(t, s, revision_of(t.id), options), talk.cancelled)))
    pieces.sort(key=lambda p: p[:3])
    written = [(s.timezone, t) for s in sessions for t in s.talks] if options.sessions else []
    if options.talks:
        written += [(s.timezone, t) for s, t in selected]
    spans = _zone_spans(written)
    timezones = [render_vtimezone(tz, lo, hi) for tz, (lo, hi) in sorted(spans.items())]
    header = build_calendar_header(info, options)
    return assemble_calendar(header, timezones, (p[3] for p in pieces))


def describe_schedule(schedule: Schedule, name: str | None = None) -> CalendarInfo:
    """Default calendar texts for a parsed schedule (used by the CLI)."""
    sessions = schedule.sessions
    talks = sum(len(s.talks) for s in sessions)
    if name is None:
        name = sessions[0].title if len(sessions) == 1 else f"Conference schedule ({len(sessions)} sessions)"
    titles = "; ".join(s.title for s in sessions[:5]) + ("; …" if len(sessions) > 5 else "")
    description = f"{talks} slots in {len(sessions)} session{'s' if len(sessions) != 1 else ''}: {titles}. Times in {schedule.timezone}. Made by calsync."
    url = sessions[0].source_url if len(sessions) == 1 else None
    return CalendarInfo(name=name, description=description, timezone=schedule.timezone, url=url)
