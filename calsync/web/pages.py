"""The pages people read: conferences, a conference's programme, a session, custom feeds."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, url_for

from ..errors import NotFound
from ..filters import canonical_query, select_sessions, select_talks
from ..model import Session
from .kit import kit, talk_links
from .services import feed_query, services

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    return render_template("index.html", conferences=services().store.list_conferences())


@bp.get("/conferences/<id:slug>")
def conference_page(slug: str) -> str:
    found = services()
    snap = found.service.snapshot(slug)
    query = feed_query()
    feed = found.service.conference_feed(slug, query)
    chosen = select_talks(snap.sessions, query)
    sessions = select_sessions(snap.sessions, query)
    days: dict[date, list[Session]] = {}
    for session in sessions:
        assert session.start is not None
        days.setdefault(session.start.date(), []).append(session)
    all_talks = [t for s in snap.sessions for t in s.talks]
    path = url_for("feeds.conference_feed", slug=slug)
    return render_template(
        "conference.html",
        conference=snap.conference,
        sources=found.store.list_sources(slug),
        days=sorted(days.items()),
        chosen_ids={t.id for _, t in chosen},
        query=query,
        types=sorted({t.type for t in all_talks if t.type}),
        rooms=sorted({(t.location or s.location) for s in snap.sessions for t in s.talks if (t.location or s.location)}),
        dates=sorted({s.start.date() for s in snap.sessions if s.start}),
        kit=kit(path, canonical_query(query), feed.name, feed),
        feed_path=path,
        talk_links={t.id: talk_links(slug, s, t) for s, t in chosen},
    )


@bp.get("/conferences/<id:slug>/sessions/<id:session_id>")
def session_page(slug: str, session_id: str) -> str:
    found = services()
    snap = found.service.snapshot(slug)
    session = snap.session(session_id)
    if session is None:
        raise NotFound(f"no session {session_id!r} in {slug!r}")
    query = feed_query()
    feed = found.service.session_feed(slug, session_id, query)
    path = url_for("feeds.session_feed", slug=slug, session_id=session_id)
    return render_template(
        "session.html",
        conference=snap.conference,
        session=session,
        kit=kit(path, canonical_query(query), feed.name, feed),
        talk_links={t.id: talk_links(slug, session, t) for t in session.talks},
    )


@bp.get("/feeds/<token:token>")
def custom_feed_page(token: str) -> str:
    service = services().service
    stored = service.stored_feed(token)
    feed = service.custom_feed(token)
    path = url_for("feeds.custom_feed", token=token)
    return render_template("feed.html", stored=stored, kit=kit(path, "", stored.spec.name, feed), editing=False)


@bp.get("/feeds/<token:token>/edit")
def custom_feed_edit(token: str) -> str:
    service = services().service
    stored = service.stored_feed(token)
    assert stored.spec.conference is not None
    snap = service.snapshot(stored.spec.conference)
    _, talks = service.select_custom(snap, stored.spec)
    feed = service.custom_feed(token)
    path = url_for("feeds.custom_feed", token=token)
    return render_template(
        "edit.html", stored=stored, conference=snap.conference, sessions=snap.sessions,
        chosen_ids={t.id for _, t in talks}, kit=kit(path, "", stored.spec.name, feed),
    )
