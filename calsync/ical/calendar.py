"""Whole feeds: the VCALENDAR header, one VTIMEZONE per zone, and the events in time order.

:func:`assemble_feed` writes a feed from its layout (:mod:`.layout`) and a cache of event
pieces (:mod:`.pieces`; the store keeps no bytes, only revisions;
:class:`calsync.service.FeedService` owns the cache); :func:`render_calendar` does both;
:func:`assemble_calendar` only places already-serialized components between a
calendar's header and its ``END:VCALENDAR`` line. Events missing from the cache are
written by one :class:`~calsync.ical.writer.EventWriter` per feed, which computes what
repeats between events (revision stamps, slot times, rooms, types) once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from icalendar import Calendar, vDuration

from .. import __version__
from ..model import Schedule, Session, Talk
from ..vtimezone import zone_plan
from ..zones import describe_zone
from .events import CalendarInfo, FeedOptions, Revision
from .layout import FeedLayout, Slot, feed_layout
from .pieces import EventPiece, PieceCache, piece_token
from .text import FeedText
from .writer import EventWriter

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


def assemble_feed(
    layout: FeedLayout, info: CalendarInfo, options: FeedOptions, cache: PieceCache | None = None
) -> bytes:
    """A feed's bytes from its layout: the header, the VTIMEZONEs, each event's piece closed for ``options``.

    ``cache`` keeps each event's piece under (the slot's key, :func:`piece_token`): a
    caller whose revisions change whenever an event's content does (the store) writes each
    event once for every view and presentation (a piece holds every variant's lines).
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
