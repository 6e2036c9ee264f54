"""Event pieces shared by every variant of a feed: presentation options applied at assembly.

:func:`calsync.ical.render_calendar` asks its cache for each event's bytes under
``(kind, id, SEQUENCE, LAST-MODIFIED, extra, options)``. :class:`PieceView` is that
cache for one feed: it keeps each event's bytes once per revision under the options
that change them (host, abstracts, default duration…), not under those that only
choose or decorate events:

* ``talks`` / ``sessions`` (``view=``) choose which events a feed has, never their bytes;
* ``alarm_minutes`` adds a VALARM as the event's last component (not to breaks), whose
  DESCRIPTION is the event's SUMMARY (:func:`calsync.ical._alarm`). An alarm variant is made from the
  plain piece by :class:`AlarmSplicer`, which learns the VALARM's bytes for one
  (kind, minutes) from the first event icalendar renders with that alarm, checks that
  the plain piece plus that block gives exactly icalendar's bytes, and then writes the
  block for every other event with the event's own SUMMARY, folded as icalendar folds.

So a new alarm value or view of a warm conference costs an assembly, not a render of
every event; the bytes are the same as rendering from scratch (``tests/test_service_cache.py``).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable, Iterator, MutableMapping
from dataclasses import replace

from ..ical import FeedOptions
from ..icalfold import fold
from .cache import ByteCache

_END_EVENT = b"END:VEVENT\r\n"
_BEGIN_ALARM = b"BEGIN:VALARM\r\n"
_SUMMARY = b"\r\nSUMMARY:"

PieceKey = tuple[object, ...]


@functools.lru_cache(maxsize=256)
def base_options(options: FeedOptions) -> FeedOptions:
    """The options an event's own bytes depend on: the view and the alarm left out."""
    return replace(options, talks=True, sessions=False, alarm_minutes=None)


def summary_text(piece: bytes) -> bytes | None:
    """The SUMMARY value of a serialized VEVENT (escaped as written, unfolded), or ``None``."""
    start = piece.find(_SUMMARY)
    if start < 0:
        return None
    start += len(_SUMMARY)
    end = piece.find(b"\r\n", start)
    while end >= 0 and piece[end + 2 : end + 3] in (b" ", b"\t"):
        end = piece.find(b"\r\n", end + 2)
    if end < 0:
        return None
    return piece[start:end].replace(b"\r\n ", b"").replace(b"\r\n\t", b"")


def _description_line(summary: bytes) -> bytes:
    return fold("DESCRIPTION:" + summary.decode("utf-8")).encode("utf-8") + b"\r\n"


class AlarmSplicer:
    """VALARM blocks learned from icalendar's own output, one per (event kind, minutes)."""

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, int], tuple[bytes, bytes]] = {}
        self._lock = threading.Lock()

    def learn(self, kind: str, minutes: int, rendered: bytes) -> bytes | None:
        """The plain piece inside ``rendered`` (an event icalendar wrote with the alarm), or ``None``.

        Learns the block around the alarm's DESCRIPTION line when the plain piece plus the
        block rebuilds ``rendered`` exactly.
        """
        at = rendered.rfind(_BEGIN_ALARM)
        if at < 0 or not rendered.endswith(_END_EVENT):
            return None
        plain = rendered[:at] + _END_EVENT
        block = rendered[at : -len(_END_EVENT)]
        summary = summary_text(plain)
        if summary is None:
            return None
        line = _description_line(summary)
        head, found, tail = block.partition(line)
        if not found or line in tail:
            return None
        if b"".join([plain[: -len(_END_EVENT)], head, line, tail, _END_EVENT]) != rendered:
            return None
        with self._lock:
            self._blocks.setdefault((kind, minutes), (head, tail))
        return plain

    def splice(self, kind: str, minutes: int, plain: bytes) -> bytes | None:
        """``plain`` with its VALARM ``minutes`` before, or ``None`` when not learned yet."""
        block = self._blocks.get((kind, minutes))
        summary = summary_text(plain) if block is not None else None
        if block is None or summary is None:
            return None
        head, tail = block
        return b"".join([plain[: -len(_END_EVENT)], head, _description_line(summary), tail, _END_EVENT])


class PieceView(MutableMapping[PieceKey, bytes]):
    """The piece cache :func:`calsync.ical.render_calendar` sees, over the worker's :class:`ByteCache`.

    A key is ``(kind, id, revision…, extra, options)`` (options last). ``takes_alarm(kind, id)``
    says whether that event gets a VALARM when the feed has one (breaks do not); an event it
    does not know is rendered by icalendar.
    """

    def __init__(self, cache: ByteCache, alarms: AlarmSplicer, takes_alarm: Callable[[str, str], bool | None]) -> None:
        self.cache = cache
        self.alarms = alarms
        self.takes_alarm = takes_alarm
        self.built = 0  # pieces icalendar rendered for this view (misses)
        self._options: object = None
        self._base_options = FeedOptions()
        self._alarm: int | None = None

    def _split(self, key: PieceKey) -> tuple[Hashable, int | None]:
        options = key[-1]
        if options is not self._options:  # one feed's render passes the same options for every event
            assert isinstance(options, FeedOptions)
            self._options, self._base_options, self._alarm = options, base_options(options), options.alarm_minutes
        return ("piece", *key[:-1], self._base_options), self._alarm

    def get(self, key: PieceKey, default: bytes | None = None) -> bytes | None:  # type: ignore[override]
        base, minutes = self._split(key)
        plain: bytes | None = self.cache.get(base)
        if plain is None or minutes is None:
            return plain if plain is not None else default
        kind, item = str(key[0]), str(key[1])
        wanted = self.takes_alarm(kind, item)
        if wanted is None:
            return default
        if not wanted:
            return plain
        spliced = self.alarms.splice(kind, minutes, plain)
        return default if spliced is None else spliced

    def __getitem__(self, key: PieceKey) -> bytes:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __setitem__(self, key: PieceKey, value: bytes) -> None:
        self.built += 1
        base, minutes = self._split(key)
        plain: bytes | None = value
        if minutes is not None:
            wanted = self.takes_alarm(str(key[0]), str(key[1]))
            if wanted is None:
                return
            plain = self.alarms.learn(str(key[0]), minutes, value) if wanted else value
        if plain is not None:
            self.cache.put(base, plain, len(plain), tag=("piece", key[1]))

    def __delitem__(self, key: PieceKey) -> None:
        raise TypeError("pieces are dropped by the byte budget, not one by one")

    def __iter__(self) -> Iterator[PieceKey]:
        return iter(())

    def __len__(self) -> int:
        return 0
