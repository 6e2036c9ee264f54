"""The one small error hierarchy of calsync.

Every error carries the HTTP status a web layer answers with, so that errors are
handled in one place (the CLI turns them into exit code 2 and a one-line message,
the web layer into a JSON/HTML answer) and never reach a client as a traceback.

Every error class of calsync lives here; the modules that raise them import them from
here and re-export their own (``calsync.fetch.FetchError`` is :class:`FetchError`).
Exceptions that only steer control flow inside one module and never leave it
(``fetch._Retry``, ``fetch._TooLarge``, ``refresh._LeaseLost``) stay in that module.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit


class CalsyncError(Exception):
    """Base class: a problem with the user's input or configuration, not a bug."""

    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ParseError(CalsyncError):
    """A page could not be parsed; names the source, line number and line text.

    >>> str(ParseError("no time zone", line=7, text="Thu 21 July 7:30 - 7:35", source="a.txt"))
    "a.txt:7: no time zone: 'Thu 21 July 7:30 - 7:35'"
    """

    status = 422

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        text: str | None = None,
        source: str | None = None,
    ) -> None:
        self.reason = message
        self.line = line
        self.text = text
        self.source = source
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.source or "<page>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        text = f": {self.text!r}" if self.text else ""
        return f"{where}: {self.reason}{text}"


class NoEvents(ParseError):
    """A page that lists nothing with a time (an index of workshops, say): nothing to import.

    ``kind`` names what the page is when known ("event page", "deadlines table");
    ``reports`` holds the page reports of a multi-page parse that found nothing.
    """

    def __init__(self, message: str, *, kind: str | None = None, reports: tuple[Any, ...] = (), **where: object) -> None:
        self.kind = kind
        self.reports = reports
        super().__init__(message, **where)  # type: ignore[arg-type]


class ZoneError(CalsyncError):
    """An unknown, ambiguous or contradictory zone."""

    status = 400


class ConfigError(CalsyncError):
    """A setting or command-line option is invalid."""

    status = 500


class NotFound(CalsyncError):
    """An unknown conference, session, talk or feed."""

    status = 404


class StoreError(CalsyncError):
    """The database could not be reached or answered with an error."""

    status = 503


class InvalidQuery(CalsyncError):
    """A feed query (URL parameters or a stored filter) is invalid: HTTP 400.

    ``param`` names the offending parameter (``None`` when it is the whole query).

    >>> e = InvalidQuery("bad day", param="day")
    >>> e.status, e.param, str(e)
    (400, 'day', 'bad day')
    """

    status = 400

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class InvalidFeed(CalsyncError):
    """A custom feed definition that cannot be served (bad ids, too many items…)."""

    status = 400


class ApiError(CalsyncError):
    """A malformed API request (bad JSON, wrong fields)."""

    status = 400


class Unauthorized(CalsyncError):
    """A missing or wrong edit key."""

    status = 401


class TooManyRequests(CalsyncError):
    """A client created too many feeds in the last hour."""

    status = 429


class Forbidden(CalsyncError):
    """An action this client may not take (one only organisers may)."""

    status = 403


class Busy(CalsyncError):
    """The work asked for is being done by another worker or instance (a refresh under its lease)."""

    status = 409


class FetchError(CalsyncError):
    """A page could not be fetched (network error, HTTP error, too large, ...).

    ``url`` is the URL that failed, ``reason`` the bare reason and ``http_status``
    the upstream status code when there was one.

    >>> str(FetchError("HTTP 404 Not Found", url="https://icml.cc/x", http_status=404))
    'cannot fetch https://icml.cc/x: HTTP 404 Not Found'
    """

    status = 502
    _verb = "cannot fetch"

    def __init__(self, reason: str, *, url: str | None = None, http_status: int | None = None) -> None:
        self.reason = reason
        self.url = url
        self.http_status = http_status
        message = f"{self._verb} {display_url(url)}: {reason}" if url else reason
        super().__init__(message)


class FetchRefused(FetchError):
    """The URL was refused before connecting: scheme, allow-list or address guard.

    >>> str(FetchRefused("scheme 'ftp' is not allowed (only http and https)", url="ftp://a.org/"))
    "refused to fetch ftp://a.org/: scheme 'ftp' is not allowed (only http and https)"
    """

    status = 403
    _verb = "refused to fetch"


def display_url(url: str | None) -> str:
    """The URL without a password, for messages and logs.

    >>> display_url("https://user:secret@a.org/x")
    'https://user:***@a.org/x'
    """
    if not url:
        return str(url)
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{netloc}"))
    except ValueError:
        return url
