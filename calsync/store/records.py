"""What the store hands out: the records (frozen dataclasses) of conferences, snapshots,
imports, sources and stored custom feeds, and the conversions of stored times (Unix seconds, UTC).

What a custom feed contains (:class:`~calsync.feedspec.FeedSpec`) is defined, and validated,
in :mod:`calsync.feedspec`; the store only keeps it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..feedspec import FeedSpec
from ..ical import Revision
from ..model import Session, Talk


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def _utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


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
    #: Each session's stored start (Unix seconds): the order of ``sessions`` is (start, id).
    starts: dict[str, int] = field(default_factory=dict)
    #: Talk and session ids read again when this snapshot was made from the one before
    #: (:meth:`~calsync.store.Store.load_snapshot` with ``previous``); ``None`` after a full read.
    reloaded: frozenset[str] | None = None
    #: The lookups by id when the maker has them already (a snapshot made from the one before).
    index: tuple[dict[str, Session], dict[str, tuple[Session, Talk]]] | None = field(
        default=None, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        # Indexes for lookups by id (a snapshot is read-only once made).
        if self.index is None:
            sessions = {s.id: s for s in self.sessions}
            talks = {t.id: (s, t) for s in self.sessions for t in s.talks}
            object.__setattr__(self, "index", (sessions, talks))
        assert self.index is not None
        object.__setattr__(self, "_sessions", self.index[0])
        object.__setattr__(self, "_talks", self.index[1])

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
    #: Stored sessions whose own fields (an abstract, the order of their talks) or talks changed.
    sessions_changed: list[str] = field(default_factory=list)

    @property
    def touched(self) -> bool:
        """Whether anything changed (and so the conference's version was raised)."""
        return bool(self.created or self.changed or self.removed or self.sessions_created or self.sessions_changed)

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
class StoredFeed:
    """A custom feed as stored (the edit key only as its hash)."""

    token: str
    spec: FeedSpec
    version: int
    created: datetime
    modified: datetime
