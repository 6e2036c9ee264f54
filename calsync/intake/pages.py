"""Reading a page (pasted, uploaded, fetched) and what the person asked for (:class:`IntakeRequest`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..decoding import decode_page
from ..errors import ApiError, CalsyncError
from ..sites import check_site, fetch_source, source_url
from ..sources import fetch_policy, is_url

if TYPE_CHECKING:  # annotations only: the store (SQLAlchemy) is imported by the callers that use it
    pass

log = logging.getLogger(__name__)

#: The source name of a pasted page (in reports and messages).
PASTED = "pasted text"
_FILENAME_RE = re.compile(r"[^\w.\- ()]+")


@dataclass(frozen=True)
class PageInput:
    """A page's text and what we know of where it came from."""

    name: str
    text: str
    modified: datetime | None  # the file's modification time (UTC); None for stdin, pastes and URLs
    url: str | None = None  # the final URL of a fetched page
    etag: str | None = None
    last_modified: str | None = None


# -- reading a page ----------------------------------------------------------------


def read_url(url: str, config: Config, *, site: str | None = None, names: Sequence[str] = ()) -> PageInput:
    """Fetch a page under the config's fetch policy (``names``: the other URLs of the same command).

    A virtual site's home URL is read as its whole programme: the published data, every
    page of it, with its abstracts (:func:`calsync.sites.fetch_source`; ``site`` names the
    data files where the host does not); the page is then named by the data URL, the
    source a refresh fetches. Raises :class:`~calsync.errors.FetchError` (refused: 403,
    failed: 502) and :class:`~calsync.errors.ConfigError` (a home URL whose site is unknown).
    """
    policy = fetch_policy(config, names or [url])
    result = fetch_source(url, policy, site=site, max_data_bytes=config.fetch.max_data_bytes)
    return PageInput(source_url(url, site), result.text or "", None, url=result.url, etag=result.etag,
                     last_modified=result.last_modified)


def read_upload(filename: str | None, raw: bytes) -> PageInput:
    """An uploaded file (saved HTML, a data file, a text copy), decoded like any page.

    The name is the file's base name without path or odd characters (it is shown in
    reports; a data file's name also tells its site and year).

    >>> read_upload("C:\\\\Users\\\\me\\\\icml-2025-orals-posters.json", b"[]").name
    'icml-2025-orals-posters.json'
    >>> read_upload("../<x>.html", "café".encode("utf-8")).text
    'café'
    """
    base = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = _FILENAME_RE.sub("_", base).strip(" .")[:120] or "uploaded file"
    _not_empty(raw.strip())
    return PageInput(name, decode_page(raw), None)


def read_paste(text: str) -> PageInput:
    """Pasted text (line endings made ``\\n``)."""
    _not_empty(text.strip())
    return PageInput(PASTED, text.replace("\r\n", "\n").replace("\r", "\n"), None)


def _not_empty(content: object) -> None:
    if not content:
        raise ApiError("the page is empty: paste its text, choose a file or give its URL")


# -- what the person asked for ------------------------------------------------------


@dataclass(frozen=True)
class IntakeRequest:
    """Where the page goes and how it is read: the conference (new: with its name) and the
    options a person may give (``--url``, ``--year``, ``--timezone``, ``--days``, ``--site``).

    Stored with a draft as JSON (:meth:`to_json`, :meth:`from_json`)."""

    slug: str
    name: str | None = None
    page_url: str | None = None
    year: int | None = None
    timezone: str | None = None
    first_day: date | None = None
    last_day: date | None = None
    site: str | None = None

    def __post_init__(self) -> None:
        from ..store.checks import (  # no SQL: checks only
            check_days,
            check_name,
            check_slug,
            check_year,
            check_zone,
        )

        check_slug(self.slug)
        if self.name is not None:
            object.__setattr__(self, "name", check_name(self.name))
        if self.page_url is not None and not is_url(self.page_url):
            raise ApiError(f"the page's URL must be an http(s) URL, got {self.page_url[:200]!r}")
        check_year(self.year)
        if self.timezone is not None:
            check_zone(self.timezone)
        check_days(self.first_day, self.last_day)
        if self.site is not None:
            try:
                object.__setattr__(self, "site", check_site(self.site))
            except CalsyncError as exc:  # a ConfigError (500) on the command line; here the request is wrong
                raise ApiError(exc.message) from None

    @property
    def days(self) -> tuple[date, ...]:
        """The days FIRST..LAST given (empty without a first day)."""
        from ..store.checks import conference_days

        return conference_days(self.first_day, self.last_day)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready values (dates as ISO strings)."""
        return {
            "slug": self.slug, "name": self.name, "page_url": self.page_url, "year": self.year,
            "timezone": self.timezone, "site": self.site,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IntakeRequest:
        """The request :meth:`to_json` gave."""
        values = dict(data)
        for key in ("first_day", "last_day"):
            values[key] = date.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)
