"""The recent changes of a conference's talks (moved, retitled, room changed, cancelled, added),
read from ``talk_changes`` for the Atom feed of changes and the pages' "What changed".

Each recorded change stores only the fields it changed (``{field: [old, new]}``), so the
talk's title, times and room right before and after each change are found by replaying
the changes newest first from the talk's current row. The creations of the conference's
first import are not changes of a published schedule and are left out. The kinds and
their texts belong to :mod:`calsync.exports.changes`.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from ..errors import NotFound
from ..exports.changes import TalkChange, TalkState, classify
from ..model import web_url
from .base import StoreBase
from .records import _ts, _utc
from .schema import conferences, sessions_table, talk_changes, talks_table

#: How far back the feed of changes looks, in days.
CHANGES_DAYS = 30

_REPLAYED = ("start_ts", "end_ts", "title", "location", "session.location")
#: Talk ids per ``IN (…)`` list (well below SQLite's and PostgreSQL's parameter limits).
_ID_CHUNK = 500


def _state(values: dict[str, Any], zone: ZoneInfo) -> TalkState:
    def moment(ts: Any) -> datetime | None:
        return _utc(int(ts)).astimezone(zone) if ts is not None else None

    return TalkState(
        title=values["title"],
        start=moment(values["start_ts"]),
        end=moment(values["end_ts"]),
        room=values["location"] or values["session.location"],
    )


class ChangesMixin(StoreBase):
    """Reading the recent changes of a conference's talks."""

    def recent_changes(
        self,
        slug: str,
        now: datetime,
        *,
        days: int = CHANGES_DAYS,
        talk_ids: Collection[str] | None = None,
    ) -> list[TalkChange]:
        """The changes of the last ``days`` days before ``now``, newest first (one read transaction).

        ``talk_ids`` keeps only those talks' changes (a custom feed's). Changes of no kind
        that subscribers read (an abstract, authors) are left out, and so are the talks the
        conference's first import created. Raises :class:`NotFound` for an unknown conference.
        """
        since = _ts(now - timedelta(days=days))
        t, s, c = talks_table, sessions_table, talk_changes
        joined = c.outerjoin(t, and_(t.c.conference == c.c.conference, t.c.id == c.c.talk_id)).outerjoin(
            s, and_(s.c.conference == t.c.conference, s.c.id == t.c.session_id)
        )
        base = (
            select(
                c.c.id, c.c.talk_id, c.c.at, c.c.sequence, c.c.kind, c.c.fields,
                t.c.session_id, t.c.start_ts, t.c.end_ts, t.c.title, t.c.location, t.c.url,
                s.c.title.label("session_title"), s.c.location.label("session_location"),
                s.c.source_url.label("session_url"),
            )
            .select_from(joined)
            .where(c.c.conference == slug, c.c.at >= since)
            .order_by(c.c.at.desc(), c.c.id.desc())
        )
        with self._read() as conn:
            zone_name = conn.execute(select(conferences.c.timezone).where(conferences.c.slug == slug)).scalar()
            if zone_name is None:
                raise NotFound(f"no conference {slug!r}")
            first = conn.execute(select(func.min(c.c.at)).where(c.c.conference == slug)).scalar()
            # The first import's creations are a talk's oldest rows: nothing is replayed past them.
            rows = conn.execute(base.where(~and_(c.c.kind == "created", c.c.at == (first or 0)))).all()
        zone = ZoneInfo(zone_name)
        wanted = set(talk_ids) if talk_ids is not None else None
        current: dict[str, dict[str, Any]] = {}
        out = []
        for row in rows:  # newest first: each change is undone from the state after it
            if wanted is not None and row.talk_id not in wanted:
                continue
            after = current.get(row.talk_id)
            if after is None:
                after = {"start_ts": row.start_ts, "end_ts": row.end_ts, "title": row.title,
                         "location": row.location, "session.location": row.session_location}
            fields = json.loads(row.fields)
            before = dict(after)
            for name in _REPLAYED:
                if name in fields:
                    before[name] = fields[name][0]
            current[row.talk_id] = before
            kinds = classify(row.kind, fields, own_room=bool(after["location"]))
            if not kinds:
                continue
            out.append(
                TalkChange(
                    conference=slug,
                    talk_id=row.talk_id,
                    session_id=row.session_id,
                    sequence=row.sequence,
                    at=_utc(row.at),
                    kinds=kinds,
                    before=_state(before, zone) if row.kind != "created" else TalkState(None, None, None, None),
                    after=_state(after, zone),
                    session_title=row.session_title,
                    timezone=zone_name,
                    url=web_url(row.url) or web_url(row.session_url),
                )
            )
        return out

    def last_change_at(self, slug: str, talk_ids: Collection[str] | None = None) -> datetime | None:
        """When a talk of the conference (or one of ``talk_ids``) last changed, created included (UTC);
        ``None`` when none ever did. For X-WR-CALDESC's "Last change: …"
        (:func:`calsync.exports.changes.last_change_note`)."""
        c = talk_changes
        ids = sorted(set(talk_ids)) if talk_ids is not None else None
        newest: int | None = None
        with self._read() as conn:
            if ids is None:
                newest = conn.execute(select(func.max(c.c.at)).where(c.c.conference == slug)).scalar()
            else:
                for start in range(0, len(ids), _ID_CHUNK):
                    found = conn.execute(
                        select(func.max(c.c.at)).where(c.c.conference == slug, c.c.talk_id.in_(ids[start:start + _ID_CHUNK]))
                    ).scalar()
                    if found is not None and (newest is None or found > newest):
                        newest = found
        return _utc(newest) if newest is not None else None

