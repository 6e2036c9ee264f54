"""One byte budget for every rendered thing a worker keeps: LRU by size and recency.

Feeds, their gzipped bytes, pages and each event's piece all live in one
:class:`ByteCache`, so whatever sequence of requests arrives (a hundred filters, two
dozen alarm values, random query strings) the worker keeps at most
``limits.cache_megabytes`` of them; the least recently used go first. Entries carry
an optional tag (a conference and its data version) so that the versions a new one
supersedes can be dropped at once rather than aging out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

#: What an entry costs besides its payload: key tuple, dict and list slots, object headers (bytes).
ENTRY_OVERHEAD = 200


class ByteCache:
    """A thread-safe LRU mapping bounded by the total size of its values (bytes).

    A value larger than a quarter of the budget is not kept (it would push out
    everything else); the caller still gets it.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int, Hashable]] = OrderedDict()
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
            return value
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (value, cost, tag)
            self.size += cost
            while self.size > self.budget and self._entries:
                _, (_, dropped, _) = self._entries.popitem(last=False)
                self.size -= dropped
        return value

    def discard(self, keep: Callable[[Hashable, Hashable], bool]) -> int:
        """Drop every entry for which ``keep(key, tag)`` is false; returns how many went."""
        with self._lock:
            gone = [k for k, (_, _, tag) in self._entries.items() if not keep(k, tag)]
            for key in gone:
                self.size -= self._entries.pop(key)[1]
        return len(gone)

    def clear(self) -> None:
        """Drop everything."""
        with self._lock:
            self._entries.clear()
            self.size = 0
