"""What a conference's source is and how it is read, without the store.

A source is an http(s) URL or a file (:func:`is_url`); a URL is fetched under the
config's fetch policy (:func:`fetch_policy`), and every page is read with its
conference's settings as context (:func:`page_options`). ``calsync import``, ``calsync
parse``/``ics`` and the refresher (:mod:`calsync.refresh`) share these rules; keeping
them here lets the commands that need no database run without importing the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .config import ConferenceConfig, Config
from .fetch import FetchPolicy, default_allow_hosts
from .parse import PageOptions

if TYPE_CHECKING:  # the store's record, for annotations only: importing the store loads SQLAlchemy
    from .store import Conference

__all__ = ["fetch_policy", "is_url", "page_options"]


def is_url(source: str) -> bool:
    """Whether a source is fetched over HTTP(S) rather than read from a file.

    >>> is_url("https://icml.cc/virtual/2022/session/20101"), is_url("pages/a.txt")
    (True, False)
    """
    return source.lower().startswith(("http://", "https://"))


def fetch_policy(config: Config, sources: Iterable[str] = ()) -> FetchPolicy:
    """The fetch policy of the config; the allow-list also holds the sources' hosts.

    ``sources`` (URLs given on a command line or stored by an import) may be fetched
    from public addresses only: a private, loopback or link-local address needs the
    config (``fetch.allow_hosts`` or a ``[[conferences]] sources`` entry).
    """
    configured = [s for c in config.conferences for s in c.sources if is_url(s)]
    return FetchPolicy.from_config(
        config.fetch,
        allow_hosts=default_allow_hosts(configured + [s for s in sources if is_url(s)], config.fetch.allow_hosts),
        address_hosts=default_allow_hosts(configured, config.fetch.allow_hosts),
    )


def page_options(
    conference: Conference | None,
    conf_config: ConferenceConfig | None,
    url: str | None,
    **command: object,
) -> PageOptions:
    """What a page of ``conference`` is read with: the conference's settings as context.

    The config's ``[[conferences]]`` entry wins over the stored conference; ``command``
    holds the command's own options (``year``, ``timezone``, ``days``, ``today``,
    ``source``), which :mod:`calsync.parse.context` ranks below the conference's.
    """
    year = (conf_config.year if conf_config else None) or (conference.year if conference else None)
    zone = (conf_config.timezone if conf_config else None) or (conference.timezone if conference else None)
    days = (conf_config.days() if conf_config else ()) or command.pop("days", None) or ()
    command.pop("days", None)
    return PageOptions(
        url=url if url and is_url(url) else None,
        conference_year=year,
        conference_timezone=zone,
        days=tuple(days),  # type: ignore[arg-type]
        **command,  # type: ignore[arg-type]
    )
