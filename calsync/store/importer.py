"""Importing a parsed schedule: talk identity across imports, SEQUENCE, and the change history.

A talk is matched to a stored one of its session by its key (normalized title and
occurrence, :func:`talk_keys`), else by its exact time slot (a retitled talk); a
session by its id, else by title, room and shared talks. Matched talks keep their id.

Bulk: an import reads what it compares against in a few queries (the conference's
session rows, the talks of the sessions it may touch, which of its talk ids are taken)
and writes with one ``executemany`` per kind of statement (:class:`_Batch`), in one
transaction. A page imported again unchanged writes nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Insert, Table, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError

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

#: Ids per ``IN (…)`` list (SQLite allows 32,766 parameters, PostgreSQL 65,535).
_CHUNK = 500


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


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _keyed_update(table: Table, columns: Iterable[str]) -> Any:
    """``UPDATE table SET col = :col, … WHERE conference = :b_conference AND id = :b_id`` for executemany."""
    return (
        update(table)
        .where(table.c.conference == bindparam("b_conference"), table.c.id == bindparam("b_id"))
        .values({c: bindparam(c) for c in columns})
    )


_CHANGED_TALK = _keyed_update(
    talks_table, ("match_key", "position", "status", "removed", "sequence", "modified", *TALK_FIELDS)
)
_MOVED_TALK = _keyed_update(talks_table, ("position", "match_key"))
_REMOVED_TALK = _keyed_update(talks_table, ("status", "removed", "sequence", "modified"))
_CHANGED_SESSION = (
    update(sessions_table)
    .where(sessions_table.c.conference == bindparam("b_conference"), sessions_table.c.id == bindparam("b_id"))
    .values(
        {"sequence": sessions_table.c.sequence + 1, "modified": bindparam("modified"),
         **{c: bindparam(c) for c in SESSION_FIELDS}}
    )
)


@dataclass
class _Batch:
    """Statements of one import waiting to be sent, one executemany per kind, in a safe order."""

    new_sessions: list[dict[str, Any]] = field(default_factory=list)
    new_talks: list[dict[str, Any]] = field(default_factory=list)
    changed_talks: list[dict[str, Any]] = field(default_factory=list)
    moved_talks: list[dict[str, Any]] = field(default_factory=list)
    removed_talks: list[dict[str, Any]] = field(default_factory=list)
    changed_sessions: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    def flush(self, conn: Connection) -> None:
        """Send every waiting statement (sessions before their talks) and empty the batch."""
        plan: list[tuple[Any, list[dict[str, Any]]]] = [
            (insert(sessions_table), self.new_sessions),
            (insert(talks_table), self.new_talks),
            (_CHANGED_TALK, self.changed_talks),
            (_MOVED_TALK, self.moved_talks),
            (_REMOVED_TALK, self.removed_talks),
            (_CHANGED_SESSION, self.changed_sessions),
            (insert(talk_changes), self.history),
        ]
        for statement, rows in plan:
            if rows:
                _executemany(conn, statement, rows)
                rows.clear()


def _executemany(conn: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    """One statement for many rows of the same keys, straight to the driver's executemany.

    SQLAlchemy's own executemany processes every row's parameters in Python, which
    cost more than the database's work here; every value is already a plain int,
    str or None, so the compiled SQL and the raw rows go to the driver as they are.
    """
    if conn.dialect.name == "postgresql" and isinstance(statement, Insert):
        # PostgreSQL's own bulk path: COPY, one round trip for all rows.
        columns = list(rows[0])
        quote = conn.dialect.identifier_preparer.quote
        target = f"{quote(statement.table.name)} ({', '.join(quote(c) for c in columns)})"
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        except conn.dialect.loaded_dbapi.Error as exc:  # as SQLAlchemy would wrap it (the store's errors)
            raise DBAPIError(f"COPY {target}", None, exc) from exc
        return
    compiled = statement.compile(dialect=conn.dialect, column_keys=list(rows[0]))
    fixed = {k: v for k, v in compiled.params.items() if k not in rows[0]}  # literals such as the 1 of "+ 1"
    if compiled.positional:
        order = compiled.positiontup
        conn.exec_driver_sql(compiled.string, [tuple(row[k] if k in row else fixed[k] for k in order) for row in rows])
    else:
        conn.exec_driver_sql(compiled.string, [{**fixed, **row} for row in rows] if fixed else rows)


@dataclass
class _Known:
    """What an import compares against, read up front and kept current as the import goes on.

    Rows are mutable copies so that a later session of the same import sees what an
    earlier one wrote (as it would reading the database).
    """

    sessions: dict[str, SimpleNamespace]
    talks_of: dict[str, list[SimpleNamespace]]
    taken_ids: set[str]
    done: set[str] = field(default_factory=set)


def _row(row: Any) -> SimpleNamespace:
    return SimpleNamespace(**row._mapping)


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
        parsed = [s for s in schedule.sessions if s.talks]
        with self._write() as conn:
            # FOR UPDATE: concurrent imports of one conference (PostgreSQL) take turns here.
            found = conn.execute(
                select(conferences.c.slug).where(conferences.c.slug == slug).with_for_update()
            ).first()
            if found is None:
                raise NotFound(f"no conference {slug!r}")
            known = self._read_known(conn, slug, parsed)
            batch = _Batch()
            for session in parsed:
                self._import_session(conn, slug, session, stamp, report, known, batch)
            batch.flush(conn)
            if report.touched:
                conn.execute(
                    update(conferences)
                    .where(conferences.c.slug == slug)
                    .values(version=conferences.c.version + 1, modified=stamp)
                )
        log.info("import %s", report.summary())
        return report

    @staticmethod
    def _read_known(conn: Connection, slug: str, parsed: Sequence[Session]) -> _Known:
        """The conference's session rows, the talks of every session an import may match, taken talk ids."""
        sessions = {
            r.id: _row(r) for r in conn.execute(select(sessions_table).where(sessions_table.c.conference == slug))
        }
        titles = {s.title for s in parsed}
        wanted = sorted({s.id for s in parsed if s.id in sessions} | {r.id for r in sessions.values() if r.title in titles})
        talks_of: dict[str, list[SimpleNamespace]] = {sid: [] for sid in sessions}
        for chunk in _chunks(wanted):
            rows = conn.execute(
                select(talks_table)
                .where(talks_table.c.conference == slug, talks_table.c.session_id.in_(chunk))
                .order_by(talks_table.c.session_id, talks_table.c.position, talks_table.c.id)
            )
            for r in rows:
                talks_of[r.session_id].append(_row(r))
        ids = sorted({t.id for s in parsed for t in s.talks})
        taken_query = select(talks_table.c.id).where(talks_table.c.conference == slug)
        taken: set[str] = set()
        if len(ids) > _CHUNK:  # a long IN list costs PostgreSQL a scan of it per row: read all ids
            taken.update(conn.execute(taken_query).scalars())
        elif ids:
            taken.update(conn.execute(taken_query.where(talks_table.c.id.in_(ids))).scalars())
        return _Known(sessions=sessions, talks_of=talks_of, taken_ids=taken)

    @staticmethod
    def _find_session(slug: str, session: Session, keys: list[str], known: _Known) -> Any:
        """The stored row of a parsed session: by id, else the same page under a new id.

        A session page without a URL gets an id from its title, room and first
        start, so a session whose first talk moves gets a new id. It is the same
        session when a stored one has the same title and room (or the same URL)
        and shares at least half of its talk titles; it then keeps its old id.
        """
        row = known.sessions.get(session.id)
        if row is not None:
            return row
        best, best_overlap = None, 0
        wanted = set(keys)
        for candidate in known.sessions.values():
            if candidate.title != session.title or (candidate.location or "") != (session.location or ""):
                continue
            stored = {t.match_key for t in known.talks_of.get(candidate.id, [])}
            overlap = len(stored & wanted)
            if overlap > best_overlap and 2 * overlap >= min(len(stored), len(wanted)):
                best, best_overlap = candidate, overlap
        return best

    def _import_session(
        self, conn: Connection, slug: str, session: Session, stamp: int, report: ImportReport, known: _Known, batch: _Batch
    ) -> None:
        values = _session_values(session)
        keys = talk_keys(session.talks)
        srow = self._find_session(slug, session, keys, known)
        session_id = srow.id if srow is not None else session.id
        if session_id in known.done:
            # The same session twice in one schedule: what the first wrote must be in the
            # database before the second is compared and written (statements keep their order).
            batch.flush(conn)
        known.done.add(session_id)
        session_changed = False
        # Talk descriptions name the session, its room, moderators and link: when
        # those change, every talk's event changes too.
        shared = _diff(srow, values, SESSION_SHARED_FIELDS) if srow is not None else {}
        if srow is None:
            new = dict(conference=slug, id=session_id, sequence=0, created=stamp, modified=stamp, **values)
            batch.new_sessions.append(new)
            known.sessions[session_id] = SimpleNamespace(**new)
            known.talks_of[session_id] = []
            report.sessions_created.append(session_id)
        elif _diff(srow, values, SESSION_FIELDS):
            session_changed = True

        old_rows = known.talks_of.get(session_id, [])
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

        added: list[SimpleNamespace] = []
        for i, talk in enumerate(session.talks):
            tvalues = _talk_values(talk)
            row = matched.get(i)
            if row is None:
                talk_id = self._free_talk_id(conn, slug, talk.id, known)
                new = dict(
                    conference=slug, id=talk_id, session_id=session_id, match_key=keys[i], position=i,
                    status="active", removed=None, sequence=0, created=stamp, modified=stamp, **tvalues,
                )
                batch.new_talks.append(new)
                added.append(SimpleNamespace(**new))
                self._history(batch, slug, talk_id, stamp, 0, "created", {})
                report.created.append(talk_id)
                session_changed = True
                continue
            changes = _diff(row, tvalues, TALK_FIELDS)
            if shared and row.status == "active":
                changes.update({f"session.{k}": v for k, v in shared.items()})
            restored = row.status != "active"
            if changes or restored:
                sequence = row.sequence + 1
                update_values = dict(match_key=keys[i], position=i, status="active", removed=None,
                                     sequence=sequence, modified=stamp, **tvalues)
                batch.changed_talks.append(dict(b_conference=slug, b_id=row.id, **update_values))
                vars(row).update(update_values)
                self._history(batch, slug, row.id, stamp, sequence, "restored" if restored else "changed", changes)
                report.changed.append(row.id)
                session_changed = True
            else:
                if (row.position, row.match_key) != (i, keys[i]):
                    batch.moved_talks.append(dict(b_conference=slug, b_id=row.id, position=i, match_key=keys[i]))
                    session_changed = session_changed or row.position != i  # its event lists talks in order
                    row.position, row.match_key = i, keys[i]
                report.unchanged.append(row.id)

        for row in old_rows:
            if row.id not in used and row.status == "active":
                sequence = row.sequence + 1
                gone = dict(status="removed", removed=stamp, sequence=sequence, modified=stamp)
                batch.removed_talks.append(dict(b_conference=slug, b_id=row.id, **gone))
                vars(row).update(gone)
                self._history(batch, slug, row.id, stamp, sequence, "removed", {})
                report.removed.append(row.id)
                session_changed = True
        if added:
            old_rows.extend(added)
            old_rows.sort(key=lambda r: (r.position, r.id))

        if srow is not None and session_changed:
            batch.changed_sessions.append(dict(b_conference=slug, b_id=session_id, modified=stamp, **values))
            vars(srow).update(values, sequence=srow.sequence + 1, modified=stamp)
            if session_id not in report.sessions_changed:
                report.sessions_changed.append(session_id)

    @staticmethod
    def _free_talk_id(conn: Connection, slug: str, wanted: str, known: _Known) -> str:
        candidate, n = wanted, 1
        while candidate in known.taken_ids or (
            n > 1
            and conn.execute(
                select(talks_table.c.id).where(talks_table.c.conference == slug, talks_table.c.id == candidate)
            ).first()
        ):
            n += 1
            candidate = f"{wanted}-{n}"
        known.taken_ids.add(candidate)
        return candidate

    @staticmethod
    def _history(batch: _Batch, slug: str, talk_id: str, stamp: int, sequence: int, kind: str, fields: dict[str, Any]) -> None:
        batch.history.append(
            dict(conference=slug, talk_id=talk_id, at=stamp, sequence=sequence, kind=kind,
                 fields=json.dumps(fields, ensure_ascii=False, default=str))
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
