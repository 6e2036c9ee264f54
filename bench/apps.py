"""The apps the comparison serves under gunicorn (``--pythonpath bench 'apps:NAME()'``).

* :func:`trivial` — one route answering ``ok``: the ceiling of Flask + gunicorn here;
* :func:`pretalx` — what pretalx and Indico do: every request reads the conference from the
  database and builds the calendar with icalendar, no cache;
* :func:`calsync` — calsync's own app over ``$CALSYNC_BENCH_DB`` with every default setting
  (``sample`` off, no refresh scheduler: a bench fetches nothing).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response
from icalendar import Calendar, Event

DB_ENV = "CALSYNC_BENCH_DB"


def _db() -> str:
    path = os.environ.get(DB_ENV)
    if not path or not os.path.exists(path):
        raise RuntimeError(f"set {DB_ENV} to the bench's SQLite file")
    return f"sqlite:///{os.path.abspath(path)}"


def trivial() -> Flask:
    app = Flask("trivial")
    app.add_url_rule("/", "index", lambda: Response("ok\n", content_type="text/plain; charset=utf-8"))
    return app


def pretalx() -> Flask:
    """Per request: the conference's rows, one icalendar Event per talk, ``Calendar.to_ical()``."""
    from calsync.store import Store

    store = Store(_db())
    app = Flask("pretalx")

    def feed(slug: str, session_id: str | None = None) -> Response:
        snap = store.load_snapshot(slug) if session_id is None else one_session(store, slug, session_id)
        return Response(pretalx_calendar(snap, session_id), content_type="text/calendar; charset=utf-8")

    app.add_url_rule("/", "index", lambda: Response("ok\n"))
    app.add_url_rule("/conferences/<slug>.ics", "conference", feed)
    app.add_url_rule("/conferences/<slug>/sessions/<session_id>.ics", "session", feed)
    return app


def one_session(store: Any, slug: str, session_id: str) -> Any:
    """A snapshot-like object holding one session, read with two queries (as pretalx reads one room's talks)."""
    import json
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from calsync.model import Session, Talk
    from calsync.store import sessions_table, talks_table

    with store.engine.connect() as conn:
        srow = conn.execute(select(sessions_table).where(sessions_table.c.conference == slug,
                                                         sessions_table.c.id == session_id)).one()
        trows = conn.execute(select(talks_table).where(talks_table.c.conference == slug, talks_table.c.session_id == session_id,
                                                       talks_table.c.status == "active").order_by(talks_table.c.position)).all()
    zone = ZoneInfo(srow.timezone)
    talks = tuple(Talk(id=t.id, start=datetime.fromtimestamp(t.start_ts, zone),
                       end=datetime.fromtimestamp(t.end_ts, zone) if t.end_ts else None, title=t.title, type=t.type,
                       authors=tuple(json.loads(t.authors)), abstract=t.abstract, location=t.location, url=t.url)
                  for t in trows)
    session = Session(id=srow.id, title=srow.title, timezone=srow.timezone, talks=talks, location=srow.location)
    return SimpleNamespace(sessions=(session,))


def pretalx_calendar(snap: Any, session_id: str | None = None) -> bytes:
    """One icalendar Event per talk of a snapshot (or of one session), serialized in one call."""
    cal = Calendar()
    cal.add("prodid", "-//pretalx-like//EN")
    cal.add("version", "2.0")
    for session in snap.sessions:
        if session_id is not None and session.id != session_id:
            continue
        for talk in session.talks:
            event = Event()
            event.add("uid", f"{talk.id}@bench")
            event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
            event.add("summary", talk.title or "")
            event.add("dtstart", talk.start)
            event.add("dtend", talk.end or talk.start)
            event.add("location", talk.location or session.location or "")
            event.add("description", "\n\n".join(x for x in (", ".join(talk.authors), talk.abstract or "") if x))
            if talk.url:
                event.add("url", talk.url)
            cal.add_component(event)
    return bytes(cal.to_ical())


def calsync() -> Flask:
    from dataclasses import replace

    from calsync.config import Config
    from calsync.web import create_app

    config = Config(database_url=_db(), sample=False)
    return create_app(replace(config, refresh=replace(config.refresh, interval_minutes=0)))
