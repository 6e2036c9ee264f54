"""Old ``Schedule`` / ``ScheduleMultitrack`` / ``Schedule?showEvent=`` pages (``/Conferences/<year>/``).

Each event is a card::

    div.maincard#maincard_<event id>
        .maincardHeader      its type ("Poster"), a session link, and its time and place:
                             "Tue Dec 4th 10:45 -- 11:00 AM @ Room 220 E"
        .maincardBody        the title
        .maincardFooter      authors joined by " · "
    .abstractContainer       the abstract (on a one-event page)

Every card becomes a one-talk session (as the text grammar makes event and day
pages); a card without a time is left out with a warning.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin

from bs4 import Tag

from ...errors import NoEvents, ParseError
from ...model import ParseWarning, Schedule
from ..page import PageOptions, _Slot, split_names
from ..timeline import looks_like_time_line
from .common import (
    Built,
    Item,
    PageContext,
    finish,
    links_year,
    make_session,
    resolve_clock,
    slot_times,
    time_slot,
    zone_line,
)
from .soup import PageIndex, line_of, paragraphs, strip_label, text_of

logger = logging.getLogger(__name__)

KIND = "multitrack page (HTML)"
_CARD_ID_RE = re.compile(r"(\d+)\s*$")


def is_multitrack_page(index: PageIndex, ctx: PageContext) -> bool:
    """At least one ``div.maincard`` of the old schedule (with ``.maincardBody``, its title).

    (The 2020 virtual site also used ``div.maincard``, as a session header without one.)
    """
    return index.first("maincard", "div") is not None and index.first("maincardBody") is not None


def event_url(base: str | None, year: int, card_id: str | None) -> str | None:
    """The event's own page (``/Conferences/<year>/Schedule?showEvent=<id>``) when the host is known.

    >>> event_url("https://nips.cc/Conferences/2018/Schedule?type=Poster", 2018, "maincard_11437")
    'https://nips.cc/Conferences/2018/Schedule?showEvent=11437'
    >>> event_url(None, 2018, "maincard_11437") is None
    True
    """
    m = _CARD_ID_RE.search(card_id or "")
    if base is None or m is None:
        return None
    return urljoin(base, f"/Conferences/{year}/Schedule?showEvent={m.group(1)}")


def _headers(card: Tag) -> list[Tag]:
    return [h for h in card.find_all(class_="maincardHeader") if h.find(class_="maincardHeader") is None]


def parse_multitrack_page(index: PageIndex, ctx: PageContext, options: PageOptions) -> Schedule:
    """Maincards → one one-talk session each (see the module doc)."""
    built = Built()
    cards = [c for c in index.all("maincard", "div") if c.find(class_="maincardBody") is not None]
    read: list[tuple[Tag, _Slot, str | None, str | None]] = []  # card, time, type, title
    for card in cards:
        slot: _Slot | None = None
        kind: str | None = None
        for header in _headers(card):
            text = text_of(header)
            if not text:
                continue
            found = time_slot(line_of(header) or 0, text)
            if found is not None:
                if slot is None:
                    slot = found
                else:
                    built.ignored.append((found.line, text))
            elif looks_like_time_line(text):
                raise ParseError("unrecognised time line", line=line_of(header), text=text, source=options.source)
            elif header.find("a") is None and kind is None:
                kind = text
            else:
                built.ignored.append((line_of(header) or 0, text))
        title = text_of(card.find(class_="maincardBody")) or None
        if slot is None:
            built.warnings.append(ParseWarning(line_of(card), f"event without a time, left out: {title or '(untitled)'!r}"))
            continue
        read.append((card, slot, kind, title))
    if not read:
        raise NoEvents("a schedule page whose events have no time: nothing to import", kind=KIND, source=options.source)
    page_year = links_year(a for card in cards for a in card.find_all("a", href=True))
    clock = resolve_clock([s for _, s, _, _ in read], ctx, options, built.warnings, page_zone=zone_line(index), page_year=page_year)
    seen: set[str] = set()
    for card, slot, kind, title in read:
        start, end = slot_times(slot, clock, options, built.warnings)
        if title is None:
            built.warnings.append(ParseWarning(line_of(card), "event has a time and no title: kept as an untitled event"))
        name = title or f"Untitled {kind or 'event'}"
        container = card.find(class_="abstractContainer") or (index.first("abstractContainer") if len(cards) == 1 else None)
        abstract = paragraphs(container)
        if abstract is not None:
            abstract = strip_label(abstract, "abstract") or None
        own = event_url(ctx.base, int(clock.year.value), str(card.get("id") or "")) if len(cards) > 1 else None
        identity = own or ctx.url
        if len(cards) > 1 and own is None and ctx.url:
            identity = f"{ctx.url}#{card.get('id') or name}@{start.isoformat()}"
        item = Item(start, end, name, type=kind, authors=split_names(text_of(card.find(class_="maincardFooter"))), abstract=abstract, url=own)
        session = make_session(name, [item], clock.tz.key, identity=identity, source_url=own or ctx.url, location=slot.when.room)
        if session.id in seen:
            built.warnings.append(ParseWarning(line_of(card), f"event {name!r} listed twice: kept once"))
            continue
        seen.add(session.id)
        built.sessions.append(session)
    return finish(KIND, built, clock, options)
