"""What changed in a talk, as subscribers want to read it: the one owner of the change kinds
and of their texts (the Atom feed of changes and the pages' "What changed" sections).

The store records every change of a talk (``talk_changes``: created, changed with the
changed fields' old and new values, removed, restored). Of those, five kinds matter to
someone who follows a conference in a calendar:

* ``moved`` — its start or end changed (old → new time, in the conference's zone);
* ``retitled`` — its title changed;
* ``room`` — its room changed (its own room, or its session's when it has none of its own);
* ``cancelled`` — it vanished from its page;
* ``added`` — it appeared after the conference's first import (or came back).

A change of only the abstract, authors, type, links or moderators is not listed (the
calendar events still carry it). One :class:`TalkChange` per recorded change; it may be
of several kinds at once (moved and room changed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

#: The kinds, in the order a headline names them.
KINDS = ("added", "cancelled", "moved", "retitled", "room")

_LABELS = {"added": "Added", "cancelled": "Cancelled", "moved": "Moved", "retitled": "Retitled", "room": "Room changed"}


@dataclass(frozen=True)
class TalkState:
    """A talk as it was right before or right after a change (times in the conference's zone)."""

    title: str | None
    start: datetime | None
    end: datetime | None
    room: str | None


@dataclass(frozen=True)
class TalkChange:
    """One recorded change of one talk, classified.

    ``at`` is when calsync saw it (UTC); ``sequence`` the talk's SEQUENCE after it
    (with the talk id, a stable identity of the change); ``before``/``after`` the talk's
    title, times and room around it; ``url`` the talk's page (else its session's).
    """

    conference: str
    talk_id: str
    session_id: str | None
    sequence: int
    at: datetime
    kinds: tuple[str, ...]
    before: TalkState
    after: TalkState
    session_title: str | None
    timezone: str
    url: str | None = None

    @property
    def title(self) -> str:
        """The talk's title after the change (before it, for a cancelled talk)."""
        return self.after.title or self.before.title or "Untitled slot"


def classify(kind: str, fields: Mapping[str, Any], own_room: bool) -> tuple[str, ...]:
    """The kinds of a recorded change (``kind`` and ``fields`` as ``talk_changes`` holds them).

    ``own_room``: whether the talk names its own room (then its session's room does not matter).

    >>> classify("changed", {"start_ts": [1, 2], "end_ts": [3, 4]}, False)
    ('moved',)
    >>> classify("changed", {"title": ["a", "b"], "session.location": ["A", "B"]}, False)
    ('retitled', 'room')
    >>> classify("changed", {"session.location": ["A", "B"]}, True), classify("changed", {"abstract": ["a", "b"]}, False)
    ((), ())
    >>> classify("created", {}, False), classify("restored", {}, False), classify("removed", {}, False)
    (('added',), ('added',), ('cancelled',))
    """
    if kind in ("created", "restored"):
        return ("added",)
    if kind == "removed":
        return ("cancelled",)
    found = set()
    if "start_ts" in fields or "end_ts" in fields:
        found.add("moved")
    if "title" in fields:
        found.add("retitled")
    if "location" in fields or ("session.location" in fields and not own_room):
        found.add("room")
    return tuple(k for k in KINDS if k in found)


def headline(change: TalkChange) -> str:
    """One line naming the kinds and the talk: ``Moved, room changed: Deep Nets``."""
    labels = [_LABELS[k] for k in change.kinds]
    text = ", ".join([labels[0], *(label[0].lower() + label[1:] for label in labels[1:])])
    return f"{text}: {change.title}"


def when(start: datetime | None, end: datetime | None) -> str:
    """A slot in words: ``Tue 14 Jul 2026 11:00–11:20``; the end may be unknown.

    >>> from zoneinfo import ZoneInfo
    >>> z = ZoneInfo("Europe/Vienna")
    >>> when(datetime(2026, 7, 14, 11, 0, tzinfo=z), datetime(2026, 7, 14, 11, 20, tzinfo=z))
    'Tue 14 Jul 2026 11:00–11:20'
    >>> when(datetime(2026, 7, 14, 23, 0, tzinfo=z), datetime(2026, 7, 15, 1, 0, tzinfo=z))
    'Tue 14 Jul 2026 23:00 – Wed 15 Jul 2026 01:00'
    >>> when(datetime(2026, 7, 14, 11, 0, tzinfo=z), None), when(None, None)
    ('Tue 14 Jul 2026 11:00 (end not published)', 'time not published')
    """
    if start is None:
        return "time not published"
    head = f"{start:%a %d %b %Y %H:%M}"
    if end is None:
        return f"{head} (end not published)"
    if end.date() == start.date():
        return f"{head}–{end:%H:%M}"
    return f"{head} – {end:%a %d %b %Y %H:%M}"


def details(change: TalkChange) -> list[str]:
    """The lines that say what changed (old → new), then the session; times in the conference's zone."""
    before, after = change.before, change.after
    lines = []
    if "added" in change.kinds:
        lines.append(f"Added: {when(after.start, after.end)}" + (f", {after.room}" if after.room else ""))
    if "cancelled" in change.kinds:
        lines.append(f"Cancelled; it was {when(before.start, before.end)}" + (f", {before.room}" if before.room else ""))
    if "moved" in change.kinds:
        lines.append(f"Time: {when(before.start, before.end)} → {when(after.start, after.end)}")
    if "retitled" in change.kinds:
        lines.append(f"Title: “{before.title or 'untitled'}” → “{after.title or 'untitled'}”")
    if "room" in change.kinds:
        lines.append(f"Room: {before.room or 'none'} → {after.room or 'none'}")
    lines.append(f"Times in {change.timezone}.")
    if change.session_title:
        lines.append(f"Session: {change.session_title}")
    return lines


def page_rows(changes: Sequence[TalkChange]) -> list[dict[str, Any]]:
    """What a page's "What changed" section lists, newest first: one dict per change.

    Keys: ``at`` (ISO 8601, UTC), ``kinds`` (list), ``headline``, ``details`` (lines),
    ``talk_id``, ``session_id``, ``url`` (may be ``None``).
    """
    return [
        {
            "at": c.at.isoformat(),
            "kinds": list(c.kinds),
            "headline": headline(c),
            "details": details(c),
            "talk_id": c.talk_id,
            "session_id": c.session_id,
            "url": c.url,
        }
        for c in changes
    ]


def last_change(changes: Sequence[TalkChange]) -> datetime | None:
    """When the newest of ``changes`` was seen (UTC), or ``None`` (for X-WR-CALDESC: "last change …")."""
    return max((c.at for c in changes), default=None)


def last_change_note(modified: datetime | None, timezone: str) -> str:
    """The sentence a feed's X-WR-CALDESC ends with: when its data last changed, in the conference's zone.

    ``modified`` is the conference's ``modified`` (raised by every import that changes a
    talk: the time of its newest change) or, for a custom feed, the later of that and the
    feed's own; ``None`` for a feed that never changed.

    >>> from zoneinfo import ZoneInfo
    >>> last_change_note(datetime(2026, 7, 14, 10, 5, tzinfo=ZoneInfo("UTC")), "Europe/Vienna")
    'Last change: Tue 14 Jul 2026 12:05 (Europe/Vienna).'
    >>> last_change_note(None, "UTC")
    'No change since it was published.'
    """
    if modified is None:
        return "No change since it was published."
    return f"Last change: {modified.astimezone(ZoneInfo(timezone)):%a %d %b %Y %H:%M} ({timezone})."
