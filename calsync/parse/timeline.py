"""Recognise slot time lines and turn them into wall-clock parts.

Handles the forms conference sites use, e.g.::

    Tue 20 July 6:00 - 6:20 PDT          Thu 10 Dec. 6:00 - 6:15 PST
    Thu 21 July 13:05 - 13:25 PDT        Wed 3 May 9:15 a.m. - 10 a.m. CEST
    Wed 3 May 9 a.m. PDT — 11 a.m. PDT   Fri Dec 08 07:40 AM -- 07:45 AM (CST) @ Hall B
    Tue 10 Dec 9:30 a.m. PST — noon PST  Wed, Jul 8, 2026 • 10:30 PM – 12:15 AM PDT
    Mon 11:50 a.m. - 12:15 p.m.          Mon 5:00 a.m.  5:05 a.m.  (an agenda's dash lost)
    Tue. Jul 19th 03:00 -- 03:20 PM Room Room 301 - 303

This module only reads text; dates, years and zones are resolved by the caller.
Every pattern is anchored and bounded, so a line costs time linear in its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_WD = r"(?i:mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\.?,?"
_MON = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ZONE = r"(?:[A-Z]{2,5}|(?:UTC|GMT)\s?[+\-−]\s?\d{1,2}(?::?\d{2})?)"
#: A bare offset as the sites print it for a zone without an abbreviation ("+08", "-03", "+0530"),
#: after a space or "(": read only when a line does not fit without it (a dash is a range's).
_BARE_ZONE = r"(?:(?<=[\s(])[+\-−]\d{2}(?:\d{2})?(?![:\d]))"
_AMPM = r"(?:[aApP]\.?\s?[mM]\.?(?![A-Za-z]))"


def _side(p: str, zones: str = _ZONE) -> str:
    """Regex for one end of a range; group names carry the prefix ``p``."""
    date = (
        rf"(?:(?P<{p}d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<{p}m1>{_MON})\.?"
        rf"|(?P<{p}m2>{_MON})\.?\s+(?P<{p}d2>\d{{1,2}})(?:st|nd|rd|th)?)"
        rf"(?:,?\s+(?P<{p}y>(?:19|20)\d\d))?,?"
    )
    time = (
        rf"(?:(?P<{p}h>\d{{1,2}})(?:[:.](?P<{p}min>\d{{2}}))?\s?(?P<{p}ampm>{_AMPM})?"
        rf"|(?P<{p}word>(?i:noon|midnight)))"
    )
    zone = rf"(?:\s?\(?(?P<{p}zone>{zones})\)?)?"
    return rf"(?:(?P<{p}wd>{_WD})\s+)?(?:{date}(?:\s*•\s*|\s+))?{time}{zone}"


_SEP = r"\s*(?:--?|–|—|\bto\b)\s*"
_ROOM = r"(?:\s*@\s*(?P<room>.+?)|\s+Room\s+(?P<room2>.+?))?\s*$"
TIME_LINE_RE = re.compile(rf"^{_side('s')}(?:(?P<sep>{_SEP}|\s+){_side('e')})?{_ROOM}")
#: The same with bare offsets as zones ("Thu 24 Apr 7 p.m. +08 — 9:30 p.m. +08").
_OFFSET_ZONES = f"(?:{_ZONE}|{_BARE_ZONE})"
TIME_LINE_OFFSET_RE = re.compile(
    rf"^{_side('s', _OFFSET_ZONES)}(?:(?P<sep>{_SEP}|\s+){_side('e', _OFFSET_ZONES)})?{_ROOM}"
)
#: The start of an agenda item's time line ("Mon 5:40 a.m"), to notice one cut short.
WEEKDAY_TIME_RE = re.compile(rf"^{_WD}\s+\d{{1,2}}(?:[:.]\d\d)?\s?[aApP]\.?")
#: A line that starts like a dated time line; used to report near misses.
NEAR_MISS_RE = re.compile(
    rf"^(?:{_WD}\s+)?(?:\d{{1,2}}\s+{_MON}|{_MON}\.?\s+\d{{1,2}})\b.*(?:\d:\d\d|\d\s?{_AMPM})"
)

#: A dated line's start, and the ends a complete time line has (a time, a.m./p.m., a zone, a room).
_DATED_START_RE = re.compile(rf"^(?:{_WD}\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MON}|{_MON}\.?\s+\d{{1,2}})\b")
_COMPLETE_END_RE = re.compile(r"(?:\d:\d\d|[aApP]\.?[mM]\.?|noon|midnight|[A-Z]{2,5}\)?|[+\-−]\d\d)\s*$|@|\bRoom\b")


@dataclass(frozen=True)
class WallTime:
    """One end of a range as written: date parts (maybe absent), time, zone label."""

    weekday: int | None  # 0 = Monday
    day: int | None
    month: int | None
    year: int | None
    hour: int | None
    minute: int
    ampm: str | None  # "am" / "pm" / None (24-hour clock)
    word: str | None  # "noon" / "midnight"
    zone: str | None


@dataclass(frozen=True)
class TimeRange:
    """A parsed time line: its start, its end (``None`` when only a start is given), a room."""

    start: WallTime
    end: WallTime | None
    room: str | None


def _month(name: str | None) -> int | None:
    return MONTHS.index(name[:3].lower()) + 1 if name else None


def _wall(m: re.Match[str], p: str) -> WallTime | None:
    if m.group(f"{p}h") is None and m.group(f"{p}word") is None:
        return None
    wd = m.group(f"{p}wd")
    ampm = m.group(f"{p}ampm")
    word = m.group(f"{p}word")
    return WallTime(
        weekday=WEEKDAYS.index(wd[:3].lower()) if wd else None,
        day=int(m.group(f"{p}d1") or m.group(f"{p}d2")) if (m.group(f"{p}d1") or m.group(f"{p}d2")) else None,
        month=_month(m.group(f"{p}m1") or m.group(f"{p}m2")),
        year=int(m.group(f"{p}y")) if m.group(f"{p}y") else None,
        hour=int(m.group(f"{p}h")) if m.group(f"{p}h") else None,
        minute=int(m.group(f"{p}min") or 0),
        ampm=("am" if ampm[0] in "aA" else "pm") if ampm else None,
        word=word.lower() if word else None,
        zone=_zone_label(m.group(f"{p}zone")),
    )


def _zone_label(label: str | None) -> str | None:
    """A zone label as the zone table reads it: a bare offset "+08" is "UTC+08".

    >>> _zone_label("+08"), _zone_label("−03"), _zone_label("PDT"), _zone_label(None)
    ('UTC+08', 'UTC-03', 'PDT', None)
    """
    if label and label[0] in "+-−":
        return "UTC" + label.replace("−", "-")
    return label


def _is_time_like(w: WallTime, raw_minutes: str | None) -> bool:
    return w.ampm is not None or w.word is not None or raw_minutes is not None


def match_time_line(line: str) -> TimeRange | None:
    """Parse ``line`` when it is a slot time line, else return ``None``.

    A bare "3 - 4" (a room such as "Room 3 - 4") is not a time: a time line needs
    a date, a zone, a.m./p.m. or minutes.

    >>> r = match_time_line("Thu 10 Dec. 6:00 - 6:15 PST")
    >>> (r.start.day, r.start.month, r.start.hour, r.end.minute, r.end.zone)
    (10, 12, 6, 15, 'PST')
    >>> r = match_time_line("Fri Dec 08 07:40 AM -- 07:45 AM (CST) @ Hall B")
    >>> (r.start.day, r.start.ampm, r.end.zone, r.room)
    (8, 'am', 'CST', 'Hall B')
    >>> match_time_line("Room 327 - 329") is None, match_time_line("3 - 4") is None
    (True, True)
    >>> match_time_line("9 a.m. PDT — 11 a.m. PDT").end.hour
    11
    >>> r = match_time_line("Sat 8:00 a.m. - 8:30 a.m.")   # a workshop page: weekday only
    >>> (r.start.weekday, r.start.day)
    (5, None)
    >>> r = match_time_line("Mon 5:00 a.m.  5:05 a.m.")    # an agenda whose dash was lost
    >>> (r.start.hour, r.end.minute, r.end.ampm), match_time_line("Sat 11:30 a.m.  noon").end.word
    ((5, 5, 'am'), 'noon')
    >>> r = match_time_line("Wed, Jul 8, 2026 • 10:30 PM – 12:15 AM PDT")
    >>> (r.start.year, r.start.month, r.start.day, r.start.hour, r.end.hour, r.end.zone)
    (2026, 7, 8, 10, 12, 'PDT')
    >>> match_time_line("Tue. Jul 19th 03:00 -- 03:20 PM Room Room 301 - 303").room
    'Room 301 - 303'
    >>> match_time_line("Thu 21 July 7:30 7:35 PDT") is None   # no dash: 12-hour times only
    True
    >>> r = match_time_line("Fri 24 Apr 10:30 a.m. -03 — noon -03")   # a zone without an abbreviation
    >>> (r.start.zone, r.end.word, r.end.zone), match_time_line("9:00 -10:00").end.hour
    (('UTC-03', 'noon', 'UTC-03'), 10)
    """
    line = " ".join(line.replace("\u00a0", " ").split())
    m = TIME_LINE_RE.match(line) or (TIME_LINE_OFFSET_RE.match(line) if "+" in line or "-" in line or "−" in line else None)
    if not m:
        return None
    start = _wall(m, "s")
    end = _wall(m, "e")
    assert start is not None
    has_date = start.day is not None
    has_zone = start.zone is not None or (end is not None and end.zone is not None)
    timey = _is_time_like(start, m.group("smin")) or (
        end is not None and _is_time_like(end, m.group("emin"))
    )
    if not (has_date or has_zone or timey):
        return None
    if end is None and not (has_date and (timey or has_zone)):
        return None  # a lone number or word is not a start time
    if end is not None and not m.group("sep").strip():
        # No dash between the times ("5:00 a.m.  5:05 a.m.", "11:30 a.m.  noon"): only two explicit 12-hour times.
        if (start.ampm or start.word) is None or (end.ampm or end.word) is None or start.zone is not None:
            return None
    return TimeRange(start=start, end=end, room=m.group("room") or m.group("room2"))


def starts_like_weekday_time(line: str) -> bool:
    """Whether a line starts with a weekday and a 12-hour time, like an agenda item's time line.

    Used to notice an item whose time line was cut ("Mon 5:40 a.m" at the end of a page).

    >>> starts_like_weekday_time("Mon 5:40 a.m"), starts_like_weekday_time("Monday talks")
    (True, False)
    """
    return WEEKDAY_TIME_RE.match(line) is not None


def is_cut_time_line(line: str) -> bool:
    """Whether a line is a dated time line cut short (a page that ends inside it).

    >>> is_cut_time_line("Thu 21 July 11:00 - 11:0"), is_cut_time_line("Thu 21 Ju"), is_cut_time_line("Wed 3 Dec 8:30 a")
    (True, False, True)
    >>> is_cut_time_line("Thu 21 July 7:30 -- PDT"), is_cut_time_line("Thu 21 July 11:00 - 11:05 PDT")
    (False, False)
    """
    line = " ".join(line.split())
    return (
        _DATED_START_RE.match(line) is not None
        and match_time_line(line) is None
        and _COMPLETE_END_RE.search(line[-12:]) is None
    )


def looks_like_time_line(line: str) -> bool:
    """Whether a line that :func:`match_time_line` rejected was probably meant as one.

    >>> looks_like_time_line("Thu 21 July 7:30 -- PDT")
    True
    >>> looks_like_time_line("We train on 21 July 2020 data.")
    False
    """
    return NEAR_MISS_RE.match(" ".join(line.split())) is not None
