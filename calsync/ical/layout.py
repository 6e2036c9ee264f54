"""A feed before any bytes: which events, in what order, each written how, with which VTIMEZONEs.

:func:`feed_layout` places a feed's sessions (one event per day they meet on) and talks in
time order, gives each zone one VTIMEZONE for the years of its events
(:func:`calsync.vtimezone.zone_plan`) and writes in UTC an event whose local times that
VTIMEZONE does not state exactly. A :class:`FeedLayout` depends on the selection, the view
and the default duration — not on the presentation (alarm, abstracts, compact, speakers) —
so a caller keeps it per data version and assembles every variant from it
(:func:`calsync.ical.calendar.assemble_feed`); :func:`merge_layouts` makes ``view=both``
from the two views'. Pure.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

from ..model import Session, Talk
from ..vtimezone import ZonePlan, zone_plan
from .events import CalendarInfo, FeedOptions, Revision, _utc, event_end, session_days


def _zone_key(moment: datetime) -> str | None:
    """The IANA key of an aware datetime's zone, or None for a fixed offset (written in UTC)."""
    return moment.tzinfo.key if isinstance(moment.tzinfo, ZoneInfo) else None


def zone_years(sessions: Iterable[Session]) -> dict[str, tuple[int, int]]:
    """For each IANA zone used, the first and last year of its events."""
    spans: dict[str, tuple[int, int]] = {}
    for session in sessions:
        for talk in session.talks:
            first, last = talk.start.year, (talk.end or talk.start).year
            lo, hi = spans.get(session.timezone, (first, last))
            spans[session.timezone] = (min(lo, first), max(hi, last))
    return spans


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
