"""Whole feeds: the VCALENDAR header, one VTIMEZONE per zone, and the events in time order.

:func:`render_calendar` takes a cache of event pieces as an argument (the store keeps no
bytes, only revisions; :class:`calsync.service.FeedService` owns the cache);
:func:`assemble_calendar` only places already-serialized components between a
calendar's header and its ``END:VCALENDAR`` line. Events missing from the cache are
written by one :class:`~calsync.ical.writer.EventWriter` per feed, which computes what
repeats between events (revision stamps, slot times, rooms, types) once.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from operator import attrgetter
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from icalendar import Calendar, vDuration

from .. import __version__
from ..model import Schedule, Session, Talk
from ..vtimezone import ZonePlan, zone_plan
from ..zones import describe_zone
from .events import CalendarInfo, FeedOptions, FeedText, Revision, _utc, event_end, session_days
from .writer import EventPiece, EventWriter

PRODID = f"-//calsync//calsync {__version__}//EN"
_END_CALENDAR = b"END:VCALENDAR\r\n"


def render_vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """Serialized VTIMEZONE (classic form) for events in ``first_year..last_year``."""
    return zone_plan(tzid, tuple(range(first_year, last_year + 1))).to_ical()


# --------------------------------------------------------------------------
# The calendar


def build_calendar_header(info: CalendarInfo, options: FeedOptions, *, zones: Sequence[str] | None = None) -> Calendar:
    """The VCALENDAR with its calendar-level properties and no components.

    X-WR-TIMEZONE is the display zone, or the one zone of the events (``zones``); a
    calendar whose events mix zones has none (Google would show every event in one).
    """
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", FeedText(info.name))
    cal.add("x-wr-calname", FeedText(info.name))
    cal.add("description", FeedText(info.description))
    cal.add("x-wr-caldesc", FeedText(info.description))
    if zones is None or len(zones) <= 1:
        zone = zones[0] if zones else info.timezone
        if zone:
            cal.add("x-wr-timezone", zone)
    if info.url:
        cal.add("url", info.url)
    cal.add("refresh-interval", vDuration(options.refresh), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(options.refresh))
    for key, value in info.extra.items():
        cal.add(key, FeedText(value))
    return cal


def assemble_calendar(header: Calendar, timezones: Iterable[bytes], events: Iterable[bytes]) -> bytes:
    """Place serialized VTIMEZONEs and VEVENTs inside ``header``'s VCALENDAR.

    The pieces were each written by icalendar; this only concatenates them.
    """
    head: bytes = header.to_ical()
    assert head.endswith(_END_CALENDAR)
    return b"".join([head[: -len(_END_CALENDAR)], *timezones, *events, _END_CALENDAR])


def _zone_key(moment: datetime) -> str | None:
    """The IANA key of an aware datetime's zone, or None for a fixed offset (written in UTC)."""
    return moment.tzinfo.key if isinstance(moment.tzinfo, ZoneInfo) else None


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


def _exact(plans: Mapping[str, ZonePlan], *moments: datetime) -> bool:
    """Whether every moment may be written as a local time with its zone's VTIMEZONE."""
    for moment in moments:
        key = _zone_key(moment)
        if key is None or not plans[key].exact(moment):
            return False
    return True


class _ExactTimes:
    """:func:`_exact` for (start, end) pairs, answered once per distinct pair of a feed.

    A conference's slots repeat (every talk of a 5-minute grid, every session in parallel
    rooms): each pair is checked against the zone plans once, not once per event. A key
    holds each moment with its tzinfo and fold — datetimes with one tzinfo compare by wall
    time alone, and the fold tells the two instants of a repeated hour apart.
    """

    def __init__(self, plans: Mapping[str, ZonePlan]) -> None:
        self.plans = plans
        self._answers: dict[tuple[object, ...], bool] = {}

    def __call__(self, start: datetime, end: datetime) -> bool:
        key = (start, start.tzinfo, start.fold, end, end.tzinfo, end.fold)
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = _exact(self.plans, start, end)
        return found


@functools.lru_cache(maxsize=256)
def piece_options(options: FeedOptions) -> FeedOptions:
    """The options an event's :class:`EventPiece` is kept under: ``options`` without the presentation.

    The view (``talks``/``sessions``) chooses events; the alarm is added when a feed is
    assembled (:meth:`EventWriter.close`); ``abstracts``, ``compact`` and ``speakers``
    choose among a piece's variant lines. So every such variant of a feed shares one
    piece per event.

    >>> piece_options(FeedOptions(alarm_minutes=5, speakers=True)) == piece_options(FeedOptions(abstracts=False))
    True
    """
    return replace(options, talks=True, sessions=False, alarm_minutes=None, abstracts=True, compact=False,
                   speakers=False)


def piece_token(options: FeedOptions) -> int:
    """A number that names :func:`piece_options` of ``options`` in the pieces' cache keys.

    An int hashes and compares at once; the options would be hashed field by field at every
    lookup. A number is never given to other options (after the table is cleared, the same
    options get a new one: their pieces are written again, never mixed up).

    >>> piece_token(FeedOptions(alarm_minutes=5)) == piece_token(FeedOptions(speakers=True))
    True
    >>> piece_token(FeedOptions()) == piece_token(FeedOptions(host="other.example"))
    False
    """
    shared = piece_options(options)
    token = _TOKENS.get(shared)
    if token is None:
        if len(_TOKENS) > 1024:  # (only the host, conference and default duration count: a few per deployment)
            _TOKENS.clear()
        token = _TOKENS.setdefault(shared, next(_NUMBERS))
    return token


_TOKENS: dict[FeedOptions, int] = {}
_NUMBERS = itertools.count(1)


class Slot(NamedTuple):
    """One event of a feed's layout: what to write, and the piece key part that names it.

    ``order`` is its place in a feed (UTC start, sessions before talks, id); ``key`` is
    (kind ``"s"``/``"t"``, id, SEQUENCE, LAST-MODIFIED, CREATED, how its times are
    written); ``part`` and ``first_day`` place a session's day (``None`` for a talk).
    """

    order: tuple[datetime, int, str]
    key: tuple[object, ...]
    revision: Revision
    session: Session
    talk: Talk | None
    part: tuple[date, datetime, datetime] | None
    first_day: date | None
    utc: bool


class FeedLayout(NamedTuple):
    """A feed before any bytes: its events in order and its VTIMEZONEs.

    It depends on the selection, the view and the default duration (and the revisions),
    never on the presentation — alarm, abstracts, compact, speakers — nor on the texts of
    the calendar: a caller may keep it per data version and assemble every such variant
    from it (:func:`assemble_feed`).
    """

    slots: tuple[Slot, ...]
    timezones: tuple[bytes, ...]
    #: The zones the events are written in (X-WR-TIMEZONE when there is one).
    written: tuple[str, ...]
    #: No event: the calendar says nothing matches, and holds the display zone's VTIMEZONE.
    empty: bool


def feed_layout(
    sessions: Sequence[Session],
    info: CalendarInfo,
    revision_of: Callable[[str], Revision],
    options: FeedOptions,
    *,
    talks: Iterable[tuple[Session, Talk]] | None = None,
) -> FeedLayout:
    """The events of a feed in time order (then kind, then id), with the zone plans they need.

    ``talks`` overrides which talk events are written (default: every talk of
    ``sessions``). Each zone gets one VTIMEZONE for the years of its events; an event
    whose local times that VTIMEZONE does not state exactly is written in UTC. An empty
    feed gets the display zone (``info.timezone``) dated by ``info.year``.
    """
    selected = list(talks) if talks is not None else [(s, t) for s in sessions for t in s.talks]
    parts: list[tuple[Session, tuple[date, datetime, datetime], date]] = []
    if options.sessions:
        for session in sessions:
            if session.talks:
                days = session_days(session, options)
                parts += [(session, part, days[0][0]) for part in days]
    years: dict[str, set[int]] = {}

    def note(moment: datetime) -> None:
        if (key := _zone_key(moment)) is not None:
            years.setdefault(key, set()).add(moment.year)

    for _, (_, start, end), _ in parts:
        note(start)
        note(end)
    ends: list[datetime] = []
    if options.talks:
        seen: set[tuple[object, ...]] = set()  # slots repeat: each (start, end) once
        for _, talk in selected:
            end = event_end(talk, options)
            ends.append(end)
            slot = (talk.start, talk.start.tzinfo, end, end.tzinfo)
            if slot not in seen:
                seen.add(slot)
                note(talk.start)
                note(end)
    written = tuple(sorted(years))  # the zones the events are written in (before an empty feed's display zone)
    empty = not parts and not (options.talks and selected)
    if empty and info.timezone and _is_zone(info.timezone):
        years[info.timezone] = {info.year or _fallback_year(sessions)}
    plans = {zone: zone_plan(zone, tuple(sorted(ys))) for zone, ys in years.items()}

    exact = _ExactTimes(plans)
    ordered: list[Slot] = []
    named: tuple[object, ...]
    for session, part, first_day in parts:
        utc = not exact(part[1], part[2])
        revision = revision_of(session.id)
        named = ("s", session.id, revision.sequence, revision.modified, revision.created, (part, first_day, utc))
        ordered.append(Slot((_utc(part[1]), 0, f"{session.id}/{part[0]}"), named, revision, session, None, part,
                            first_day, utc))
    for (session, talk), end in zip(selected, ends):  # (no ends: the view has no talks)
        utc = not exact(talk.start, end)
        revision = revision_of(talk.id)
        named = ("t", talk.id, revision.sequence, revision.modified, revision.created, (talk.cancelled, utc))
        ordered.append(Slot((_utc(talk.start), 1, talk.id), named, revision, session, talk, None, None, utc))
    ordered.sort(key=attrgetter("order"))
    timezones = tuple(plans[zone].to_ical() for zone in sorted(plans))
    return FeedLayout(tuple(ordered), timezones, written, empty)


def merge_layouts(sessions: FeedLayout, talks: FeedLayout) -> FeedLayout | None:
    """The layout of ``view=both`` from those of the sessions view and the talks view, or ``None``.

    Both must hold events (an empty feed's VTIMEZONE is the display zone's) and write
    them with the same VTIMEZONEs: then every event keeps how its times are written,
    and the merged order is :func:`feed_layout`'s. A session's part spans its talks, so
    for the same selection the two views nearly always have the same zones and years.
    """
    if sessions.empty or talks.empty or sessions.timezones != talks.timezones or sessions.written != talks.written:
        return None
    slots = tuple(heapq.merge(sessions.slots, talks.slots, key=attrgetter("order")))
    return FeedLayout(slots, sessions.timezones, sessions.written, False)


class PieceCache(Protocol):
    """Where :func:`assemble_feed` keeps each event's :class:`EventPiece` (a dict will do)."""

    def get(self, key: tuple[object, ...], /) -> EventPiece | None: ...

    def __setitem__(self, key: tuple[object, ...], value: EventPiece, /) -> None: ...


def assemble_feed(
    layout: FeedLayout, info: CalendarInfo, options: FeedOptions, cache: PieceCache | None = None
) -> bytes:
    """A feed's bytes from its layout: the header, the VTIMEZONEs, each event's piece closed for ``options``.

    ``cache`` keeps each event's piece under (the slot's key, :func:`piece_token`): a
    caller whose revisions change whenever an event's content does (the store) writes each
    event once for every view and presentation; a piece that lacks this feed's variant
    lines gets them (and is stored again: its size grew).
    """
    writer = EventWriter(options)
    shared = piece_token(options)
    pieces: list[EventPiece] = []
    for slot in layout.slots:
        if cache is None:
            pieces.append(_write(writer, slot))
            continue
        key = (slot.key, shared)
        found = cache.get(key)
        if found is None:
            found = cache[key] = _write(writer, slot)
        elif writer.lacks(found):
            _fill(writer, slot, found)
            cache[key] = found
        pieces.append(found)
    if layout.empty:
        info = CalendarInfo(
            name=info.name,
            description=f"{info.description} Nothing matches this feed right now.",
            timezone=info.timezone,
            url=info.url,
            extra=info.extra,
            year=info.year,
        )
    header = build_calendar_header(info, options, zones=layout.written or None)
    return assemble_calendar(header, layout.timezones, writer.close(pieces))


def _write(writer: EventWriter, slot: Slot) -> EventPiece:
    if slot.talk is not None:
        return writer.talk_piece(slot.talk, slot.session, slot.revision, utc=slot.utc)
    return writer.session_piece(slot.session, slot.revision, part=slot.part, first_day=slot.first_day, utc=slot.utc)


def _fill(writer: EventWriter, slot: Slot, piece: EventPiece) -> None:
    if slot.talk is not None:
        writer.fill_talk(piece, slot.talk, slot.session)
    else:
        assert slot.part is not None
        writer.fill_session(piece, slot.session, part=slot.part, first_day=slot.first_day)


def render_calendar(
    sessions: Sequence[Session],
    info: CalendarInfo,
    revision_of: Callable[[str], Revision],
    options: FeedOptions,
    *,
    talks: Iterable[tuple[Session, Talk]] | None = None,
    cache: PieceCache | None = None,
) -> bytes:
    """A whole feed: header, one VTIMEZONE per zone, session and/or talk events.

    ``revision_of(id)`` gives the :class:`Revision` of a talk or session id.
    ``talks`` overrides which talk events are written (default: every talk of
    ``sessions``; a filtered feed passes its selection). ``cache``: see
    :func:`assemble_feed`. Events are in time order (then id), so output does not
    depend on input order. A feed with no event still holds the display zone's
    VTIMEZONE and says in X-WR-CALDESC that nothing matched. The same as
    :func:`assemble_feed` of :func:`feed_layout`.
    """
    layout = feed_layout(sessions, info, revision_of, options, talks=talks)
    return assemble_feed(layout, info, options, cache)


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, OSError):
        return False
    return True


def _fallback_year(sessions: Sequence[Session]) -> int:
    """The year to date an empty feed's VTIMEZONE by: the first event's of the conference, else 2000."""
    starts = [t.start.year for s in sessions for t in s.talks]
    return min(starts) if starts else 2000


def describe_schedule(schedule: Schedule, name: str | None = None) -> CalendarInfo:
    """Default calendar texts for a parsed schedule (used by the CLI).

    A schedule whose sessions are in several zones says so; its display zone is then
    left out of X-WR-TIMEZONE by :func:`render_calendar`.
    """
    sessions = schedule.sessions
    talks = sum(len(s.talks) for s in sessions)
    if name is None:
        name = sessions[0].title if len(sessions) == 1 else f"Conference schedule ({len(sessions)} sessions)"
    titles = "; ".join(s.title for s in sessions[:5]) + ("; …" if len(sessions) > 5 else "")
    zones = sorted({s.timezone for s in sessions}) or [schedule.timezone]
    where = describe_zone(zones[0]) if len(zones) == 1 else "several zones (" + ", ".join(map(describe_zone, zones)) + ")"
    description = f"{talks} slots in {len(sessions)} session{'s' if len(sessions) != 1 else ''}: {titles}. Times in {where}. Made by calsync."
    url = sessions[0].source_url if len(sessions) == 1 else None
    year = min((t.start.year for s in sessions for t in s.talks), default=None)
    return CalendarInfo(name=name, description=description, timezone=zones[0], url=url, year=year)
