"""The schedule model: plain frozen dataclasses, no I/O.

Times are aware datetimes in the page's IANA zone (``zoneinfo.ZoneInfo``), never
naive and never converted to UTC here: the exporter keeps the zone so that
calendar clients show the time the conference announced.

Ids are deterministic: the same page parsed twice gives the same ids (see
:func:`make_session_id` and :func:`make_talk_id`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

#: Conference slugs and the ids in URLs: lower-case letters, digits and dashes (no dots,
#: so that ``<slug>.ics`` is always a feed).
SLUG_PATTERN = r"[a-z0-9][a-z0-9-]{0,99}"
SLUG_RE = re.compile(rf"^{SLUG_PATTERN}$")


@dataclass(frozen=True)
class Talk:
    """One slot of a session: a talk, a break, a Q&A, a poster…

    ``title`` is ``None`` for a slot the page lists with a time and nothing else;
    ``end`` is ``None`` only where a page publishes no end time.
    ``location`` is set only when the slot names its own room (else the session's).
    """

    id: str
    start: datetime
    end: datetime | None
    title: str | None
    type: str | None = None
    authors: tuple[str, ...] = ()
    abstract: str | None = None
    location: str | None = None
    #: Set by the store for a talk that disappeared from its page (shown as cancelled).
    cancelled: bool = False
    #: The talk's own page (a poster's or oral's event URL); ``None``: the session's page.
    url: str | None = None


@dataclass(frozen=True)
class Session:
    """A session page: a title, maybe a room and moderators, and its slots."""

    id: str
    title: str
    timezone: str
    talks: tuple[Talk, ...]
    location: str | None = None
    moderators: tuple[str, ...] = ()
    source_url: str | None = None
    abstract: str | None = None

    @property
    def start(self) -> datetime | None:
        """Start of the earliest slot (``None`` for a session without slots)."""
        return min((t.start for t in self.talks), default=None)

    @property
    def end(self) -> datetime | None:
        """End of the latest slot, falling back to starts where ends are unknown."""
        return max((t.end or t.start for t in self.talks), default=None)


@dataclass(frozen=True)
class ParseWarning:
    """Something the parser accepted but a person should look at."""

    line: int | None
    message: str
    source: str | None = None


@dataclass(frozen=True)
class PageReport:
    """What reading one page found: its kind, how many events, and where year and zone came from.

    ``year_origin``/``zone_origin`` name the source of each (``"page"``, ``"url"``,
    ``"conference"``, ``"option"``, ``"inferred"``, ``"data"``); ``ignored`` holds the
    page lines (number, text) that were read but not used.
    """

    source: str | None
    kind: str
    events: int
    year: int | None = None
    year_origin: str | None = None
    timezone: str | None = None
    zone_origin: str | None = None
    ignored: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Schedule:
    """What parsing one or more pages yields."""

    timezone: str
    sessions: tuple[Session, ...]
    warnings: tuple[ParseWarning, ...] = field(default=())
    #: One report per page read (in order); empty for schedules not made by parsing.
    reports: tuple[PageReport, ...] = field(default=())


_WEB_URL_RE = re.compile(r"^https?://[^\s/?#@]+(?:[/?#][^\s]*)?$", re.I)
#: A control character (C0 or DEL): never in a link.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL without credentials that may be shown as a link, else ``None``.

    Page links come from the page itself (its canonical link, ``og:url``), so a
    ``javascript:`` or ``data:`` URL must never reach a feed or an ``href``.

    >>> web_url("https://icml.cc/virtual/2025/poster/1"), web_url(" javascript:alert(1)")
    ('https://icml.cc/virtual/2025/poster/1', None)
    >>> web_url("https://user:pw@icml.cc/x"), web_url("data:text/html,x"), web_url(None)
    (None, None, None)
    >>> web_url("https://icml.cc/x\x01y"), web_url("https://icml.cc/x\x7f"), web_url("https://icml.cc/ü")
    (None, None, 'https://icml.cc/ü')
    """
    if not url:
        return None
    url = url.strip()
    return url if _WEB_URL_RE.match(url) and not _CONTROL_RE.search(url) else None


def slugify(text: str, max_length: int = 40) -> str:
    """ASCII slug for readable ids and filenames.

    >>> slugify("Orals & Spotlights Track 28: Deep Learning")
    'orals-spotlights-track-28-deep-learning'
    >>> slugify("Zoë’s Ünïcode talk")
    'zoes-unicode-talk'
    >>> slugify("!!!")
    'x'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or "x"


def _digest(*parts: str, length: int = 10) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def normalize_title(title: str) -> str:
    """Case- and space-insensitive form of a title (NFKC, casefolded, whitespace collapsed).

    The one normalisation of names: a talk's identity (its id, the store's match key),
    and how feed filters compare types and rooms. Accents are kept.

    >>> normalize_title("  Deep   Nets,  Revisited ")
    'deep nets, revisited'
    >>> normalize_title(" Ballroom   A ") == normalize_title("BALLROOM a"), normalize_title("Café") == normalize_title("Cafe")
    (True, False)
    """
    return " ".join(unicodedata.normalize("NFKC", title).casefold().split())


def make_session_id(
    title: str, location: str | None, start: datetime | None, source_url: str | None
) -> str:
    """Deterministic session id: a readable slug plus a digest of the session's identity.

    The identity is the page URL when known (a session page keeps its URL when
    its contents change); otherwise title, room and the start of its first slot,
    so that two "Deep Learning" sessions in the same room on the same day differ.

    >>> from datetime import datetime
    >>> a = make_session_id("Deep Learning", "Ballroom 1", datetime(2022, 7, 21, 7, 30), None)
    >>> b = make_session_id("Deep Learning", "Ballroom 1", datetime(2022, 7, 21, 12, 30), None)
    >>> a.startswith("deep-learning-"), a != b
    (True, True)
    """
    identity: tuple[str, ...]
    if source_url:
        identity = ("url", source_url.strip())
    else:
        when = start.strftime("%Y-%m-%dT%H:%M") if start else ""
        identity = ("page", normalize_title(title), (location or "").strip().casefold(), when)
    return f"{slugify(title, 32)}-{_digest(*identity)}"


def make_talk_id(session_id: str, title: str | None, occurrence: int) -> str:
    """Deterministic talk id from its session and its title, never its time.

    A talk that moves keeps its id; the ``occurrence`` number (1, 2, …) tells
    apart slots of one session with the same title (two "Q&A" slots) and numbers
    untitled slots. A retitled talk gets a new id here; the store matches it to
    its old UID by session and time.

    >>> make_talk_id("s-1", "Break", 1) == make_talk_id("s-1", "break ", 1)
    True
    >>> make_talk_id("s-1", "Break", 1) != make_talk_id("s-1", "Break", 2)
    True
    """
    key = normalize_title(title) if title else "(untitled)"
    return f"t{_digest(session_id, key, str(occurrence), length=16)}"
