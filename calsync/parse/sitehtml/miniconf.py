"""Pages of MiniConf sites (the ACL family: ``virtual2023.aclweb.org`` and its kind).

MiniConf pages link ``papers.html`` and ``schedule.html`` in their navigation. What
they hold:

* the **sessions page**: per program item a ``div.p-4[id]`` with an ``h3`` title and
  "⏰ Time: July 10, 11:00-12:30 (EDT)" (plus the same in UTC); paper sessions hold
  one ``div.card`` per track ("Ethics and NLP (Oral)", "Room: Pier 2&3") listing
  their papers, under a heading such as "Oral Presentations". Each track becomes a
  session whose papers share its slot; an item without tracks (a tutorial, a
  workshop) becomes a one-event session.
* **plenary pages** (and paper pages of sites that show it): ``div.paper-session-times``
  with "Conference Room: …" and "Conference Time: July 10, 11:30-12:30 (EDT)
  (America/Toronto)" — one session per block.
* paper, tutorial, workshop and schedule pages of ACL 2023 carry no dated time (the
  schedule is drawn by a script from ``schedule.json``; a tutorial's table says
  "Sunday, 09:00" in an unstated zone): :class:`~calsync.errors.NoEvents` naming the page.

The year is in the page's ``<title>`` ("ACL2023: Sessions").
"""

from __future__ import annotations

import logging
import re

from bs4 import Tag

from ...errors import NoEvents
from ...model import ParseWarning, Schedule
from ..context import YearHint
from ..page import PageOptions, _Slot
from .common import Built, Item, PageContext, finish, make_session, resolve_clock, slot_times, time_slot
from .soup import PageIndex, block_lines, line_of, paragraphs, strip_label, text_of

logger = logging.getLogger(__name__)

_TIME_RE = re.compile(
    r"Time:\s*(?P<date>[A-Z][a-z]+\.?\s+\d{1,2}),?\s+(?P<start>\d{1,2}:\d{2})\s*[-–—]\s*(?P<end>\d{1,2}:\d{2})"
    r"\s*\((?P<label>[^)\s]+)\)(?:\s*\((?P<zone>[A-Za-z_]+/[A-Za-z_/+\-]+)\))?"
)
_TITLE_YEAR_RE = re.compile(r"^\s*[A-Za-z][A-Za-z-]*\s?((?:19|20)\d\d)\b")
_ROOM_RE = re.compile(r"^(?:conference\s+)?room\s*:\s*(.+)$", re.I)
_KIND_RE = re.compile(r":\s*([^():]+?)\s*\(")
_PRESENTATIONS_RE = re.compile(r"^(.+?)\s+presentations$", re.I)


def is_miniconf_page(index: PageIndex, ctx: PageContext) -> bool:
    """The MiniConf navigation: links to ``papers.html`` and ``schedule.html``."""
    hrefs = {str(a.get("href")) for a in index.anchors}
    return "papers.html" in hrefs and "schedule.html" in hrefs


def read_time(text: str) -> tuple[str, str | None] | None:
    """A normalised time line and the zone a MiniConf time statement names.

    >>> read_time("⏰ Time: July 10, 11:00-12:30 (EDT) Conference")
    ('July 10 11:00 - 12:30 EDT', None)
    >>> read_time("Conference Time: July 10, 11:30-12:30 (EDT) (America/Toronto)")
    ('July 10 11:30 - 12:30 EDT', 'America/Toronto')
    >>> read_time("⏰ Time: (13:00-13:00 UTC) UTC / Browser") is None
    True
    """
    m = _TIME_RE.search(text)
    if m is None:
        return None
    return f"{m.group('date')} {m.group('start')} - {m.group('end')} {m.group('label')}", m.group("zone")


def _title_year(index: PageIndex) -> YearHint | None:
    for title in index.titles:
        m = _TITLE_YEAR_RE.match(title.get_text())
        if m:
            return YearHint(line_of(title) or 0, text_of(title), int(m.group(1)))
    return None


def _what(index: PageIndex) -> str:
    """What a MiniConf page without dated times is, for the message."""
    subtitle = index.first("card-subtitle", "h3")
    if "calendar" in index.by_id and "time-zone-selector" in index.by_id:
        return "schedule"
    if "schedule" in index.by_id and index.first("session_times") is not None:
        return "tutorial"
    if subtitle is not None and text_of(subtitle).casefold().startswith("organizers"):
        return "workshop"
    if subtitle is not None and "abstractExample" in index.by_id:
        return "paper"
    if index.first("plenary_sessions") is not None:
        return "sessions"
    return "site"


_NO_TIME = {
    "schedule": "its calendar is drawn by a script from schedule.json; nothing on the page is dated",
    "tutorial": "its schedule names only a weekday and a time in an unstated zone, no date",
}


def _no_events(index: PageIndex, options: PageOptions) -> NoEvents:
    what = _what(index)
    reason = _NO_TIME.get(what, "no time on it")
    return NoEvents(f"a MiniConf {what} page: {reason}; nothing to import", kind=f"MiniConf {what} page", source=options.source)


def parse_miniconf_page(index: PageIndex, ctx: PageContext, options: PageOptions) -> Schedule:
    """A MiniConf page → its dated sessions, or NoEvents naming the page (see the module doc)."""
    blocks = index.all("paper-session-times", "div")
    if blocks:
        return _parse_session_times(index, blocks, ctx, options)
    items = [d for d in index.all("p-4", "div") if d.get("id") and d.find("h3") is not None]
    if items and index.first("plenary_sessions") is not None:
        return _parse_sessions_page(index, items, ctx, options)
    raise _no_events(index, options)


def _timed(block: Tag, skip: tuple[Tag | None, ...] = ()) -> tuple[_Slot, str | None] | None:
    for number, text in block_lines(block, skip):
        found = read_time(text)
        if found is not None:
            slot = time_slot(number, found[0])
            if slot is not None:
                return slot, found[1]
    return None


def _parse_session_times(index: PageIndex, blocks: list[Tag], ctx: PageContext, options: PageOptions) -> Schedule:
    """Plenary (and paper) pages: one session per ``div.paper-session-times`` block."""
    built = Built()
    title = text_of(index.first("card-title", "h2")) or None
    subtitle = text_of(index.first("card-subtitle", "h3"))
    speakers = tuple(name.split(" / ")[0].strip() for name in re.split(r",\s*", subtitle) if name.strip())
    abstract_el = index.by_id.get("abstract") or index.by_id.get("abstractExample")
    abstract = paragraphs(abstract_el)
    if abstract is not None:
        abstract = "\n".join(x for x in (strip_label(line, "abstract") for line in abstract.split("\n")) if x) or None
    found: list[tuple[Tag, _Slot, str | None, str | None, str | None]] = []  # block, slot, zone, room, kind
    for block in blocks:
        timed = _timed(block)
        if timed is None:
            built.warnings.append(ParseWarning(line_of(block), "a session block without a dated time, ignored"))
            continue
        room = kind = None
        for _, text in block_lines(block):
            if (m := _ROOM_RE.match(text)) is not None:
                room = m.group(1).strip()
            elif kind is None and (k := _KIND_RE.search(text)) is not None and "Time" not in text:
                kind = k.group(1).strip()
        found.append((block, timed[0], timed[1], room, kind))
    if not found or title is None:
        raise _no_events(index, options)
    zone_name = next((z for _, _, z, _, _ in found if z), None)
    page_zone = (found[0][1].line, zone_name) if zone_name else None
    clock = resolve_clock([s for _, s, _, _, _ in found], ctx, options, built.warnings, page_zone=page_zone, page_year=_title_year(index))
    for _block, slot, _, room, kind in found:
        start, end = slot_times(slot, clock, options, built.warnings)
        identity = f"{ctx.url}#{start.isoformat()}" if ctx.url and len(found) > 1 else ctx.url
        item = Item(start, end, title, type=kind, authors=speakers, abstract=abstract)
        built.sessions.append(make_session(title, [item], clock.tz.key, identity=identity, source_url=ctx.url, location=room))
    return finish("MiniConf event page (HTML)", built, clock, options)


def _section_type(card: Tag) -> str | None:
    heading = card.find_previous(lambda t: t.name == "h5" and not t.get("class"))
    m = _PRESENTATIONS_RE.match(text_of(heading)) if heading is not None else None
    return m.group(1) if m else None


def _parse_sessions_page(index: PageIndex, items: list[Tag], ctx: PageContext, options: PageOptions) -> Schedule:
    """The sessions page: each track of a program item a session, items without tracks one event each."""
    built = Built()
    read: list[tuple[Tag, str, Tag | None, _Slot, list[Tag]]] = []  # item, title, link, slot, cards
    for item in items:
        heading = item.find("h3")
        title = text_of(heading)
        cards: list[Tag] = item.find_all("div", class_="card")
        timed = _timed(item, skip=tuple(cards))
        if timed is None:
            built.warnings.append(ParseWarning(line_of(item), f"program item without a dated time, ignored: {title!r}"))
            continue
        link = heading.find("a", href=True) if heading is not None else None
        read.append((item, title, link, timed[0], cards))
    if not read:
        raise _no_events(index, options)
    clock = resolve_clock([r[3] for r in read], ctx, options, built.warnings, page_year=_title_year(index))
    for item, title, link, slot, cards in read:
        start, end = slot_times(slot, clock, options, built.warnings)
        own = ctx.link(link.get("href")) if link is not None else None
        if not cards:
            identity = own or (f"{ctx.url}#{item.get('id')}" if ctx.url else None)
            built.sessions.append(
                make_session(title, [Item(start, end, title, url=None)], clock.tz.key, identity=identity, source_url=own or ctx.url)
            )
            continue
        for card in cards:
            header = card.find(class_="card-header")
            track = text_of(header.find("h5", class_="text-left")) if header is not None else ""
            room_text = text_of(header.find("h5", class_="text-right")) if header is not None else ""
            room = _ROOM_RE.match(room_text)
            kind = _section_type(card)
            papers = [
                Item(start, end, text_of(a), type=kind, url=ctx.link(a.get("href")))
                for li in card.find_all("li")
                if (a := li.find("a", href=True)) is not None and text_of(a)
            ]
            if not papers:
                built.warnings.append(ParseWarning(line_of(card), f"track without papers, ignored: {track!r}"))
                continue
            name = f"{title}: {track}" if track else title
            row = card.find(id=True)
            identity = f"{ctx.url}#{row.get('id') if row is not None else name}" if ctx.url else None
            built.sessions.append(
                make_session(name, papers, clock.tz.key, identity=identity, source_url=ctx.url,
                             location=room.group(1).strip() if room else None)
            )
    return finish("MiniConf sessions page (HTML)", built, clock, options)
