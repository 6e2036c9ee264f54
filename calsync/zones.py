"""Time-zone abbreviations and offsets → IANA zones, with checks against the zone's rules.

Pages name only an abbreviation ("PDT") or an offset ("UTC+2"). This module holds
the one documented table that maps them to IANA zones and the UTC offset each
abbreviation stands for, so that an abbreviation that contradicts its zone on a
date ("PDT" in December) is an error rather than a silent one-hour shift.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ZoneError

_H = 3600

#: Abbreviation → (IANA zone used when the page names no zone, UTC offsets in seconds
#: the abbreviation may stand for). ``None`` as zone: ambiguous, needs an explicit zone.
ABBREVIATIONS: dict[str, tuple[str | None, tuple[int, ...]]] = {
    "PDT": ("America/Los_Angeles", (-7 * _H,)),
    "PST": ("America/Los_Angeles", (-8 * _H,)),
    "MDT": ("America/Denver", (-6 * _H,)),
    "MST": ("America/Denver", (-7 * _H,)),
    "CDT": ("America/Chicago", (-5 * _H,)),
    "CST": ("America/Chicago", (-6 * _H,)),
    "EDT": ("America/New_York", (-4 * _H,)),
    "EST": ("America/New_York", (-5 * _H,)),
    "HST": ("Pacific/Honolulu", (-10 * _H,)),
    "AKDT": ("America/Anchorage", (-8 * _H,)),
    "AKST": ("America/Anchorage", (-9 * _H,)),
    "BST": ("Europe/London", (1 * _H,)),
    "GMT": ("Europe/London", (0,)),
    "WET": ("Europe/Lisbon", (0,)),
    "WEST": ("Europe/Lisbon", (1 * _H,)),
    "CET": ("Europe/Berlin", (1 * _H,)),
    "CEST": ("Europe/Berlin", (2 * _H,)),
    "EET": ("Europe/Athens", (2 * _H,)),
    "EEST": ("Europe/Athens", (3 * _H,)),
    "IST": (None, (int(5.5 * _H), 1 * _H, 2 * _H)),  # India, Ireland or Israel
    "JST": ("Asia/Tokyo", (9 * _H,)),
    "KST": ("Asia/Seoul", (9 * _H,)),
    "SGT": ("Asia/Singapore", (8 * _H,)),
    "AEST": ("Australia/Sydney", (10 * _H,)),
    "AEDT": ("Australia/Sydney", (11 * _H,)),
    "NZST": ("Pacific/Auckland", (12 * _H,)),
    "NZDT": ("Pacific/Auckland", (13 * _H,)),
    "UTC": ("UTC", (0,)),
    "Z": ("UTC", (0,)),
}

_OFFSET_RE = re.compile(r"^(?:UTC|GMT)\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$")


def load_zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name, or a clear error.

    >>> load_zone("Europe/Vienna").key
    'Europe/Vienna'
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        raise ZoneError(f"unknown time zone {name!r} (expected an IANA name such as America/Los_Angeles)") from None


def offset_zone(label: str) -> tuple[str, int] | None:
    """IANA ``Etc/GMT±N`` zone and offset in seconds for "UTC+2"/"GMT-7" labels, else ``None``.

    Note the POSIX sign inversion of the Etc zones: UTC+2 is ``Etc/GMT-2``.

    >>> offset_zone("UTC+2")
    ('Etc/GMT-2', 7200)
    >>> offset_zone("GMT-7")
    ('Etc/GMT+7', -25200)
    >>> offset_zone("UTC+0")
    ('UTC', 0)
    >>> offset_zone("PDT") is None
    True
    """
    m = _OFFSET_RE.match(label.strip())
    if not m:
        return None
    sign = -1 if m.group(1) in "-−" else 1
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if minutes:
        raise ZoneError(
            f"offset {label!r} has minutes; no IANA Etc zone exists for it: pass --timezone"
        )
    if hours > 14:
        raise ZoneError(f"offset {label!r} is out of range")
    if hours == 0:
        return "UTC", 0
    return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}", sign * hours * _H


def is_zone_label(label: str) -> bool:
    """Whether ``label`` is an abbreviation of the table or a UTC/GMT offset.

    >>> is_zone_label("CEST"), is_zone_label("UTC-3"), is_zone_label("Hall")
    (True, True, False)
    """
    return label in ABBREVIATIONS or _OFFSET_RE.match(label) is not None


def zone_for_label(label: str) -> str | None:
    """The IANA zone a label implies by itself (``None`` when ambiguous, like IST).

    >>> zone_for_label("PST"), zone_for_label("IST")
    ('America/Los_Angeles', None)
    """
    off = offset_zone(label)
    if off:
        return off[0]
    if label not in ABBREVIATIONS:
        raise ZoneError(f"unknown time zone abbreviation {label!r}: pass --timezone")
    return ABBREVIATIONS[label][0]


def label_offsets(label: str) -> tuple[int, ...]:
    """UTC offsets (seconds) a label may stand for.

    >>> label_offsets("GMT-7")
    (-25200,)
    """
    off = offset_zone(label)
    if off:
        return (off[1],)
    if label not in ABBREVIATIONS:
        raise ZoneError(f"unknown time zone abbreviation {label!r}: pass --timezone")
    return ABBREVIATIONS[label][1]


def check_label(label: str, local: datetime) -> None:
    """Raise :class:`ZoneError` when ``label`` contradicts the zone of ``local`` at that time.

    ``local`` is an aware datetime in the page's zone; the label's offset must be
    the zone's offset at that wall time (PDT in December is an error).

    >>> from datetime import datetime
    >>> check_label("PST", datetime(2020, 12, 10, 6, tzinfo=ZoneInfo("America/Los_Angeles")))
    >>> check_label("PDT", datetime(2020, 12, 10, 6, tzinfo=ZoneInfo("America/Los_Angeles")))
    Traceback (most recent call last):
    ...
    calsync.errors.ZoneError: PDT (UTC-07:00) contradicts America/Los_Angeles on 2020-12-10, which is at UTC-08:00 then
    """
    offset = local.utcoffset()
    assert offset is not None
    if int(offset.total_seconds()) in label_offsets(label):
        return
    expected = ", ".join(format_offset(o) for o in label_offsets(label))
    raise ZoneError(
        f"{label} ({expected}) contradicts {getattr(local.tzinfo, 'key', local.tzinfo)} "
        f"on {local.date().isoformat()}, which is at {format_offset(int(offset.total_seconds()))} then"
    )


def format_offset(seconds: int) -> str:
    """Human form of a UTC offset.

    >>> format_offset(-25200), format_offset(19800)
    ('UTC-07:00', 'UTC+05:30')
    """
    sign = "-" if seconds < 0 else "+"
    h, rem = divmod(abs(seconds), _H)
    return f"UTC{sign}{h:02d}:{rem // 60:02d}"


def describe_zone(name: str) -> str:
    """A zone's name for people: ``Etc/GMT-5`` (POSIX signs, read backwards) as ``UTC+05:00``.

    >>> describe_zone("Etc/GMT-5"), describe_zone("Etc/GMT+7"), describe_zone("Europe/Vienna")
    ('UTC+05:00', 'UTC-07:00', 'Europe/Vienna')
    """
    m = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", name)
    if m is None:
        return name
    return format_offset((-1 if m.group(1) == "+" else 1) * int(m.group(2)) * _H)


def is_real_local_time(local: datetime) -> bool:
    """False for wall times that do not exist in their zone (skipped by a DST change).

    >>> from datetime import datetime
    >>> la = ZoneInfo("America/Los_Angeles")
    >>> is_real_local_time(datetime(2022, 3, 13, 2, 30, tzinfo=la))
    False
    >>> is_real_local_time(datetime(2022, 3, 13, 3, 30, tzinfo=la))
    True
    """
    utc = local.astimezone(ZoneInfo("UTC"))
    back = utc.astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


__all__ = [
    "ABBREVIATIONS",
    "ZoneError",
    "check_label",
    "describe_zone",
    "format_offset",
    "is_real_local_time",
    "is_zone_label",
    "label_offsets",
    "load_zone",
    "offset_zone",
    "zone_for_label",
]
