"""Session and event pages of the virtual-site platform (ICML, NeurIPS, ICLR, MLSys, CVPR).

A **session page** (``/virtual/<year>/session/<id>``)::

    div.card-header
        h3                 the session's kind ("Poster Session")
        h2.card-title      the title
        h5.text-muted      the room
        div                "Wed 16 Jul 11 a.m. PDT — 1:30 p.m. PDT" + a "(Bookmark)" button
    div#abstractExample    the session's abstract (often empty)
    div.track-schedule-card         one per child (poster, oral, …)
        div.float-end.small         its kind ("Poster", "Spotlight Poster", "Oral")
        div[title=Poster Position]  "#W-100"
        h5 > strong > a[href]       its title and its own page
        p.text-muted                authors joined by "&middot;"
        div.abstract                its abstract

Children without a time of their own share the session's slot (posters); a child
whose card carries a time line (orals of older sessions) gets that slot.

An **event page** (one poster, oral, tutorial, invited talk…) uses the same header
with ``h3.card-subtitle`` for its authors and ``#abstractExample`` for its abstract.
Only the plain shape is read here (one time); anything else (an "Oral presentation:"
with a second range) is left to the text grammar, which knows it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from bs4 import Tag

from ...errors import NoEvents, ParseError
from ...model import ParseWarning, Schedule
from ..page import _MODERATOR_RE, PageOptions, _Slot, split_names
from ..timeline import looks_like_time_line
from .common import (
    Built,
    Item,
    PageContext,
    finish,
    links_year,
    make_session,
    parse_error,
    resolve_clock,
    slot_times,
    time_slot,
    zone_line,
)
from .soup import PageIndex, block_lines, classes, line_of, paragraphs, strip_label, text_of

logger = logging.getLogger(__name__)

_PRESENTATION_RE = re.compile(r"\bpresentation\s*:", re.I)
_VIRTUAL_LINK_RE = re.compile(r"^(?:https?://[^/]+)?/virtual/\d{4}/")

SESSION_KIND = "session page (HTML)"
EVENT_KIND = "event page (HTML)"


def card_header(index: PageIndex) -> Tag | None:
    """The page's title card (``div.card-header`` holding ``h2.card-title``), if any."""
    for header in index.all("card-header", "div"):
        if header.find("h2", class_="card-title") is not None:
            return header
    return None


def is_session_page(index: PageIndex, ctx: PageContext) -> bool:
    """A title card and at least one ``div.track-schedule-card`` child."""
    return index.first("track-schedule-card", "div") is not None and card_header(index) is not None


def _virtual_links(index: PageIndex) -> list[Tag]:
    return [a for a in index.anchors if _VIRTUAL_LINK_RE.match(str(a.get("href")))]


def is_event_page(index: PageIndex, ctx: PageContext) -> bool:
    """A title card on a page of the platform (its URL or its links say ``/virtual/<year>/``)."""
    if card_header(index) is None:
        return False
    return "/virtual/" in (ctx.url or "") or bool(_virtual_links(index))


@dataclass
class _Head:
    """What a title card says."""

    line: int | None
    kind: str | None = None
    title: str | None = None
    room: str | None = None
    authors: tuple[str, ...] = ()
    moderators: tuple[str, ...] = ()
    times: list[_Slot] = field(default_factory=list)
    other: list[tuple[int, str]] = field(default_factory=list)


def _read_head(header: Tag, options: PageOptions) -> _Head:
    kind_el = next((h for h in header.find_all("h3") if "card-subtitle" not in classes(h)), None)
    title_el = header.find("h2", class_="card-title")
    room_el = header.find("h5", class_="text-muted")
    authors_el = header.find("h3", class_="card-subtitle")
    head = _Head(
        line=line_of(header),
        kind=text_of(kind_el) or None,
        title=text_of(title_el) or None,
        room=text_of(room_el) or None,
        authors=split_names(text_of(authors_el)) if authors_el is not None else (),
    )
    for number, text in block_lines(header, skip=(kind_el, title_el, room_el, authors_el)):
        if (m := _MODERATOR_RE.match(text)) is not None:
            head.moderators += split_names(m.group(1))
        elif (slot := time_slot(number, text)) is not None:
            head.times.append(slot)
        elif looks_like_time_line(text):
            raise ParseError("unrecognised time line", line=number, text=text, source=options.source)
        else:
            head.other.append((number, text))
    return head


def _abstract(index: PageIndex) -> str | None:
    """The ``#abstractExample`` text without its "Abstract:" label."""
    text = paragraphs(index.by_id.get("abstractExample"))
    if text is None:
        return None
    lines = [strip_label(line, "abstract") for line in text.split("\n")]
    return "\n".join(line for line in lines if line) or None


@dataclass
class _Card:
    line: int | None
    kind: str | None
    title: str | None
    href: Tag | None
    authors: tuple[str, ...]
    abstract: str | None
    position: str | None
    slot: _Slot | None
    other: list[tuple[int, str]]


def _read_card(card: Tag, options: PageOptions) -> _Card:
    kind_el = position_el = title_el = authors_el = abstract_el = None
    for el in card.descendants:  # one pass (a card's abstract can be long)
        if not isinstance(el, Tag):
            continue
        name, names = el.name, el.get("class") or ()
        if name == "div":
            if kind_el is None and "small" in names and "float-end" in names:
                kind_el = el
            elif position_el is None and el.get("title") == "Poster Position":
                position_el = el
            elif abstract_el is None and "abstract" in names:
                abstract_el = el
        elif name == "h5" and title_el is None:
            title_el = el
        elif name == "p" and authors_el is None and "text-muted" in names:
            authors_el = el
    link = title_el.find("a", href=True) if title_el is not None else None
    slot: _Slot | None = None
    other: list[tuple[int, str]] = []
    for number, text in block_lines(card, skip=(kind_el, position_el, title_el, authors_el, abstract_el)):
        found = time_slot(number, text)
        if found is not None and slot is None:
            slot = found
        elif found is None and looks_like_time_line(text):
            raise ParseError("unrecognised time line", line=number, text=text, source=options.source)
        else:
            other.append((number, text))
    return _Card(
        line=line_of(card),
        kind=text_of(kind_el) or None,
        title=text_of(title_el) or None,
        href=link if isinstance(link, Tag) else None,
        authors=split_names(text_of(authors_el)) if authors_el is not None else (),
        abstract=paragraphs(abstract_el),
        position=text_of(position_el) or None,
        slot=slot,
        other=other,
    )


def parse_session_page(index: PageIndex, ctx: PageContext, options: PageOptions) -> Schedule:
    """A session page → one session whose talks are its children (see the module doc)."""
    header = card_header(index)
    assert header is not None
    head = _read_head(header, options)
    if head.title is None:
        raise parse_error("session page without a title", header, options)
    built = Built(ignored=list(head.other))
    for extra in head.times[1:]:
        built.warnings.append(ParseWarning(extra.line, f"another time in the session header, ignored: {extra.text!r}"))
    session_slot = head.times[0] if head.times else None
    cards = [_read_card(c, options) for c in index.all("track-schedule-card", "div")]
    slots = ([session_slot] if session_slot else []) + [c.slot for c in cards if c.slot is not None]
    if not slots:
        raise NoEvents(
            f"a session page with no time on it ({head.title!r}): nothing to import",
            kind=SESSION_KIND, line=head.line, source=options.source,
        )
    page_year = links_year(c.href for c in cards if c.href is not None)
    clock = resolve_clock(slots, ctx, options, built.warnings, page_zone=zone_line(index), page_year=page_year)
    shared = slot_times(session_slot, clock, options, built.warnings) if session_slot else None
    items: list[Item] = []
    for card in cards:
        built.ignored.extend(card.other)
        if card.slot is not None:
            start, end = slot_times(card.slot, clock, options, built.warnings)
        elif shared is not None:
            start, end = shared
        else:
            built.warnings.append(ParseWarning(card.line, f"{card.title or 'an untitled child'!r} has no time and the session none: left out"))
            continue
        if card.title is None:
            built.warnings.append(ParseWarning(card.line, "a child without a title: kept as an untitled slot"))
        where = " ".join(x for x in (head.room, card.position) if x) if card.position else None
        items.append(
            Item(
                start, end, card.title, type=card.kind, authors=card.authors, abstract=card.abstract,
                location=where or (card.slot.when.room if card.slot else None),
                url=ctx.link(card.href.get("href")) if card.href is not None else None,
            )
        )
    if not items and shared is not None:  # a session whose children are not listed: the session itself
        items.append(Item(shared[0], shared[1], head.title, type=head.kind))
    built.sessions.append(
        make_session(
            head.title, items, clock.tz.key, identity=ctx.url, source_url=ctx.url, location=head.room,
            moderators=head.moderators, abstract=_abstract(index),
        )
    )
    return finish(SESSION_KIND, built, clock, options)


def parse_event_page(index: PageIndex, ctx: PageContext, options: PageOptions) -> Schedule | None:
    """An event page of the plain shape → a one-talk session; ``None`` for shapes left to the text grammar."""
    header = card_header(index)
    assert header is not None
    head = _read_head(header, options)
    if head.title is None or len(head.times) > 1 or any(_PRESENTATION_RE.search(t) for _, t in head.other):
        logger.debug("event page of another shape: left to the text grammar")
        return None
    if not head.times:
        raise NoEvents(
            f"an event page with no time on it ({head.title!r}): nothing to import",
            kind=EVENT_KIND, line=head.line, source=options.source,
        )
    built = Built(ignored=list(head.other))
    slot = head.times[0]
    page_year = links_year(_virtual_links(index))
    clock = resolve_clock(head.times, ctx, options, built.warnings, page_zone=zone_line(index), page_year=page_year)
    start, end = slot_times(slot, clock, options, built.warnings)
    location = head.room or slot.when.room
    item = Item(start, end, head.title, type=head.kind, authors=head.authors, abstract=_abstract(index))
    built.sessions.append(
        make_session(head.title, [item], clock.tz.key, identity=ctx.url, source_url=ctx.url, location=location,
                     moderators=head.moderators)
    )
    return finish(EVENT_KIND, built, clock, options)
