"""Shared pieces of the structured HTML readers: links, year and zone, times, sessions, reports.

Everything here is pure. Times are read by the text grammar's own pieces
(:func:`~calsync.parse.timeline.match_time_line` on a normalised string, then
:func:`calsync.parse.page._slot_times`), and the year and zone are decided by
:mod:`calsync.parse.context` only — a structured reader never decides them itself. The
document itself (its tree, index and visible text) is read by :mod:`.soup`.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from bs4 import Tag

from ...errors import ParseError
from ...model import ParseWarning, Schedule, Session, Talk, make_session_id, make_talk_id, normalize_title
from ..context import Resolved, YearHint, make_report, resolve_year, resolve_zone
from ..htmltext import DROP_TAGS
from ..page import PageOptions, _Slot, _slot_times
from ..timeline import match_time_line
from ..year import day_from_url, year_from_url
from .soup import PageIndex, clean, line_of, text_of

logger = logging.getLogger(__name__)

_ZONE_TEXT_RE = re.compile(r"\btime\s?zone\s*:\s*(\S*)", re.I)
_LINK_YEAR_RE = re.compile(r"^(?:https?://[^/]+)?/(?:virtual|Conferences)/((?:19|20)\d\d)(?:/|$)")
#: Hosts of the sites on the virtual-site platform, by the conference its ``<title>`` names
#: (used only for links when neither the caller nor the page gives the page's URL).
SITE_HOSTS = {"icml": "icml.cc", "neurips": "neurips.cc", "nips": "nips.cc", "iclr": "iclr.cc"}
_TITLE_SITE_RE = re.compile(r"\b(ICML|NeurIPS|NIPS|ICLR)\b")


# -- the page's URL, links and year ------------------------------------------------------


@dataclass(frozen=True)
class PageContext:
    """What the reader knows about where the page lives.

    ``url`` is the page's own URL (the caller's, else the HTML's canonical/og:url);
    ``base`` is what relative links are resolved against: ``url``, else the site's
    host when the page names a platform conference (``https://icml.cc/``), else none.
    """

    url: str | None
    base: str | None

    def link(self, href: object) -> str | None:
        """An absolute URL for a link, or ``None`` when it is relative and no base is known.

        >>> PageContext(None, "https://icml.cc/").link("/virtual/2025/poster/7")
        'https://icml.cc/virtual/2025/poster/7'
        >>> PageContext(None, None).link("/virtual/2025/poster/7") is None
        True
        >>> PageContext(None, None).link("https://x.org/a#b")
        'https://x.org/a#b'
        """
        if not isinstance(href, str):
            return None
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            return None
        if urlsplit(href).scheme in {"http", "https"}:
            return href
        return urljoin(self.base, href) if self.base else None


def page_context(index: PageIndex, options: PageOptions) -> PageContext:
    """Where the page lives: the caller's URL, the canonical link, or the platform's host."""
    url = options.url or index.canonical
    if url:
        return PageContext(url, url)
    for title in index.titles:
        m = _TITLE_SITE_RE.search(title.get_text())
        if m:
            return PageContext(None, f"https://{SITE_HOSTS[m.group(1).lower()]}/")
    return PageContext(None, None)


def links_year(links: Iterable[Tag]) -> YearHint | None:
    """The year the page's own event links name (``/virtual/2025/poster/…``), if they agree.

    It is an explicit year on the page (origin "page"); links naming several years give none.
    """
    found: dict[int, Tag] = {}
    for a in links:
        m = _LINK_YEAR_RE.match(str(a.get("href") or ""))
        if m:
            found.setdefault(int(m.group(1)), a)
    if len(found) != 1:
        return None
    year, a = next(iter(found.items()))
    return YearHint(line_of(a) or 0, str(a.get("href")), year)


def zone_line(index: PageIndex) -> tuple[int, str] | None:
    """A ``Timezone: Area/City`` statement outside the navigation, as (line, value)."""
    for node in index.zone_texts:
        parent = node.parent
        if parent is None or parent.name in DROP_TAGS or parent.find_parent(["nav", "footer", "head", "script", "style"]):
            continue
        m = _ZONE_TEXT_RE.search(text_of(parent))
        if m and ("/" in m.group(1) or m.group(1).upper() in {"", "»", "UTC", "GMT"}):
            return line_of(parent) or 0, m.group(1) or "»"
    return None


# -- times ------------------------------------------------------------------------------


def time_slot(line: int, text: str) -> _Slot | None:
    """A slot when ``text`` (normalised) is a time line the text grammar reads, else ``None``.

    >>> time_slot(3, "Wed 16 Jul 11 a.m. PDT \\u2014 1:30 p.m. PDT (Bookmark)").when.end.hour
    1
    >>> time_slot(3, "West Exhibition Hall B2-B3") is None
    True
    """
    text = clean(text)
    when = match_time_line(text)
    return _Slot(line, text, when) if when is not None else None


@dataclass
class Clock:
    """The page's resolved year and zone, and the running date state of :func:`_slot_times`."""

    year: Resolved
    zone: Resolved
    state: dict[str, object]

    @property
    def tz(self) -> ZoneInfo:
        """The zone of the page's times."""
        assert isinstance(self.zone.value, ZoneInfo)
        return self.zone.value


def resolve_clock(
    slots: list[_Slot],
    ctx: PageContext,
    options: PageOptions,
    warnings: list[ParseWarning],
    *,
    page_zone: tuple[int, str] | None = None,
    page_year: YearHint | None = None,
) -> Clock:
    """Year and zone of a page by :mod:`..context`'s precedence, from its slots and statements."""
    labels = [
        (s.line, s.text, label)
        for s in slots
        if (label := s.when.start.zone or (s.when.end.zone if s.when.end else None)) is not None
    ]
    first = (slots[0].line, slots[0].text) if slots else None
    zone = resolve_zone(page_zone, labels, options, first)
    hints = [YearHint(s.line, s.text, s.when.start.year, s.when.start.month, s.when.start.day, s.when.start.weekday) for s in slots]
    explicit = [h for h in hints if h.year is not None]
    others = [h for h in hints if h.year is None]
    if page_year is not None and year_from_url(ctx.url) is not None:
        page_year = None  # the URL says it (and a contradiction between them is not the page's)
    year = resolve_year(explicit + ([page_year] if page_year else []) + others, ctx.url, options, warnings)
    assert isinstance(year.value, int)
    return Clock(year, zone, {"year": year.value, "page_day": day_from_url(ctx.url, year.value)})


def slot_times(
    slot: _Slot, clock: Clock, options: PageOptions, warnings: list[ParseWarning]
) -> tuple[datetime, datetime | None]:
    """Aware start and end of a slot (the text grammar's own rules and checks)."""
    return _slot_times(slot, clock.tz, clock.state, options, warnings)


# -- building the model -----------------------------------------------------------------


@dataclass
class Item:
    """One talk before it gets its id."""

    start: datetime
    end: datetime | None
    title: str | None
    type: str | None = None
    authors: tuple[str, ...] = ()
    abstract: str | None = None
    location: str | None = None
    url: str | None = None


@dataclass
class Built:
    """What a reader collected: sessions, warnings, lines it read but did not use."""

    sessions: list[Session] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    ignored: list[tuple[int, str]] = field(default_factory=list)


def make_session(
    title: str,
    items: list[Item],
    zone: str,
    *,
    identity: str | None,
    source_url: str | None,
    location: str | None = None,
    moderators: tuple[str, ...] = (),
    abstract: str | None = None,
) -> Session:
    """A session with deterministic ids (as :mod:`..page` makes them: never from a talk's time)."""
    first = min(i.start for i in items)
    session_id = make_session_id(title, location, first, identity)
    seen: Counter[str] = Counter()
    talks = []
    for item in items:
        key = normalize_title(item.title) if item.title else "(untitled)"
        seen[key] += 1
        talks.append(
            Talk(
                id=make_talk_id(session_id, item.title, seen[key]),
                start=item.start,
                end=item.end,
                title=item.title,
                type=item.type,
                authors=item.authors,
                abstract=item.abstract,
                location=item.location,
                url=item.url,
            )
        )
    return Session(
        id=session_id,
        title=title,
        timezone=zone,
        talks=tuple(talks),
        location=location,
        moderators=moderators,
        source_url=source_url,
        abstract=abstract,
    )


def finish(kind: str, built: Built, clock: Clock, options: PageOptions) -> Schedule:
    """The schedule of one page with its report (warnings name the page's source)."""
    sessions: list[Session] = []
    seen: set[str] = set()
    warnings = list(built.warnings)
    for session in built.sessions:
        if session.id in seen:
            warnings.append(ParseWarning(None, f"session {session.title!r} listed twice: kept once"))
            continue
        seen.add(session.id)
        sessions.append(session)
    if options.source:
        warnings = [replace(w, source=options.source) for w in warnings]
    report = make_report(kind, sessions, clock.year, clock.zone, options, built.ignored)
    return Schedule(timezone=clock.tz.key, sessions=tuple(sessions), warnings=tuple(warnings), reports=(report,))


def parse_error(message: str, tag: Tag | None, options: PageOptions, text: str | None = None) -> ParseError:
    """A ParseError naming the element's source line."""
    return ParseError(message, line=line_of(tag), text=text, source=options.source)
