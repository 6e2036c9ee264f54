"""The Atom feed of changes (RFC 4287): one entry per change of a talk, newest first.

Each entry's id is a ``urn:uuid:`` derived from the talk, its conference and its SEQUENCE
after the change, so it never changes while the entry is in the feed (feed readers show each change
once); its title names the kinds and the talk (``Moved: Deep Nets``); its text says what
changed, old → new, with times in the conference's zone. ``updated`` is when calsync saw
the change; the feed's own ``updated`` is its newest entry's (the data's last change when
there is none): no clock.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .. import __version__
from .changes import TalkChange, details, headline
from .common import make_guid, xml_text

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True)
class ChangesFeedInfo:
    """The feed-level facts: title, this feed's URL, the page it is about, the UID host.

    ``modified`` (the data's last change) dates a feed without entries; ``total`` is the
    number of changes in the period when ``changes`` holds only the newest of them.
    """

    title: str
    self_url: str
    page_url: str
    host: str
    modified: datetime
    days: int = 30
    total: int | None = None


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def entry_id(change: TalkChange, host: str) -> str:
    """The stable id of a change's entry: derived from the talk (id, conference, UID host) and its
    SEQUENCE after the change — the same in the conference's feed of changes and a custom feed's."""
    return "urn:uuid:" + make_guid("change", change.conference, f"{change.talk_id}@{host}", str(change.sequence))


def changes_atom(changes: Sequence[TalkChange], info: ChangesFeedInfo) -> bytes:
    """The Atom document of ``changes`` (given newest first; written in that order)."""
    root = ET.Element("feed", xmlns=ATOM_NS)  # the default namespace, written as an attribute
    _add(root, "id", "urn:uuid:" + make_guid("changes", info.self_url))
    _add(root, "title", info.title)
    shown = len(changes)
    total = info.total if info.total is not None else shown
    subtitle = f"Talks moved, retitled, moved to another room, cancelled or added in the last {info.days} days."
    if total > shown:
        subtitle += f" The newest {shown} of {total} changes."
    _add(root, "subtitle", subtitle)
    newest = max((c.at for c in changes), default=info.modified)
    _add(root, "updated", _stamp(newest))
    _add(root, "link", rel="self", type="application/atom+xml", href=info.self_url)
    _add(root, "link", rel="alternate", type="text/html", href=info.page_url)
    author = _add(root, "author")
    _add(author, "name", "calsync")
    _add(root, "generator", "calsync", version=__version__)
    for change in changes:
        entry = _add(root, "entry")
        _add(entry, "id", entry_id(change, info.host))
        _add(entry, "title", headline(change))
        _add(entry, "updated", _stamp(change.at))
        _add(entry, "link", rel="alternate", href=change.url or info.page_url)
        for kind in change.kinds:
            _add(entry, "category", term=kind)
        lines = details(change)
        _add(entry, "summary", lines[0])
        _add(entry, "content", "\n".join(lines), type="text")
    ET.indent(root, space=" ")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"
