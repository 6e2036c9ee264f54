"""Custom feeds: create, read, edit (with the edit key, stored hashed), rotate, delete."""

from __future__ import annotations

import hmac
import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from ..errors import NotFound
from ..feedspec import FeedSpec
from .base import StoreBase
from .records import StoredFeed, _ts, _utc, hash_key
from .schema import feeds_table


class FeedMixin(StoreBase):
    """Custom feeds."""

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
