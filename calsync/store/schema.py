"""The schema: tables, its version, the compared field lists, and migrations
(:meth:`SchemaMixin.migrate`), with the store's health checks."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ConfigError, StoreError
from .base import StoreBase
from .records import _ts

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


#: How long a new SQLite file's switch to WAL waits for another process's first write (seconds).
WAL_SWITCH_SECONDS = 30.0


def _switch_to_wal(raw: Any, wait: float = WAL_SWITCH_SECONDS) -> None:
    """Put a SQLite database in WAL mode, waiting while another connection holds a lock.

    SQLite answers a journal-mode switch with "database is locked" at once, busy timeout
    or not, while another connection writes in the old mode: two gunicorn workers starting
    on a new file (one already creating the schema) would make the other fail to boot.
    A database already in WAL mode needs no switch.
    """
    deadline = time.monotonic() + wait
    waited = False
    while True:
        try:
            cursor = raw.cursor()
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
            if not waited:
                log.info("the SQLite database is being written by another connection; waiting to switch it to WAL")
                waited = True
            time.sleep(0.05)


class SchemaMixin(StoreBase):
    """Creating and upgrading the schema; proving the store works."""

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
                _switch_to_wal(raw)
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
