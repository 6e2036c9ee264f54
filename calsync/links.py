"""Links, labels and file names for publishing a calendar feed to people.

Pure helpers (no Flask, no I/O, no clock) for the subscribe page: the
``webcal://`` form of a feed URL, the Google and Outlook "subscribe" and
"add this event once" deep links, a QR code of a link, a safe download file
name with its ``Content-Disposition`` header, and short user-facing notes on
feed size and refresh delays.

The Google ``cid=`` and Outlook ``addfromweb`` links are undocumented by their
vendors, who document only adding a feed by hand: always show the plain https URL
next to them, with those "From URL" / "Subscribe from web" instructions:

* Google Calendar Help, "Subscribe to someone else's calendar" (Other calendars → + →
  From URL): https://support.google.com/calendar/answer/37100
* Microsoft Support, "Import or subscribe to a calendar in Outlook.com or Outlook on the
  web" (Add calendar → Subscribe from web):
  https://support.microsoft.com/en-us/office/import-or-subscribe-to-a-calendar-in-outlook-com-or-outlook-on-the-web-cff1429c-5af6-41ec-a5b4-74f2c278e98c
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import segno

__all__ = [
    "FEED_SIZE_WARNING_BYTES",
    "GOOGLE_REFRESH_NOTE",
    "MAX_DETAILS_CHARS",
    "content_disposition",
    "feed_size_warning",
    "google_add_event_url",
    "google_subscribe_url",
    "human_size",
    "outlook_add_event_urls",
    "outlook_subscribe_urls",
    "qr_svg",
    "safe_filename",
    "webcal_url",
]

#: Feeds above this many bytes risk losing events in Google Calendar (1 MB limit).
FEED_SIZE_WARNING_BYTES = 1_000_000

#: Longest event description (in characters) put into an "add event" link;
#: longer text is cut and ends with "…", because very long URLs fail.
MAX_DETAILS_CHARS = 1500

#: One-line note for the subscribe page: subscriptions are not live.
GOOGLE_REFRESH_NOTE = (
    "Google Calendar refreshes subscribed feeds only every several hours (8–24 h) "
    "and Outlook.com about every 3 h, so changes reach subscribers then, not at once."
)

_GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r?cid="
_GOOGLE_RENDER = "https://calendar.google.com/calendar/render?action=TEMPLATE"
_OUTLOOK_HOSTS = {"outlook.com": "outlook.live.com", "microsoft365": "outlook.office.com"}
_FALLBACK_NAME = "calendar"
_MAX_FILENAME = 80
_QR_TARGET_PX = 200


def _q(text: str) -> str:
    """Percent-encode ``text`` completely (UTF-8, nothing left safe but ``-._~``)."""
    return quote(text, safe="")


def _split_scheme(url: str) -> tuple[str, str]:
    """Return ``(scheme, rest)`` of an http/https/webcal URL; ``rest`` starts with ``//``."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"http", "https", "webcal"} or not url[len(scheme) + 1 :].startswith("//"):
        raise ValueError(f"not an http(s) or webcal URL: {url!r}")
    return scheme, url[len(scheme) + 1 :]


def webcal_url(https_url: str) -> str:
    """Return the ``webcal://`` form of an http(s) feed URL.

    ``webcal://`` is the same fetch; it only tells the system to open a
    calendar app, which then subscribes (Apple) instead of importing a copy.
    A ``webcal://`` URL is returned unchanged; other schemes raise ``ValueError``.

    >>> webcal_url("https://x/feeds/a.ics")
    'webcal://x/feeds/a.ics'
    >>> webcal_url("http://x/feeds/a.ics?view=sessions")
    'webcal://x/feeds/a.ics?view=sessions'
    >>> webcal_url("ftp://x/a.ics")
    Traceback (most recent call last):
        ...
    ValueError: not an http(s) or webcal URL: 'ftp://x/a.ics'
    """
    _, rest = _split_scheme(https_url)
    return "webcal:" + rest


def _https_form(feed_url: str) -> str:
    """Return ``feed_url`` with ``webcal:`` turned into ``https:``; http(s) stays as it is."""
    scheme, rest = _split_scheme(feed_url)
    return ("https:" if scheme == "webcal" else scheme + ":") + rest


def google_subscribe_url(feed_url: str) -> str:
    """Return the Google Calendar "subscribe" link for a feed URL.

    Google's undocumented ``cid=`` parameter wants the ``webcal://`` form
    (``cid=https://…`` fails), URL-encoded as a whole.

    >>> google_subscribe_url("https://x.org/feeds/a.ics?view=sessions")
    'https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fx.org%2Ffeeds%2Fa.ics%3Fview%3Dsessions'
    """
    return _GOOGLE_SUBSCRIBE + _q(webcal_url(feed_url))


def outlook_subscribe_urls(feed_url: str, name: str) -> dict[str, str]:
    """Return the Outlook "add calendar from web" links, keyed ``outlook.com`` and ``microsoft365``.

    Outlook on the web wants the https form of the feed (a ``webcal://`` URL
    is given back as https); ``name`` is the calendar's display name.

    >>> links = outlook_subscribe_urls("webcal://x.org/a.ics", "Talks & more")
    >>> links["outlook.com"]
    'https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2Fx.org%2Fa.ics&name=Talks%20%26%20more'
    >>> links["microsoft365"]
    'https://outlook.office.com/calendar/0/addfromweb?url=https%3A%2F%2Fx.org%2Fa.ics&name=Talks%20%26%20more'
    """
    query = f"url={_q(_https_form(feed_url))}&name={_q(name)}"
    return {
        key: f"https://{host}/calendar/0/addfromweb?{query}" for key, host in _OUTLOOK_HOSTS.items()
    }


def _utc(moment: datetime, what: str) -> datetime:
    """Return an aware ``moment`` in UTC; a naive one raises ``ValueError``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


def _utc_pair(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Return ``(start, end)`` in UTC, checking both are aware and end is not before start."""
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    if end_utc < start_utc:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    return start_utc, end_utc


def _shorten(text: str, limit: int = MAX_DETAILS_CHARS) -> str:
    """Return ``text`` cut to at most ``limit`` characters, ending in "…" when cut.

    >>> _shorten("abcdef", 4)
    'abc…'
    >>> _shorten("abcd", 4)
    'abcd'
    """
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def google_add_event_url(
    title: str, start: datetime, end: datetime, details: str = "", location: str = ""
) -> str:
    """Return a Google Calendar link that adds one event (a copy, not a subscription).

    ``start`` and ``end`` must be timezone-aware; they are written in UTC
    (``…Z``), so no ``ctz`` is needed. ``details`` longer than
    ``MAX_DETAILS_CHARS`` characters is cut with "…"; empty ``details`` and
    ``location`` are left out.

    >>> from datetime import datetime, timedelta, timezone
    >>> pdt = timezone(timedelta(hours=-7))
    >>> google_add_event_url("Orals 1A", datetime(2025, 7, 21, 9, 0, tzinfo=pdt),
    ...                      datetime(2025, 7, 21, 10, 30, tzinfo=pdt), "Talks\\nQ&A", "Hall A")
    'https://calendar.google.com/calendar/render?action=TEMPLATE&text=Orals%201A&dates=20250721T160000Z/20250721T173000Z&details=Talks%0AQ%26A&location=Hall%20A'
    """
    start_utc, end_utc = _utc_pair(start, end)
    fmt = "%Y%m%dT%H%M%SZ"
    url = (
        f"{_GOOGLE_RENDER}&text={_q(title)}"
        f"&dates={start_utc.strftime(fmt)}/{end_utc.strftime(fmt)}"
    )
    if details:
        url += f"&details={_q(_shorten(details))}"
    if location:
        url += f"&location={_q(location)}"
    return url


def outlook_add_event_urls(
    title: str, start: datetime, end: datetime, details: str = "", location: str = ""
) -> dict[str, str]:
    """Return Outlook "compose event" links that add one event, keyed ``outlook.com`` and ``microsoft365``.

    Times are aware datetimes written as ISO 8601 UTC (``2025-07-21T16:00:00Z``);
    ``details`` (the body) is cut like in :func:`google_add_event_url`;
    empty ``details`` and ``location`` are left out.

    >>> from datetime import datetime, timezone
    >>> links = outlook_add_event_urls("Poster session",
    ...     datetime(2025, 7, 21, 16, tzinfo=timezone.utc),
    ...     datetime(2025, 7, 21, 18, tzinfo=timezone.utc), location="Hall B")
    >>> links["outlook.com"]
    'https://outlook.live.com/calendar/0/deeplink/compose?path=/calendar/action/compose&rru=addevent&subject=Poster%20session&startdt=2025-07-21T16:00:00Z&enddt=2025-07-21T18:00:00Z&location=Hall%20B'
    >>> links["microsoft365"].startswith("https://outlook.office.com/calendar/0/deeplink/compose?")
    True
    """
    start_utc, end_utc = _utc_pair(start, end)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    query = (
        f"path=/calendar/action/compose&rru=addevent&subject={_q(title)}"
        f"&startdt={start_utc.strftime(fmt)}&enddt={end_utc.strftime(fmt)}"
    )
    if details:
        query += f"&body={_q(_shorten(details))}"
    if location:
        query += f"&location={_q(location)}"
    return {
        key: f"https://{host}/calendar/0/deeplink/compose?{query}"
        for key, host in _OUTLOOK_HOSTS.items()
    }


@functools.lru_cache(maxsize=1024)
def qr_svg(data: str, *, title: str | None = None) -> str:
    """Return an inline SVG QR code (made by ``segno``) of ``data``, about 200 px wide.

    The ``<svg>`` element has no XML declaration, carries a ``<title>``
    (``title``, default ``"QR code: <data>"``; escaped by segno), a white
    background (readable on dark pages), a quiet zone of 4 modules and an
    integer scale chosen so the code is close to 200 px. Same input, same output.

    >>> svg = qr_svg("webcal://x.org/a.ics")
    >>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="198" height="198"')
    True
    >>> "<title>QR code: webcal://x.org/a.ics</title>" in svg, svg == qr_svg("webcal://x.org/a.ics")
    (True, True)
    """
    qr = segno.make(data, error="m", micro=False)
    size, _ = qr.symbol_size(scale=1, border=4)
    scale = max(2, round(_QR_TARGET_PX / size))
    buf = io.BytesIO()
    qr.save(
        buf,
        kind="svg",
        scale=scale,
        border=4,
        xmldecl=False,
        svgns=True,
        title=title if title is not None else f"QR code: {data}",
        svgclass="qr",
        lineclass=None,
        dark="#000",
        light="#fff",
        nl=False,
    )
    return buf.getvalue().decode("utf-8")


_SUFFIX_RE = re.compile(r"(?:\.[A-Za-z0-9]+)*")
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, suffix: str = ".ics") -> str:
    """Return a safe ASCII file name for ``name`` (for ``Content-Disposition``).

    Accents are transliterated (NFKD, other non-ASCII dropped), runs of
    characters outside ``[A-Za-z0-9._-]`` become one ``-``, leading dots and
    dashes and trailing dots and dashes are removed, and the result including
    ``suffix`` is at most 80 characters. Never empty (``calendar``), never
    starting with a dot; a name already ending in ``suffix`` does not get it twice.

    >>> safe_filename("Orals & Spotlights: Zoë")
    'Orals-Spotlights-Zoe.ics'
    >>> safe_filename("../../etc/passwd")
    'etc-passwd.ics'
    >>> safe_filename("★★★"), safe_filename(""), safe_filename("neurips.ics")
    ('calendar.ics', 'calendar.ics', 'neurips.ics')
    """
    if not _SUFFIX_RE.fullmatch(suffix) or len(suffix) >= _MAX_FILENAME:
        raise ValueError(f"unsafe suffix: {suffix!r}")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE_RE.sub("-", ascii_name)
    if suffix and stem.lower().endswith(suffix.lower()):
        stem = stem[: -len(suffix)]
    stem = stem.strip(".-")[: _MAX_FILENAME - len(suffix)].rstrip(".-")
    return (stem or _FALLBACK_NAME) + suffix


_CONTROL_OR_SEP_RE = re.compile(r"[\x00-\x1f\x7f-\x9f/\\]+")


def content_disposition(name: str, suffix: str = ".ics") -> str:
    """Return an ``attachment`` Content-Disposition header value for a download named ``name``.

    Gives both ``filename="…"`` (ASCII, from :func:`safe_filename`) and
    ``filename*=UTF-8''…`` (RFC 6266 / RFC 5987): the original name in NFC,
    with control characters and path separators replaced by ``-`` and leading
    dots, dashes and spaces removed, plus ``suffix``, fully percent-encoded.

    >>> content_disposition("Orals & Spotlights: Zoë")
    'attachment; filename="Orals-Spotlights-Zoe.ics"; filename*=UTF-8\\'\\'Orals%20%26%20Spotlights%3A%20Zo%C3%AB.ics'
    """
    ascii_name = safe_filename(name, suffix)
    original = _CONTROL_OR_SEP_RE.sub("-", unicodedata.normalize("NFC", name)).strip()
    original = original.lstrip(". -")
    if suffix and original.lower().endswith(suffix.lower()):
        original = original[: -len(suffix)]
    if not original.strip(".- "):
        original = ascii_name[: -len(suffix)] if suffix else ascii_name
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{_q(original + suffix)}"


def human_size(n: int) -> str:
    """Return a byte count in decimal units: ``532 B``, ``12.3 kB``, ``1.4 MB``.

    >>> human_size(532), human_size(999), human_size(1000), human_size(12_345)
    ('532 B', '999 B', '1.0 kB', '12.3 kB')
    >>> human_size(999_949), human_size(999_950), human_size(1_400_000)
    ('999.9 kB', '1.0 MB', '1.4 MB')
    """
    if n < 0:
        raise ValueError(f"negative size: {n}")
    if n < 1000:
        return f"{n} B"
    value = float(n)
    units = ["kB", "MB", "GB", "TB", "PB"]
    for i, unit in enumerate(units):
        value /= 1000
        if round(value, 1) < 1000 or i == len(units) - 1:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def feed_size_warning(n: int) -> str | None:
    """Return a one-sentence warning when a feed of ``n`` bytes is over 1 MB, else ``None``.

    >>> feed_size_warning(1_000_000) is None
    True
    >>> feed_size_warning(1_234_567)
    'This feed is 1.2 MB: Google Calendar drops events from subscribed feeds larger than about 1 MB, so subscribe to the sessions view (view=sessions) or leave out abstracts (abstracts=0).'
    """
    if n <= FEED_SIZE_WARNING_BYTES:
        return None
    return (
        f"This feed is {human_size(n)}: Google Calendar drops events from subscribed feeds "
        "larger than about 1 MB, so subscribe to the sessions view (view=sessions) "
        "or leave out abstracts (abstracts=0)."
    )
