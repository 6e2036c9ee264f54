"""Short event descriptions for compact feeds (``compact=1``): what fits Google's 1 MB.

A compact description keeps what a person needs to find the talk — the first five
authors (then "et al."), its type, its session with the moderator(s), its room, and its
link — and leaves out the abstract, which is most of a full feed's bytes. Pure: it
imports only the model, so :mod:`calsync.ical` can call it without a cycle::

    description = (compact_talk_description(talk, session) if options.compact
                   else build_talk_description(talk, session, options))

The lines use the same labels as the full descriptions (``Authors:``, ``Type:``,
``Session:``, ``Moderator(s):``, ``Room:``), so a reader sees the same shape in both.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Session, Talk, web_url

#: Authors named in a compact description; more become "et al.".
MAX_AUTHORS = 5


def people_line(label: str, names: Sequence[str]) -> str | None:
    """``Label: a, b`` (``Labels:`` for several), or ``None`` for nobody.

    >>> people_line("Moderator", ["Ana Lima"]), people_line("Moderator", ["A", "B"]), people_line("Moderator", [])
    ('Moderator: Ana Lima', 'Moderators: A, B', None)
    """
    if not names:
        return None
    return f"{label}{'s' if len(names) > 1 else ''}: {', '.join(names)}"


def short_authors(authors: Sequence[str], limit: int = MAX_AUTHORS) -> str | None:
    """The first ``limit`` authors, then "et al." when there are more.

    >>> short_authors(["A", "B"]), short_authors([f"P{i}" for i in range(7)]), short_authors([])
    ('A, B', 'P0, P1, P2, P3, P4 et al.', None)
    """
    if not authors:
        return None
    shown = ", ".join(authors[:limit])
    return shown + (" et al." if len(authors) > limit else "")


def compact_talk_description(talk: Talk, session: Session, limit: int = MAX_AUTHORS) -> str:
    """The compact DESCRIPTION of a talk: authors (at most ``limit``), type, session, moderator(s), room, link.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> start = datetime(2026, 7, 14, 9, 0, tzinfo=ZoneInfo("Europe/Vienna"))
    >>> t = Talk(id="t1", start=start, end=None, title="Deep Nets", type="Oral", authors=tuple("ABCDEFG"),
    ...          abstract="Long text.", url="https://icml.cc/virtual/2026/oral/1")
    >>> s = Session(id="s", title="Orals 1", timezone="Europe/Vienna", talks=(t,), location="Hall A", moderators=("Ana",))
    >>> print(compact_talk_description(t, s))
    Authors: A, B, C, D, E et al.
    Type: Oral
    Session: Orals 1
    Moderator: Ana
    Room: Hall A
    End time not published.
    https://icml.cc/virtual/2026/oral/1
    """
    authors = short_authors(talk.authors, limit)
    room = talk.location or session.location
    lines = [
        f"Authors: {authors}" if authors else None,
        f"Type: {talk.type}" if talk.type else None,
        f"Session: {session.title}",
        people_line("Moderator", session.moderators),
        f"Room: {room}" if room else None,
        "End time not published." if talk.end is None else None,
        web_url(talk.url) or web_url(session.source_url),
    ]
    return "\n".join(line for line in lines if line)
