"""Sources (pages a conference is refreshed from), rate limits and leases: the state
shared by every worker and instance."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .base import StoreBase
from .records import SourceState, _ts, _utc
from .schema import leases_table, rate_events_table, sources_table


class SourceMixin(StoreBase):
    """Sources and their state, counted events for rate limits, leases."""

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
