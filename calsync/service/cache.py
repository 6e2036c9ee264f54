"""One byte budget for every rendered thing a worker keeps: LRU by size and recency.

Feeds, their gzipped bytes, pages and each event's piece all live in one
:class:`ByteCache`, so whatever sequence of requests arrives (a hundred filters, two
dozen alarm values, random query strings) the worker keeps at most
``limits.cache_megabytes`` of them; the least recently used go first. Entries carry
an optional tag (a conference and its data version) so that the versions a new one
supersedes can be dropped at once rather than aging out.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

#: What an entry costs besides its payload: key tuple, dict and list slots, object headers (bytes).
ENTRY_OVERHEAD = 200
#: After evictions of at least this many bytes, free heap memory is given back to the system.
TRIM_AFTER = 8 * 1024 * 1024


def _malloc_trim() -> None:
    """glibc's ``malloc_trim(0)`` (free pages of the heap back to the system); nothing elsewhere."""


try:
    _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    if hasattr(_libc, "malloc_trim"):
        def _malloc_trim() -> None:
            _libc.malloc_trim(0)
except OSError:  # no C library to load (not glibc): nothing to trim
    pass


class ByteCache:
    """A thread-safe LRU mapping bounded by the total size of its values (bytes).

    A value larger than a quarter of the budget is not kept (it would push out
    everything else); the caller still gets it.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int, Hashable]] = OrderedDict()
        self._tagged: dict[Hashable, set[Hashable]] = {}
        self._evicted = 0  # bytes evicted since the last trim
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Any:
        """The value, or ``None``; a hit makes it the most recently used."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: Any, size: int, tag: Hashable = None) -> Any:
        """Keep ``value`` (``size`` bytes of payload) and evict the least recently used beyond the budget."""
        cost = size + ENTRY_OVERHEAD
        if cost > self.budget // 4:
            with self._lock:
                self._pop(key)  # (a value replacing a kept one that is now too large: the old one goes)
            return value
        with self._lock:
            self._pop(key)
            self._entries[key] = (value, cost, tag)
            self.size += cost
            if tag is not None:
                self._tagged.setdefault(tag, set()).add(key)
            evicted = 0
            while self.size > self.budget and self._entries:
                evicted += self._pop(next(iter(self._entries)))
            self._evicted += evicted
            trim = self._evicted >= TRIM_AFTER
            if trim:
                self._evicted = 0
        if trim:
            _malloc_trim()
        return value

    def _pop(self, key: Hashable) -> int:
        entry = self._entries.pop(key, None)
        if entry is None:
            return 0
        self.size -= entry[1]
        tag = entry[2]
        if tag is not None:
            keys = self._tagged.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._tagged[tag]
        return entry[1]

    def tagged(self, tag: Hashable) -> list[Hashable]:
        """The keys of the entries carrying ``tag``."""
        with self._lock:
            return list(self._tagged.get(tag, ()))

    def drop(self, keys: Iterable[Hashable]) -> int:
        """Drop these entries (those still there); returns how many went."""
        with self._lock:
            there = [k for k in keys if k in self._entries]
            for key in there:
                self._pop(key)
        return len(there)

    def discard(self, keep: Callable[[Hashable, Hashable], bool]) -> int:
        """Drop every entry for which ``keep(key, tag)`` is false; returns how many went."""
        with self._lock:
            gone = [k for k, (_, _, tag) in self._entries.items() if not keep(k, tag)]
            for key in gone:
                self._pop(key)
        return len(gone)

    def clear(self) -> None:
        """Drop everything."""
        with self._lock:
            self._entries.clear()
            self._tagged.clear()
            self.size = 0
