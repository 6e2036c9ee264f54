"""Absolute links and the subscribe kit: what a page or an API answer offers to subscribe or add.

The pure link builders are :mod:`calsync.links`; this module only knows the
request (for the service's own address) and the URL map.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

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


def base_url() -> str:
    """The service's public address (scheme, host, port, prefix; no trailing slash)."""
    return services().config.base_url


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
