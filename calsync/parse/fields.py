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

A whole-page copy puts the site's navigation (or a reader view's header) above the
event: :func:`trim_to_event` finds where the event's own lines start — at its type label.
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
        if f.type is None and (f.title is None or (not f.authors and f.location is None)) and is_type_label(text):
            f.type = text  # the label, above the title or (some captures) right under it
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


def _is_start_label(text: str) -> bool:
    return text.casefold() == _SESSION_LABEL or is_type_label(text)


def _is_session_label(text: str) -> bool:
    folded = text.casefold()
    return folded == _SESSION_LABEL or (folded.endswith(" session") and is_type_label(text))


def event_start(lines: list[tuple[int, str]]) -> int:
    """Index of the line where an event's (or session's) own header starts: its type label
    ("Poster", "Tutorial", "Poster Session", "Session") when only chrome precedes it, else 0.

    The label must be followed by its title (or by the breadcrumb's "in"), come before any
    ``Moderator:``/``Abstract:`` line, and everything above it must look like chrome: no
    names joined by ``·``, no room with a position, no paragraph, no session label, not a
    label right above — so a badge ("Spotlight" under "Poster" or under the title) is never
    taken for the start.

    >>> event_start([(1, "NeurIPS"), (2, "Help/FAQ"), (3, "Poster"), (4, "A Title"), (5, "Ana Lima · Bo Chen")])
    2
    >>> event_start([(1, "Poster"), (2, "A Title"), (3, "Ana Lima · Bo Chen"), (4, "Spotlight"), (5, "Hall A #1")])
    0
    >>> event_start([(1, "Poster"), (2, "Spotlight"), (3, "A Title")])   # a second label is a badge
    0
    """
    texts = [t for _, t in lines]
    best = 0
    for i, text in enumerate(texts):
        if _MODERATOR_RE.match(text) or _ABSTRACT_RE.match(text):
            break
        before = texts[i - 1] if i else ""
        if i and _is_start_label(text) and i + 1 < len(texts) and before.casefold() != "in" and not _is_start_label(before):
            after = texts[i + 1]
            if after.casefold() == "in" or not (
                _is_start_label(after) or is_award(after) or is_prose(after) or _TIMEZONE_RE.match(after)
                or "·" in after or "⋅" in after  # names under the label: its title is above it
            ):
                best = i
        if "·" in text or "⋅" in text or is_position_room(text) or is_prose(text) or _is_session_label(text):
            break  # the event's own content (or a session's label): no chrome below it
    return best


def trim_to_event(lines: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(the header from the event's label on, the chrome above it); ``Timezone:`` lines are kept.

    >>> trim_to_event([(1, "Timezone: »"), (2, "ICML"), (3, "Oral"), (4, "A Title")])
    ([(1, 'Timezone: »'), (3, 'Oral'), (4, 'A Title')], [(2, 'ICML')])
    """
    start = event_start(lines)
    if start == 0:
        return lines, []
    zones = [(n, t) for n, t in lines[:start] if _TIMEZONE_RE.match(t)]
    chrome = [(n, t) for n, t in lines[:start] if not _TIMEZONE_RE.match(t)]
    return zones + lines[start:], chrome
