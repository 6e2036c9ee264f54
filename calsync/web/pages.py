"""The pages people read: the conferences, a conference's programme, a session, a talk.

The programme page shows one day at a time (today during the conference, with the
session running now or next in view), in chunks of whole sessions; its search and
filters are the feed filters of :mod:`calsync.filters`, so the subscribe kit of
what is shown is the feed of exactly those talks. The page's script asks
``/conferences/<conf>/programme`` (the same rendering, without the page around it)
when the search or a filter changes, and ``/conferences/<conf>/kit`` for the kit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request, url_for

from ..clock import utcnow
from ..errors import NotFound
from ..filters import FeedQuery, InvalidQuery, canonical_query, has_talk_filters, parse_feed_query
from ..model import web_url
from ..store import Snapshot
from .answers import cached_answer
from .exports import format_links, what_changed
from .kit import kit, talk_links
from .programme import Group, ProgrammeIndex, chunk, current_index, group
from .services import feed_query, services

bp = Blueprint("pages", __name__)

HTML = "text/html; charset=utf-8"

#: Parameters of the programme page that are not feed filters.
PAGE_PARAMETERS = ("from",)


@dataclass(frozen=True)
class ProgrammeView:
    """What the programme shows for one state of its search and filters."""

    query: FeedQuery
    day: date | None
    day_counts: list[tuple[date, int]]
    total: int
    matches: int
    groups: list[Group]
    start: int
    next_from: int | None
    current: str | None
    current_label: str | None

    @property
    def filtered(self) -> bool:
        """Whether a search or a filter (other than the day) narrows the programme."""
        return has_talk_filters(replace(self.query, day=None)) or bool(self.query.sessions)


def conference_today(timezone: str, now: datetime) -> date:
    """Today's date in the conference's zone (UTC when the zone is unknown)."""
    try:
        return now.astimezone(ZoneInfo(timezone)).date()
    except (ValueError, LookupError):
        return now.date()


def page_start() -> int | None:
    """The ``from`` parameter: where the chunk starts (a session count), or ``None``."""
    raw = request.args.get("from")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 6:
        raise InvalidQuery(f"invalid 'from' parameter: {raw[:20]!r} is not a whole number", "from")
    return int(raw)


def programme_view(index: ProgrammeIndex, timezone: str, query: FeedQuery, start: int | None, now: datetime) -> ProgrammeView:
    """The programme for ``query``: the day shown, the counts per day, and the chunk of sessions from ``start``."""
    anyday = replace(query, day=None)
    everywhere = index.select(anyday)
    counts = Counter(e.day for e in everywhere)
    today = conference_today(timezone, now)
    day = query.day
    if day is None and not (has_talk_filters(anyday) or query.sessions) and index.days:
        day = today if today in index.days else index.days[0]
    shown = everywhere if day is None else [e for e in everywhere if e.day == day]
    groups = group(shown)
    current = current_index(groups, now) if day == today else None
    if start is None:
        start = current or 0
    taken, next_from = chunk(groups, start)
    label = None
    if current is not None:
        label = "Now" if groups[current].start <= now else "Next"
    return ProgrammeView(
        query=query, day=day, day_counts=sorted(counts.items()), total=len(index.entries), matches=len(shown),
        groups=taken, start=start, next_from=next_from,
        current=groups[current].session.id if current is not None else None, current_label=label,
    )


def programme_state(slug: str) -> tuple[Snapshot, dict[str, object], ProgrammeView]:
    """The snapshot, and its conference, index and view of the request's state."""
    snap, index = services().programme(slug)
    query = parse_feed_query(request.args, ignore=PAGE_PARAMETERS)
    view = programme_view(index, snap.conference.timezone, query, page_start(), utcnow())
    context = {"conference": snap.conference, "index": index, "view": view, "slug": slug}
    return snap, context, view


def state_url(slug: str, query: FeedQuery, start: int | None = None, **changes: object) -> str:
    """The programme page's URL for ``query`` changed by ``changes`` (``day=None`` with a search: every day)."""
    found = canonical_query(replace(query, **changes) if changes else query)  # type: ignore[arg-type]
    if start is not None:
        found += f"{'&' if found else ''}from={start}"
    return url_for("pages.conference_page", slug=slug) + (f"?{found}" if found else "")


@bp.app_template_global()
def programme_url(slug: str, query: FeedQuery, start: int | None = None, **changes: object) -> str:
    """Template form of :func:`state_url`."""
    return state_url(slug, query, start, **changes)


@bp.get("/")
def index() -> str:
    return render_template("index.html", conferences=services().store.list_conferences())


def _shown(view: ProgrammeView) -> tuple[object, ...]:
    """What of a programme view depends on the clock (the day shown, the session now), for the page cache."""
    return view.day, view.start, view.current, view.current_label


@bp.get("/conferences/<id:slug>")
def conference_page(slug: str) -> Response:
    """The programme page, cached per data version, URL, clock state and sources (see :mod:`.answers`)."""
    snap, context, view = programme_state(slug)
    sources = services().store.list_sources(slug)
    today = services().service.now().date()  # "What changed" covers the last days

    def build() -> str:
        path = url_for("feeds.conference_feed", slug=slug)
        kit_query = canonical_query(view.query)
        return render_template(
            "conference.html", **context, sources=sources,
            kit=kit(path, kit_query, context["conference"].name, None),  # type: ignore[attr-defined]
            kit_url=url_for("pages.conference_kit", slug=slug) + (f"?{kit_query}" if kit_query else ""),
            formats=format_links(slug=slug), changes=what_changed(slug),
        )

    return cached_answer("page", snap, build, HTML, depends=(_shown(view), repr(sources), today))


@bp.get("/conferences/<id:slug>/programme")
def programme_fragment(slug: str) -> Response:
    """The results part of the programme page (for its script): day tabs, count, sessions."""
    snap, context, view = programme_state(slug)

    def build() -> str:
        return render_template("_results.html", **context, more_only=request.args.get("from") is not None)

    return cached_answer("programme", snap, build, HTML, depends=_shown(view))


@bp.get("/conferences/<id:slug>/kit")
def conference_kit(slug: str) -> str:
    """The subscribe kit of the conference feed with the request's filters, with its size."""
    return render_template("_kit.html", kit=conference_kit_of(slug, feed_query()))


def conference_kit_of(slug: str, query: FeedQuery) -> dict[str, object]:
    """The measured subscribe kit of the conference feed for ``query`` (Google's link planned by size)."""
    found = services()
    feed = found.service.conference_feed(slug, query)

    def days() -> list[date]:
        _, index = found.programme(slug)
        return sorted({e.day for e in index.select(query)})

    return kit(
        url_for("feeds.conference_feed", slug=slug), canonical_query(query), feed.name, feed, selection=query,
        variant=lambda q: found.service.conference_feed(slug, q), days=days,
    )


@bp.get("/conferences/<id:slug>/sessions/<id:session_id>")
def session_page(slug: str, session_id: str) -> Response:
    """A session's page with its measured subscribe kit, cached per data version and URL."""
    query = feed_query()  # a bad filter is a 400 before anything is cached
    snap, index = services().programme(slug)
    return cached_answer("session-page", snap, lambda: _session_page(snap, index, session_id, query), HTML)


def _session_page(snap: Snapshot, index: ProgrammeIndex, session_id: str, query: FeedQuery) -> str:
    found = services()
    slug = snap.conference.slug
    session = snap.session(session_id)
    if session is None:
        raise NotFound(f"no session {session_id!r} in {slug!r}")
    feed = found.service.session_feed(slug, session_id, query)
    path = url_for("feeds.session_feed", slug=slug, session_id=session_id)
    entries = index.select(FeedQuery(sessions=(session_id,)))
    measured = kit(
        path, canonical_query(query), feed.name, feed, selection=query,
        variant=lambda q: found.service.session_feed(slug, session_id, q),
        days=lambda: sorted({e.day for e in index.select(replace(query, sessions=(session_id,)))}),
    )
    return render_template(
        "session.html", conference=snap.conference, session=session, slug=slug,
        group=group(entries)[0] if entries else None, kit=measured, source=web_url(session.source_url),
    )


@bp.get("/conferences/<id:slug>/talks/<id:talk_id>")
def talk_page(slug: str, talk_id: str) -> Response:
    """A talk's page, cached per data version and URL."""
    snap = services().service.snapshot(slug)
    return cached_answer("talk-page", snap, lambda: _talk_page(snap, talk_id), HTML)


def _talk_page(snap: Snapshot, talk_id: str) -> str:
    slug = snap.conference.slug
    found = snap.talk(talk_id)
    if found is None:
        raise NotFound(f"no talk {talk_id!r} in {slug!r}")
    session, talk = found
    return render_template(
        "talk.html", conference=snap.conference, session=session, talk=talk, slug=slug,
        links=talk_links(slug, session, talk), page=web_url(talk.url) or web_url(session.source_url),
    )
