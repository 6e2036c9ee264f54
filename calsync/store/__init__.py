"""The store: conferences, sessions, talks, their change history, and custom feeds.

SQLAlchemy Core over SQLite by default (a file) or PostgreSQL (the same code).
The store keeps each talk's identity across imports: a talk whose time or title
changes keeps its id (and so its UID) and gets SEQUENCE + 1 and a new
LAST-MODIFIED; an unchanged talk keeps all three, so its bytes do not change.
Every import runs in one transaction.

Times are stored as Unix seconds (UTC) with the IANA zone beside them.

One module per job, composed here into the one :class:`Store`:

* :mod:`.schema` — tables, :data:`SCHEMA_VERSION`, the compared field lists, migrations;
* :mod:`.records` — the records the store hands out (:class:`Conference`, :class:`Snapshot`,
  :class:`ImportReport`, :class:`SourceState`, :class:`StoredFeed`); what a custom feed
  contains, :class:`~calsync.feedspec.FeedSpec`, is :mod:`calsync.feedspec`'s (re-exported here);
* :mod:`.base` — the engine (SQLite or PostgreSQL) and the read/write transactions;
* :mod:`.importer` — importing schedules: talk identity across imports, history;
* :mod:`.snapshots` — conferences and the snapshot feeds are rendered from;
* :mod:`.feeds` — custom feeds;
* :mod:`.sources` — sources, rate limits, leases;
* :mod:`.admin` — organisers' changes: a conference's name, slug, year, zone and days, deletion;
* :mod:`.checks` — the checks of what organisers and the browser give (no SQL);
* :mod:`.drafts` — previews of the browser's "add a conference", kept until confirmed;
* :mod:`.changes` — the recent changes of talks (the feed of changes, "What changed").
"""

from __future__ import annotations

from ..errors import StoreError
from ..feedspec import FeedSpec
from .admin import AdminMixin, Deleted
from .changes import ChangesMixin
from .drafts import Draft, DraftMixin
from .feeds import FeedMixin
from .importer import ImportMixin, talk_keys
from .records import Conference, ImportReport, Snapshot, SourceState, StoredFeed, hash_key
from .schema import (
    SCHEMA_VERSION,
    SESSION_FIELDS,
    SESSION_SHARED_FIELDS,
    TALK_FIELDS,
    SchemaMixin,
    conferences,
    feeds_table,
    leases_table,
    meta_table,
    metadata,
    rate_events_table,
    sessions_table,
    sources_table,
    talk_changes,
    talks_table,
)
from .snapshots import SnapshotMixin
from .sources import SourceMixin

__all__ = [
    "SCHEMA_VERSION",
    "SESSION_FIELDS",
    "SESSION_SHARED_FIELDS",
    "TALK_FIELDS",
    "Conference",
    "Deleted",
    "Draft",
    "FeedSpec",
    "ImportReport",
    "Snapshot",
    "SourceState",
    "Store",
    "StoreError",
    "StoredFeed",
    "conferences",
    "feeds_table",
    "hash_key",
    "leases_table",
    "meta_table",
    "metadata",
    "rate_events_table",
    "sessions_table",
    "sources_table",
    "talk_changes",
    "talk_keys",
    "talks_table",
]


class Store(SchemaMixin, SnapshotMixin, ImportMixin, FeedMixin, SourceMixin, AdminMixin, DraftMixin, ChangesMixin):
    """Access to the database; one per process (it holds the connection pool)."""
