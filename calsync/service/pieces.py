"""The worker's event pieces: each event's bytes once per revision, within the byte budget.

:func:`calsync.ical.assemble_feed` asks its cache for each event's
:class:`~calsync.ical.EventPiece` under ``((kind, id, SEQUENCE, LAST-MODIFIED, CREATED,
extra), token)``, where the token (:func:`calsync.ical.piece_token`) names the options
that change an event's fixed lines (host, conference, default duration) — not the view
(``talks``/``sessions`` choose events), the alarm (added when the feed is assembled) nor
``abstracts``/``compact``/``speakers`` (they choose among a piece's variant lines, all
written with it). So every view, alarm value, filter and description
variant of a warm conference is an assembly of the same pieces, and the bytes are those
of a render from scratch (``tests/test_service_cache.py``, ``tests/test_ical_writer.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from ..ical import EventPiece
from .cache import ByteCache

PieceKey = tuple[object, ...]

#: What a piece costs beyond its lines and the cache's own per-entry overhead: the piece
#: object, its tuples, the headers of its byte strings (every variant's: ~14 a talk), its
#: key (measured with tracemalloc on 2,000 talks' pieces: ~820 bytes besides the key's tuple).
PIECE_OVERHEAD = 900


def piece_tag(item_id: str) -> tuple[str, str]:
    """The tag of every cached piece of one talk or session (all its revisions and options)."""
    return ("piece", item_id)


def piece_revision(key: PieceKey) -> tuple[object, object]:
    """(SEQUENCE, LAST-MODIFIED) of a piece's key: what tells a stale piece from a current one."""
    slot = key[0]
    assert isinstance(slot, tuple)
    return slot[2], slot[3]


def piece_item(key: PieceKey) -> str:
    """The talk or session id of a piece's key."""
    slot = key[0]
    assert isinstance(slot, tuple)
    return str(slot[1])


class PieceView(MutableMapping[PieceKey, EventPiece]):
    """The piece cache :func:`calsync.ical.assemble_feed` sees, over the worker's :class:`ByteCache`.

    Counts the pieces written for this view (:attr:`built`).
    """

    def __init__(self, cache: ByteCache) -> None:
        self.cache = cache
        self.built = 0

    def get(self, key: PieceKey, default: EventPiece | None = None) -> EventPiece | None:  # type: ignore[override]
        found: EventPiece | None = self.cache.get(key)
        return default if found is None else found

    def __getitem__(self, key: PieceKey) -> EventPiece:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __setitem__(self, key: PieceKey, value: EventPiece) -> None:
        self.built += 1
        self.cache.put(key, value, value.size + PIECE_OVERHEAD, tag=piece_tag(piece_item(key)))

    def __delitem__(self, key: PieceKey) -> None:
        raise TypeError("pieces are dropped by the byte budget, not one by one")

    def __iter__(self) -> Iterator[PieceKey]:
        return iter(())

    def __len__(self) -> int:
        return 0
