"""Parse one session page (copied text or saved HTML) into a :class:`Schedule`.

A page has a header (an optional "Skip to …" line, an optional "Session" label,
the session title, an optional room line, moderators, an optional "Abstract:"
label, noise such as "Chat is not available.") and then slots, each a time line
followed by an optional type line, a title, an authors line and an abstract.

Errors are :class:`~calsync.errors.ParseError` naming the line; anything the
parser accepted but a person should check becomes a :class:`ParseWarning`.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
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
from ..zones import ZoneError, check_label, is_real_local_time
from .context import Resolved, YearHint, make_report, resolve_year, resolve_zone
from .htmltext import is_html, parse_html_lines
from .timeline import TimeRange, WallTime, looks_like_time_line, match_time_line
from .year import day_from_url, weekday_matches

logger = logging.getLogger(__name__)

#: Site chrome that carries no schedule information (compared case-insensitively).
NOISE_LINES = frozenset(
    s.casefold()
    for s in (
        "Skip to yearly menu bar Skip to main content",
        "Skip to yearly menu bar",
        "Skip to main content",
        "Chat is not available.",
        "Chat is not available",
    )
)

#: Slot types recognised on a line of their own before a title (case-insensitive).
SLOT_TYPES = frozenset(
    s.casefold()
    for s in (
        "Oral", "Spotlight", "Poster", "Break", "Q&A", "Live Q&A", "Invited Talk", "Keynote",
        "Talk", "Contributed Talk", "Lightning Talk", "Tutorial", "Workshop", "Panel",
        "Panel Discussion", "Opening Remarks", "Closing Remarks", "Remarks", "Social", "Lunch",
        "Coffee Break", "Demo", "Demonstration", "Competition", "Expo", "Town Hall",
        "Poster Session", "Oral Session", "Award", "Test of Time", "Plenary", "Discussion",
        "Affinity Event", "Invited Speaker", "Oral Presentation", "Spotlight Presentation",
    )
)

_MODERATOR_RE = re.compile(r"^(?:moderators?|chairs?|session chairs?)\s*:\s*(.*)$", re.I)
_TIMEZONE_RE = re.compile(r"^time\s?zone\s*:\s*(\S+)\s*$", re.I)
_ABSTRACT_RE = re.compile(r"^abstract\s*:\s*(.*)$", re.I)
_SESSION_LABEL = "session"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]")
_NAME_PARTICLES = frozenset("de del della der di da dos du la le van von den ten ter bin al el y".split())
_SENTENCE_END = (".", "!", "?", ":", ";")


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
class _Slot:
    line: int
    text: str
    when: TimeRange
    body: list[tuple[int, str]] = field(default_factory=list)


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
    """
    parts = re.split(r"\s*[·•|;]\s*", text) if re.search(r"[·•|;]", text) else [text]
    return tuple(p.strip() for p in parts if p.strip())


def looks_like_authors(line: str, followed: bool = False) -> bool:
    """Whether a line after a title is a list of names rather than an abstract.

    Names are joined by " · "; a single name is a short line without digits or a
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
    if "·" in line:
        return True
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
    return line.casefold() in SLOT_TYPES


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


def _parse_header(lines: list[tuple[int, str]], warnings: list[ParseWarning]) -> _Header:
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
        if head.title is None and text.casefold() == _SESSION_LABEL and index + 1 < len(rest):
            continue  # the "Session" label above the title
        if head.title is None:
            head.title = text
        elif "·" in text and not head.moderators:
            head.moderators = split_names(text)
        elif head.location is None:
            head.location = text
        else:
            warnings.append(ParseWarning(number, f"header line not understood, ignored: {text!r}"))
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


def _clock(w: WallTime, inherit_ampm: str | None = None) -> tuple[int, int, int]:
    """(hour, minute, extra days) of a wall time; raises ValueError when impossible."""
    if w.word == "noon":
        return 12, 0, 0
    if w.word == "midnight":
        return 0, 0, 0
    assert w.hour is not None
    hour, minute = w.hour, w.minute
    ampm = w.ampm or inherit_ampm
    if minute > 59:
        raise ValueError(f"minute {minute} out of range")
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} is not a 12-hour clock time")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif hour == 24 and minute == 0:
        return 0, 0, 1
    elif hour > 23:
        raise ValueError(f"hour {hour} out of range")
    return hour, minute, 0


def _label_check(label: str | None, moment: datetime) -> None:
    if label is None:
        return
    try:
        check_label(label, moment)
    except ZoneError:
        if moment.tzname() == label:  # an abbreviation outside the table but the zone's own
            return
        raise


def _weekday_date(weekday: int, state: dict[str, object], options: PageOptions, err: Callable[[str], ParseError]) -> date:
    """The date of a weekday-only slot ("Sat"): the conference day or page day with that weekday."""
    candidates = [d for d in options.days if d.weekday() == weekday]
    page_day = state.get("page_day")
    if isinstance(page_day, date) and page_day.weekday() == weekday:
        candidates.append(page_day)
    candidates = sorted(set(candidates))
    name = calendar.day_name[weekday]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise err(
            f"the slot names only a weekday ({name}) and no conference day or page date is a {name}: "
            "set the conference's first_day/last_day or import the page by its /day/<month>/<day> URL"
        )
    raise err(f"the slot names only a weekday ({name}) and several conference days are {name}s")


def _slot_times(
    slot: _Slot,
    zone: ZoneInfo,
    state: dict[str, object],
    options: PageOptions,
    warnings: list[ParseWarning],
) -> tuple[datetime, datetime | None]:
    """Aware start and end of a slot; ``state`` carries the running date and year."""
    err = lambda msg: ParseError(msg, line=slot.line, text=slot.text, source=options.source)  # noqa: E731
    s, e = slot.when.start, slot.when.end

    def date_of(w: WallTime) -> date | None:
        if w.day is None and w.weekday is not None:
            return _weekday_date(w.weekday, state, options, err)
        if w.day is None or w.month is None:
            return None
        year = w.year or int(state["year"])  # type: ignore[arg-type]
        last = state.get("date")
        if w.year is None and isinstance(last, date) and w.month < last.month - 6:
            year = last.year + 1  # a programme running over New Year
        try:
            day = date(year, w.month, w.day)
        except ValueError:
            raise err(f"no such date: {w.day} {calendar.month_name[w.month]} {year}") from None
        if w.weekday is not None and not weekday_matches(year, w.month, w.day, w.weekday):
            raise err(
                f"{w.day} {calendar.month_name[w.month]} {year} is a {calendar.day_name[day.weekday()]}, "
                f"not a {calendar.day_name[w.weekday]}"
            )
        return day

    start_day = date_of(s) or state.get("date") or state.get("page_day")
    if not isinstance(start_day, date):
        raise err("time slot without a date, and no earlier date on the page (nor in its URL: /day/<month>/<day>)")
    state["date"] = start_day
    try:
        inherit = None
        if s.ampm is None and e is not None and e.ampm is not None and s.hour is not None and s.hour <= 12:
            inherit = e.ampm
            end_clock = _clock(e)
            if _clock(s, inherit)[:2] > end_clock[:2]:
                inherit = "am" if e.ampm == "pm" else "pm"
        sh, sm, sdays = _clock(s, inherit)
        start = datetime(start_day.year, start_day.month, start_day.day, sh, sm, tzinfo=zone) + timedelta(days=sdays)
        end: datetime | None = None
        if e is not None:
            eh, em, edays = _clock(e)
            end_day = date_of(e) or start_day
            end = datetime(end_day.year, end_day.month, end_day.day, eh, em, tzinfo=zone) + timedelta(days=edays)
            if end.replace(tzinfo=None) < start.replace(tzinfo=None) and date_of(e) is None:
                end += timedelta(days=1)  # "23:30 - 0:30" ends the next day
    except ValueError as exc:
        raise err(str(exc)) from None
    try:
        _label_check(s.zone or (e.zone if e else None), start)
        if end is not None:
            _label_check((e.zone if e else None) or s.zone, end)
    except ZoneError as exc:
        raise err(str(exc)) from None
    for moment in (start, end):
        if moment is not None and not is_real_local_time(moment):
            warnings.append(ParseWarning(slot.line, f"{moment:%H:%M} does not exist on {moment:%Y-%m-%d} in {zone.key} (clocks change)"))
    if end is not None and end.replace(tzinfo=None) <= start.replace(tzinfo=None):
        what = "ends when it starts" if end == start else "ends before it starts"
        warnings.append(ParseWarning(slot.line, f"slot {what}: end time treated as not published"))
        end = None
    return start, end


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
        kind = texts[0]
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
    header_lines: list[tuple[int, str]], slots: list[_Slot], url: str | None, options: PageOptions
) -> Schedule:
    """A session page (header, then slots) → a one-session :class:`Schedule`."""
    warnings: list[ParseWarning] = []
    head = _parse_header(header_lines, warnings)
    if head.title is None:
        raise ParseError("no session title before the first time slot", line=slots[0].line, text=slots[0].text, source=options.source)
    zone_choice = _resolve_zone(head, slots, options)
    year_choice = _resolve_year(slots, url, options, warnings)
    zone, year = zone_choice.value, year_choice.value
    assert isinstance(zone, ZoneInfo) and isinstance(year, int)
    state: dict[str, object] = {"year": year, "page_day": day_from_url(url, year)}

    timed = []
    for slot in slots:
        start, end = _slot_times(slot, zone, state, options, warnings)
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
    report = make_report("session page", (session,), year_choice, zone_choice, options, _ignored(warnings))
    return Schedule(timezone=zone.key, sessions=(session,), warnings=tuple(warnings), reports=(report,))


def _ignored(warnings: Iterable[ParseWarning]) -> list[tuple[int, str]]:
    """The lines the warnings say were ignored (for the page report)."""
    return [(w.line, w.message) for w in warnings if w.line is not None and "ignored" in w.message]
