"""The browser's flow: submit (a preview, kept as a draft), then confirm; the rate limit; who may replace sessions."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from ..config import ConferenceConfig, Config
from ..model import Schedule
from .pages import IntakeRequest, PageInput
from .preview import Preview, preview
from .storing import Stored, store_schedule

if TYPE_CHECKING:  # annotations only: the store (SQLAlchemy) is imported by the callers that use it
    from ..store import Conference, Store

log = logging.getLogger(__name__)


#: The rate limiter's key of a client's submissions (the store keeps only its digest).
RATE_KEY = "intake {client}"


def check_rate(store: Store, config: Config, client: str, now: datetime) -> None:
    """Count one submission of ``client`` (its address), or :class:`~calsync.errors.TooManyRequests`
    past ``limits.intakes_per_hour`` in the last hour — the database's limiter, shared by every
    worker and instance (as for custom feeds)."""
    from ..errors import TooManyRequests

    if not store.count_event(RATE_KEY.format(client=client), config.limits.intakes_per_hour, 3600, now):
        raise TooManyRequests(
            f"too many pages submitted from this address (at most {config.limits.intakes_per_hour} an hour); try again later"
        )


def _context(store: Store, config: Config, slug: str) -> tuple[Conference | None, ConferenceConfig | None, tuple[date, ...]]:
    """A conference's stored record, config entry and stored days (the context its pages are read in)."""
    from ..store.checks import conference_days

    conference = store.find_conference(slug)
    conf_config = next((c for c in config.conferences if c.slug == slug), None)
    return conference, conf_config, conference_days(*store.get_days(slug)) if conference else ()


def replaced_sessions(store: Store, slug: str, schedule: Schedule) -> tuple[str, ...]:
    """Titles of ``slug``'s stored sessions that importing ``schedule`` would change: the same id, or
    the same title and room (how the importer recognises a session whose first talk moved)."""
    stored = store.stored_sessions(slug)
    ids = {sid for sid, _, _ in stored}
    places = {(title, room or "") for _, title, room in stored}
    return tuple(dict.fromkeys(
        s.title for s in schedule.sessions if s.id in ids or (s.title, s.location or "") in places))


def check_replacing(found: Preview, organiser: bool) -> None:
    """:class:`~calsync.errors.Forbidden` when a page would change sessions a conference has already and
    the client is no organiser: anyone may add sessions, only organisers (and the refreshes) change them."""
    from ..errors import Forbidden

    if found.replaces and not organiser:
        listed = "; ".join(found.replaces[:5]) + ("; …" if len(found.replaces) > 5 else "")
        raise Forbidden(
            f"{len(found.replaces)} session{'s' if len(found.replaces) != 1 else ''} of this page "
            f"{'are' if len(found.replaces) != 1 else 'is'} in {found.request.slug} already ({listed}): only its "
            "organisers can replace them (its sources are refreshed on their own)"
        )


def submit(store: Store, config: Config, page: PageInput, request: IntakeRequest, now: datetime,
           today: date | None = None, *, organiser: bool = False) -> tuple[Preview, str | None]:
    """Preview ``page`` for ``request``; when it yields events that this client may store, keep it as a
    draft and return its token too (a page that would replace stored sessions needs an ``organiser``)."""
    conference, conf_config, days = _context(store, config, request.slug)
    found = preview(page, request, conference=conference, conf_config=conf_config, stored_days=days, today=today)
    if not found.ok:
        log.info("intake %s: %s", page.name, found.problem)
        return found, None
    assert found.schedule is not None
    if conference is not None:
        found = replace(found, replaces=replaced_sessions(store, request.slug, found.schedule))
    if found.replaces and not organiser:
        log.info("intake %s: would replace %d sessions of %s; not an organiser", page.name, len(found.replaces), request.slug)
        return found, None
    details = {
        "page": {"name": page.name, "url": page.url, "etag": page.etag, "last_modified": page.last_modified},
        "request": request.to_json(),
        "today": today.isoformat() if today else None,
    }
    draft = store.create_draft(page.text, details, now)
    log.info("intake %s: %d events for %s, draft kept", page.name, found.events, request.slug)
    return found, draft.token


def draft_preview(store: Store, config: Config, token: str, now: datetime) -> Preview:
    """A kept draft read again in its conference's current context (for showing it, or storing it)."""
    draft = store.get_draft(token, now)
    page = PageInput(text=draft.text, modified=None, **draft.details["page"])
    request = IntakeRequest.from_json(draft.details["request"])
    today = draft.details.get("today")
    conference, conf_config, days = _context(store, config, request.slug)
    return preview(page, request, conference=conference, conf_config=conf_config, stored_days=days,
                   today=date.fromisoformat(today) if today else None)


def confirm(store: Store, config: Config, token: str, now: datetime, *, organiser: bool = False) -> Stored:
    """Store a kept draft in its conference (created when new, with the days given), then forget the draft.

    The page is read again in the conference's context as it is now (an organiser may
    have changed its year or zone since the preview): a problem then is raised as the
    :class:`~calsync.errors.ParseError` naming the line, and nothing is stored; so is
    :class:`~calsync.errors.Forbidden` when the page would now replace stored sessions
    (:func:`check_replacing`).
    """
    found = draft_preview(store, config, token, now)
    if found.problem is not None:
        raise found.problem
    assert found.schedule is not None
    request = found.request
    conference, conf_config, _ = _context(store, config, request.slug)
    if conference is not None:
        check_replacing(replace(found, replaces=replaced_sessions(store, request.slug, found.schedule)), organiser)
    stored = store_schedule(store, request.slug, found.schedule, [found.page], now, name=request.name,
                            existing=conference, conf_config=conf_config)
    if conference is None and request.first_day is not None:
        store.update_conference(request.slug, now, days=(request.first_day, request.last_day))
    store.delete_draft(token)
    log.info("intake %s confirmed: %s", found.page.name, stored.report.summary())
    return stored
