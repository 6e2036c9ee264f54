"""Tutorial and workshop agendas: an event header, then items that name only a weekday.

The page describes one tutorial or workshop — type label, title, speakers,
``Moderator(s) :``, room, maybe its own dated time line, the abstract — and then,
after a ``Schedule`` heading, its items::

    Mon 11:50 a.m. - 12:15 p.m.        (or "Mon 5:00 a.m.  5:05 a.m.": the dash lost)
    |
    Item title
    (                                  (or "(Tutorial)" on one line)
    Tutorial
    )
    >
    SlidesLive Video |
    Ana Lima · Bo Chen 🔗 |

Each item becomes a talk of ONE session named after the tutorial/workshop (its room,
moderators and abstract). An item's weekday is dated by the page's own dated time line,
else by the conference's days (``first_day``..``last_day`` or ``--days``); its zone is the
page's, else the conference's, else ``--timezone`` (:mod:`.context` decides). A weekday
that matches several conference days, or no days, or no zone: a
:class:`~calsync.errors.ParseError` that says what to give — never a guess.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from ..errors import ParseError
from ..model import ParseWarning, Schedule, Session, Talk, make_session_id, make_talk_id, normalize_title
from .context import Resolved, make_report
from .fields import read_event_fields, trim_to_event
from .labels import is_type_label, looks_like_room
from .page import (
    PageOptions,
    _Header,
    _resolve_year,
    _resolve_zone,
    _Slot,
    _slot_times,
    looks_like_authors,
    split_names,
)
from .slottimes import DAYS_HINT
from .timeline import match_time_line, starts_like_weekday_time
from .year import day_from_url

LINK = "🔗"
_SCHEDULE_RE = re.compile(r"^(?:schedule|agenda|program(?:me)?)$", re.I)
#: Link buttons that lost their links ("SlidesLive Video |").
_LINK_LABEL_RE = re.compile(
    r"^(?:slideslive video|video|slides|poster|paper|abstract|code|project page|recording|live|zoom|chat"
    r"|openreview|website|link|q&a)\s*\|?$",
    re.I,
)
_PAREN_RE = re.compile(r"^\((.{1,80})\)$")
_TRAILING_TYPE_RE = re.compile(r"^(.{1,300}?)\s+\(([^()]{1,50})\)$")
_DEBRIS = frozenset({"|", ">", "(", ")", LINK})
#: How many lines after the first item are searched for agenda debris.
_EVIDENCE_LINES = 40


def _weekday_only(text: str) -> bool:
    when = match_time_line(text)
    return when is not None and when.start.day is None and when.start.weekday is not None and when.end is not None


def find_agenda(lines: list[tuple[int, str]]) -> int | None:
    """Index of the first agenda item's time line when the page is an agenda, else ``None``.

    An agenda has weekday-only time ranges and either a ``Schedule`` heading before them
    or the debris of the sites' agenda markup (``|``, ``(``, ``🔗``, ``(type)``) among them.
    """
    first = next((i for i, (_, t) in enumerate(lines) if _weekday_only(t)), None)
    if first is None:
        return None
    if any(_SCHEDULE_RE.match(t) for _, t in lines[:first]):
        return first
    after = lines[first + 1 : first + 1 + _EVIDENCE_LINES]
    if any(t in _DEBRIS or LINK in t or _PAREN_RE.match(t) for _, t in after):
        return first
    return None


def _join_parens(body: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """``(`` / ``Tutorial`` / ``)`` on three lines → ``(Tutorial)`` on the first one's number."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(body):
        number, text = body[i]
        if text == "(":
            close = next((j for j in range(i + 1, min(i + 5, len(body))) if body[j][1] == ")"), None)
            if close is not None and close > i + 1:
                out.append((number, "(" + " ".join(t for _, t in body[i + 1 : close]) + ")"))
                i = close + 1
                continue
        out.append((number, text))
        i += 1
    return out


@dataclass
class _Item:
    slot: _Slot
    title: str | None = None
    type: str | None = None
    speakers: tuple[str, ...] = ()
    description: list[str] = field(default_factory=list)
    links: bool = False  # the item carried the sites' link markers (🔗)


def _is_debris(text: str) -> bool:
    return not text.replace(LINK, " ").strip(" |>") or text in _DEBRIS or _LINK_LABEL_RE.match(text) is not None


def _is_titled_label(lines: list[tuple[int, str]], index: int) -> bool:
    """Whether a link label ("Q&A", "Poster") is the item's title: the first line that is not
    debris, with the item's ``(type)`` right under it.

    >>> _is_titled_label([(1, "|"), (2, "Q&A"), (3, "(Q&A)")], 1), _is_titled_label([(1, "Video |"), (2, "A")], 0)
    (True, False)
    """
    text = lines[index][1]
    return (
        "|" not in text
        and index + 1 < len(lines)
        and _PAREN_RE.match(lines[index + 1][1]) is not None
        and all(_is_debris(t) for _, t in lines[:index])
    )


def _read_item(slot: _Slot, ignored: list[tuple[int, str]]) -> _Item:
    """An item's title, ``(type)``, speakers (the ``🔗`` line) and description; debris dropped."""
    item = _Item(slot)
    joined = _join_parens(slot.body)
    lines = [
        (n, t) for i, (n, t) in enumerate(joined) if LINK in t or not _is_debris(t) or _is_titled_label(joined, i)
    ]
    if len(lines) > 1 and is_type_label(lines[0][1]) and LINK not in lines[1][1] and not _PAREN_RE.match(lines[1][1]):
        item.type = lines[0][1]  # the session-page order: a type line, then the title
        lines = lines[1:]
    has_links = any(LINK in t for _, t in lines)
    for number, text in lines:
        bare = text.replace(LINK, " ").strip(" |>")
        if LINK in text:
            item.links = True
            if bare and not item.speakers:
                item.speakers = split_names(bare)
            elif bare:
                ignored.append((number, text))
        elif item.title is None and not _PAREN_RE.match(text):
            item.title, kind = _inline_type(text)
            item.type = item.type or kind
        elif item.type is None and (m := _PAREN_RE.match(text)):
            item.type = m.group(1).strip()
        elif not item.speakers and ("·" in text or "⋅" in text) and len(text) < 300:
            item.speakers = split_names(text)
        elif (not item.speakers and not item.description and not has_links and looks_like_authors(text)
              and not is_type_label(text) and not looks_like_room(text)):
            item.speakers = split_names(text)  # one speaker, where the page lost its link markers
        else:
            item.description.append(text)
    return item


def _inline_type(text: str) -> tuple[str, str | None]:
    """(title, type) of an item's title line that carries its type: "A Talk (Invited Talk)".

    >>> _inline_type("A Talk (Invited Talk)"), _inline_type("Learning (Mostly) Works")
    (('A Talk', 'Invited Talk'), ('Learning (Mostly) Works', None))
    """
    m = _TRAILING_TYPE_RE.match(text)
    if m is not None and is_type_label(m.group(2)):
        return m.group(1), m.group(2)
    return text, None


def _items(
    lines: list[tuple[int, str]], warnings: list[ParseWarning], ignored: list[tuple[int, str]], source: str | None
) -> list[_Item]:
    """The agenda's items; the page's last line, a time line cut short ("Mon 5:40 a.m"), is dropped
    with a warning — anywhere else such a line is an error."""
    slots: list[_Slot] = []
    cut_at: int | None = None
    for index, (number, text) in enumerate(lines):
        when = match_time_line(text)
        if when is not None:
            slots.append(_Slot(number, text, when))
        elif starts_like_weekday_time(text) and len(text) < 40:
            if index + 1 < len(lines):
                raise ParseError("unrecognised time line in an agenda", line=number, text=text, source=source)
            cut_at = index
            warnings.append(ParseWarning(number, f"agenda item with an incomplete time line (the page is cut?): dropped: {text!r}"))
            ignored.extend(lines[index:])
            break
        elif slots:
            slots[-1].body.append((number, text))
        else:
            ignored.append((number, text))
    items = [_read_item(slot, ignored) for slot in slots]
    if cut_at is None and len(items) > 1 and items[-1].title and not items[-1].links and any(i.links for i in items[:-1]):
        warnings.append(
            ParseWarning(items[-1].slot.line, "the last agenda item ends without the links the others end with: "
                         "the page may be cut, kept as read")
        )
    return items


def _missing(weekdays: set[int], options: PageOptions, zone_error: ParseError | None, dated: bool) -> None:
    """Raise one error naming everything the agenda lacks (days and/or zone) and how to give it."""
    names = " and ".join(sorted({calendar.day_name[w] for w in weekdays}))
    no_days = bool(weekdays) and not dated and not options.days
    if no_days and zone_error is not None:
        raise ParseError(
            f"the agenda names only weekdays ({names}) and no time zone: set the conference's first_day, "
            "last_day and timezone (config [[conferences]]) or pass --days FIRST..LAST and --timezone ZONE",
            line=zone_error.line, text=zone_error.text, source=options.source,
        )
    if zone_error is not None:
        raise zone_error
    if no_days:
        raise ParseError(f"the agenda names only weekdays ({names}) and the page no date: {DAYS_HINT}", source=options.source)


def parse_agenda(
    lines: list[tuple[int, str]],
    first_item: int,
    url: str | None,
    options: PageOptions,
    *,
    headings: set[int] | frozenset[int] = frozenset(),
    ignored: list[tuple[int, str]] | tuple[tuple[int, str], ...] = (),
) -> Schedule:
    """An agenda page (header up to ``lines[first_item]``, then items) → one session of its items."""
    warnings: list[ParseWarning] = []
    unused = list(ignored)
    header: list[tuple[int, str]] = []
    dated: list[_Slot] = []
    for number, text in lines[:first_item]:
        if _SCHEDULE_RE.match(text):
            continue
        elif (when := match_time_line(text)) is not None:
            dated.append(_Slot(number, text, when))
        else:
            header.append((number, text))
    header, chrome = trim_to_event(header)
    head = read_event_fields(header, headings=headings)
    unused += chrome + head.ignored + head.unread
    items = _items(lines[first_item:], warnings, unused, options.source)
    slots = dated + [item.slot for item in items]
    weekdays = {i.slot.when.start.weekday for i in items if i.slot.when.start.day is None} - {None}
    zone_error: ParseError | None = None
    zone_choice: Resolved | None = None
    try:
        zone_choice = _resolve_zone(_Header(timezone=head.zone_line), slots, options)
    except ParseError as exc:
        zone_error = exc
    has_dates = any(s.when.start.day is not None for s in dated)
    _missing({w for w in weekdays if w is not None}, options, zone_error, has_dates)
    assert zone_choice is not None  # _missing raised otherwise
    year_choice = _resolve_year(slots, url, options, warnings)
    zone, year = zone_choice.value, year_choice.value
    assert isinstance(zone, ZoneInfo) and isinstance(year, int)
    state: dict[str, object] = {"year": year, "page_day": day_from_url(url, year)}
    page_days = []
    for slot in dated:
        start, end = _slot_times(slot, zone, state, options, warnings)
        page_days += [start.date()] + ([end.date()] if end is not None else [])  # the event's own range
    state["page_days"] = tuple(page_days)
    title = head.title
    if title is None:
        title = f"Untitled {(head.type or 'agenda').lower()}"
        warnings.append(ParseWarning(lines[0][0] if lines else None, f"the page names no title above its agenda: called {title!r}"))
    timed = [(item, *_slot_times(item.slot, zone, state, options, warnings)) for item in items]
    first = min(start for _, start, _ in timed)
    session_id = make_session_id(title, head.location, first, url)
    seen: Counter[str] = Counter()
    talks = []
    for item, start, end in timed:
        key = normalize_title(item.title) if item.title else "(untitled)"
        seen[key] += 1
        if item.title is None:
            warnings.append(ParseWarning(item.slot.line, "agenda item has a time and nothing else: kept as an untitled slot"))
        talks.append(
            Talk(
                id=make_talk_id(session_id, item.title, seen[key]), start=start, end=end, title=item.title,
                type=item.type, authors=item.speakers, abstract="\n".join(item.description) or None,
            )
        )
    session = Session(
        id=session_id, title=title, timezone=zone.key, talks=tuple(talks), location=head.location,
        moderators=head.moderators, source_url=url, abstract="\n".join(head.abstract) or None,
    )
    if options.source:
        warnings = [replace(w, source=options.source) for w in warnings]
    report = make_report("agenda", (session,), year_choice, zone_choice, options, sorted(unused))
    return Schedule(timezone=zone.key, sessions=(session,), warnings=tuple(warnings), reports=(report,))
