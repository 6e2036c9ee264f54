"""The frab/Pentabarf schedule XML (``schedule.xml``), as Giggity, ConfClerk, EventFahrplan
and the pretalx/frab widgets read it.

Written to the c3voc schedule XML schema (``tests/schemas/schedule.xml.xsd``): a
``<conference>`` head, then one ``<day>`` per local date, one ``<room>`` per room that day,
one ``<event id=… guid=…>`` per talk with its date (ISO 8601 with the offset of the
conference's zone), start (``HH:MM``), duration (``hh:mm``), room, slug, URL, title, track
(the session), type, abstract, description (authors, session, moderators, room, link)
and persons. The schema wants at least one ``<day>``: a schedule without events gets one
empty day, the date of its last change.

Written line by line with ElementTree's escaping and layout (the output is what
``ElementTree.indent`` + ``tostring`` gave, 4× faster, and each event's element can be
kept and reused while the event does not change).
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence

from .. import __version__
from ..ical import FeedOptions
from ..model import Session, Talk
from .common import TIMESLOT, ExportEvent, ExportSchedule, ScheduleInfo, build_schedule, local_iso, xml_text

#: Event fragments kept before a caller's cache is emptied.
FRAGMENT_CACHE_SIZE = 200_000


def _text(value: str) -> str:
    """Character data: what XML cannot carry dropped, ``& < >`` escaped (as ElementTree does)."""
    return xml_text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    """An attribute value in double quotes, escaped as ElementTree does (``"``, tab and line ends too)."""
    escaped = _text(value).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")
    return f'"{escaped}"'


def _element(indent: str, tag: str, text: str, **attrs: str) -> str:
    """One line (or more, for text with line breaks): ``<tag a="…">text</tag>``, ``<tag />`` when empty."""
    head = tag + "".join(f" {k}={_attr(v)}" for k, v in attrs.items())
    return f"{indent}<{head}>{_text(text)}</{tag}>\n" if text else f"{indent}<{head} />\n"


def event_xml(event: ExportEvent) -> str:
    """The ``<event>`` element of one event, indented for its place in a room (a cacheable piece)."""
    pad = "    "
    lines = [
        f'   <event id="{event.number}" guid={_attr(event.guid)}>\n',
        _element(pad, "date", local_iso(event.start)),
        _element(pad, "start", f"{event.start:%H:%M}"),
        _element(pad, "duration", event.duration),
        _element(pad, "room", event.room),
        _element(pad, "slug", event.slug),
        _element(pad, "url", event.url),
        _element(pad, "title", event.title),
        _element(pad, "subtitle", ""),
        _element(pad, "track", event.track),
        _element(pad, "type", event.type),
        _element(pad, "abstract", event.abstract),
        _element(pad, "description", event.description),
    ]
    if event.persons:
        lines.append(f"{pad}<persons>\n")
        lines.extend(_element(pad + " ", "person", p.name, guid=p.guid) for p in event.persons)
        lines.append(f"{pad}</persons>\n")
    else:
        lines.append(f"{pad}<persons />\n")
    lines.append("   </event>\n")
    return "".join(lines)


def write_schedule_xml(schedule: ExportSchedule, cache: MutableMapping[ExportEvent, str] | None = None) -> bytes:
    """The schedule XML of a built schedule (UTF-8, indented, byte-identical for the same input).

    ``cache`` keeps each event's element by event (a caller that renders new versions of a
    big schedule writes only the events that changed).
    """
    info = schedule.info
    out = [
        "<?xml version='1.0' encoding='utf-8'?>\n<schedule>\n",
        _element(" ", "generator", "", name="calsync", version=__version__),
        _element(" ", "version", info.version),
        " <conference>\n",
        _element("  ", "acronym", schedule.acronym),
        _element("  ", "title", info.title),
        _element("  ", "start", schedule.first_day.isoformat()),
        _element("  ", "end", schedule.last_day.isoformat()),
        _element("  ", "days", str(len(schedule.days) or 1)),
        _element("  ", "timeslot_duration", TIMESLOT),
        _element("  ", "url", info.url),
        _element("  ", "time_zone_name", info.timezone),
        " </conference>\n",
    ]
    if not schedule.days:
        midnight = local_iso(schedule.first_midnight)
        out.append(_element(" ", "day", "", index="1", date=schedule.first_day.isoformat(), start=midnight, end=midnight))
    if cache is not None and len(cache) > FRAGMENT_CACHE_SIZE:
        cache.clear()
    guids = dict(schedule.rooms)
    for day in schedule.days:
        attrs = {"index": str(day.index), "date": day.date.isoformat(), "start": local_iso(day.start), "end": local_iso(day.end)}
        out.append(" <day" + "".join(f" {k}={_attr(v)}" for k, v in attrs.items()) + ">\n")
        for name, events in day.rooms:
            out.append(f"  <room name={_attr(name)} guid={_attr(guids[name])}>\n")
            for event in events:
                if cache is None:
                    out.append(event_xml(event))
                    continue
                piece = cache.get(event)
                if piece is None:
                    piece = cache[event] = event_xml(event)
                out.append(piece)
            out.append("  </room>\n")
        out.append(" </day>\n")
    out.append("</schedule>\n")
    return "".join(out).encode("utf-8", "replace")


def schedule_xml(talks: Sequence[tuple[Session, Talk]], info: ScheduleInfo, options: FeedOptions) -> bytes:
    """The frab schedule XML of ``talks`` (pairs of session and talk)."""
    return write_schedule_xml(build_schedule(talks, info, options))
