"""Model → plain JSON-ready dicts (the shape of ``calsync parse`` and the JSON API).

Times are ISO 8601 with their UTC offset (``2022-07-21T07:30:00-07:00``) and
absent values are ``None`` (JSON ``null``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .model import PageReport, ParseWarning, Schedule, Session, Talk


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def build_talk_dict(talk: Talk) -> dict[str, Any]:
    """One talk as in ``calsync parse`` output."""
    return {
        "id": talk.id,
        "start": _iso(talk.start),
        "end": _iso(talk.end),
        "type": talk.type,
        "title": talk.title,
        "authors": list(talk.authors),
        "abstract": talk.abstract,
        "location": talk.location,
        "url": talk.url,
    }


def build_session_dict(session: Session, *, talks: bool = True) -> dict[str, Any]:
    """One session; ``talks=False`` leaves the talk list out (for compact listings)."""
    out: dict[str, Any] = {
        "id": session.id,
        "title": session.title,
        "location": session.location,
        "moderators": list(session.moderators),
        "start": _iso(session.start),
        "end": _iso(session.end),
        "timezone": session.timezone,
        "source_url": session.source_url,
        "abstract": session.abstract,
    }
    if talks:
        out["talks"] = [build_talk_dict(t) for t in session.talks]
    return out


def build_warning_dict(warning: ParseWarning) -> dict[str, Any]:
    """A parse warning: the line it concerns (or ``None``), the message, and the source."""
    out: dict[str, Any] = {"line": warning.line, "message": warning.message}
    if warning.source is not None:
        out["source"] = warning.source
    return out


def build_report_dict(report: PageReport) -> dict[str, Any]:
    """What reading one page found: kind, events, year and zone with their origins, ignored lines."""
    return {
        "source": report.source,
        "kind": report.kind,
        "events": report.events,
        "year": report.year,
        "year_origin": report.year_origin,
        "timezone": report.timezone,
        "zone_origin": report.zone_origin,
        "ignored": [{"line": n, "text": t} for n, t in report.ignored],
    }


def build_schedule_dict(schedule: Schedule) -> dict[str, Any]:
    """The whole ``calsync parse`` document."""
    return {
        "timezone": schedule.timezone,
        "sessions": [build_session_dict(s) for s in schedule.sessions],
        "warnings": [build_warning_dict(w) for w in schedule.warnings],
        "reports": [build_report_dict(r) for r in schedule.reports],
    }
