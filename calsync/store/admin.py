"""What organisers change: a conference's name, slug, year, zone and days; its sources;
deleting a conference (and the sample, remembered as removed).

A conference's days (first and last) have no column of the ``conferences`` table: they
live in :data:`conference_settings`, one row per conference that has them, deleted with
it. Its table is created by :meth:`~calsync.store.schema.SchemaMixin.migrate` like every
other (``metadata.create_all``), so an older database gains it on the next start.

Every change that a feed or a page shows raises the conference's data version, so the
feed caches of every worker and instance see it (:mod:`calsync.service`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    ForeignKeyConstraint,
    String,
    Table,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from ..errors import ApiError, NotFound
from .base import StoreBase, log
from .checks import (
    check_days,
    check_name,
    check_slug,
    check_source_url,
    check_year,
    check_zone,
    parse_day,
    parse_whole,
)
from .records import _ts
from .schema import (
    conferences,
    feeds_table,
    meta_table,
    metadata,
    sessions_table,
    sources_table,
    talk_changes,
    talks_table,
)

#: The meta key set when an organiser removed the sample conference (for the bootstrap to honour).
SAMPLE_REMOVED_KEY = "sample_removed"

conference_settings = Table(
    "conference_settings",
    metadata,
    Column("conference", String(100), primary_key=True),
    Column("first_day", String(10)),
    Column("last_day", String(10)),
    ForeignKeyConstraint(["conference"], ["conferences.slug"], ondelete="CASCADE"),
)


class _Unset:
    """The marker of an argument not given (``None`` means "clear it")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class Deleted:
    """What deleting a conference removed (counts)."""

    slug: str
    sessions: int
    talks: int
    feeds: int
    sources: int


class AdminMixin(StoreBase):
    """Organisers' operations on conferences and sources; the conference's days."""

    # -- days -------------------------------------------------------------------

    def get_days(self, slug: str) -> tuple[date | None, date | None]:
        """A conference's first and last day as stored here (``(None, None)`` when not set)."""
        with self._read() as conn:
            row = conn.execute(select(conference_settings).where(conference_settings.c.conference == slug)).first()
        if row is None or not row.first_day:
            return None, None
        return date.fromisoformat(row.first_day), date.fromisoformat(row.last_day) if row.last_day else None

    @staticmethod
    def _set_days(conn: Connection, slug: str, first: date | None, last: date | None) -> None:
        conn.execute(delete(conference_settings).where(conference_settings.c.conference == slug))
        if first is not None:
            conn.execute(insert(conference_settings).values(
                conference=slug, first_day=first.isoformat(), last_day=(last or first).isoformat()))

    # -- editing ----------------------------------------------------------------

    def update_conference(
        self,
        slug: str,
        now: datetime,
        *,
        name: Any = UNSET,
        year: Any = UNSET,
        timezone: Any = UNSET,
        days: Any = UNSET,
    ) -> None:
        """Change what is given: ``name``, ``year`` (``None`` clears it), ``timezone``,
        ``days`` (``(first, last)``, ``(None, None)`` clears them), in one transaction.

        A new zone shows the same instants in that zone: every session takes it, and
        every talk and session gets SEQUENCE + 1 and a new LAST-MODIFIED (their events'
        bytes change), so calendar clients take the new form. Raises :class:`NotFound`
        and :class:`~calsync.errors.ApiError` (bad values).
        """
        values: dict[str, Any] = {}
        if name is not UNSET:
            values["name"] = check_name(name)
        if year is not UNSET:
            check_year(year)
            values["year"] = year
        if timezone is not UNSET:
            values["timezone"] = check_zone(timezone)
        if days is not UNSET:
            check_days(*days)
        stamp = _ts(now)
        with self._write() as conn:
            row = conn.execute(select(conferences).where(conferences.c.slug == slug)).first()
            if row is None:
                raise NotFound(f"no conference {slug!r}")
            if timezone is not UNSET and timezone != row.timezone:
                rezoned = {"sequence": sessions_table.c.sequence + 1, "modified": stamp, "timezone": timezone}
                conn.execute(update(sessions_table).where(sessions_table.c.conference == slug).values(**rezoned))
                conn.execute(
                    update(talks_table)
                    .where(talks_table.c.conference == slug)
                    .values(sequence=talks_table.c.sequence + 1, modified=stamp)
                )
            if days is not UNSET:
                self._set_days(conn, slug, *days)
            conn.execute(
                update(conferences)
                .where(conferences.c.slug == slug)
                .values(version=conferences.c.version + 1, modified=stamp, **values)
            )
        log.info("conference %s edited: %s", slug, ", ".join(sorted([*values, *(["days"] if days is not UNSET else [])])))

    def edit_conference(self, slug: str, values: Mapping[str, Any], now: datetime) -> str:
        """Apply an organiser's edit as given by a form or a JSON body (``name``, ``year`` — empty
        clears it —, ``timezone``, ``first_day``/``last_day`` as YYYY-MM-DD, ``slug``); returns the
        slug after it. Checked before anything is written: a bad value changes nothing."""
        changes: dict[str, Any] = {}
        if "name" in values:
            changes["name"] = check_name(values["name"])
        if "year" in values:
            changes["year"] = parse_whole(values["year"], "year")
            check_year(changes["year"])
        if "timezone" in values:
            changes["timezone"] = check_zone(values["timezone"])
        if "first_day" in values or "last_day" in values:
            changes["days"] = (parse_day(values.get("first_day"), "first_day"), parse_day(values.get("last_day"), "last_day"))
            check_days(*changes["days"])
        new_slug = values.get("slug") or slug
        check_slug(new_slug)
        if new_slug != slug and self.find_conference(new_slug) is not None:  # type: ignore[attr-defined]
            raise ApiError(f"a conference {new_slug!r} exists already")
        self.update_conference(slug, now, **changes)
        self.rename_conference(slug, new_slug, now)
        return str(new_slug)

    def add_conference_source(self, slug: str, url: Any) -> str:
        """Add a source URL (checked by :func:`check_source_url`) to an existing conference; the URL."""
        checked = check_source_url(url)
        with self._write() as conn:
            if conn.execute(select(conferences.c.slug).where(conferences.c.slug == slug)).first() is None:
                raise NotFound(f"no conference {slug!r}")
            exists = conn.execute(
                select(sources_table.c.url).where(sources_table.c.conference == slug, sources_table.c.url == checked)
            ).first()
            if exists is None:
                conn.execute(insert(sources_table).values(conference=slug, url=checked))
        log.info("source added to %s: %s", slug, checked)
        return checked

    def rename_conference(self, slug: str, new_slug: str, now: datetime) -> None:
        """Give a conference a new slug (its pages and feeds move to new URLs), in one transaction.

        Sessions, talks (their ids, so their UIDs, stay), history, sources, days and the
        custom feeds that draw from it all move. Raises :class:`NotFound`, and
        :class:`~calsync.errors.ApiError` when ``new_slug`` is taken or malformed.
        """
        check_slug(new_slug)
        if new_slug == slug:
            return
        stamp = _ts(now)
        with self._write() as conn:
            if conn.execute(select(conferences.c.slug).where(conferences.c.slug == slug)).first() is None:
                raise NotFound(f"no conference {slug!r}")
            if conn.execute(select(conferences.c.slug).where(conferences.c.slug == new_slug)).first() is not None:
                raise ApiError(f"a conference {new_slug!r} exists already")
            # Foreign keys cannot be deferred everywhere (PostgreSQL's are not deferrable): copy
            # the rows under the new slug, then delete the old ones, children first.
            for table, key in (
                (conferences, "slug"),
                (conference_settings, "conference"),
                (sessions_table, "conference"),
                (talks_table, "conference"),
                (sources_table, "conference"),
            ):
                names = [c.name for c in table.columns]
                chosen = [literal(new_slug).label(key) if n == key else table.c[n] for n in names]
                conn.execute(insert(table).from_select(names, select(*chosen).where(table.c[key] == slug)))
            for table in (talks_table, sessions_table, sources_table, conference_settings):
                conn.execute(delete(table).where(table.c.conference == slug))
            conn.execute(delete(conferences).where(conferences.c.slug == slug))
            conn.execute(update(talk_changes).where(talk_changes.c.conference == slug).values(conference=new_slug))
            conn.execute(
                update(feeds_table)
                .where(feeds_table.c.conference == slug)
                .values(conference=new_slug, version=feeds_table.c.version + 1, modified=stamp)
            )
            conn.execute(
                update(conferences)
                .where(conferences.c.slug == new_slug)
                .values(version=conferences.c.version + 1, modified=stamp)
            )
        log.info("conference %s renamed to %s", slug, new_slug)

    def delete_conference(self, slug: str) -> Deleted:
        """Delete a conference with its sessions, talks, history, sources, days and the custom
        feeds drawn from it (their URLs then answer 404), in one transaction."""
        with self._write() as conn:
            if conn.execute(select(conferences.c.slug).where(conferences.c.slug == slug)).first() is None:
                raise NotFound(f"no conference {slug!r}")

            def count(table: Table, column: str) -> int:
                return int(conn.execute(select(func.count()).select_from(table).where(table.c[column] == slug)).scalar_one())

            deleted = Deleted(
                slug=slug,
                sessions=count(sessions_table, "conference"),
                talks=count(talks_table, "conference"),
                feeds=count(feeds_table, "conference"),
                sources=count(sources_table, "conference"),
            )
            # Children first: the cascades are the schema's promise, this does not rely on them.
            for table in (talks_table, sessions_table, sources_table, conference_settings, talk_changes, feeds_table):
                conn.execute(delete(table).where(table.c.conference == slug))
            conn.execute(delete(conferences).where(conferences.c.slug == slug))
        log.info("conference %s deleted: %s", slug, deleted)
        return deleted

    def stored_sessions(self, slug: str) -> list[tuple[str, str, str | None]]:
        """The (id, title, room) of a conference's stored sessions (cheap: no talks read)."""
        with self._read() as conn:
            rows = conn.execute(
                select(sessions_table.c.id, sessions_table.c.title, sessions_table.c.location)
                .where(sessions_table.c.conference == slug)
            ).all()
        return [(r.id, r.title, r.location) for r in rows]

    # -- sources ----------------------------------------------------------------

    def remove_source(self, slug: str, url: str) -> None:
        """Forget a stored source (its imported talks stay); :class:`NotFound` when it is not one."""
        with self._write() as conn:
            done = conn.execute(
                delete(sources_table).where(sources_table.c.conference == slug, sources_table.c.url == url)
            )
            if done.rowcount == 0:
                raise NotFound(f"{url!r} is not a stored source of {slug!r}")
            self._drop_listed_source(conn, slug, url)
        log.info("source removed from %s: %s", slug, url)

    @staticmethod
    def _drop_listed_source(conn: Connection, slug: str, url: str) -> None:
        """Drop ``url`` from the conference row's own list of sources (the sample's files, a config's)."""
        row = conn.execute(select(conferences.c.sources).where(conferences.c.slug == slug)).first()
        if row is None:
            return
        listed = json.loads(row.sources or "[]")
        if url in listed:
            conn.execute(
                update(conferences).where(conferences.c.slug == slug).values(sources=json.dumps([u for u in listed if u != url]))
            )

    # -- the sample -------------------------------------------------------------

    def mark_sample_removed(self) -> None:
        """Remember that an organiser removed the sample (it is not loaded into an empty database again)."""
        with self._write() as conn:
            exists = conn.execute(select(meta_table.c.key).where(meta_table.c.key == SAMPLE_REMOVED_KEY)).first()
            if exists is None:
                conn.execute(insert(meta_table).values(key=SAMPLE_REMOVED_KEY, value="1"))

    def sample_removed(self) -> bool:
        """Whether an organiser removed the sample conference."""
        with self._read() as conn:
            return conn.execute(select(meta_table.c.key).where(meta_table.c.key == SAMPLE_REMOVED_KEY)).first() is not None
