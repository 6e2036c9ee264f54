"""The one small error hierarchy of calsync.

Every error carries the HTTP status a web layer answers with, so that errors are
handled in one place (the CLI turns them into exit code 2 and a one-line message,
the web layer into a JSON/HTML answer) and never reach a client as a traceback.
"""

from __future__ import annotations


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

    def with_source(self, source: str) -> "ParseError":
        """Return the same error, naming the file or URL it came from."""
        return ParseError(self.reason, line=self.line, text=self.text, source=source)


class NoEvents(ParseError):
    """A page that lists nothing with a time (an index of workshops, say): nothing to import.

    ``kind`` names what the page is when known ("event page", "deadlines table");
    ``reports`` holds the page reports of a multi-page parse that found nothing.
    """

    def __init__(self, message: str, *, kind: str | None = None, reports: tuple = (), **where: object) -> None:
        self.kind = kind
        self.reports = reports
        super().__init__(message, **where)  # type: ignore[arg-type]


class ConfigError(CalsyncError):
    """A setting or command-line option is invalid."""

    status = 500


class NotFound(CalsyncError):
    """An unknown conference, session, talk or feed."""

    status = 404
