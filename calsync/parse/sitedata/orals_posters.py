"""The orals-posters data of the ICML / NeurIPS / ICLR "virtual" sites, as sessions of talks.

Each record with a ``starttime`` becomes a talk (a second showing, ``starttime2``, a
second talk with its own id); records are grouped into sessions by ``session`` and
room and split where the times leave a gap longer than :data:`SESSION_GAP`, so one
session per time it meets; a record without a session is a session of its own.
Records without a time, hidden ones and ones whose time cannot be read are skipped and
counted in one warning. Without a zone from the caller the display zone is inferred
from the data's UTC offsets (:func:`~calsync.parse.sitedata.venues.choose_zone`).
Ids come from the record ``id`` (never its time) and, for sessions, from the name,
room and local day, so they survive re-imports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ...errors import NoEvents, ParseError
from ...model import (
    PageReport,
    ParseWarning,
    Schedule,
    Session,
    Talk,
    make_session_id,
    make_talk_id,
    normalize_title,
)
from ..context import DATA, INFERRED
from ..page import PageOptions
from .common import (
    KIND_ORALS_POSTERS,
    _absolute,
    _listed,
    _natural,
    _option_zone,
    _parse_iso,
    _records_of,
    plain,
    plain_block,
)
from .venues import choose_zone

__all__ = ["SESSION_GAP"]

#: A gap this long between the talks of one named session starts another meeting of it.
SESSION_GAP = timedelta(minutes=30)


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
