"""The MiniConf ``schedule.json`` of ACL-family sites, as sessions of talks.

The schedule is a list of FullCalendar events with RFC 1123 GMT times. A
``"view": "week"`` event is an overview block (the real title); the ``"day"`` events
after it with the same type and times are its details (rooms, tracks, the page link,
often a generic title such as ``<b>Workshop</b>``). Each block becomes a session titled
by the week entry and its details its talks (a single detail takes the block's title),
so no event appears twice. The times name no venue zone: shown in UTC unless the
caller sets a zone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit
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
from ..context import DATA
from ..page import PageOptions
from .common import _UTC, KIND_MINICONF, _absolute, _listed, _option_zone, _parse_iso, plain

_URL_KIND_RE = re.compile(r"-\(([a-z][a-z -]*)\)$", re.I)


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
