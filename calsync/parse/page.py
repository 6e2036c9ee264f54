"""Parse one session page (copied text or saved HTML) into a :class:`Schedule`.

A page has a header (an optional "Skip to …" line, an optional "Session" or "Oral
Session" label, the session title, an optional room line, moderators, an optional
"Abstract:" label, noise such as "Chat is not available.") and then slots, each a time
line followed by an optional type line, a title, an authors line (``·`` or ``⋅``) and
an abstract. Slot times are read by :mod:`.slottimes`; other page kinds reuse the
helpers here (:func:`split_names`, :func:`looks_like_authors`, :class:`PageOptions`).

Errors are :class:`~calsync.errors.ParseError` naming the line; anything the
parser accepted but a person should check becomes a :class:`ParseWarning`.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..errors import ParseError
from ..model import (
    ParseWarning,
    Schedule,
    Session,
    Talk,
    make_session_id,
    make_talk_id,
    normalize_title,
)
from .context import Resolved, YearHint, make_report, resolve_year, resolve_zone
from .htmltext import is_html, parse_html_lines
from .labels import SLOT_TYPES, is_type_label  # noqa: F401 (SLOT_TYPES re-exported)
from .prepare import NOISE
from .slottimes import _clock as _clock  # re-exported
from .slottimes import _label_check as _label_check
from .slottimes import _Slot as _Slot
from .slottimes import slot_times, weekday_date
from .timeline import looks_like_time_line, match_time_line
from .year import day_from_url

#: The slot-time functions under their old names (other readers import them from here).
_slot_times = slot_times
_weekday_date = weekday_date

logger = logging.getLogger(__name__)

#: Site chrome that carries no schedule information (one list: :data:`.prepare.NOISE`).
NOISE_LINES = NOISE

_MODERATOR_RE = re.compile(r"^(?:moderators?|chairs?|session chairs?)\s*:\s*(.*)$", re.I)
#: ``Timezone: America/Sao_Paulo``; an empty ``Timezone: »`` or ``( events) Timezone:`` states none.
_TIMEZONE_RE = re.compile(r"^(?:\(\s*\d*\s*events?\s*\)\s*)?time\s?zone\s*:\s*(\S*)\s*$", re.I)
#: ``Abstract:`` (text may follow on the line) or an ``Abstract`` heading.
_ABSTRACT_RE = re.compile(r"^abstract\s*(?::\s*(.*))?$", re.I)
_SESSION_LABEL = "session"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]")
_NAME_PARTICLES = frozenset("de del della der di da dos du la le van von den ten ter bin al el y".split())
_SENTENCE_END = (".", "!", "?", ":", ";")
_NAME_SEP_RE = re.compile(r"\s*[·⋅•|;]\s*")


@dataclass(frozen=True)
class PageOptions:
    """What the caller knows about a page besides its text.

    ``today`` is the reference date for year inference (the clock by default);
    ``source`` names the file or URL in messages.
    """

    url: str | None = None
    #: ``--year`` and ``--timezone`` of the command (below the page, URL and conference).
    year: int | None = None
    timezone: str | None = None
    today: date | None = None
    source: str | None = None
    #: The conference's days, for pages whose slots name only a weekday ("Sat").
    days: tuple[date, ...] = ()
    #: The conference's own settings (context for every import and refresh of its pages).
    conference_year: int | None = None
    conference_timezone: str | None = None


@dataclass
class _Header:
    title: str | None = None
    location: str | None = None
    moderators: tuple[str, ...] = ()
    timezone: tuple[int, str] | None = None
    abstract: list[str] = field(default_factory=list)


def _clean(text: str) -> str:
    return " ".join(_CONTROL_RE.sub("", text.replace("\u00a0", " ")).split())


def split_names(text: str) -> tuple[str, ...]:
    """Names of a moderators or authors line, in page order.

    >>> split_names("Ana Lima · Bo Chen ·  Zoë Þórsdóttir")
    ('Ana Lima', 'Bo Chen', 'Zoë Þórsdóttir')
    >>> split_names("Ana Lima")
    ('Ana Lima',)
    >>> split_names("Qidong Su ⋅ Wei Zhao")
    ('Qidong Su', 'Wei Zhao')
    """
    parts = _NAME_SEP_RE.split(text) if _NAME_SEP_RE.search(text) else [text]
    return tuple(p.strip() for p in parts if p.strip())


def looks_like_authors(line: str, followed: bool = False) -> bool:
    """Whether a line after a title is a list of names rather than an abstract.

    Names are joined by " · " (or " ⋅ "), each of a few words; a single name is a short line without digits or a
    closing period. It must also be capitalised like a name unless more text
    (the abstract) follows it, so that a short cut-off abstract is not taken for
    a name while "pyotr li" above an abstract still is.

    >>> looks_like_authors("Wei ZHANG · J. R. Oduya · pyotr li")
    True
    >>> looks_like_authors("Maria “Masha” Ivanova")
    True
    >>> looks_like_authors("pyotr li"), looks_like_authors("pyotr li", followed=True)
    (False, True)
    >>> looks_like_authors("We study deep nets.", followed=True)
    False
    """
    if "·" in line or "⋅" in line:
        parts = split_names(line)
        return bool(parts) and all(len(p) <= 80 and len(p.split()) <= 8 for p in parts)
    if len(line) > 60 or any(ch.isdigit() for ch in line) or line.endswith(_SENTENCE_END):
        return False
    words = line.split()
    if not 2 <= len(words) <= 6:
        return False
    for word in words:
        core = word.strip("\"'“”‘’()")
        if not core:
            continue
        if core.lower() in _NAME_PARTICLES:
            continue
        if not core[0].isupper() and not followed:
            return False
    return True


def _is_slot_type(line: str) -> bool:
    """Whether a slot's first line is its type: "Oral", or "(Oral)" as some pages print it.

    >>> _is_slot_type("Spotlight"), _is_slot_type("(Oral)"), _is_slot_type("(Joint work)")
    (True, True, False)
    """
    return is_type_label(line[1:-1] if line.startswith("(") and line.endswith(")") else line)


def _read_lines(text: str, options: PageOptions) -> tuple[list[tuple[int, str]], str | None]:
    """Numbered non-empty lines, and the page's URL (option first, then the HTML's own)."""
    if is_html(text):
        page = parse_html_lines(text)
        lines = [(n, _clean(t)) for n, t in page.lines]
        return [(n, t) for n, t in lines if t], options.url or page.canonical_url
    numbered = ((i, _clean(raw)) for i, raw in enumerate(text.splitlines(), start=1))
    return [(n, t) for n, t in numbered if t], options.url


def _split(lines: Iterable[tuple[int, str]], options: PageOptions) -> tuple[list[tuple[int, str]], list[_Slot]]:
    header: list[tuple[int, str]] = []
    slots: list[_Slot] = []
    for number, text in lines:
        if text.casefold() in NOISE_LINES:
            continue
        when = match_time_line(text)
        if when is not None:
            slots.append(_Slot(number, text, when))
        elif looks_like_time_line(text):
            raise ParseError("unrecognised time line", line=number, text=text, source=options.source)
        elif slots:
            slots[-1].body.append((number, text))
        else:
            header.append((number, text))
    return header, slots


def _parse_header(
    lines: list[tuple[int, str]], warnings: list[ParseWarning], ignored: list[tuple[int, str]] | None = None
) -> _Header:
    """Title, room, moderators, zone line and abstract of a session page (lines not read go to ``ignored``)."""
    ignored = ignored if ignored is not None else []
    head = _Header()
    in_abstract = False
    rest: list[tuple[int, str]] = []
    for number, text in lines:
        if (m := _TIMEZONE_RE.match(text)) is not None:
            head.timezone = (number, m.group(1))
            continue
        if (m := _MODERATOR_RE.match(text)) is not None:
            head.moderators += split_names(m.group(1))
            in_abstract = False
            continue
        if (m := _ABSTRACT_RE.match(text)) is not None:
            in_abstract = True
            if m.group(1):
                head.abstract.append(m.group(1))
            continue
        if in_abstract:
            head.abstract.append(text)
            continue
        rest.append((number, text))
    for index, (number, text) in enumerate(rest):
        if head.title is None and index + 1 < len(rest) and (text.casefold() == _SESSION_LABEL or is_type_label(text)):
            continue  # the "Session" (or "Oral Session") label above the title
        if head.title is None:
            head.title = text
        elif ("·" in text or "⋅" in text) and not head.moderators:
            head.moderators = split_names(text)
        elif head.location is None:
            head.location = text
        else:
            warnings.append(ParseWarning(number, f"header line not understood, ignored: {text!r}"))
            ignored.append((number, text))
    return head


def _resolve_zone(head: _Header, slots: list[_Slot], options: PageOptions) -> Resolved:
    """The zone of the page's times (see :mod:`.context` for the precedence)."""
    labels = [
        (slot.line, slot.text, label)
        for slot in slots
        if (label := slot.when.start.zone or (slot.when.end.zone if slot.when.end else None)) is not None
    ]
    return resolve_zone(head.timezone, labels, options, (slots[0].line, slots[0].text) if slots else None)


def _resolve_year(slots: list[_Slot], url: str | None, options: PageOptions, warnings: list[ParseWarning]) -> Resolved:
    """The page's year (see :mod:`.context` for the precedence)."""
    hints = [
        YearHint(slot.line, slot.text, slot.when.start.year, slot.when.start.month, slot.when.start.day, slot.when.start.weekday)
        for slot in slots
    ]
    return resolve_year(hints, url, options, warnings)


def without_abstract_labels(texts: Iterable[str]) -> list[str]:
    """Lines with "Abstract:" labels removed; text after a label on its line is kept in place.

    >>> without_abstract_labels(["Abstract:", "We show.", "Abstract: More."])
    ['We show.', 'More.']
    """
    out = []
    for text in texts:
        m = _ABSTRACT_RE.match(text)
        if m is None:
            out.append(text)
        elif m.group(1):
            out.append(m.group(1))
    return out


@dataclass(frozen=True)
class SlotContent:
    """What follows a slot's time line: type, title, authors and abstract."""

    type: str | None
    title: str | None
    authors: tuple[str, ...] = ()
    abstract: str | None = None


def _slot_content(slot: _Slot, warnings: list[ParseWarning]) -> SlotContent:
    texts = without_abstract_labels(t for _, t in slot.body)
    kind: str | None = None
    if texts and _is_slot_type(texts[0]):
        kind = texts[0].strip("()")
        if len(texts) > 1:
            texts = texts[1:]
    if not texts:
        warnings.append(ParseWarning(slot.line, "slot has a time and nothing else: kept as an untitled slot"))
        return SlotContent(type=kind, title=None)
    title, rest = texts[0], texts[1:]
    authors: tuple[str, ...] = ()
    if rest and looks_like_authors(rest[0], followed=len(rest) > 1):
        authors, rest = split_names(rest[0]), rest[1:]
    return SlotContent(type=kind, title=title, authors=authors, abstract="\n".join(rest) or None)


def parse_session_page(
    header_lines: list[tuple[int, str]],
    slots: list[_Slot],
    url: str | None,
    options: PageOptions,
    *,
    ignored: Iterable[tuple[int, str]] = (),
) -> Schedule:
    """A session page (header, then slots) → a one-session :class:`Schedule`.

    A first time line with nothing under it whose range spans every later slot is the
    session's own time ("Oral Session" pages print it above their talks), not a talk.
    ``ignored`` are the lines dropped before parsing (for the report).
    """
    warnings: list[ParseWarning] = []
    unused = list(ignored)
    head = _parse_header(header_lines, warnings, unused)
    slots = labels_to_their_times(slots)
    if head.title is None:
        raise ParseError("no session title before the first time slot", line=slots[0].line, text=slots[0].text, source=options.source)
    zone_choice = _resolve_zone(head, slots, options)
    year_choice = _resolve_year(slots, url, options, warnings)
    zone, year = zone_choice.value, year_choice.value
    assert isinstance(zone, ZoneInfo) and isinstance(year, int)
    state: dict[str, object] = {"year": year, "page_day": day_from_url(url, year)}

    times = []
    for slot in slots:
        slot_warnings: list[ParseWarning] = []
        times.append((*_slot_times(slot, zone, state, options, slot_warnings), slot_warnings))
    skip = len(slots) > 2 and not slots[0].body and _spans(times[0][:2], [t[:2] for t in times[1:]])
    if skip:
        unused.append((slots[0].line, slots[0].text))  # the session's own range, not a talk
    timed = []
    for index, (slot, (start, end, slot_warnings)) in enumerate(zip(slots, times, strict=True)):
        warnings.extend(slot_warnings)
        if not (skip and index == 0):
            timed.append((start, end, _slot_content(slot, warnings), slot.when.room))

    first = min(start for start, _, _, _ in timed)
    session_id = make_session_id(head.title, head.location, first, url)
    seen: Counter[str] = Counter()
    talks = []
    for start, end, content, room in timed:
        key = normalize_title(content.title) if content.title else "(untitled)"
        seen[key] += 1
        talks.append(
            Talk(
                id=make_talk_id(session_id, content.title, seen[key]),
                start=start,
                end=end,
                title=content.title,
                type=content.type,
                authors=content.authors,
                abstract=content.abstract,
                location=room,
            )
        )
    session = Session(
        id=session_id,
        title=head.title,
        timezone=zone.key,
        talks=tuple(talks),
        location=head.location,
        moderators=head.moderators,
        source_url=url,
        abstract="\n".join(head.abstract) or None,
    )
    if options.source:
        warnings = [replace(w, source=options.source) for w in warnings]
    report = make_report("session page", (session,), year_choice, zone_choice, options, sorted(unused))
    return Schedule(timezone=zone.key, sessions=(session,), warnings=tuple(warnings), reports=(report,))


def labels_to_their_times(slots: list[_Slot]) -> list[_Slot]:
    """Slots whose children print their type label above their time line ("Oral" / time /
    title …): each label moved from the end of the slot above to the slot it names.

    Only when the whole page has that shape: every slot but the last ends with a label
    and no slot after the first starts with one.
    """
    if len(slots) < 2 or any(s.body and is_type_label(s.body[0][1]) for s in slots[1:]):
        return slots
    if not all(s.body and is_type_label(s.body[-1][1]) for s in slots[:-1]):
        return slots
    moved = [_Slot(s.line, s.text, s.when, list(s.body)) for s in slots]
    for above, below in zip(moved, moved[1:], strict=False):
        below.body.insert(0, above.body.pop())
    return moved


def _spans(outer: tuple[datetime, datetime | None], inner: list[tuple[datetime, datetime | None]]) -> bool:
    """Whether the range ``outer`` (start, end) holds every range of ``inner``."""
    start, end = outer
    return end is not None and all(start <= s and (e or s) <= end for s, e in inner)
