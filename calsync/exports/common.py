"""What the schedule formats (frab XML, c3voc JSON) show of a conference: one owner for both.

A talk becomes an :class:`ExportEvent` in the conference's zone: its GUID is a UUID derived
from the talk's UID in the conference's feeds (:func:`calsync.ical.talk_uid`), so it stays
the same while the talk moves or is retitled, exactly like the UID calendar clients see; its
number (the formats' legacy integer ``id``) is a 31-bit digest of the talk id (Java ``int``
in the Android apps), unique within one export. Events are grouped by the local date of
their start (days) and by room; a poster's position (``Hall J #2504``) is part of its
location, not of its room, so a poster hall stays one room.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..ical import FeedOptions, build_talk_description, event_end, talk_summary, talk_uid
from ..model import Session, Talk, normalize_title, slugify, web_url

#: The namespace of every UUID calsync derives (a fixed value: changing it changes every GUID).
GUID_NAMESPACE = uuid.UUID("5b0e7c1e-3f0a-5d8c-9a57-2c3a1e6d4f10")
_NAMESPACE_BYTES = GUID_NAMESPACE.bytes

#: The room of an event whose talk and session name none.
NO_ROOM = "Room not published"

#: Grid of the schedule apps (the formats' ``timeslot_duration``): every time calsync reads
#: is a whole minute, and 5 minutes is the finest grid the apps draw well.
TIMESLOT = "00:05"

#: Events kept by a caller's cache before it is emptied.
EVENT_CACHE_SIZE = 200_000

#: The longest duration the XML format can write (``hh:mm`` with two hour digits).
MAX_DURATION = timedelta(hours=99, minutes=59)

_POSITION_RE = re.compile(r"\s+#[\w.-]+$")
#: Characters XML 1.0 cannot carry (control characters other than tab, newline, return; lone surrogates).
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class ScheduleInfo:
    """The schedule-level facts of an export.

    ``slug`` is the conference's slug (the formats' acronym is made from it); ``title`` the
    conference's (or the custom feed's) name; ``timezone`` the conference's IANA zone, in
    which every time is written; ``url`` an http(s) page of it, also the link of events
    that have none of their own; ``version`` a string that changes whenever the data does
    (the apps compare it); ``modified`` the data's last change (UTC), which dates a
    schedule without any event.
    """

    slug: str
    title: str
    timezone: str
    url: str
    version: str
    modified: datetime


@dataclass(frozen=True)
class Person:
    """An author, with a GUID derived from the conference and the normalized name."""

    name: str
    guid: str


@dataclass(frozen=True)
class ExportEvent:
    """One talk as the schedule formats show it (times in the conference's zone)."""

    guid: str
    number: int
    slug: str
    start: datetime
    end: datetime
    title: str
    type: str
    room: str
    location: str | None
    track: str
    persons: tuple[Person, ...]
    abstract: str
    description: str
    url: str
    end_published: bool

    @property
    def duration(self) -> str:
        """``hh:mm``, at most 99:59 (what the XML format can write; the JSON has ``end`` too)."""
        return format_duration(self.end - self.start)


@dataclass(frozen=True)
class ExportDay:
    """A local date with its events by room (rooms in the schedule's room order)."""

    index: int
    date: date
    start: datetime
    end: datetime
    rooms: tuple[tuple[str, tuple[ExportEvent, ...]], ...]


@dataclass(frozen=True)
class ExportSchedule:
    """Everything a format writes: the info, the rooms (name, GUID), the days, the event count."""

    info: ScheduleInfo
    acronym: str
    rooms: tuple[tuple[str, str], ...]
    days: tuple[ExportDay, ...]
    first_day: date
    last_day: date

    @property
    def first_midnight(self) -> datetime:
        """The start of the first day in the conference's zone."""
        return datetime.combine(self.first_day, time(0), ZoneInfo(self.info.timezone))

    @property
    def events(self) -> list[ExportEvent]:
        """Every event, day by day and room by room."""
        return [e for d in self.days for _, events in d.rooms for e in events]


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (the JSON keeps the same text).

    >>> xml_text("a\\x0cb\\tc")
    'ab\\tc'
    """
    return _NOT_XML_RE.sub("", text)


def format_duration(length: timedelta) -> str:
    """``hh:mm`` of a duration, clamped to 00:00–99:59.

    >>> format_duration(timedelta(minutes=95)), format_duration(timedelta(days=5)), format_duration(timedelta(0))
    ('01:35', '99:59', '00:00')
    """
    minutes = int(min(max(length, timedelta(0)), MAX_DURATION).total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def acronym(slug: str) -> str:
    """The formats' acronym of a conference slug: dashes become underscores, at least 4 characters.

    >>> acronym("icil-2026"), acronym("x")
    ('icil_2026', 'x___')
    """
    return slug.replace("-", "_").ljust(4, "_")


def room_of(location: str | None) -> str:
    """The room of a location: without a poster's ``#position``; :data:`NO_ROOM` when none.

    >>> room_of("Hall J (level 1) #302"), room_of("#302"), room_of("Room 327 - 329"), room_of(None)
    ('Hall J (level 1)', '#302', 'Room 327 - 329', 'Room not published')
    """
    if not location or not location.strip():
        return NO_ROOM
    return _POSITION_RE.sub("", location.strip()) or location.strip()


def make_guid(*parts: str) -> str:
    """A UUID (version 5, in :data:`GUID_NAMESPACE`) of ``parts`` joined by U+001F.

    The same value as ``str(uuid.uuid5(GUID_NAMESPACE, name))``, without building UUID
    objects (a 10,000-talk conference needs tens of thousands of them).

    >>> make_guid("a", "b") == str(uuid.uuid5(GUID_NAMESPACE, "a\x1fb")), len(make_guid("x"))
    (True, 36)
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "\x1f".join(parts).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def talk_guid(talk: Talk, options: FeedOptions, conference: str | None) -> str:
    """The GUID of a talk's event: a UUID derived from the UID the conference's full feeds give it
    (:func:`calsync.ical.talk_uid` with the conference, abstracts on), so it stays while the talk
    moves or is retitled."""
    return make_guid("talk", talk_uid(talk, replace(options, conference=conference, abstracts=True)))


def _numbers(talk_ids: Iterable[str]) -> dict[str, int]:
    """A positive 31-bit number per talk id: its digest, probing upwards on the rare collision.

    >>> n = _numbers(["t1", "t2"]); 0 < n["t1"] < 2**31 and n["t1"] != n["t2"]
    True
    """
    taken: dict[int, str] = {}
    out: dict[str, int] = {}
    for talk_id in sorted(set(talk_ids)):
        number = int(hashlib.sha256(talk_id.encode("utf-8")).hexdigest()[:8], 16) % (2**31 - 1) + 1
        while number in taken:
            number = number % (2**31 - 1) + 1
        taken[number] = talk_id
        out[talk_id] = number
    return out


def zone_name(zone: str) -> str | None:
    """The zone as the c3voc JSON schema takes it (``Area/City`` or ``UTC``), else ``None``.

    >>> zone_name("America/Los_Angeles"), zone_name("Etc/UTC"), zone_name("Etc/GMT+7")
    ('America/Los_Angeles', 'UTC', None)
    """
    if zone in ("UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"):
        return "UTC"
    return zone if re.match(r"^[A-Z][a-z]+/[A-Z][a-z]+", zone) and not zone.startswith("Etc/") else None


def build_events(
    talks: Sequence[tuple[Session, Talk]],
    info: ScheduleInfo,
    options: FeedOptions,
    cache: MutableMapping[tuple[object, ...], ExportEvent] | None = None,
) -> list[ExportEvent]:
    """The events of ``talks`` in the conference's zone, in time order (then room, then GUID).

    ``options`` gives the UID host (and so the GUIDs) and the length of slots without a
    published end. The description is the calendar feeds' (without the abstract, which
    the formats carry on its own). ``cache`` keeps each event under everything it is made
    of (the talk, its session's shown fields, its number, the schedule's facts): a caller
    rendering a new version of a big schedule builds only the events that changed.
    """
    zone = ZoneInfo(info.timezone)
    numbers = _numbers(t.id for _, t in talks)
    short = acronym(info.slug)
    described = FeedOptions(host=options.host, abstracts=False, default_duration=options.default_duration)
    people: dict[str, Person] = {}

    def person(name: str) -> Person:
        found = people.get(name)
        if found is None:
            found = people[name] = Person(name, make_guid("person", info.slug, normalize_title(name)))
        return found

    if cache is not None and len(cache) > EVENT_CACHE_SIZE:
        cache.clear()
    events = []
    for session, talk in talks:
        number = numbers[talk.id]
        key = (talk, session.id, session.title, session.location, session.moderators, session.source_url, number,
               info.slug, info.timezone, info.url, options.host, options.default_duration)
        found = cache.get(key) if cache is not None else None
        if found is not None:
            events.append(found)
            continue
        title = talk_summary(talk, session)
        location = talk.location or session.location
        events.append(
            ExportEvent(
                guid=talk_guid(talk, options, info.slug),
                number=number,
                slug=f"{short}-{number}-{slugify(title, 40)}",
                start=talk.start.astimezone(zone),
                end=event_end(talk, options).astimezone(zone),
                title=title,
                type=talk.type or "",
                room=room_of(location),
                location=location,
                track=session.title,
                persons=tuple(person(name) for name in talk.authors),
                abstract=talk.abstract or "",
                description=build_talk_description(talk, session, described),
                url=web_url(talk.url) or web_url(session.source_url) or info.url,
                end_published=talk.end is not None,
            )
        )
        if cache is not None:
            cache[key] = events[-1]
    events.sort(key=lambda e: (e.start, e.room, e.guid))
    return events


def build_schedule(
    talks: Sequence[tuple[Session, Talk]],
    info: ScheduleInfo,
    options: FeedOptions,
    cache: MutableMapping[tuple[object, ...], ExportEvent] | None = None,
) -> ExportSchedule:
    """Days (local dates of the starts, numbered from 1) and rooms (sorted by name) of ``talks``
    (``cache``: see :func:`build_events`)."""
    events = build_events(talks, info, options, cache)
    rooms = sorted({e.room for e in events}, key=lambda r: (normalize_title(r), r))
    order = {room: i for i, room in enumerate(rooms)}
    by_day: dict[date, list[ExportEvent]] = {}
    for event in events:
        by_day.setdefault(event.start.date(), []).append(event)
    days = []
    for index, (day, day_events) in enumerate(sorted(by_day.items()), start=1):
        by_room: dict[str, list[ExportEvent]] = {}
        for event in day_events:
            by_room.setdefault(event.room, []).append(event)
        days.append(
            ExportDay(
                index=index,
                date=day,
                start=min(e.start for e in day_events),
                end=max(e.end for e in day_events),
                rooms=tuple((room, tuple(by_room[room])) for room in sorted(by_room, key=order.__getitem__)),
            )
        )
    fallback = info.modified.astimezone(ZoneInfo(info.timezone)).date()
    return ExportSchedule(
        info=info,
        acronym=acronym(info.slug),
        rooms=tuple((room, make_guid("room", info.slug, room)) for room in rooms),
        days=tuple(days),
        first_day=days[0].date if days else fallback,
        last_day=days[-1].date if days else fallback,
    )


def local_iso(moment: datetime) -> str:
    """ISO 8601 with the UTC offset, to the second (``2026-07-14T09:00:00-07:00``)."""
    return moment.isoformat(timespec="seconds")
