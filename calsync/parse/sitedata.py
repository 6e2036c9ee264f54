"""Whole conferences from the data files the sites publish (pure, no I/O).

Two shapes, detected by content (:func:`parse_json_page` is the hook of
:func:`calsync.parse.dispatch.parse_page`):

* **orals-posters data** of the ICML / NeurIPS / ICLR "virtual" sites
  (``/static/virtual/data/<conf>-<year>-orals-posters.json``): an envelope
  ``{"count", "next", "previous", "results": [record, ...]}`` (a bare list of
  records is read too). Each record with a ``starttime`` becomes a talk: type
  ``eventtype``, title ``name``, authors' ``fullname``, abstract (the record's, else
  the companion ``<conf>-<year>-abstracts.json`` mapping), URL ``virtualsite_url``
  made absolute, location room + poster position ("Hall J #2504"). A second
  showing (``starttime2``/``endtime2``) is a second talk with its own id. Records
  are grouped into sessions by ``session`` and room, split where the times leave
  a gap (posters share their session's slot; orals chain 15-minute slots), so
  one session per time it meets; a record without a session is a session of its
  own. Records without a time, hidden ones (``"visible": false``) and ones whose
  time cannot be read are skipped and counted in one warning.
* **MiniConf schedule** of ACL-family sites (``schedule.json``): a list of
  FullCalendar events with RFC 1123 GMT times. A ``"view": "week"`` event is an
  overview block (the real title); the ``"day"`` events after it with the same
  type and times are its details (rooms, tracks, the page link, often a generic
  title such as ``<b>Workshop</b>``). Each block becomes a session titled by the
  week entry; its details become its talks (a single detail takes the block's
  title), so no event appears twice.

Ids are deterministic and survive re-imports: a talk's id comes from the record
``id`` (never its time, so a talk that moves keeps it); a session's from its
name, room and local day. Times keep their instants; the display zone is the
conference's zone, else ``--timezone``, else (orals-posters) the venue zone whose
UTC offsets match the data — said in a warning — or (MiniConf) UTC.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from ..errors import NoEvents, ParseError
from ..model import (
    PageReport,
    ParseWarning,
    Schedule,
    Session,
    Talk,
    make_session_id,
    make_talk_id,
    normalize_title,
)
from ..zones import format_offset
from .context import DATA, INFERRED, PAGE, display_zone
from .page import PageOptions

logger = logging.getLogger(__name__)

KIND_ORALS_POSTERS = "orals-posters data"
KIND_MINICONF = "miniconf schedule"
_UTC = ZoneInfo("UTC")

#: Venue zones tried in order when the data names only UTC offsets; the first whose
#: offset matches every instant wins. Zones with the same offsets as an earlier one at
#: every date (America/Vancouver = Los_Angeles, Europe/Paris = Berlin = Vienna,
#: Asia/Tokyo = Seoul) could never be chosen and are left out; where two listed zones
#: agree only in one season (Vienna in summer and Kigali, Denver in summer and Mexico
#: City), the venue more often used by these conferences comes first. The warning names
#: the choice, and the conference's timezone setting overrides it.
VENUE_ZONES: tuple[str, ...] = (
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Pacific/Honolulu",
    "Europe/London",
    "Europe/Vienna",
    "Africa/Kigali",
    "Europe/Athens",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
)

#: A gap this long between the talks of one named session starts another meeting of it.
SESSION_GAP = timedelta(minutes=30)
#: How many record ids a warning lists before "…".
_LISTED = 5

_STRONG_JSON_RE = re.compile(r'^(?:\{\s*(?:"|\})|\[\s*\{)')
_TAG_NAMES = (
    "a|abbr|b|big|blockquote|br|center|cite|code|dd|del|div|dl|dt|em|font|h[1-6]|hr|i|img|ins|kbd|li|"
    "mark|ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul"
)
_TAG_RE = re.compile(rf"</?(?:{_TAG_NAMES})\b[^<>]*>", re.I)
_BREAK_RE = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote)\s*>", re.I)
_NUMBER_RE = re.compile(r"(\d+)")
_URL_KIND_RE = re.compile(r"-\(([a-z][a-z -]*)\)$", re.I)
_BACKSLASHED_RE = re.compile(r"\\([&%$#_])")  # LaTeX-style escapes in some exports: "Pier 2\&3"


# -- detection -----------------------------------------------------------------


def load_json(text: str, source: str | None = None) -> Any | None:
    """The decoded JSON when ``text`` is JSON data, else ``None`` (a page to parse as text).

    Only text starting with ``{`` or ``[`` is tried. Text that is clearly meant as
    JSON (``{"…`` or ``[{…``) but broken is a :class:`ParseError` naming the line;
    other text that merely starts with a bracket (a page's ``[ ] [ Project Page ]``
    line) is not JSON.

    >>> load_json('  {"results": []}')
    {'results': []}
    >>> load_json("[ ] [ Project Page ]") is None, load_json("Session title") is None
    (True, True)
    >>> load_json('{"results": [1,', "x.json")
    Traceback (most recent call last):
    ...
    calsync.errors.ParseError: x.json:1: not valid JSON: Expecting value (column 16)
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped.startswith(("{", "[")):
        return None
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as exc:
        if _STRONG_JSON_RE.match(stripped):
            raise ParseError(f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno, source=source) from None
        return None
    except RecursionError:
        raise ParseError("JSON nested too deeply", source=source) from None


def _records_of(data: Any) -> list[Any] | None:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        records: list[Any] = data["results"]
        return records
    return None


def detect_kind(data: Any) -> str | None:
    """Which published shape decoded JSON has: :data:`KIND_ORALS_POSTERS`, :data:`KIND_MINICONF` or ``None``.

    >>> detect_kind({"count": 0, "next": None, "results": []})
    'orals-posters data'
    >>> detect_kind([{"id": 1, "name": "A", "starttime": "2025-07-15T10:00:00-07:00"}])
    'orals-posters data'
    >>> detect_kind([{"start": "Fri, 14 Jul 2023 13:00:00 GMT", "title": "W1", "view": "week"}])
    'miniconf schedule'
    >>> detect_kind({"a": 1}) is None, detect_kind([1, 2]) is None
    (True, True)
    """
    if _records_of(data) is not None:
        return KIND_ORALS_POSTERS
    if isinstance(data, list):
        items = [item for item in data[:50] if isinstance(item, dict)]
        if not items:
            return None
        if any(("starttime" in i or "eventtype" in i or "virtualsite_url" in i) for i in items):
            return KIND_ORALS_POSTERS
        if any("start" in i and "title" in i for i in items):
            return KIND_MINICONF
    return None


def parse_json_page(text: str, options: PageOptions | None = None) -> Schedule | None:
    """The schedule of published site data, or ``None`` when ``text`` is not JSON.

    JSON of neither shape is a :class:`ParseError` (it would not read as a page either).
    """
    options = options or PageOptions()
    data = load_json(text, options.source)
    if data is None:
        return None
    return parse_site_data(data, options)


def parse_site_data(
    data: Any, options: PageOptions | None = None, *, abstracts: Mapping[str, str] | None = None
) -> Schedule:
    """Parse decoded site data (or its JSON text) of either shape into a :class:`Schedule`.

    ``abstracts`` is the companion ``{"<record id>": "abstract"}`` mapping of
    orals-posters data; a record's own non-empty abstract wins. ``options.url``
    (the page the data came from) is the base of relative links.

    Raises :class:`ParseError` for data of an unknown or malformed shape and
    :class:`NoEvents` when no record has a time.
    """
    options = options or PageOptions()
    if isinstance(data, str):
        decoded = load_json(data, options.source)
        if decoded is None:
            raise ParseError("not JSON data (expected an object or a list)", source=options.source)
        data = decoded
    kind = detect_kind(data)
    if kind == KIND_ORALS_POSTERS:
        return _OralsPosters(data, options, abstracts or {}).parse()
    if kind == KIND_MINICONF:
        return _MiniConf(data, options).parse()
    if isinstance(data, list) and not data:
        raise NoEvents("the JSON list is empty: nothing to import", source=options.source)
    raise ParseError(
        "JSON data of an unknown shape: expected a site's orals-posters data "
        '({"count", "next", "results": [...]}) or a MiniConf schedule.json (a list of events)',
        source=options.source,
    )


def with_abstracts(data: Any, abstracts: Mapping[str, str]) -> Any:
    """Orals-posters data with each empty record abstract filled from the companion mapping.

    Returns new containers (the input is not changed); other data is returned as is.

    >>> with_abstracts({"results": [{"id": 7, "abstract": ""}]}, {"7": "We show."})
    {'results': [{'id': 7, 'abstract': 'We show.'}]}
    """
    records = _records_of(data) if isinstance(data, dict) else data if isinstance(data, list) else None
    if records is None or not abstracts:
        return data
    filled = []
    for record in records:
        if isinstance(record, dict) and not record.get("abstract"):
            text = abstracts.get(str(record.get("id")))
            if isinstance(text, str) and text:
                record = {**record, "abstract": text}
        filled.append(record)
    return {**data, "results": filled} if isinstance(data, dict) else filled


def combine_pages(pages: Sequence[Any], abstracts: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One envelope of the records of every page (in order), abstracts filled in, no ``next``.

    >>> combine_pages([{"count": 3, "next": "p2", "results": [{"id": 1}]}, {"next": None, "results": [{"id": 2}]}])
    {'count': 2, 'next': None, 'previous': None, 'results': [{'id': 1}, {'id': 2}]}
    """
    results: list[Any] = []
    for number, page in enumerate(pages, start=1):
        records = _records_of(page)
        if records is None:
            raise ParseError(f"page {number} of the data is not an envelope with a 'results' list")
        results.extend(records)
    combined: dict[str, Any] = with_abstracts({"count": len(results), "next": None, "previous": None, "results": results}, abstracts or {})
    return combined


def abstracts_mapping(data: Any, source: str | None = None) -> dict[str, str]:
    """The companion abstracts file's ``{"<id>": "text"}`` mapping (non-string values dropped).

    >>> abstracts_mapping({"7": "We show.", "8": None})
    {'7': 'We show.'}
    """
    if not isinstance(data, dict):
        raise ParseError('abstracts data is not an object ({"<id>": "abstract"})', source=source)
    return {str(k): v for k, v in data.items() if isinstance(v, str)}


# -- text helpers --------------------------------------------------------------


def plain(text: Any) -> str | None:
    """One line of text from a field that may hold HTML tags and entities (``None`` when empty).

    >>> plain("<b>Workshop</b> on A&amp;B &lt;3")
    'Workshop on A&B <3'
    >>> plain("x<y and z>w"), plain(r"Pier 2\\&3"), plain("  "), plain(None)
    ('x<y and z>w', 'Pier 2&3', None, None)
    """
    if text is None or isinstance(text, (dict, list, bool)):
        return None
    out = " ".join(_BACKSLASHED_RE.sub(r"\1", html.unescape(_TAG_RE.sub(" ", str(text)))).replace("\u00a0", " ").split())
    return out or None


def plain_block(text: Any) -> str | None:
    """Multi-line text (an abstract) from HTML-ish text: paragraphs and breaks become lines.

    >>> plain_block("<p>First  line.</p><p>Second&nbsp;one.</p>")
    'First line.\\nSecond one.'
    """
    if text is None or isinstance(text, (dict, list, bool)):
        return None
    raw = html.unescape(_TAG_RE.sub("", _BREAK_RE.sub("\n", str(text)))).replace("\u00a0", " ")
    lines = [" ".join(line.split()) for line in raw.splitlines()]
    out = "\n".join(line for line in lines if line)
    return out or None


def _natural(text: str) -> tuple[Any, ...]:
    """Sort key that orders "#9" before "#10"."""
    return tuple(int(p) if p.isdigit() else p.casefold() for p in _NUMBER_RE.split(text))


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown + (", …" if len(items) > _LISTED else "")


def _absolute(url: Any, base: str | None) -> tuple[str | None, bool]:
    """(absolute http(s) URL or ``None``, whether a relative URL was dropped for want of a base).

    Only http and https links are kept (never ``javascript:`` or ``data:``).

    >>> _absolute("/virtual/2025/poster/1", "https://icml.cc/static/virtual/data/x.json")
    ('https://icml.cc/virtual/2025/poster/1', False)
    >>> _absolute("javascript:alert(1)", "https://icml.cc/"), _absolute("poster/1", None)
    ((None, False), (None, True))
    """
    text = plain(url)
    if not text:
        return None, False
    scheme = urlsplit(text).scheme.lower()
    if scheme:
        return (text, False) if scheme in ("http", "https") else (None, False)
    if base and urlsplit(base).scheme.lower() in ("http", "https"):
        joined = urljoin(base, text)
        return (joined, False) if urlsplit(joined).scheme.lower() in ("http", "https") else (None, False)
    return None, True


def _option_zone(options: PageOptions) -> tuple[ZoneInfo, str] | None:
    """The display zone the caller set (the conference's, else ``--timezone``) and its origin; ``None`` when neither."""
    zone, origin = display_zone(options, _UTC)
    return None if origin == PAGE else (zone, origin)


def choose_zone(instants: Iterable[datetime]) -> tuple[ZoneInfo, str]:
    """The display zone for aware times that carry only UTC offsets, and the reason, for a warning.

    The first of :data:`VENUE_ZONES` whose offset matches every instant; else the
    one matching most instants; else a fixed-offset zone (``Etc/GMT+8`` is UTC-8)
    for a whole-hour offset, else UTC.

    >>> from datetime import datetime, timedelta, timezone
    >>> pst = timezone(timedelta(hours=-8))
    >>> choose_zone([datetime(2025, 12, 5, 16, 30, tzinfo=pst)])[0].key
    'America/Los_Angeles'
    >>> choose_zone([datetime(2024, 7, 23, 11, 30, tzinfo=timezone(timedelta(hours=2)))])[0].key
    'Europe/Vienna'
    >>> choose_zone([datetime(2025, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=-11)))])[0].key
    'Etc/GMT+11'
    """
    seen: list[tuple[datetime, timedelta]] = []
    for moment in instants:
        offset = moment.utcoffset()
        if offset is not None:
            seen.append((moment, offset))
    offsets = Counter(offset for _, offset in seen)
    shown = ", ".join(format_offset(int(o.total_seconds()))[3:] for o, _ in offsets.most_common())
    if not seen:
        return ZoneInfo("UTC"), "the data holds no time: UTC"
    best: tuple[int, str] | None = None
    for name in VENUE_ZONES:
        zone = ZoneInfo(name)
        matching = sum(1 for moment, offset in seen if moment.astimezone(zone).utcoffset() == offset)
        if matching == len(seen):
            return zone, f"offsets {shown} match {name}"
        if matching and (best is None or matching > best[0]):
            best = (matching, name)
    if best is not None:
        return ZoneInfo(best[1]), (
            f"offsets {shown} match no single venue zone; {best[1]} matches {best[0]} of {len(seen)} times"
        )
    common = offsets.most_common(1)[0][0]
    seconds = int(common.total_seconds())
    if seconds % 3600 == 0 and -12 <= seconds // 3600 <= 14:
        hours = seconds // 3600
        name = "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"  # POSIX signs are inverted
        return ZoneInfo(name), f"offsets {shown} match no venue zone: fixed offset {name}"
    return ZoneInfo("UTC"), f"offsets {shown} match no venue zone: UTC"


def _parse_iso(raw: Any, zone: ZoneInfo | None) -> datetime:
    """An ISO 8601 time with its offset; a naive one only when a zone is given. ValueError else."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("not a time")
    moment = datetime.fromisoformat(raw.strip())
    if moment.tzinfo is None:
        if zone is None:
            raise ValueError("no UTC offset")
        moment = moment.replace(tzinfo=zone)
    return moment


# -- orals-posters data --------------------------------------------------------


@dataclass(frozen=True)
class _Showing:
    """One timed showing of a record, before grouping."""

    key: str
    showing: int
    start: datetime
    end: datetime | None
    session: str | None
    room: str | None
    title: str | None
    type: str | None
    authors: tuple[str, ...]
    abstract: str | None
    location: str | None
    url: str | None


class _OralsPosters:
    """One parse of orals-posters data (holds the counters that become warnings)."""

    def __init__(self, data: Any, options: PageOptions, abstracts: Mapping[str, str]) -> None:
        self.options = options
        self.data = data
        self.records: list[Any] = _records_of(data) if isinstance(data, dict) else data  # type: ignore[assignment]
        self.abstracts = abstracts
        self.warnings: list[ParseWarning] = []
        self.no_time: list[str] = []
        self.hidden: list[str] = []
        self.bad_time: list[str] = []
        self.bad_end: list[str] = []
        self.relative_urls = 0

    def warn(self, message: str) -> None:
        self.warnings.append(ParseWarning(None, message, self.options.source))

    def parse(self) -> Schedule:
        options = self.options
        given = _option_zone(options)
        naive_zone = given[0] if given else None
        showings: list[_Showing] = []
        seen_keys: Counter[str] = Counter()
        for index, record in enumerate(self.records, start=1):
            if not isinstance(record, dict):
                raise ParseError(f"record {index} of the data is not an object", source=options.source)
            raw_id = record.get("id", record.get("uid"))
            if raw_id is None or isinstance(raw_id, (dict, list, bool)) or not str(raw_id).strip():
                raise ParseError(f"record {index} of the data has no id", source=options.source)
            key = str(raw_id).strip()
            seen_keys[key] += 1
            if seen_keys[key] > 1:
                self.warn(f"record id {key} appears {seen_keys[key]} times: its copies get their own ids")
                key = f"{key}#{seen_keys[key]}"
            showings.extend(self._showings(record, key, naive_zone))
        self._summary_warnings(len(self.records))
        if not showings:
            raise NoEvents("no record of the data has a time: nothing to import", source=options.source)

        if given is not None:
            zone, zone_origin = given
        else:
            zone, reason = choose_zone(m for s in showings for m in (s.start, s.end) if m is not None)
            zone_origin = INFERRED
            self.warn(f"{reason}; set the conference's timezone (or --timezone) to choose another")
        if self.data.get("next") if isinstance(self.data, dict) else None:
            self.warn(
                f"the data continues on another page ({plain(self.data.get('next'))}) that was not read: "
                "import the data by its URL to follow every page"
            )

        sessions = self._sessions(showings, zone)
        talks = sum(len(s.talks) for s in sessions)
        years = Counter(t.start.year for s in sessions for t in s.talks)
        year = years.most_common(1)[0][0]
        for given_year, what in ((getattr(options, "conference_year", None), "the conference's year"), (options.year, "--year")):
            if given_year is not None and given_year != year:
                self.warn(f"{what} {given_year} ignored: the data's times are in {year}")
        report = PageReport(
            source=options.source, kind=KIND_ORALS_POSTERS, events=talks, year=year, year_origin=DATA,
            timezone=zone.key, zone_origin=zone_origin, ignored=(),
        )
        return Schedule(timezone=zone.key, sessions=tuple(sessions), warnings=tuple(self.warnings), reports=(report,))

    def _showings(self, record: dict[str, Any], key: str, naive_zone: ZoneInfo | None) -> list[_Showing]:
        if record.get("visible") is False:
            self.hidden.append(key)
            return []
        times: list[tuple[int, datetime, datetime | None]] = []
        for showing, (start_field, end_field) in enumerate((("starttime", "endtime"), ("starttime2", "endtime2")), start=1):
            raw_start = record.get(start_field)
            if raw_start in (None, ""):
                if showing == 1:
                    self.no_time.append(key)
                    return []
                continue
            try:
                start = _parse_iso(raw_start, naive_zone)
                raw_end = record.get(end_field)
                end = None if raw_end in (None, "") else _parse_iso(raw_end, naive_zone)
            except (ValueError, TypeError) as exc:
                self.bad_time.append(f"{key} ({start_field}: {str(raw_start)[:40]!r}: {exc})")
                if showing == 1:
                    return []
                continue
            if end is not None and end <= start:
                self.bad_end.append(key)
                end = None
            times.append((showing, start, end))

        title = plain(record.get("name"))
        authors = tuple(
            name
            for name in (plain(a.get("fullname") or a.get("name")) if isinstance(a, dict) else plain(a)
                         for a in (record.get("authors") or []) if a is not None)
            if name
        ) if isinstance(record.get("authors"), list) else ()
        abstract = plain_block(record.get("abstract")) or plain_block(self.abstracts.get(key.split("#")[0]))
        url, dropped = _absolute(record.get("virtualsite_url"), self.options.url)
        self.relative_urls += dropped
        room = plain(record.get("room_name"))
        position = plain(record.get("poster_position"))
        location = f"{room} {position}" if room and position else (position or room)
        return [
            _Showing(
                key=key, showing=showing, start=start, end=end, session=plain(record.get("session")), room=room,
                title=title, type=plain(record.get("eventtype")), authors=authors, abstract=abstract,
                location=location, url=url,
            )
            for showing, start, end in times
        ]

    def _summary_warnings(self, total: int) -> None:
        parts = []
        if self.no_time:
            parts.append(f"{len(self.no_time)} without a time (ids {_listed(self.no_time)})")
        if self.hidden:
            parts.append(f"{len(self.hidden)} hidden with \"visible\": false (ids {_listed(self.hidden)})")
        if self.bad_time:
            parts.append(f"{len(self.bad_time)} whose time cannot be read (ids {_listed(self.bad_time)})")
        if parts:
            skipped = len(self.no_time) + len(self.hidden) + len(self.bad_time)
            self.warn(f"{skipped} of {total} records skipped: " + "; ".join(parts))
        if self.bad_end:
            self.warn(f"{len(self.bad_end)} records end when or before they start (ids {_listed(self.bad_end)}): "
                      "end time treated as not published")
        if self.relative_urls:
            self.warn(f"{self.relative_urls} records link to their pages relatively and the data's URL is not "
                      "known: pass --url (or import by URL) to link talks to their pages")

    def _sessions(self, showings: list[_Showing], zone: ZoneInfo) -> list[Session]:
        groups: dict[tuple[str, ...], list[_Showing]] = {}
        group: tuple[str, ...]
        for s in showings:
            if s.session:  # second showings meet apart from the session's first meeting
                group = ("session", s.session, s.room or "", str(min(s.showing, 2)))
            else:
                group = ("record", s.key, str(s.showing))
            groups.setdefault(group, []).append(s)
        sessions: list[Session] = []
        meetings: Counter[tuple[str, str, date]] = Counter()
        for group, members in groups.items():
            members.sort(key=lambda s: (s.start, s.end or s.start))
            for cluster in _clusters(members):
                first = cluster[0]
                if group[0] == "record":
                    title = first.title or "(untitled)"
                    identity = f"orals-posters|record|{first.key}|{first.showing}"
                else:
                    title = first.session or "(untitled)"
                    if group[3] == "2":
                        title = f"{title} (second showing)"
                    day = first.start.astimezone(zone).date()
                    meetings[(title, first.room or "", day)] += 1
                    identity = f"orals-posters|session|{normalize_title(title)}|{(first.room or '').casefold()}|{day}|{meetings[(title, first.room or '', day)]}"
                session_id = make_session_id(title, first.room, first.start, identity)
                cluster.sort(key=lambda s: (s.start, _natural(s.location or ""), s.title or "", s.key))
                talks = tuple(
                    Talk(
                        id=make_talk_id(f"record:{s.key}", None, s.showing),
                        start=s.start.astimezone(zone),
                        end=s.end.astimezone(zone) if s.end else None,
                        title=s.title,
                        type=s.type,
                        authors=s.authors,
                        abstract=s.abstract,
                        location=s.location,
                        url=s.url,
                    )
                    for s in cluster
                )
                sessions.append(Session(id=session_id, title=title, timezone=zone.key, talks=talks, location=first.room))
        sessions.sort(key=lambda s: (s.start, s.title, s.id))
        return sessions


def _clusters(members: list[_Showing]) -> list[list[_Showing]]:
    """Split time-sorted showings where the next starts more than :data:`SESSION_GAP` after the running end."""
    clusters: list[list[_Showing]] = []
    running_end: datetime | None = None
    for s in members:
        if running_end is None or s.start > running_end + SESSION_GAP:
            clusters.append([])
            running_end = s.end or s.start
        clusters[-1].append(s)
        running_end = max(running_end, s.end or s.start)
    return clusters


# -- MiniConf schedule ---------------------------------------------------------


def _rfc1123(raw: Any) -> datetime:
    """A FullCalendar time: RFC 1123 (``Fri, 14 Jul 2023 13:00:00 GMT``) or ISO 8601 with an offset.

    >>> _rfc1123("Fri, 14 Jul 2023 13:00:00 GMT").isoformat()
    '2023-07-14T13:00:00+00:00'
    """
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("not a time")
    try:
        moment = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        moment = _parse_iso(raw, None)
    if moment.tzinfo is None:  # "-0000": UTC with no claim about the local zone
        moment = moment.replace(tzinfo=UTC)
    return moment


def _singular(label: str | None) -> str | None:
    """The event kind of a MiniConf type ("Paper Sessions" → "Paper Session").

    >>> _singular("Plenary Sessions"), _singular("Socials"), _singular("Breaks"), _singular("Class")
    ('Plenary Session', 'Social', 'Break', 'Class')
    """
    if not label:
        return None
    if label.endswith("s") and not label.endswith("ss"):
        return label[:-1]
    return label


@dataclass
class _Event:
    index: int
    start: datetime
    end: datetime | None
    title: str | None
    type: str | None
    location: str | None
    url: str | None
    view: str | None
    #: It ended when it started (end dropped).
    instant: bool = False


class _MiniConf:
    """One parse of a MiniConf ``schedule.json``."""

    def __init__(self, data: list[Any], options: PageOptions) -> None:
        self.data = data
        self.options = options
        self.warnings: list[ParseWarning] = []
        self.bad_time: list[str] = []
        self.instant: list[str] = []
        self.backwards: list[str] = []
        self.relative_urls = 0

    def warn(self, message: str) -> None:
        self.warnings.append(ParseWarning(None, message, self.options.source))

    def _event(self, index: int, item: Any) -> _Event | None:
        if not isinstance(item, dict):
            raise ParseError(f"event {index} of the schedule is not an object", source=self.options.source)
        title = plain(item.get("title"))
        try:
            start = _rfc1123(item.get("start"))
            end = None if item.get("end") in (None, "") else _rfc1123(item.get("end"))
        except (ValueError, TypeError) as exc:
            self.bad_time.append(f"{index} {title!r} ({exc})")
            return None
        instant = end is not None and end == start
        if end is not None and end < start:
            self.backwards.append(f"{index} {title!r}")
            instant, end = False, None
        url, dropped = _absolute(item.get("url"), self.options.url)
        self.relative_urls += dropped
        view = item.get("view")
        return _Event(index, start, None if instant else end, title, plain(item.get("type")), plain(item.get("location")),
                      url, view if isinstance(view, str) else None, instant)

    def parse(self) -> Schedule:
        options = self.options
        events = [e for e in (self._event(i, item) for i, item in enumerate(self.data, start=1)) if e is not None]
        # Blocks: a "week" overview event and the "day" detail events after it at the same time.
        blocks: list[tuple[_Event, list[_Event]]] = []
        for event in events:
            parent = blocks[-1][0] if blocks else None
            if (
                event.view == "day" and parent is not None and parent.view == "week"
                and (parent.type, parent.start, parent.end) == (event.type, event.start, event.end)
            ):
                blocks[-1][1].append(event)
            else:
                blocks.append((event, [] if event.view == "week" else [event]))
        if self.bad_time:
            self.warn(f"{len(self.bad_time)} of {len(self.data)} events skipped, their time cannot be read: {_listed(self.bad_time)}")
        if self.backwards:
            self.warn(f"{len(self.backwards)} events end before they start ({_listed(self.backwards)}): "
                      "end time treated as not published")
        if self.relative_urls:
            self.warn(f"{self.relative_urls} events link relatively and the schedule's URL is not known: "
                      "pass --url (or import by URL) to link events to their pages")
        if not blocks:
            raise NoEvents("the schedule lists no event with a time: nothing to import", source=options.source)

        given = _option_zone(options)
        if given is not None:
            zone, zone_origin = given
        else:
            zone, zone_origin = _UTC, DATA
            self.warn("the schedule's times are in UTC and name no venue zone: shown in UTC; "
                      "set the conference's timezone (or --timezone) to show the venue's")

        blocks.sort(key=lambda b: (b[0].start, b[0].index))
        occurrences: Counter[tuple[str, str]] = Counter()
        sessions = []
        for parent, children in blocks:
            title = parent.title or _singular(parent.type) or "(untitled)"
            occurrences[(parent.type or "", normalize_title(title))] += 1
            identity = f"miniconf|{parent.type or ''}|{normalize_title(title)}|{occurrences[(parent.type or '', normalize_title(title))]}"
            session_id = make_session_id(title, None, parent.start, identity)
            sessions.append(self._session(session_id, title, parent, children or [parent], zone))
        sessions.sort(key=lambda s: (s.start, s.title, s.id))
        if self.instant:
            self.warn(f"{len(self.instant)} events end when they start ({_listed(self.instant)}): "
                      "end time treated as not published")
        year = Counter(t.start.year for s in sessions for t in s.talks).most_common(1)[0][0]
        report = PageReport(
            source=options.source, kind=KIND_MINICONF, events=sum(len(s.talks) for s in sessions), year=year,
            year_origin=DATA, timezone=zone.key, zone_origin=zone_origin, ignored=(),
        )
        return Schedule(timezone=zone.key, sessions=tuple(sessions), warnings=tuple(self.warnings), reports=(report,))

    def _session(self, session_id: str, title: str, parent: _Event, children: list[_Event], zone: ZoneInfo) -> Session:
        kind = _singular(parent.type)
        items: list[tuple[str | None, str | None, _Event]] = []  # (title, type, event)
        for child in children:
            suffix = _URL_KIND_RE.search(urlsplit(child.url or "").fragment.replace("%20", " "))
            child_type = suffix.group(1).replace("-", " ").title() if suffix else kind
            items.append((title if len(children) == 1 else (child.title or title), child_type, child))
        repeated = Counter(normalize_title(t or "") for t, _, _ in items)
        locations = {c.location for _, _, c in items}
        shared = next(iter(locations)) if len(locations) == 1 else None
        seen: Counter[str] = Counter()
        talks = []
        for child_title, child_type, child in items:
            if repeated[normalize_title(child_title or "")] > 1 and child_type and child_type != kind:
                child_title = f"{child_title} ({child_type})"
            key = normalize_title(child_title) if child_title else "(untitled)"
            seen[key] += 1
            if child.instant:
                self.instant.append(child_title or "(untitled)")
            talks.append(
                Talk(
                    id=make_talk_id(session_id, child_title, seen[key]),
                    start=child.start.astimezone(zone),
                    end=child.end.astimezone(zone) if child.end else None,
                    title=child_title,
                    type=child_type,
                    location=None if shared is not None else child.location,
                    url=child.url or parent.url,
                )
            )
        return Session(
            id=session_id, title=title, timezone=zone.key, talks=tuple(talks),
            location=shared or parent.location, source_url=parent.url,
        )
