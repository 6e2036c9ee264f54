"""Absolute links and the subscribe kit: what a page or an API answer offers to subscribe or add.

The pure link builders are :mod:`calsync.links`; this module only knows the
request (for the service's own address) and the URL map.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from flask import request, url_for

from ..config import Config
from ..ical import build_talk_description, event_end, talk_summary
from ..links import (
    GOOGLE_REFRESH_NOTE,
    feed_size_warning,
    google_add_event_url,
    google_subscribe_url,
    human_size,
    outlook_add_event_urls,
    outlook_subscribe_urls,
    qr_svg,
    webcal_url,
)
from ..model import Session, Talk
from ..service import RenderedFeed
from .services import services

#: ``base_url``'s default: a config that leaves it there has not set it.
DEFAULT_BASE_URL = Config.__dataclass_fields__["base_url"].default

#: Host names that only a local network resolves (RFC 6762 .local, RFC 8375 home.arpa, common ones).
_LOCAL_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".home.arpa", ".localdomain")


def configured_base_url(config: Config) -> str | None:
    """``base_url`` when the configuration sets it (to something else than its default), else ``None``.

    >>> configured_base_url(Config()) is None, configured_base_url(Config(base_url="https://cal.example.org"))
    (True, 'https://cal.example.org')
    """
    return config.base_url if config.base_url and config.base_url != DEFAULT_BASE_URL else None


def base_url() -> str:
    """The service's public address (scheme, host, port; no trailing slash).

    ``base_url`` from the configuration when it is set; otherwise the request's own
    scheme, host and port — behind proxies, as ``proxy_fix_hops`` lets them say.
    """
    return configured_base_url(services().config) or request.host_url.rstrip("/")


def unreachable_reason(url: str) -> str | None:
    """Why calendar services on the internet cannot fetch ``url`` (loopback, private, local name), or ``None``.

    >>> unreachable_reason("http://127.0.0.1:19100/x.ics")
    'a loopback address'
    >>> unreachable_reason("http://[::1]:8000"), unreachable_reason("http://192.168.1.20:8000")
    ('a loopback address', 'a private address')
    >>> unreachable_reason("http://localhost:8000"), unreachable_reason("http://printer.local")
    ('a loopback address', 'a local network name')
    >>> unreachable_reason("https://cal.example.org/feeds/a.ics") is None
    True
    """
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "a loopback address"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "a local network name" if ("." not in host or host.endswith(_LOCAL_SUFFIXES)) else None
    if address.is_loopback:
        return "a loopback address"
    if address.is_private or address.is_link_local or address.is_unspecified:
        return "a private address"
    return None


def reach_note(url: str) -> str | None:
    """The kit's note when ``url`` cannot be reached from the internet: what fails, and how to fix it."""
    reason = unreachable_reason(url)
    if reason is None:
        return None
    return (
        f"This service answers at {base_url()}, {reason}: Google Calendar and Outlook fetch feeds from "
        "their own servers and cannot reach it, so their links below will fail (calendar apps on this "
        "computer or network can still subscribe). To publish feeds, run calsync on a public address and "
        "set base_url to it: base_url = \"https://calendar.example.org\" in the config file, or "
        "CALSYNC_BASE_URL=https://calendar.example.org."
    )


def absolute(path: str) -> str:
    """``path`` (from ``url_for``) as an absolute URL of this service."""
    return base_url() + path


def kit(path: str, query: str, name: str, feed: RenderedFeed | None) -> dict[str, Any]:
    """The subscribe kit of the feed at ``path`` with ``query``: URL, webcal, Google, Outlook, QR, size."""
    https = absolute(path) + (f"?{query}" if query else "")
    return {
        "url": https,
        "webcal": webcal_url(https),
        "google": google_subscribe_url(https),
        "outlook": outlook_subscribe_urls(https, name),
        "download": https + ("&" if query else "?") + "download=1",
        "qr": qr_svg(webcal_url(https)),
        "size": human_size(feed.size) if feed else None,
        "size_bytes": feed.size if feed else None,
        "warning": feed_size_warning(feed.size) if feed else None,
        "note": GOOGLE_REFRESH_NOTE,
        "name": name,
        "reach": reach_note(https),
    }


def talk_links(slug: str, session: Session, talk: Talk) -> dict[str, Any]:
    """"Add once" links of one talk: its .ics, Google's and Outlook's compose links (no abstract: short URLs)."""
    options = services().config.feed.feed_options(abstracts=False)
    title = talk_summary(talk, session)
    end = event_end(talk, options)
    details = build_talk_description(talk, session, options)
    where = talk.location or session.location or ""
    return {
        "ics": url_for("feeds.talk_feed", slug=slug, talk_id=talk.id),
        "google": google_add_event_url(title, talk.start, end, details, where),
        "outlook": outlook_add_event_urls(title, talk.start, end, details, where),
    }
