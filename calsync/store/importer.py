"""Importing a parsed schedule: talk identity across imports, SEQUENCE, and the change history.

A talk is matched to a stored one of its session by its key (normalized title and
occurrence, :func:`talk_keys`), else by its exact time slot (a retitled talk); a
session by its id, else by title, room and shared talks. Matched talks keep their id.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ..errors import NotFound
from ..model import Schedule, Session, Talk, normalize_title
from .base import StoreBase, log
from .records import ImportReport, _ts, _utc
from .schema import (
    SESSION_FIELDS,
    SESSION_SHARED_FIELDS,
    TALK_FIELDS,
    conferences,
    sessions_table,
    talk_changes,
    talks_table,
)


def _talk_values(talk: Talk) -> dict[str, Any]:
    return {
        "start_ts": _ts(talk.start),
        "end_ts": _ts(talk.end) if talk.end else None,
        "title": talk.title,
        "type": talk.type,
        "authors": json.dumps(list(talk.authors), ensure_ascii=False),
        "abstract": talk.abstract,
        "location": talk.location,
        "url": talk.url,
    }


def _session_values(session: Session) -> dict[str, Any]:
    assert session.start is not None
    return {
        "title": session.title,
        "location": session.location,
        "moderators": json.dumps(list(session.moderators), ensure_ascii=False),
        "source_url": session.source_url,
        "timezone": session.timezone,
        "abstract": session.abstract,
        "start_ts": _ts(session.start),
    }


def talk_keys(talks: Sequence[Talk]) -> list[str]:
    """How the store recognises talks within a session: normalized title + occurrence.

    >>> from datetime import datetime, timezone
    >>> t = lambda title: Talk(id="x", start=datetime(2026, 1, 1, tzinfo=timezone.utc), end=None, title=title)
    >>> talk_keys([t("Q&A"), t("A Talk"), t("q&a "), t(None)])
    ['q&a#1', 'a talk#1', 'q&a#2', '(untitled)#1']
    """
    seen: Counter[str] = Counter()
    keys = []
    for talk in talks:
        base = normalize_title(talk.title) if talk.title else "(untitled)"
        seen[base] += 1
        keys.append(f"{base}#{seen[base]}")
    return keys


def _diff(row: Any, values: dict[str, Any], names: Sequence[str]) -> dict[str, list[Any]]:
    return {n: [getattr(row, n), values[n]] for n in names if getattr(row, n) != values[n]}


class ImportMixin(StoreBase):
    """Storing parsed sessions and talks, and reading a talk's history."""

    def import_schedule(self, slug: str, schedule: Schedule, now: datetime) -> ImportReport:
        """Store parsed sessions in conference ``slug`` (which must exist), in one transaction.

        A talk is matched to a stored one of its session by its parsed id (title),
        else by its exact time slot (a retitled talk); matched talks keep their id.
        Talks no longer on their session's page are marked removed.
        """
        report = ImportReport(conference=slug)
        stamp = _ts(now)
        with self._write() as conn:
            if conn.execute(select(conferences.c.slug).where(conferences.c.slug == slug)).first() is None:
                raise NotFound(f"no conference {slug!r}")
            for session in schedule.sessions:
                if session.talks:
                    self._import_session(conn, slug, session, stamp, report)
            if report.touched:
                conn.execute(
                    update(conferences)
                    .where(conferences.c.slug == slug)
                    .values(version=conferences.c.version + 1, modified=stamp)
                )
        log.info("import %s", report.summary())
        return report

    @staticmethod
    def _find_session(conn: Connection, slug: str, session: Session, keys: list[str]) -> Any:
        """The stored row of a parsed session: by id, else the same page under a new id.

        A session page without a URL gets an id from its title, room and first
        start, so a session whose first talk moves gets a new id. It is the same
        session when a stored one has the same title and room (or the same URL)
        and shares at least half of its talk titles; it then keeps its old id.
        """
        row = conn.execute(
            select(sessions_table).where(sessions_table.c.conference == slug, sessions_table.c.id == session.id)
        ).first()
        if row is not None:
            return row
        same_place = conn.execute(
            select(sessions_table).where(
                sessions_table.c.conference == slug, sessions_table.c.title == session.title
            )
        ).all()
        best, best_overlap = None, 0
        wanted = set(keys)
        for candidate in same_place:
            if (candidate.location or "") != (session.location or ""):
                continue
            stored = set(
                conn.execute(
                    select(talks_table.c.match_key).where(
                        talks_table.c.conference == slug, talks_table.c.session_id == candidate.id
                    )
                ).scalars()
            )
            overlap = len(stored & wanted)
            if overlap > best_overlap and 2 * overlap >= min(len(stored), len(wanted)):
                best, best_overlap = candidate, overlap
        return best

    def _import_session(self, conn: Connection, slug: str, session: Session, stamp: int, report: ImportReport) -> None:
        values = _session_values(session)
        keys = talk_keys(session.talks)
        srow = self._find_session(conn, slug, session, keys)
        session_id = srow.id if srow is not None else session.id
        session_changed = False
        # Talk descriptions name the session, its room, moderators and link: when
        # those change, every talk's event changes too.
        shared = _diff(srow, values, SESSION_SHARED_FIELDS) if srow is not None else {}
        if srow is None:
            conn.execute(
                insert(sessions_table).values(conference=slug, id=session_id, sequence=0, created=stamp, modified=stamp, **values)
            )
            report.sessions_created.append(session_id)
        elif _diff(srow, values, SESSION_FIELDS):
            session_changed = True

        old_rows = conn.execute(
            select(talks_table).where(talks_table.c.conference == slug, talks_table.c.session_id == session_id)
        ).all()
        by_key = {r.match_key: r for r in old_rows}
        matched: dict[int, Any] = {}
        used: set[str] = set()
        for i, key in enumerate(keys):
            row = by_key.get(key)
            if row is not None and row.id not in used:
                matched[i] = row
                used.add(row.id)
        for i, talk in enumerate(session.talks):  # retitled talks: same slot, new title
            if i in matched:
                continue
            start, end = _ts(talk.start), _ts(talk.end) if talk.end else None
            for row in old_rows:
                if row.id not in used and row.status == "active" and (row.start_ts, row.end_ts) == (start, end):
                    if row.match_key not in keys:
                        matched[i] = row
                        used.add(row.id)
                        break

        for i, talk in enumerate(session.talks):
            tvalues = _talk_values(talk)
            row = matched.get(i)
            if row is None:
                talk_id = self._free_talk_id(conn, slug, talk.id)
                conn.execute(
                    insert(talks_table).values(
                        conference=slug, id=talk_id, session_id=session_id, match_key=keys[i], position=i,
                        status="active", sequence=0, created=stamp, modified=stamp, **tvalues,
                    )
                )
                self._history(conn, slug, talk_id, stamp, 0, "created", {})
                report.created.append(talk_id)
                session_changed = True
                continue
            changes = _diff(row, tvalues, TALK_FIELDS)
            if shared and row.status == "active":
                changes.update({f"session.{k}": v for k, v in shared.items()})
            restored = row.status != "active"
            if changes or restored:
                sequence = row.sequence + 1
                conn.execute(
                    update(talks_table)
                    .where(talks_table.c.conference == slug, talks_table.c.id == row.id)
                    .values(match_key=keys[i], position=i, status="active", removed=None,
                            sequence=sequence, modified=stamp, **tvalues)
                )
                self._history(conn, slug, row.id, stamp, sequence, "restored" if restored else "changed", changes)
                report.changed.append(row.id)
                session_changed = True
            else:
                if (row.position, row.match_key) != (i, keys[i]):
                    conn.execute(
                        update(talks_table)
                        .where(talks_table.c.conference == slug, talks_table.c.id == row.id)
                        .values(position=i, match_key=keys[i])
                    )
                report.unchanged.append(row.id)

        for row in old_rows:
            if row.id not in used and row.status == "active":
                sequence = row.sequence + 1
                conn.execute(
                    update(talks_table)
                    .where(talks_table.c.conference == slug, talks_table.c.id == row.id)
                    .values(status="removed", removed=stamp, sequence=sequence, modified=stamp)
                )
                self._history(conn, slug, row.id, stamp, sequence, "removed", {})
                report.removed.append(row.id)
                session_changed = True

        if srow is not None and session_changed:
            conn.execute(
                update(sessions_table)
                .where(sessions_table.c.conference == slug, sessions_table.c.id == session_id)
                .values(sequence=sessions_table.c.sequence + 1, modified=stamp, **values)
            )

    @staticmethod
    def _free_talk_id(conn: Connection, slug: str, wanted: str) -> str:
        candidate, n = wanted, 1
        while conn.execute(
            select(talks_table.c.id).where(talks_table.c.conference == slug, talks_table.c.id == candidate)
        ).first():
            n += 1
            candidate = f"{wanted}-{n}"
        return candidate

    @staticmethod
    def _history(conn: Connection, slug: str, talk_id: str, stamp: int, sequence: int, kind: str, fields: dict[str, Any]) -> None:
        conn.execute(
            insert(talk_changes).values(
                conference=slug, talk_id=talk_id, at=stamp, sequence=sequence, kind=kind,
                fields=json.dumps(fields, ensure_ascii=False, default=str),
            )
        )

    def talk_history(self, slug: str, talk_id: str) -> list[dict[str, Any]]:
        """A talk's recorded changes, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                select(talk_changes)
                .where(talk_changes.c.conference == slug, talk_changes.c.talk_id == talk_id)
                .order_by(talk_changes.c.id)
            ).all()
        return [
            {"at": _utc(r.at).isoformat(), "sequence": r.sequence, "kind": r.kind, "fields": json.loads(r.fields)}
            for r in rows
        ]
