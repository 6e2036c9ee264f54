"""Find the year of a page that names none.

Order: an explicit year on the page or in the page's URL, then the ``--year``
option, then inference from weekday + day + month relative to a reference date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

#: How far after the reference date an inferred conference date may lie.
LOOKAHEAD_DAYS = 180
#: How many years back the warning lists other candidate years.
DECADE = 10

_URL_YEAR_RE = re.compile(r"/((?:19|20)\d\d)(?=/|$|\?|#)")


def year_from_url(url: str | None) -> int | None:
    """The year a conference site's URL names, e.g. ``/virtual/2022/`` or ``/Conferences/2019/``.

    >>> year_from_url("https://icml.cc/virtual/2022/session/20101")
    2022
    >>> year_from_url("https://nips.cc/Conferences/2019/Schedule?showEvent=1")
    2019
    >>> year_from_url("https://example.org/session/20101") is None
    True
    """
    if not url:
        return None
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", url, flags=re.I)
    m = _URL_YEAR_RE.search(path)
    return int(m.group(1)) if m else None


def weekday_matches(year: int, month: int, day: int, weekday: int) -> bool:
    """Whether ``day``/``month`` of ``year`` exists and is that weekday (0 = Monday).

    >>> weekday_matches(2022, 7, 21, 3), weekday_matches(2023, 7, 21, 3)
    (True, False)
    >>> weekday_matches(2023, 2, 29, 0)
    False
    """
    try:
        return date(year, month, day).weekday() == weekday
    except ValueError:
        return False


def infer_year(month: int, day: int, weekday: int, reference: date) -> tuple[int | None, list[int]]:
    """The latest year in which the date falls on the weekday and lies at most
    :data:`LOOKAHEAD_DAYS` after ``reference``; also the other such years of the last decade.

    >>> infer_year(7, 21, 3, date(2026, 11, 23))
    (2022, [2016])
    >>> infer_year(12, 10, 3, date(2026, 11, 23))
    (2026, [2020])
    """
    limit = reference + timedelta(days=LOOKAHEAD_DAYS)
    found: int | None = None
    for year in range(limit.year, limit.year - 400, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # 29 February of a common year
        if candidate <= limit and candidate.weekday() == weekday:
            found = year
            break
    if found is None:
        return None, []
    others = [
        y
        for y in range(found - 1, reference.year - DECADE - 1, -1)
        if weekday_matches(y, month, day, weekday)
    ]
    return found, others


_URL_DAY_RE = re.compile(r"/day/(\d{1,2})/(\d{1,2})(?=/|$|\?|#)")


def day_from_url(url: str | None, year: int | None) -> date | None:
    """The date a day page's URL names (``/day/<month>/<day>``), in ``year``.

    >>> day_from_url("https://icml.cc/virtual/2024/day/7/24", 2024)
    datetime.date(2024, 7, 24)
    >>> day_from_url("https://icml.cc/virtual/2024/day/7/24", None) is None
    True
    """
    if not url or year is None:
        return None
    m = _URL_DAY_RE.search(re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", url, flags=re.I))
    if not m:
        return None
    try:
        return date(year, int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None
