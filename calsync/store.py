"""The store: conferences, sessions, talks, their change history, and custom feeds.

SQLAlchemy Core over SQLite by default (a file) or PostgreSQL (the same code).
The store keeps each talk's identity across imports: a talk whose time or title
changes keeps its id (and so its UID) and gets SEQUENCE + 1 and a new
LAST-MODIFIED; an unchanged talk keeps all three, so its bytes do not change.
Every import runs in one transaction.

Times are stored as Unix seconds (UTC) with the IANA zone beside them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    inspect,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .errors import CalsyncError, ConfigError, NotFound
from .ical import Revision
from .model import Schedule, Session, Talk, normalize_title

log = logging.getLogger(__name__)

#: Version of the schema this code writes; :meth:`Store.migrate` brings older ones up.
SCHEMA_VERSION = 3
_MIGRATION_LOCK_KEY = 0x63616C73  # "cals": PostgreSQL advisory lock for migrations

metadata = MetaData()

meta_table = Table(
    "calsync_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)

conferences = Table(
    "conferences",
    metadata,
    Column("slug", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("year", Integer),
    Column("sources", Text, nullable=False, default="[]"),
    Column("version", Integer, nullable=False, default=0),
    Column("created", BigInteger, nullable=False),
    Column("modified", BigInteger, nullable=False),
)

sessions_table = Table(
    "sessions",
    metadata,
    Column("conference", String(100), primary_key=True),
    Column("id", String(100), primary_key=True),
    Column("title", Text, nullable=False),
    Column("location", Text),
    Column("moderators", Text, nullable=False),
    Column("source_url", Text),
    Column("timezone", String(64), nullable=False),
    Column("abstract", Text),
    Column("start_ts", BigInteger, nullable=False),
    Column("sequence", Integer, nullable=False, default=0),
    Column("created", BigInteger, nullable=False),
    Column("modified", BigInteger, nullable=False),
    ForeignKeyConstraint(["conference"], ["conferences.slug"], ondelete="CASCADE"),
)

talks_table = Table(
    "talks",
    metadata,
    Column("conference", String(100), primary_key=True),
    Column("id", String(100), primary_key=True),
    Column("session_id", String(100), nullable=False),
    Column("match_key", Text, nullable=False),  # the normalized title: any length
    Column("position", Integer, nullable=False),
    Column("start_ts", BigInteger, nullable=False),
    Column("end_ts", BigInteger),
    Column("title", Text),
    Column("type", Text),
    Column("authors", Text, nullable=False),
    Column("abstract", Text),
    Column("location", Text),
    Column("url", Text),
    Column("status", String(16), nullable=False, default="active"),
    Column("removed", BigInteger),
    Column("sequence", Integer, nullable=False, default=0),
    Column("created", BigInteger, nullable=False),
    Column("modified", BigInteger, nullable=False),
    ForeignKeyConstraint(
        ["conference", "session_id"], ["sessions.conference", "sessions.id"], ondelete="CASCADE"
    ),
    Index("talks_by_session", "conference", "session_id"),
)

talk_changes = Table(
    "talk_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conference", String(100), nullable=False),
    Column("talk_id", String(100), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # created / changed / removed / restored
    Column("fields", Text, nullable=False),  # JSON {field: [old, new]}
    Index("talk_changes_by_talk", "conference", "talk_id"),
)

feeds_table = Table(
    "feeds",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("edit_key_hash", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("conference", String(100)),
    Column("talk_ids", Text, nullable=False),
    Column("session_ids", Text, nullable=False),
    Column("filter", Text),
    Column("alarm", Integer),
    Column("view", String(16), nullable=False, default="talks"),
    Column("version", Integer, nullable=False, default=0),
    Column("created", BigInteger, nullable=False),
    Column("modified", BigInteger, nullable=False),
)

sources_table = Table(
    "sources",
    metadata,
    Column("conference", String(100), primary_key=True),
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("content_hash", String(64)),
    Column("talks", Integer),
    Column("last_checked", BigInteger),
    Column("last_success", BigInteger),
    Column("last_error", Text),
    Column("last_error_at", BigInteger),
    Column("note", Text),
    ForeignKeyConstraint(["conference"], ["conferences.slug"], ondelete="CASCADE"),
)

leases_table = Table(
    "leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("until", BigInteger, nullable=False),
)

#: One row per counted event (a feed created), for limits that hold across workers and
#: instances; ``key`` is a digest (the client address is not stored), ``at`` in seconds.
rate_events_table = Table(
    "rate_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),
    Index("ix_rate_events_key_at", "key", "at"),
    Index("ix_rate_events_at", "at"),
)

#: Talk fields whose change makes a new version of the talk's event.
TALK_FIELDS = ("start_ts", "end_ts", "title", "type", "authors", "abstract", "location", "url")
SESSION_FIELDS = ("title", "location", "moderators", "source_url", "timezone", "abstract", "start_ts")
#: Session fields that talk events show (a change re-versions every talk of the session).
SESSION_SHARED_FIELDS = ("title", "location", "moderators", "source_url")


class StoreError(CalsyncError):
    """The database could not be reached or answered with an error."""

    status = 503


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def _utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def hash_key(key: str) -> str:
    """SHA-256 of an edit key: the store never keeps the key itself.

    >>> len(hash_key("secret"))
    64
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Conference:
    """A stored conference and its data version (raised by every import that changes it)."""

    slug: str
    name: str
    timezone: str
    year: int | None
    sources: tuple[str, ...]
    version: int
    modified: datetime


@dataclass(frozen=True)
class Snapshot:
    """Everything a conference's feeds and pages need, read in one go.

    ``sessions`` hold active talks only; ``removed`` lists talks that vanished from
    their page, with the time they did (for STATUS:CANCELLED within a grace period).
    """

    conference: Conference
    sessions: tuple[Session, ...]
    revisions: dict[str, Revision]
    removed: tuple[tuple[Session, Talk, datetime], ...] = ()

    def __post_init__(self) -> None:
        # Indexes for lookups by id (a snapshot is read-only once made).
        object.__setattr__(self, "_sessions", {s.id: s for s in self.sessions})
        object.__setattr__(self, "_talks", {t.id: (s, t) for s in self.sessions for t in s.talks})

    def revision_of(self, item_id: str) -> Revision:
        """The revision of a talk or session id."""
        return self.revisions[item_id]

    def session(self, session_id: str) -> Session | None:
        """A session by id."""
        return self._sessions.get(session_id)  # type: ignore[attr-defined, no-any-return]

    def talk(self, talk_id: str) -> tuple[Session, Talk] | None:
        """A talk and its session by id."""
        return self._talks.get(talk_id)  # type: ignore[attr-defined, no-any-return]


@dataclass
class ImportReport:
    """What an import did, by talk id."""

    conference: str
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    sessions_created: list[str] = field(default_factory=list)

    @property
    def touched(self) -> bool:
        """Whether anything changed (and so the conference's version was raised)."""
        return bool(self.created or self.changed or self.removed or self.sessions_created)

    def summary(self) -> str:
        """One line for logs and the CLI."""
        return (
            f"{self.conference}: {len(self.created)} new, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed talks"
        )


@dataclass(frozen=True)
class SourceState:
    """What the store remembers of a source page: validators for conditional GET, the last good
    talk count, and the last success and error (for /healthz and the conference page)."""

    conference: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    talks: int | None = None
    last_checked: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    note: str | None = None

    @property
    def failing(self) -> bool:
        """Whether the last attempt failed (an error newer than the last success)."""
        return self.last_error_at is not None and (self.last_success is None or self.last_error_at >= self.last_success)


@dataclass(frozen=True)
class FeedSpec:
    """What a custom feed contains: talks, whole sessions, and/or a filter of one conference."""

    name: str
    conference: str | None = None
    talk_ids: tuple[str, ...] = ()
    session_ids: tuple[str, ...] = ()
    filter: dict[str, Any] | None = None
    alarm: int | None = None
    view: str = "talks"


@dataclass(frozen=True)
class StoredFeed:
    """A custom feed as stored (the edit key only as its hash)."""

    token: str
    spec: FeedSpec
    version: int
    created: datetime
    modified: datetime


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


class Store:
    """Access to the database; one per process (it holds the connection pool)."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine: Engine = self._create_engine(url)
        except (SQLAlchemyError, ValueError, ImportError) as exc:
            raise ConfigError(f"database URL {url!r} is not usable: {exc}") from None

    @staticmethod
    def _create_engine(url: str) -> Engine:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

            @event.listens_for(engine, "connect")
            def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()

            @event.listens_for(engine, "begin")
            def _sqlite_begin(conn: Connection) -> None:
                # Writers take the lock up front so that two imports never deadlock.
                immediate = conn.get_execution_options().get("immediate", False)
                conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

            return engine
        return create_engine(url, pool_pre_ping=True)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (SQLite: BEGIN IMMEDIATE)."""
        try:
            with self.engine.connect().execution_options(immediate=True) as conn:
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            log.exception("database write failed")
            raise StoreError(f"database error: {exc.__class__.__name__}") from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            log.exception("database read failed")
            raise StoreError(f"database error: {exc.__class__.__name__}") from None

    # -- schema ---------------------------------------------------------------

    def migrate(self) -> int:
        """Create or upgrade the schema; safe when several instances start together.

        PostgreSQL serializes this with an advisory lock, SQLite with BEGIN IMMEDIATE.
        Returns the schema version now in the database.
        """
        if self.engine.dialect.name == "sqlite":
            # WAL lets readers go on while one writer writes. It is stored in the file, so it
            # is set once here (switching needs the file to itself), not on every connection.
            path = self.engine.url.database or ":memory:"
            hint = "its folder must exist and be writable, and it must be a file"
            try:
                raw = self.engine.raw_connection()  # outside any transaction, as SQLite requires
            except Exception as exc:  # sqlite3.OperationalError: the file cannot be opened or created
                reason = getattr(exc, "orig", None) or exc
                raise StoreError(f"cannot open the SQLite database {path}: {reason} ({hint})") from None
            try:
                raw.cursor().execute("PRAGMA journal_mode=WAL")
            except SQLAlchemyError as exc:
                raise StoreError(f"database error: {exc.__class__.__name__}") from None
            except Exception as exc:  # sqlite3.OperationalError: the file is busy or unusable
                raise StoreError(f"cannot open the SQLite database {path}: {exc} ({hint})") from None
            finally:
                raw.close()
        with self._write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
            metadata.create_all(conn, checkfirst=True)
            row = conn.execute(select(meta_table.c.value).where(meta_table.c.key == "schema_version")).first()
            current = int(row[0]) if row else 0
            if current > SCHEMA_VERSION:
                raise ConfigError(
                    f"the database has schema version {current}, newer than this calsync ({SCHEMA_VERSION})"
                )
            if row is None:
                conn.execute(insert(meta_table).values(key="schema_version", value=str(SCHEMA_VERSION)))
            elif current < SCHEMA_VERSION:
                # v1 → v2 added the sources and leases tables (create_all above made them);
                # v2 → v3 added talks.url (a talk's own page) and made the titles, types and
                # source URLs unbounded (PostgreSQL enforces lengths: a 98+ character title failed).
                if current < 3:
                    columns = {c["name"] for c in inspect(conn).get_columns("talks")}
                    if "url" not in columns:
                        conn.execute(text("ALTER TABLE talks ADD COLUMN url TEXT"))
                    if conn.dialect.name == "postgresql":
                        conn.execute(text("ALTER TABLE talks ALTER COLUMN match_key TYPE TEXT, ALTER COLUMN type TYPE TEXT"))
                        conn.execute(text("ALTER TABLE sources ALTER COLUMN url TYPE TEXT"))
                conn.execute(
                    update(meta_table).where(meta_table.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
                )
        return SCHEMA_VERSION

    def check(self, now: datetime) -> None:
        """Prove the store works for real, or raise :class:`StoreError` saying why.

        A write probe (a row of the meta table updated in its own transaction: a full
        disk or a read-only file fails here) and, on SQLite, ``PRAGMA quick_check``
        (damaged pages). For /readyz.
        """
        try:
            with self._write() as conn:
                if conn.dialect.name == "sqlite":
                    verdict = conn.exec_driver_sql("PRAGMA quick_check(1)").scalar()
                    if verdict != "ok":
                        raise StoreError(f"the SQLite database is damaged: {verdict}")
                stamp = str(_ts(now))
                done = conn.execute(update(meta_table).where(meta_table.c.key == "write_probe").values(value=stamp))
                if done.rowcount == 0:
                    conn.execute(insert(meta_table).values(key="write_probe", value=stamp))
        except StoreError:
            raise
        except Exception as exc:  # the driver's own errors: disk full, I/O error, malformed file
            raise StoreError(f"the database does not take writes: {exc.__class__.__name__}: {exc}") from None

    def health(self) -> dict[str, Any]:
        """Store status for /healthz (raises StoreError when the database is unreachable)."""
        with self._read() as conn:
            version = conn.execute(select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
            count = conn.execute(select(func.count()).select_from(conferences)).scalar_one()
        return {"database": "ok", "dialect": self.engine.dialect.name, "schema_version": int(version or 0), "conferences": count}

    # -- conferences ----------------------------------------------------------

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

    # -- import ---------------------------------------------------------------

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

    # -- custom feeds ---------------------------------------------------------

    @staticmethod
    def _feed(row: Any) -> StoredFeed:
        spec = FeedSpec(
            name=row.name,
            conference=row.conference,
            talk_ids=tuple(json.loads(row.talk_ids)),
            session_ids=tuple(json.loads(row.session_ids)),
            filter=json.loads(row.filter) if row.filter else None,
            alarm=row.alarm,
            view=row.view,
        )
        return StoredFeed(token=row.token, spec=spec, version=row.version, created=_utc(row.created), modified=_utc(row.modified))

    @staticmethod
    def _feed_values(spec: FeedSpec) -> dict[str, Any]:
        return {
            "name": spec.name,
            "conference": spec.conference,
            "talk_ids": json.dumps(list(spec.talk_ids)),
            "session_ids": json.dumps(list(spec.session_ids)),
            "filter": json.dumps(spec.filter, sort_keys=True) if spec.filter else None,
            "alarm": spec.alarm,
            "view": spec.view,
        }

    def create_feed(self, spec: FeedSpec, now: datetime) -> tuple[StoredFeed, str]:
        """Store a new custom feed; returns it and its edit key (shown once, stored hashed).

        Tokens and keys are 192-bit random URL-safe strings; the read token does not
        grant editing.
        """
        token, key = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        with self._write() as conn:
            conn.execute(
                insert(feeds_table).values(
                    token=token, edit_key_hash=hash_key(key), version=0, created=_ts(now), modified=_ts(now),
                    **self._feed_values(spec),
                )
            )
            row = conn.execute(select(feeds_table).where(feeds_table.c.token == token)).one()
        return self._feed(row), key

    def get_feed(self, token: str) -> StoredFeed:
        """A custom feed by its read token, or :class:`NotFound`."""
        with self._read() as conn:
            row = conn.execute(select(feeds_table).where(feeds_table.c.token == token)).first()
        if row is None:
            raise NotFound("no such feed")
        return self._feed(row)

    def feed_version(self, token: str) -> int | None:
        """A feed's version (cheap; used to validate caches)."""
        with self._read() as conn:
            return conn.execute(select(feeds_table.c.version).where(feeds_table.c.token == token)).scalar()

    def check_edit_key(self, token: str, key: str) -> bool:
        """Whether ``key`` is the edit key of feed ``token`` (constant-time compare)."""
        with self._read() as conn:
            stored = conn.execute(select(feeds_table.c.edit_key_hash).where(feeds_table.c.token == token)).scalar()
        if stored is None:
            raise NotFound("no such feed")
        return hmac.compare_digest(stored, hash_key(key))

    def update_feed(self, token: str, spec: FeedSpec, now: datetime) -> StoredFeed:
        """Replace what a feed contains; its token (URL) stays the same."""
        with self._write() as conn:
            result = conn.execute(
                update(feeds_table)
                .where(feeds_table.c.token == token)
                .values(version=feeds_table.c.version + 1, modified=_ts(now), **self._feed_values(spec))
            )
            if result.rowcount == 0:
                raise NotFound("no such feed")
            row = conn.execute(select(feeds_table).where(feeds_table.c.token == token)).one()
        return self._feed(row)

    def rotate_feed_token(self, token: str, now: datetime) -> StoredFeed:
        """Give a feed a new read token (the old URL stops working); the edit key stays."""
        new = secrets.token_urlsafe(24)
        with self._write() as conn:
            result = conn.execute(
                update(feeds_table)
                .where(feeds_table.c.token == token)
                .values(token=new, version=feeds_table.c.version + 1, modified=_ts(now))
            )
            if result.rowcount == 0:
                raise NotFound("no such feed")
            row = conn.execute(select(feeds_table).where(feeds_table.c.token == new)).one()
        return self._feed(row)

    def delete_feed(self, token: str) -> None:
        """Delete a custom feed."""
        with self._write() as conn:
            if conn.execute(delete(feeds_table).where(feeds_table.c.token == token)).rowcount == 0:
                raise NotFound("no such feed")

    # -- sources (pages a conference is refreshed from) -----------------------

    @staticmethod
    def _source(row: Any) -> SourceState:
        return SourceState(
            conference=row.conference, url=row.url, etag=row.etag, last_modified=row.last_modified,
            content_hash=row.content_hash, talks=row.talks,
            last_checked=_utc(row.last_checked) if row.last_checked else None,
            last_success=_utc(row.last_success) if row.last_success else None,
            last_error=row.last_error, last_error_at=_utc(row.last_error_at) if row.last_error_at else None,
            note=row.note,
        )

    def add_source(self, slug: str, url: str) -> None:
        """Remember that ``url`` (a page URL or file) feeds conference ``slug``."""
        with self._write() as conn:
            exists = conn.execute(
                select(sources_table.c.url).where(sources_table.c.conference == slug, sources_table.c.url == url)
            ).first()
            if exists is None:
                conn.execute(insert(sources_table).values(conference=slug, url=url))

    def list_sources(self, slug: str | None = None) -> list[SourceState]:
        """Sources of one conference, or of all, by conference and URL."""
        query = select(sources_table).order_by(sources_table.c.conference, sources_table.c.url)
        if slug is not None:
            query = query.where(sources_table.c.conference == slug)
        with self._read() as conn:
            return [self._source(r) for r in conn.execute(query).all()]

    def get_source(self, slug: str, url: str) -> SourceState:
        """One source's state (a fresh, never-fetched state when unknown)."""
        with self._read() as conn:
            row = conn.execute(
                select(sources_table).where(sources_table.c.conference == slug, sources_table.c.url == url)
            ).first()
        return self._source(row) if row is not None else SourceState(conference=slug, url=url)

    def record_source(self, slug: str, url: str, now: datetime, **values: Any) -> None:
        """Update a source's state (creating its row): validators, counts, success or error."""
        stamp = _ts(now)
        fields = {"last_checked": stamp}
        for key, value in values.items():
            if key in ("last_success", "last_error_at"):
                value = _ts(value) if isinstance(value, datetime) else value
            fields[key] = value
        with self._write() as conn:
            exists = conn.execute(
                select(sources_table.c.url).where(sources_table.c.conference == slug, sources_table.c.url == url)
            ).first()
            if exists is None:
                conn.execute(insert(sources_table).values(conference=slug, url=url, **fields))
            else:
                conn.execute(
                    update(sources_table)
                    .where(sources_table.c.conference == slug, sources_table.c.url == url)
                    .values(**fields)
                )

    # -- rate limits (shared by every worker and instance) ---------------------

    def count_event(self, key: str, limit: int, window_seconds: int, now: datetime) -> bool:
        """Count one event for ``key`` unless ``limit`` events fell in the last ``window_seconds``.

        Returns False (and counts nothing) over the limit. Events older than the window
        are deleted as they expire, for every key, so the table stays small.
        """
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        stamp = _ts(now)
        with self._write() as conn:
            conn.execute(delete(rate_events_table).where(rate_events_table.c.at <= stamp - window_seconds))
            count = conn.execute(
                select(func.count()).select_from(rate_events_table).where(rate_events_table.c.key == digest)
            ).scalar_one()
            if count >= limit:
                return False
            conn.execute(insert(rate_events_table).values(key=digest, at=stamp))
        return True

    # -- leases (one refresher at a time across workers and instances) ---------

    def try_lease(self, name: str, holder: str, now: datetime, seconds: int) -> bool:
        """Take or renew the lease ``name`` for ``holder`` until ``now + seconds``; False when another holds it.

        A compare-and-set on one row, so it holds across processes and instances
        sharing the database (SQLite or PostgreSQL).
        """
        stamp, until = _ts(now), _ts(now) + seconds
        with self._write() as conn:
            taken = conn.execute(
                update(leases_table)
                .where(leases_table.c.name == name)
                .where((leases_table.c.until < stamp) | (leases_table.c.holder == holder))
                .values(holder=holder, until=until)
            ).rowcount
            if taken:
                return True
            if conn.execute(select(leases_table.c.name).where(leases_table.c.name == name)).first() is None:
                try:
                    with conn.begin_nested():  # another instance may insert it at the same moment
                        conn.execute(insert(leases_table).values(name=name, holder=holder, until=until))
                except IntegrityError:
                    return False
                return True
        return False

    def release_lease(self, name: str, holder: str) -> None:
        """Give a lease back (only if ``holder`` still holds it)."""
        with self._write() as conn:
            conn.execute(delete(leases_table).where(leases_table.c.name == name, leases_table.c.holder == holder))
