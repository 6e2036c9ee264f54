"""The venue zone of data that names only UTC offsets (orals-posters data without a timezone).

:func:`choose_zone` tries :data:`VENUE_ZONES` in order and takes the first whose offset
matches every instant, else the one matching most, else a fixed-offset zone for a
whole-hour offset, else UTC; it returns the reason too, which the parser puts in a
warning. The conference's timezone setting (or ``--timezone``) overrides the choice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ...zones import format_offset

__all__ = ["VENUE_ZONES", "choose_zone"]

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
