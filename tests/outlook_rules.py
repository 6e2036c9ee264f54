"""How Outlook reads an .ics feed's times: its documented import rules, written out (no Outlook here).

MS-OXCICAL (Microsoft's "iCalendar to Appointment Object Conversion", §2.1.3.2.1 VTIMEZONE
and its TZRULE mapping) turns a VTIMEZONE into one Windows time-zone rule — a bias, a
standard date and a daylight date, each "the n-th weekday of a month at a time", n = 5
meaning the last — and applies that rule to every year:

* of all STANDARD sub-components it keeps the one with the latest DTSTART, likewise of
  all DAYLIGHT ones; RDATEs are not read;
* a kept sub-component with a yearly RRULE (BYMONTH + BYDAY) gives the month and n-th
  weekday; one without an RRULE gives the month of its DTSTART and the weekday and week of
  the month (1..4, 5 for days 29..31) that DTSTART falls on — a one-off onset becomes a
  yearly "n-th weekday" rule;
* no DAYLIGHT: the STANDARD's TZOFFSETTO all year;
* an onset is a wall time in the offset in force before it (TZOFFSETFROM), as in RFC 5545;
* a DATE-TIME with ``Z`` is UTC; with ``TZID`` it is read through that zone's rule.

:func:`read_events` gives, per UID, the UTC start and end Outlook would show, so tests can
compare them with zoneinfo and with the six parsers of ``icscheck``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def unfold(text: str) -> list[str]:
    """The content lines of an .ics text, unfolded (RFC 5545 §3.1)."""
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def split_line(line: str) -> tuple[str, dict[str, str], str]:
    """``NAME;P=V:value`` → (NAME, {P: V}, value) (quoted parameter values are not needed here)."""
    head, _, value = line.partition(":")
    name, *params = head.split(";")
    return name.upper(), dict(p.split("=", 1) for p in params if "=" in p), value


def _offset(text: str) -> timedelta:
    sign = -1 if text[0] == "-" else 1
    seconds = int(text[1:3]) * 3600 + int(text[3:5]) * 60 + (int(text[5:7]) if len(text) > 5 else 0)
    return sign * timedelta(seconds=seconds)


def _local(text: str) -> datetime:
    return datetime.strptime(text.rstrip("Z"), "%Y%m%dT%H%M%S")


@dataclass(frozen=True)
class Onset:
    """One yearly change of a Windows rule: the n-th (5 = last) weekday of a month, at a wall time."""

    month: int
    week: int  # 1..4, 5 = last
    weekday: int  # 0 = Monday
    time: timedelta  # since local midnight
    offset_from: timedelta
    offset_to: timedelta

    def local(self, year: int) -> datetime:
        """The onset's wall time in ``year`` (in TZOFFSETFROM)."""
        if self.week == 5:
            last = date(year, self.month, calendar.monthrange(year, self.month)[1])
            day = last - timedelta(days=(last.weekday() - self.weekday) % 7)
        else:
            first = date(year, self.month, 1)
            day = first + timedelta(days=(self.weekday - first.weekday()) % 7 + 7 * (self.week - 1))
        return datetime.combine(day, datetime.min.time()) + self.time


@dataclass(frozen=True)
class WindowsRule:
    """What Outlook keeps of a VTIMEZONE: a standard offset and, maybe, a yearly daylight rule."""

    standard_offset: timedelta
    standard: Onset | None = None
    daylight: Onset | None = None

    def offset_at(self, local: datetime) -> timedelta:
        """The UTC offset Outlook applies to a wall time (Windows: DST between the two onsets)."""
        if self.standard is None or self.daylight is None:
            return self.standard_offset
        to_dst = self.daylight.local(local.year)
        to_std = self.standard.local(local.year)
        if to_dst < to_std:
            in_dst = to_dst <= local < to_std
        else:  # southern hemisphere: DST spans New Year
            in_dst = not (to_std <= local < to_dst)
        return self.daylight.offset_to if in_dst else self.standard.offset_to

    def to_utc(self, local: datetime) -> datetime:
        """The UTC instant Outlook gives a wall time (naive in, aware UTC out)."""
        return (local - self.offset_at(local)).replace(tzinfo=UTC)


def _onset(props: dict[str, tuple[dict[str, str], str]]) -> Onset:
    start = _local(props["DTSTART"][1])
    offset_from, offset_to = _offset(props["TZOFFSETFROM"][1]), _offset(props["TZOFFSETTO"][1])
    time = start - datetime.combine(start.date(), datetime.min.time())
    rrule = props.get("RRULE")
    if rrule is not None:
        parts = dict(p.split("=", 1) for p in rrule[1].split(";"))
        byday = parts["BYDAY"]
        ordinal, weekday = int(byday[:-2] or 1), _WEEKDAYS.index(byday[-2:])
        week = 5 if ordinal == -1 else ordinal
        return Onset(int(parts["BYMONTH"]), week, weekday, time, offset_from, offset_to)
    week = min((start.day - 1) // 7 + 1, 5)
    return Onset(start.month, week, start.weekday(), time, offset_from, offset_to)


def read_rules(text: str) -> dict[str, WindowsRule]:
    """Each VTIMEZONE of an .ics text as the one Windows rule Outlook makes of it, by TZID."""
    rules: dict[str, WindowsRule] = {}
    tzid: str | None = None
    kept: dict[str, tuple[datetime, dict[str, tuple[dict[str, str], str]]]] = {}
    sub: dict[str, tuple[dict[str, str], str]] | None = None
    for line in unfold(text):
        name, params, value = split_line(line)
        if name == "BEGIN" and value == "VTIMEZONE":
            tzid, kept = None, {}
        elif name == "TZID" and sub is None:
            tzid = value
        elif name == "BEGIN" and value in ("STANDARD", "DAYLIGHT"):
            sub = {}
        elif name == "END" and value in ("STANDARD", "DAYLIGHT") and sub is not None:
            start = _local(sub["DTSTART"][1])
            if value not in kept or start > kept[value][0]:  # the latest DTSTART of each kind
                kept[value] = (start, sub)
            sub = None
        elif sub is not None:
            sub[name] = (params, value)
        elif name == "END" and value == "VTIMEZONE" and tzid is not None:
            std = _onset(kept["STANDARD"][1]) if "STANDARD" in kept else None
            dst = _onset(kept["DAYLIGHT"][1]) if "DAYLIGHT" in kept else None
            base = std.offset_to if std is not None else dst.offset_to if dst is not None else timedelta(0)
            rules[tzid] = WindowsRule(base, std if dst else None, dst if std else None)
    return rules


def _instant(params: dict[str, str], value: str, rules: dict[str, WindowsRule]) -> datetime:
    if value.endswith("Z"):
        return _local(value).replace(tzinfo=UTC)
    tzid = params.get("TZID")
    if tzid is None or tzid not in rules:
        raise ValueError(f"Outlook: undeclared time zone {tzid!r} for {value}")
    return rules[tzid].to_utc(_local(value))


_EVENT_RE = re.compile(r"BEGIN:VEVENT\r\n(.*?)END:VEVENT\r\n", re.S)


def read_events(text: str) -> dict[str, tuple[datetime, datetime]]:
    """UID → (start, end) as aware UTC datetimes, the way Outlook's import rules read them."""
    rules = read_rules(text)
    events: dict[str, tuple[datetime, datetime]] = {}
    for body in _EVENT_RE.findall(text.replace("\r\n ", "").replace("\r\n\t", "")):
        props = {name: (params, value) for name, params, value in map(split_line, body.split("\r\n")) if name}
        start = _instant(*props["DTSTART"], rules)
        end = _instant(*props["DTEND"], rules) if "DTEND" in props else start
        events[props["UID"][1]] = (start, end)
    return events
