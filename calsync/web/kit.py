"""Absolute links and the subscribe kit: what a page or an API answer offers to subscribe or add.

The pure link builders are :mod:`calsync.links`; this module only knows the
request (for the service's own address) and the URL map.

Google Calendar drops events of subscribed feeds over about 1 MB, so the kit measures
what each link would subscribe to (real renders, cached like every feed): when the feed
is over ``feed.google_max_bytes`` the Google link subscribes to its compact variant
(``compact=1``); when that is still too big, the kit offers one compact feed per day
(``day=YYYY-MM-DD``) and says which day, if any, is too big even alone. Outlook and
webcal always get the full feed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import request, url_for

from ..config import Config
from ..filters import FeedQuery, canonical_query
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


#: Renders the feed at the kit's path for a query (its compact or one-day variants).
Variant = Callable[[FeedQuery], RenderedFeed]


def _url(path: str, query: FeedQuery) -> str:
    found = canonical_query(query)
    return absolute(path) + (f"?{found}" if found else "")


def _sized(url: str, feed: RenderedFeed) -> dict[str, Any]:
    return {"url": url, "size_bytes": feed.size, "size": human_size(feed.size)}


def google_plan(
    path: str, url: str, feed: RenderedFeed, selection: FeedQuery | None, variant: Variant | None,
    days: Callable[[], Sequence[date]] | None,
) -> dict[str, Any]:
    """What the kit's Google link subscribes to, measured: the feed, its compact variant, or a feed per day.

    Keys: ``feed`` (``"full"``, ``"compact"``, ``"days"``), ``url`` (what Google gets; ``None``
    when only the days fit), ``max_bytes`` (and ``max_size`` in words), ``full`` and ``compact`` (``url``, ``size_bytes``,
    ``size``; ``compact`` ``None`` when not measured), ``days`` (per day: ``day``, ``url``,
    ``webcal``, ``google`` (``None`` when over), ``size_bytes``, ``size``, ``fits``) and
    ``note`` (why, in words; ``None`` when the feed fits). ``variant(query)`` renders the
    feed at ``path`` for ``query``; without it (or ``selection``) only the size is checked.
    """
    limit = services().config.feed.google_max_bytes
    plan: dict[str, Any] = {
        "feed": "full", "url": url, "max_bytes": limit, "max_size": human_size(limit), "full": _sized(url, feed), "compact": None, "days": [], "note": None,
    }
    if feed.size <= limit:
        return plan
    if variant is None or selection is None:
        plan["note"] = feed_size_warning(feed.size)
        return plan
    compact_query = replace(selection, compact=True, download=False)
    compact = variant(compact_query)
    plan["compact"] = _sized(_url(path, compact_query), compact)
    over = f"This feed is {human_size(feed.size)}, over the {human_size(limit)} Google Calendar takes from a subscription"
    if compact.size <= limit:
        plan.update(feed="compact", url=plan["compact"]["url"], note=(
            f"{over}: the Google link subscribes to its compact variant ({human_size(compact.size)}: authors, type, "
            "session, room and link, no abstracts). Outlook and webcal get the full feed."
        ))
        return plan
    wanted = [selection.day] if selection.day is not None else list(days() if days is not None else ())
    for day in wanted:
        query = replace(compact_query, day=day)
        one = variant(query)
        day_url = _url(path, query)
        fits = one.size <= limit
        plan["days"].append({
            "day": day.isoformat(), "url": day_url, "webcal": webcal_url(day_url),
            "google": google_subscribe_url(day_url) if fits else None,
            "size_bytes": one.size, "size": human_size(one.size), "fits": fits,
        })
    too_big = [d for d in plan["days"] if not d["fits"]]
    where = "subscribe to one feed per day below (compact), or make a" if wanted else "make a smaller"
    note = (
        f"{over}, and even its compact variant is {human_size(compact.size)}: Google Calendar would drop events. "
        f"To follow it in Google Calendar, {where} personal feed of the talks you want (star them, then "
        "My schedule). Outlook and webcal get the full feed."
    )
    if too_big:
        note += " Over the limit even alone: " + ", ".join(f"{d['day']} ({d['size']})" for d in too_big) + "."
    plan.update(feed="days", url=None, note=note)
    return plan


def kit(
    path: str, query: str, name: str, feed: RenderedFeed | None, *,
    selection: FeedQuery | None = None, variant: Variant | None = None, days: Callable[[], Sequence[date]] | None = None,
) -> dict[str, Any]:
    """The subscribe kit of the feed at ``path`` with ``query``: URL, webcal, Google, Outlook, QR, sizes.

    With ``feed`` (the rendered feed), the kit measures it and, with ``selection`` (its
    query), ``variant`` and ``days``, plans Google's link (:func:`google_plan`).
    """
    https = absolute(path) + (f"?{query}" if query else "")
    plan = google_plan(path, https, feed, selection, variant, days) if feed is not None else None
    google_target = plan["url"] if plan is not None else https
    return {
        "url": https,
        "webcal": webcal_url(https),
        "google": google_subscribe_url(google_target) if google_target else None,
        "google_plan": plan,
        "outlook": outlook_subscribe_urls(https, name),
        "download": https + ("&" if query else "?") + "download=1",
        "qr": qr_svg(webcal_url(https)),
        "size": human_size(feed.size) if feed else None,
        "size_bytes": feed.size if feed else None,
        "warning": plan["note"] if plan is not None else None,
        "note": GOOGLE_REFRESH_NOTE,
        "name": name,
        "reach": reach_note(https),
    }


def kit_json(found: dict[str, Any]) -> dict[str, Any]:
    """The kit as the JSON API gives it: the links and the measured sizes (no QR code)."""
    return {k: v for k, v in found.items() if k != "qr"}


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
