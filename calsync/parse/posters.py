"""Session pages whose children share the session's one time slot (poster sessions).

A poster session page prints the session's kind, title, room and one time range, then
its children — each a type label ("Poster", "Spotlight") and/or a position
(``#W-100``), badges, the title, the authors (``·`` or ``⋅``) and the abstract — with no
times of their own::

    Poster Session
    Poster Session 3 West
    West Exhibition Hall B2-B3
    Wed 16 Jul 11 a.m. PDT — 1:30 p.m. PDT (Bookmark)
    Poster
    #W-100
    A Title
    Ana Lima · Bo Chen
    The abstract …

Each child becomes a talk of the one session with the session's start and end; its
location is the room and its position ("West Exhibition Hall B2-B3 #W-100").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from zoneinfo import ZoneInfo

from ..errors import ParseError
from ..model import ParseWarning, Schedule, Session, Talk, make_session_id, make_talk_id, normalize_title
from .context import make_report
from .fields import EventFields, read_event_fields
from .labels import is_type_label
from .page import PageOptions, _Header, _resolve_year, _resolve_zone, _Slot, _slot_times
from .year import day_from_url

_POSITION_ONLY_RE = re.compile(r"^#[A-Za-z]{0,3}-?\d{1,5}$")
#: Children a page needs before its one slot is read as shared by them.
MIN_CHILDREN = 2


def _is_marker(text: str) -> bool:
    return _POSITION_ONLY_RE.match(text) is not None or is_type_label(text)


def split_children(body: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[list[tuple[int, str]]]]:
    """(lines before the first child, the children's lines): a child starts at a label or position.

    >>> lead, kids = split_children([(1, "Poster"), (2, "#W-1"), (3, "A"), (4, "Spotlight"), (5, "B")])
    >>> lead, [[t for _, t in k] for k in kids]
    ([], [['Poster', '#W-1', 'A'], ['Spotlight', 'B']])
    """
    lead: list[tuple[int, str]] = []
    children: list[list[tuple[int, str]]] = []
    has_content = True
    for number, text in body:
        if _is_marker(text):
            if has_content:
                children.append([])
                has_content = False
            children[-1].append((number, text))
        elif children:
            children[-1].append((number, text))
            has_content = True
        else:
            lead.append((number, text))
    return lead, children


def is_shared_slot_session(slots: list[_Slot], header: list[tuple[int, str]] | None = None) -> bool:
    """One time line followed by at least :data:`MIN_CHILDREN` labelled children (one is enough
    under a "… Session" label such as "Poster Session")."""
    if len(slots) != 1:
        return False
    _, children = split_children(slots[0].body)
    labels = [t for _, t in header or [] if is_type_label(t)]
    least = 1 if labels and labels[0].casefold().endswith("session") else MIN_CHILDREN
    return sum(1 for child in children if any(not _is_marker(t) for _, t in child)) >= least


def _child_fields(child: list[tuple[int, str]], headings: set[int] | frozenset[int]) -> tuple[EventFields, str | None]:
    position = next((t for _, t in child if _POSITION_ONLY_RE.match(t)), None)
    rest = [(n, t) for n, t in child if not _POSITION_ONLY_RE.match(t)]
    return read_event_fields(rest, headings=headings, rooms=False), position


def parse_shared_slot_session(
    header: list[tuple[int, str]],
    slots: list[_Slot],
    url: str | None,
    options: PageOptions,
    *,
    headings: set[int] | frozenset[int] = frozenset(),
    ignored: list[tuple[int, str]] | tuple[tuple[int, str], ...] = (),
) -> Schedule:
    """A poster session page → one session whose talks all take the session's slot."""
    warnings: list[ParseWarning] = []
    head = read_event_fields(header, headings=headings)
    (slot,) = slots
    if head.title is None:
        raise ParseError("no session title before the session's time", line=slot.line, text=slot.text, source=options.source)
    zone_choice = _resolve_zone(_Header(title=head.title, timezone=head.zone_line), slots, options)
    year_choice = _resolve_year(slots, url, options, warnings)
    zone, year = zone_choice.value, year_choice.value
    assert isinstance(zone, ZoneInfo) and isinstance(year, int)
    state: dict[str, object] = {"year": year, "page_day": day_from_url(url, year)}
    start, end = _slot_times(slot, zone, state, options, warnings)
    room = slot.when.room or head.location
    lead, children = split_children(slot.body)
    unused = list(ignored) + head.ignored + head.unread + lead
    session_id = make_session_id(head.title, room, start, url)
    seen: Counter[str] = Counter()
    talks: list[Talk] = []
    for child in children:
        fields, position = _child_fields(child, headings)
        unused.extend(fields.ignored + fields.unread)
        if fields.title is None:
            warnings.append(ParseWarning(child[0][0], "a child with a label and no title (the page may be cut): dropped"))
            unused.extend(child)
            continue
        key = normalize_title(fields.title)
        seen[key] += 1
        where = " ".join(x for x in (room, position) if x) or None
        talks.append(
            Talk(
                id=make_talk_id(session_id, fields.title, seen[key]), start=start, end=end, title=fields.title,
                type=fields.type, authors=fields.authors, abstract="\n".join(fields.abstract) or None, location=where,
            )
        )
    session = Session(
        id=session_id, title=head.title, timezone=zone.key, talks=tuple(talks), location=room,
        moderators=head.moderators, source_url=url, abstract="\n".join(head.abstract) or None,
    )
    if options.source:
        warnings = [replace(w, source=options.source) for w in warnings]
    report = make_report("session page", (session,), year_choice, zone_choice, options, sorted(unused))
    return Schedule(timezone=zone.key, sessions=(session,), warnings=tuple(warnings), reports=(report,))
