"""The formats every conference and custom feed is published in, with what reads each one.

One list for the subscribe kit (and the README's table says the same): the web layer
turns each entry's ``path`` into a conference's or a custom feed's URL.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """A published format: its name, its file name after the conference or feed path, who reads it."""

    key: str
    name: str
    suffix: str
    content_type: str
    readers: str


FORMATS: tuple[Format, ...] = (
    Format("ics", "iCalendar", ".ics", "text/calendar",
           "calendars: Google, Outlook, Apple, Thunderbird, Evolution"),
    Format("xml", "frab/Pentabarf schedule XML", "/schedule.xml", "application/xml",
           "conference apps: Giggity, ConfClerk, EventFahrplan, pyfahrplan; pretalx/frab widgets; info-beamer"),
    Format("json", "c3voc schedule JSON", "/schedule.json", "application/json",
           "programs and widgets that read pretalx's or frab's schedule.json"),
    Format("atom", "Atom feed of changes", "/changes.atom", "application/atom+xml",
           "feed readers: Thunderbird, NetNewsWire, Feedly, …"),
)
