"""Conferences and snapshots: what feeds and pages read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select, update

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

    def load_snapshot(self, slug: str, previous: Snapshot | None = None) -> Snapshot:
        """All sessions and talks of a conference with their revisions (one read transaction).

        With ``previous`` (an older snapshot of the same conference), only what changed
        since is read: every write that changes a talk or a session stamps its row's
        ``modified`` with the writer's time, and the conference's ``modified`` with the
        same, so the rows stamped at or after ``previous``'s conference time are all
        that can differ; those whose SEQUENCE or LAST-MODIFIED differ from ``previous``'s
        are (a one-talk change at 10,000 talks reads one session again). The sessions
        holding them are read whole and replace their old copies. When the
        conference's time went backwards (a clock set back), or most sessions changed,
        everything is read again.
        """
        with self._read() as conn:
            crow = conn.execute(select(conferences).where(conferences.c.slug == slug)).first()
            if crow is None:
                raise NotFound(f"no conference {slug!r}")
            conference = self._conference(crow)
            if previous is not None and previous.conference == conference:
                return previous
            since = _ts(previous.conference.modified) if previous is not None else None
            if previous is None or since is None or crow.modified < since:
                return self._full_snapshot(conn, conference)
            since -= _SKEW_SECONDS
            known = previous.revisions
            recent = conn.execute(
                select(sessions_table.c.id, sessions_table.c.sequence, sessions_table.c.modified)
                .where(sessions_table.c.conference == slug, sessions_table.c.modified >= since)
            ).all()
            changed = {r.id for r in recent if known.get(r.id) != Revision(_utc(r.modified), r.sequence)}
            talk_rows = conn.execute(
                select(talks_table.c.session_id, talks_table.c.id, talks_table.c.sequence, talks_table.c.modified)
                .where(talks_table.c.conference == slug, talks_table.c.modified >= since)
            ).all()
            changed.update(r.session_id for r in talk_rows if known.get(r.id) != Revision(_utc(r.modified), r.sequence))
            if 2 * len(changed) > len(previous.starts):
                return self._full_snapshot(conn, conference)
            ids = sorted(changed)
            srows: list[Any] = []
            trows: list[Any] = []
            for i in range(0, len(ids), _CHUNK):
                chunk = ids[i : i + _CHUNK]
                srows += conn.execute(
                    select(sessions_table).where(sessions_table.c.conference == slug, sessions_table.c.id.in_(chunk))
                ).all()
                trows += conn.execute(
                    select(talks_table)
                    .where(talks_table.c.conference == slug, talks_table.c.session_id.in_(chunk))
                    .order_by(talks_table.c.session_id, talks_table.c.position, talks_table.c.id)
                ).all()
        part = _Part.build(srows, trows)
        starts = {**previous.starts, **part.starts}
        fresh = {s.id: s for s in part.sessions}
        sessions = [s for s in previous.sessions if s.id not in changed]
        sessions += fresh.values()
        sessions.sort(key=lambda s: (starts[s.id], s.id))
        revisions = {**previous.revisions, **part.revisions}
        removed = [r for r in previous.removed if r[0].id not in changed] + part.removed
        removed.sort(key=lambda r: (starts[r[0].id], r[0].id))
        reloaded = frozenset(changed) | frozenset(part.revisions)
        by_id, talks = dict(previous.index[0]) if previous.index else {}, dict(previous.index[1]) if previous.index else {}
        for sid in changed:
            old = by_id.pop(sid, None)
            for talk in old.talks if old is not None else ():
                talks.pop(talk.id, None)
        for session in part.sessions:
            by_id[session.id] = session
            talks.update((t.id, (session, t)) for t in session.talks)
        index = (by_id, talks) if previous.index else None
        return Snapshot(conference, tuple(sessions), revisions, tuple(removed), starts, reloaded, index)

    @staticmethod
    def _full_snapshot(conn: Connection, conference: Conference) -> Snapshot:
        slug = conference.slug
        srows = conn.execute(
            select(sessions_table).where(sessions_table.c.conference == slug).order_by(sessions_table.c.start_ts, sessions_table.c.id)
        ).all()
        trows = conn.execute(
            select(talks_table).where(talks_table.c.conference == slug).order_by(talks_table.c.session_id, talks_table.c.position, talks_table.c.id)
        ).all()
        part = _Part.build(srows, trows)
        return Snapshot(conference, tuple(part.sessions), part.revisions, tuple(part.removed), part.starts)


#: Ids per ``IN (…)`` list.
_CHUNK = 500
#: How far apart the clocks of writers (instances sharing a database) may be, in seconds.
_SKEW_SECONDS = 60


@dataclass
class _Part:
    """Sessions (with active talks), revisions and removed talks built from rows, in row order."""

    sessions: list[Session]
    revisions: dict[str, Revision]
    removed: list[tuple[Session, Talk, datetime]]
    starts: dict[str, int]

    @classmethod
    def build(cls, srows: Sequence[Any], trows: Sequence[Any]) -> _Part:
        """From session rows (in the snapshot's order) and their talk rows (by session, position, id)."""
        revisions: dict[str, Revision] = {}
        talks_of: dict[str, list[Any]] = {}
        for t in trows:
            talks_of.setdefault(t.session_id, []).append(t)
            revisions[t.id] = Revision(modified=_utc(t.modified), sequence=t.sequence, created=_utc(t.created))
        sessions: list[Session] = []
        removed: list[tuple[Session, Talk, datetime]] = []
        starts: dict[str, int] = {}
        for s in srows:
            zone = ZoneInfo(s.timezone)
            revisions[s.id] = Revision(modified=_utc(s.modified), sequence=s.sequence, created=_utc(s.created))
            starts[s.id] = s.start_ts

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
        return cls(sessions, revisions, removed, starts)
