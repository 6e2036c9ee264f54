"""The store's connection: engine creation for SQLite and PostgreSQL, and the read and
write transaction helpers every part of :class:`~calsync.store.Store` runs its SQL in."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ConfigError, StoreError

#: The store's one logger, named after the package (``calsync.store``) as before the split.
log = logging.getLogger(__package__)


class StoreBase:
    """The engine and transactions; the base of every part of :class:`~calsync.store.Store`."""

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
            with self.engine.connect().execution_options(immediate=True) as conn, conn.begin():
                yield conn
        except SQLAlchemyError as exc:
            log.exception("database write failed")
            raise StoreError(f"database error: {exc.__class__.__name__}") from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except SQLAlchemyError as exc:
            log.exception("database read failed")
            raise StoreError(f"database error: {exc.__class__.__name__}") from None
