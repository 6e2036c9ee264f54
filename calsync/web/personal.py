"""Personal pages: "My schedule" (the stars kept in the browser) and custom feeds with their edit page.

Stars live in the browser (localStorage): the server never stores them. "My
schedule" sends their ids to ``/conferences/<conf>/schedule/items`` and gets them
back in time order with clashes marked; creating the feed is the JSON API's
``POST /api/feeds``, editing it ``PUT``/``rotate``/``DELETE`` with the edit key
that only the edit link's fragment holds (never sent to the server with the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Blueprint, render_template, request, url_for

from ..errors import InvalidQuery
from ..filters import FeedQuery
from ..model import Session, Talk
from ..service import RenderedFeed
from .exports import format_links, what_changed
from .kit import kit
from .services import services

bp = Blueprint("personal", __name__)


@dataclass(frozen=True)
class Item:
    """A starred talk, or a starred session (``talk`` is ``None``), with the items it clashes with."""

    session: Session
    talk: Talk | None
    start: datetime
    end: datetime
    clashes: tuple[str, ...] = ()

    @property
    def day(self) -> date:
        """The item's date (in its own zone)."""
        return self.start.date()

    @property
    def title(self) -> str:
        """What the item is called."""
        return (self.talk.title or "Untitled slot") if self.talk else self.session.title


def with_clashes(items: list[Item]) -> list[Item]:
    """``items`` in time order, each with the titles of the others it overlaps (a talk never clashes with its own starred session)."""
    items = sorted(items, key=lambda i: (i.start, i.end, i.title))
    out = []
    for item in items:
        others = tuple(
            o.title for o in items
            if o is not item and o.start < item.end and item.start < o.end and o.session.id != item.session.id
        )
        out.append(Item(item.session, item.talk, item.start, item.end, others))
    return out


def starred_ids(name: str) -> list[str]:
    """The ids given as ``name`` (at most ``limits.max_feed_items``)."""
    ids = request.args.getlist(name)
    limit = services().config.limits.max_feed_items
    if len(ids) > limit:
        raise InvalidQuery(f"too many starred items: at most {limit}", name)
    return ids


def custom_kit(token: str, name: str, feed: RenderedFeed) -> dict[str, Any]:
    """The measured subscribe kit of a custom feed (its compact variant for Google when it is too big)."""
    service = services().service
    return kit(
        url_for("feeds.custom_feed", token=token), "", name, feed, selection=FeedQuery(),
        variant=lambda q: service.custom_feed(token, compact=q.compact),
    )


@bp.get("/conferences/<id:slug>/schedule")
def schedule_page(slug: str) -> str:
    snap = services().service.snapshot(slug)
    return render_template("schedule.html", conference=snap.conference, slug=slug)


@bp.get("/conferences/<id:slug>/schedule/items")
def schedule_items(slug: str) -> str:
    """The starred talks (``t``) and sessions (``s``) in time order with their clashes."""
    snap = services().service.snapshot(slug)
    items: list[Item] = []
    missing = 0
    for talk_id in dict.fromkeys(starred_ids("t")):
        found = snap.talk(talk_id)
        if found is None:
            missing += 1
            continue
        session, talk = found
        items.append(Item(session, talk, talk.start, talk.end or talk.start))
    for session_id in dict.fromkeys(starred_ids("s")):
        whole = snap.session(session_id)
        if whole is None or whole.start is None or whole.end is None:
            missing += 1
            continue
        items.append(Item(whole, None, whole.start, whole.end))
    return render_template("_schedule_items.html", items=with_clashes(items), missing=missing, slug=slug)


@bp.get("/feeds/<token:token>")
def custom_feed_page(token: str) -> str:
    service = services().service
    stored = service.stored_feed(token)
    feed = service.custom_feed(token)
    assert stored.spec.conference is not None
    snap = service.snapshot(stored.spec.conference)
    _, talks = service.select_custom(snap, stored)
    return render_template(
        "feed.html", stored=stored, conference=snap.conference, talks=talks, slug=snap.conference.slug,
        kit=custom_kit(token, stored.spec.name, feed), formats=format_links(token=token),
        changes=what_changed(snap.conference.slug, token),
    )


@bp.get("/feeds/<token:token>/edit")
def custom_feed_edit(token: str) -> str:
    service = services().service
    stored = service.stored_feed(token)
    assert stored.spec.conference is not None
    snap = service.snapshot(stored.spec.conference)
    _, talks = service.select_custom(snap, stored)
    listed = set(stored.spec.talk_ids)
    items = [Item(s, t, t.start, t.end or t.start) for s, t in talks if t.id in listed]
    for session in (snap.session(i) for i in stored.spec.session_ids):
        if session is not None and session.start is not None and session.end is not None:
            items.append(Item(session, None, session.start, session.end))
    feed = service.custom_feed(token)
    return render_template(
        "edit.html", stored=stored, conference=snap.conference, slug=snap.conference.slug,
        items=sorted(items, key=lambda i: (i.start, i.title)), total=len(talks),
        kit=custom_kit(token, stored.spec.name, feed),
    )
