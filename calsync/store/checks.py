"""The checks of what organisers and the browser's "add a conference" give: slugs, names, years,
zones, days, source URLs — each a clear :class:`~calsync.errors.ApiError` (400), nothing written.
No SQL here: :mod:`.admin` and :mod:`calsync.intake` share them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from ..errors import ApiError
from ..model import SLUG_RE
from ..zones import ZoneError, load_zone

#: Longest span of a conference's days (as the config allows for first_day/last_day).
MAX_DAYS = 62


def conference_days(first: date | None, last: date | None) -> tuple[date, ...]:
    """The days from ``first`` to ``last`` (``last`` defaults to ``first``); () without ``first``.

    >>> [d.day for d in conference_days(date(2026, 7, 13), date(2026, 7, 15))]
    [13, 14, 15]
    >>> conference_days(None, None)
    ()
    """
    if first is None:
        return ()
    last = last or first
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


def check_days(first: date | None, last: date | None) -> None:
    """:class:`ApiError` unless the days run forwards for at most :data:`MAX_DAYS` days.

    >>> check_days(date(2026, 7, 15), date(2026, 7, 13))
    Traceback (most recent call last):
    ...
    calsync.errors.ApiError: the last day (2026-07-13) is before the first (2026-07-15)
    """
    if first is None:
        if last is not None:
            raise ApiError("a last day needs a first day")
        return
    if last is not None and last < first:
        raise ApiError(f"the last day ({last}) is before the first ({first})")
    if last is not None and (last - first).days + 1 > MAX_DAYS:
        raise ApiError(f"at most {MAX_DAYS} days from the first to the last")


def check_year(year: int | None) -> None:
    """:class:`ApiError` for a year outside 1900–2200 (``None``: no year, allowed)."""
    if year is not None and not (isinstance(year, int) and not isinstance(year, bool) and 1900 <= year <= 2200):
        raise ApiError(f"year out of range (1900–2200): {year!r}")


def check_zone(name: str) -> str:
    """The IANA zone name, or :class:`ApiError` saying why not."""
    try:
        load_zone(name)
    except ZoneError as exc:
        raise ApiError(f"timezone: {exc}") from None
    return name


def check_slug(slug: str) -> str:
    """A conference slug (lower-case letters, digits and '-'), or :class:`ApiError`."""
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise ApiError(f"conference slug: use lower-case letters, digits and '-' (at most 100), got {slug!r}")
    return slug


def check_name(name: str) -> str:
    """A conference name: 1–200 characters, no control characters; stripped."""
    if not isinstance(name, str) or not name.strip():
        raise ApiError("the conference's name is empty")
    name = " ".join(name.split())
    if len(name) > 200:
        raise ApiError(f"the conference's name is longer than 200 characters ({len(name)})")
    return name


def check_source_url(url: Any) -> str:
    """A source URL organisers may add: http(s) with a host, no credentials (source URLs are shown on
    public pages), at most 2,000 characters; stripped. What it may reach is the fetch guard's to say.

    >>> check_source_url(" https://icml.cc/virtual/2025/ ")
    'https://icml.cc/virtual/2025/'
    >>> check_source_url("https://me:pw@icml.cc/")
    Traceback (most recent call last):
    ...
    calsync.errors.ApiError: a URL with credentials (user:password@) is refused: source URLs are shown on public pages
    """
    text = url.strip() if isinstance(url, str) else ""
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = urlsplit(""), False
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or not port_ok or len(text) > 2000:
        raise ApiError("give the source as an http(s) URL with a host (at most 2,000 characters)")
    if "@" in parts.netloc:
        raise ApiError("a URL with credentials (user:password@) is refused: source URLs are shown on public pages")
    return text


def parse_whole(value: Any, what: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ApiError(f"{what}: expected a whole number, got {value!r}")
    try:
        return int(value)
    except ValueError:
        raise ApiError(f"{what}: expected a whole number, got {value!r}") from None


def parse_day(value: Any, what: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ApiError(f"{what}: expected YYYY-MM-DD, got {value!r}") from None
