"""Conferences and snapshots: what feeds and pages read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update

from ..errors import NotFound
from ..ical import Revision
from ..model import Session, Talk
from .base import StoreBase
from .records import Conference, Snapshot, _ts, _utc
from .schema import conferences, sessions_table, talks_table


class SnapshotMixin(StoreBase):
    """Conferences (create, list, find, year, version) and a conference's snapshot."""

    @staticmethod
    def _conference(row: Any) -> Conference:
        return Conference(
            slug=row.slug,
            name=row.name,
            timezone=row.timezone,
            year=row.year,
            sources=tuple(json.loads(row.sources)),
            version=row.version,
            modified=_utc(row.modified),
        )

    def ensure_conference(
        self, slug: str, name: str, timezone_name: str, year: int | None, now: datetime, sources: Sequence[str] = ()
    ) -> Conference:
        """Create the conference when it does not exist; return it either way."""
        with self._write() as conn:
            row = conn.execute(select(conferences).where(conferences.c.slug == slug)).first()
            if row is None:
                conn.execute(
                    insert(conferences).values(
                        slug=slug, name=name, timezone=timezone_name, year=year,
                        sources=json.dumps(list(sources)), version=0, created=_ts(now), modified=_ts(now),
                    )
                )
                row = conn.execute(select(conferences).where(conferences.c.slug == slug)).one()
        return self._conference(row)

    def list_conferences(self) -> list[Conference]:
        """All conferences, by name."""
        with self._read() as conn:
            rows = conn.execute(select(conferences).order_by(conferences.c.name, conferences.c.slug)).all()
        return [self._conference(r) for r in rows]

    def get_conference(self, slug: str) -> Conference:
        """A conference by slug, or :class:`NotFound`."""
        conference = self.find_conference(slug)
        if conference is None:
            raise NotFound(f"no conference {slug!r}")
        return conference

    def find_conference(self, slug: str) -> Conference | None:
        """A conference by slug, or ``None`` when there is none."""
        with self._read() as conn:
            row = conn.execute(select(conferences).where(conferences.c.slug == slug)).first()
        return self._conference(row) if row is not None else None

    def set_conference_year(self, slug: str, year: int, now: datetime) -> None:
        """Give a conference that has none its year (the context of every later import and refresh)."""
        with self._write() as conn:
            conn.execute(
                update(conferences)
                .where(conferences.c.slug == slug, conferences.c.year.is_(None))
                .values(year=year, modified=_ts(now))
            )

    def conference_version(self, slug: str) -> int | None:
        """The data version of a conference (cheap; used to validate caches)."""
        with self._read() as conn:
            return conn.execute(select(conferences.c.version).where(conferences.c.slug == slug)).scalar()

    # -- reading --------------------------------------------------------------

    def load_snapshot(self, slug: str) -> Snapshot:
        """All sessions and talks of a conference with their revisions (one read transaction)."""
        with self._read() as conn:
            crow = conn.execute(select(conferences).where(conferences.c.slug == slug)).first()
            if crow is None:
                raise NotFound(f"no conference {slug!r}")
            srows = conn.execute(
                select(sessions_table).where(sessions_table.c.conference == slug).order_by(sessions_table.c.start_ts, sessions_table.c.id)
            ).all()
            trows = conn.execute(
                select(talks_table).where(talks_table.c.conference == slug).order_by(talks_table.c.session_id, talks_table.c.position, talks_table.c.id)
            ).all()
        revisions: dict[str, Revision] = {}
        talks_of: dict[str, list[Any]] = {}
        for t in trows:
            talks_of.setdefault(t.session_id, []).append(t)
            revisions[t.id] = Revision(modified=_utc(t.modified), sequence=t.sequence)
        sessions: list[Session] = []
        removed: list[tuple[Session, Talk, datetime]] = []
        for s in srows:
            zone = ZoneInfo(s.timezone)
            revisions[s.id] = Revision(modified=_utc(s.modified), sequence=s.sequence)

            def build(t: Any, cancelled: bool = False, zone: ZoneInfo = zone) -> Talk:
                return Talk(
                    id=t.id,
                    start=_utc(t.start_ts).astimezone(zone),
                    end=_utc(t.end_ts).astimezone(zone) if t.end_ts is not None else None,
                    title=t.title,
                    type=t.type,
                    authors=tuple(json.loads(t.authors)),
                    abstract=t.abstract,
                    location=t.location,
                    cancelled=cancelled,
                    url=t.url,
                )

            rows = talks_of.get(s.id, [])
            session = Session(
                id=s.id,
                title=s.title,
                timezone=s.timezone,
                talks=tuple(build(t) for t in rows if t.status == "active"),
                location=s.location,
                moderators=tuple(json.loads(s.moderators)),
                source_url=s.source_url,
                abstract=s.abstract,
            )
            if session.talks:
                sessions.append(session)
            removed.extend((session, build(t, cancelled=True), _utc(t.removed)) for t in rows if t.status == "removed" and t.removed)
        return Snapshot(self._conference(crow), tuple(sessions), revisions, tuple(removed))
