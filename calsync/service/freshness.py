"""Values kept while their version holds: single flight, a trust period, a version check.

A worker keeps each conference's snapshot and each custom feed's definition; the store
tells their current version with one cheap read. :class:`Versioned` trusts a kept value
for ``ttl`` seconds (``limits.cache_check_seconds``), then asks the version and reloads
only when it moved — handing the loader the value it replaces, so a snapshot can reread
only what changed. :class:`Flights` makes one thread load (or render) a key while the
others wait for it: concurrent first requests would otherwise each build it, and
multiply memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from ..errors import NotFound

V = TypeVar("V")


class Flights:
    """One lock per key while its value is being made; the threads asking meanwhile wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}

    @contextmanager
    def __call__(self, key: Hashable) -> Iterator[None]:
        """Hold ``key``'s flight: check the cache again inside, then make the value."""
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            try:
                yield
            finally:  # landed: later arrivals find the value in the cache
                with self._lock:
                    self._flights.pop(key, None)


class Versioned(Generic[V]):
    """Values by key, each trusted for a while, then reloaded only if its version moved.

    ``current_version(key)`` is the store's version (``None``: gone, a :class:`NotFound`
    saying ``missing``); ``version_of(value)`` the kept value's; ``load(key, previous)``
    makes the value (``previous``: the one it replaces, or ``None``).
    """

    def __init__(
        self,
        current_version: Callable[[str], int | None],
        version_of: Callable[[V], int],
        load: Callable[[str, V | None], V],
        missing: Callable[[str], str],
        flights: Flights,
        clock: Callable[[], float],
    ) -> None:
        self.current_version = current_version
        self.version_of = version_of
        self.load = load
        self.missing = missing
        self.flights = flights
        self.clock = clock
        self._lock = threading.Lock()
        self._values: dict[str, tuple[V, float]] = {}

    def get(self, key: str, ttl: float) -> V:
        """The value of ``key``: as kept if checked less than ``ttl`` seconds ago or its version holds."""
        with self._lock:
            entry = self._values.get(key)
        if entry is not None and self.clock() - entry[1] < ttl:
            return entry[0]
        version = self.current_version(key)
        if version is None:
            self.forget(key)
            raise NotFound(self.missing(key))
        if entry is not None and self.version_of(entry[0]) == version:
            value = entry[0]
        else:
            with self.flights((id(self), key)):
                with self._lock:
                    entry = self._values.get(key)
                if entry is not None and self.version_of(entry[0]) == version:
                    value = entry[0]  # another thread loaded it meanwhile
                else:
                    value = self.load(key, entry[0] if entry is not None else None)
        with self._lock:
            self._values[key] = (value, self.clock())
        return value

    def forget(self, key: str) -> None:
        """Drop a kept value (it is loaded again when next asked for)."""
        with self._lock:
            self._values.pop(key, None)
