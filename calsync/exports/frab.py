"""The frab/Pentabarf schedule XML (``schedule.xml``), as Giggity, ConfClerk, EventFahrplan
and the pretalx/frab widgets read it.

Written to the c3voc schedule XML schema (``tests/schemas/schedule.xml.xsd``): a
``<conference>`` head, then one ``<day>`` per local date, one ``<room>`` per room that day,
one ``<event id=… guid=…>`` per talk with its date (ISO 8601 with the offset of the
conference's zone), start (``HH:MM``), duration (``hh:mm``), room, slug, URL, title, track
(the session), type, abstract, description (authors, session, moderators, room, link)
and persons. The schema wants at least one ``<day>``: a schedule without events gets one
empty day, the date of its last change.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from .. import __version__
from ..ical import FeedOptions
from ..model import Session, Talk
from .common import TIMESLOT, ExportEvent, ExportSchedule, ScheduleInfo, build_schedule, local_iso, xml_text


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _event(parent: ET.Element, event: ExportEvent) -> None:
    element = _add(parent, "event", id=str(event.number), guid=event.guid)
    _add(element, "date", local_iso(event.start))
    _add(element, "start", f"{event.start:%H:%M}")
    _add(element, "duration", event.duration)
    _add(element, "room", event.room)
    _add(element, "slug", event.slug)
    _add(element, "url", event.url)
    _add(element, "title", event.title)
    _add(element, "subtitle", "")
    _add(element, "track", event.track)
    _add(element, "type", event.type)
    _add(element, "abstract", event.abstract)
    _add(element, "description", event.description)
    persons = _add(element, "persons")
    for person in event.persons:
        _add(persons, "person", person.name, guid=person.guid)


def write_schedule_xml(schedule: ExportSchedule) -> bytes:
    """The schedule XML of a built schedule (UTF-8, indented, byte-identical for the same input)."""
    info = schedule.info
    root = ET.Element("schedule")
    _add(root, "generator", name="calsync", version=__version__)
    _add(root, "version", info.version)
    conference = _add(root, "conference")
    _add(conference, "acronym", schedule.acronym)
    _add(conference, "title", info.title)
    _add(conference, "start", schedule.first_day.isoformat())
    _add(conference, "end", schedule.last_day.isoformat())
    _add(conference, "days", str(len(schedule.days) or 1))
    _add(conference, "timeslot_duration", TIMESLOT)
    _add(conference, "url", info.url)
    _add(conference, "time_zone_name", info.timezone)
    if not schedule.days:
        midnight = local_iso(schedule.first_midnight)
        _add(root, "day", index="1", date=schedule.first_day.isoformat(), start=midnight, end=midnight)
    guids = dict(schedule.rooms)
    for day in schedule.days:
        element = _add(root, "day", index=str(day.index), date=day.date.isoformat(),
                       start=local_iso(day.start), end=local_iso(day.end))
        for name, events in day.rooms:
            room = _add(element, "room", name=name, guid=guids[name])
            for event in events:
                _event(room, event)
    ET.indent(root, space=" ")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


def schedule_xml(talks: Sequence[tuple[Session, Talk]], info: ScheduleInfo, options: FeedOptions) -> bytes:
    """The frab schedule XML of ``talks`` (pairs of session and talk)."""
    return write_schedule_xml(build_schedule(talks, info, options))
