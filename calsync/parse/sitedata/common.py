"""What the published-data parsers share: the shape names, text cleaning, links, times, zones.

:func:`plain` and :func:`plain_block` turn fields that may hold HTML tags, entities and
LaTeX-style escapes into one line or into lines; :func:`_absolute` keeps only http(s)
links, made absolute against the data's URL; :func:`_parse_iso` reads an ISO 8601 time
(a naive one only when a zone is given); :func:`_option_zone` is the display zone the
caller set, if any; :func:`_records_of` the ``results`` list of an orals-posters
envelope. Pure: no I/O.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from ..context import PAGE, display_zone
from ..page import PageOptions

__all__ = ["KIND_MINICONF", "KIND_ORALS_POSTERS", "plain", "plain_block"]

KIND_ORALS_POSTERS = "orals-posters data"
KIND_MINICONF = "miniconf schedule"
_UTC = ZoneInfo("UTC")

#: How many record ids a warning lists before "…".
_LISTED = 5

_TAG_NAMES = (
    "a|abbr|b|big|blockquote|br|center|cite|code|dd|del|div|dl|dt|em|font|h[1-6]|hr|i|img|ins|kbd|li|"
    "mark|ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul"
)
_TAG_RE = re.compile(rf"</?(?:{_TAG_NAMES})\b[^<>]*>", re.I)
_BREAK_RE = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote)\s*>", re.I)
_NUMBER_RE = re.compile(r"(\d+)")
_BACKSLASHED_RE = re.compile(r"\\([&%$#_])")  # LaTeX-style escapes in some exports: "Pier 2\&3"


def _records_of(data: Any) -> list[Any] | None:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        records: list[Any] = data["results"]
        return records
    return None


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
