"""The JSON shapes of the API, in one place (the OpenAPI document in :mod:`calsync.openapi` describes them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for

from ..links import google_subscribe_url, webcal_url
from ..model import Session, Talk
from ..serialize import build_session_dict, build_talk_dict
from ..store import Conference, SourceState, StoredFeed
from .kit import absolute


def error_json(message: str, status: int) -> dict[str, Any]:
    """Every API error: ``{"error": message, "status": status}``."""
    return {"error": message, "status": status}


def conference_json(conf: Conference) -> dict[str, Any]:
    """A conference with its feed, page and API links."""
    return {
        "slug": conf.slug, "name": conf.name, "timezone": conf.timezone, "year": conf.year,
        "ics_url": absolute(url_for("feeds.conference_feed", slug=conf.slug)),
        "page_url": absolute(url_for("pages.conference_page", slug=conf.slug)),
        "sessions_url": absolute(url_for("api.sessions", slug=conf.slug)),
        "talks_url": absolute(url_for("api.talks", slug=conf.slug)),
        "modified": conf.modified.isoformat(),
    }


def talk_json(slug: str, session: Session, talk: Talk) -> dict[str, Any]:
    """A talk with its session id and .ics link."""
    out = build_talk_dict(talk)
    out["session_id"] = session.id
    out["ics_url"] = absolute(url_for("feeds.talk_feed", slug=slug, talk_id=talk.id))
    return out


def session_json(slug: str, session: Session, talks: bool = True) -> dict[str, Any]:
    """A session with its .ics and page links, and (by default) its talks."""
    out = build_session_dict(session, talks=False)
    out["ics_url"] = absolute(url_for("feeds.session_feed", slug=slug, session_id=session.id))
    out["page_url"] = absolute(url_for("pages.session_page", slug=slug, session_id=session.id))
    if talks:
        out["talks"] = [talk_json(slug, session, t) for t in session.talks]
    return out


def feed_json(stored: StoredFeed, edit_key: str | None = None) -> dict[str, Any]:
    """A custom feed; ``edit_key`` and ``edit_url`` only in the answer that creates it."""
    ics = absolute(url_for("feeds.custom_feed", token=stored.token))
    out: dict[str, Any] = {
        "token": stored.token,
        "name": stored.spec.name,
        "conference": stored.spec.conference,
        "talk_ids": list(stored.spec.talk_ids),
        "session_ids": list(stored.spec.session_ids),
        "filter": stored.spec.filter,
        "alarm": stored.spec.alarm,
        "view": stored.spec.view,
        "ics_url": ics,
        "webcal_url": webcal_url(ics),
        "google_url": google_subscribe_url(ics),
        "page_url": absolute(url_for("personal.custom_feed_page", token=stored.token)),
        "modified": stored.modified.isoformat(),
    }
    if edit_key is not None:
        out["edit_key"] = edit_key
        out["edit_url"] = absolute(url_for("personal.custom_feed_edit", token=stored.token)) + f"#key={edit_key}"
    return out


def source_json(source: SourceState) -> dict[str, Any]:
    """A source page's refresh state (for ``/healthz``)."""

    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "conference": source.conference, "url": source.url, "ok": not source.failing,
        "last_success": iso(source.last_success), "last_error": source.last_error,
        "last_error_at": iso(source.last_error_at), "last_checked": iso(source.last_checked),
        "talks": source.talks, "note": source.note,
    }
