"""The lines of one event's header: type label, title, authors, moderators, room, abstract.

Event pages, tutorial/workshop agendas and the children of a poster session all
describe an event by the same lines in a few orders; :func:`read_event_fields`
reads them, whichever order, into :class:`EventFields`:

* a type label ("Spotlight Poster", "Tutorial", "Expo Talk Panel", "In-Person Oral
  presentation / top 5% paper"), first, maybe with the breadcrumb of the event it is
  part of on the next two lines ("in" / "Workshop: …");
* badges that are not the title: award lines ("Outstanding Paper |", "award
  Outstanding Paper", "Outstanding Paper Honorable Mention") and a second type
  label ("Spotlight");
* the title (never a paragraph: a page cut before its title has none), the authors
  (names joined by ``·`` or ``⋅``, or one name), ``Moderator(s) : …``, the room
  (``Hall J (level 1) #302``; a room with a ``#position`` is known anywhere);
* an ``Abstract:`` label (or an ``Abstract`` heading) and the abstract, which ends at
  the next markdown heading or at an author's biography ("Ana Lima (University …)").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .labels import is_author_bio, is_award, is_position_room, is_prose, is_type_label, looks_like_room
from .page import _ABSTRACT_RE, _MODERATOR_RE, _SESSION_LABEL, _TIMEZONE_RE, looks_like_authors, split_names


@dataclass
class EventFields:
    """What an event header says; ``ignored`` holds badge and unread lines (number, text)."""

    type: str | None = None
    title: str | None = None
    title_line: int | None = None
    authors: tuple[str, ...] = ()
    moderators: tuple[str, ...] = ()
    location: str | None = None
    zone_line: tuple[int, str] | None = None
    abstract: list[str] = field(default_factory=list)
    ignored: list[tuple[int, str]] = field(default_factory=list)
    #: Header lines that fit no field (the caller warns about them).
    unread: list[tuple[int, str]] = field(default_factory=list)
    #: The event the page's breadcrumb names ("Oral" / "in" / "Oral Session 3B"), if any.
    parent: str | None = None


def read_event_fields(
    lines: list[tuple[int, str]],
    *,
    headings: set[int] | frozenset[int] = frozenset(),
    fields: EventFields | None = None,
    rooms: bool = True,
) -> EventFields:
    """Read header lines (in page order) into ``fields`` (a new one by default).

    Called again with the same ``fields`` for the lines under an event's time line
    (old style: the title, authors and abstract follow the time). ``rooms=False``
    reads a room only when it carries a ``#position`` (the lines under a time line).

    >>> f = read_event_fields([(1, "Spotlight Poster"), (2, "A Title"), (3, "Ana Lima · Bo Chen"),
    ...                        (4, "Hall A #12"), (5, "Outstanding Paper |"), (6, "Abstract:"), (7, "We show.")])
    >>> f.type, f.title, f.authors, f.location, f.abstract, f.ignored
    ('Spotlight Poster', 'A Title', ('Ana Lima', 'Bo Chen'), 'Hall A #12', ['We show.'], [(5, 'Outstanding Paper |')])
    """
    f = fields if fields is not None else EventFields()
    names = frozenset(f.authors)
    in_abstract = bool(f.abstract)
    stopped = False
    parent_next = False
    for number, text in lines:
        if stopped:
            f.ignored.append((number, text))
            continue
        if parent_next:  # the breadcrumb's parent: "Workshop: …", "Oral Session 3B"; never the title
            f.parent, parent_next = text, False
            f.ignored.append((number, text))
            continue
        if f.type is not None and f.title is None and text.casefold() == "in":
            parent_next = True
            f.ignored.append((number, text))
            continue
        if (m := _TIMEZONE_RE.match(text)) is not None:
            f.zone_line = (number, m.group(1))
            continue
        if (m := _MODERATOR_RE.match(text)) is not None:
            f.moderators += split_names(m.group(1))
            continue
        if (m := _ABSTRACT_RE.match(text)) is not None:
            in_abstract = True
            if m.group(1):
                f.abstract.append(m.group(1))
            continue
        if in_abstract:
            if number in headings or is_author_bio(text, names):
                stopped = True  # "Lay Summary", or the authors' biographies: not the abstract
                f.ignored.append((number, text))
            else:
                f.abstract.append(text)
            continue
        if f.title is None and text.casefold() == _SESSION_LABEL:
            continue  # the "Session" label above a session's title
        if f.type is None and f.title is None and is_type_label(text):
            f.type = text
        elif is_award(text) or (f.title is None and is_type_label(text)):
            f.ignored.append((number, text))  # a badge, never the title
        elif f.location is None and is_position_room(text):
            f.location = text
        elif f.title is None:
            if is_prose(text):  # the page was cut before its title: this is the abstract
                in_abstract = True
                f.abstract.append(text)
            else:
                f.title, f.title_line = text, number
        elif (
            not f.authors and looks_like_authors(text, followed=True) and not is_prose(text) and not looks_like_room(text)
        ):
            f.authors = split_names(text)
            names = frozenset(f.authors)
        elif rooms and f.location is None and not is_prose(text) and len(text) <= 80:
            f.location = text
        elif is_prose(text) or not rooms:
            in_abstract = True
            f.abstract.append(text)
        else:
            f.unread.append((number, text))
    return f
