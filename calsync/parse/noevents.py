"""Pages with nothing to import, and the one line that says why.

A page without a time line of its own imports nothing; :func:`explain_no_events`
builds the :class:`~calsync.errors.NoEvents` that says so, naming what the page is:

* a **deadlines table** (``| Abstract Submission Deadline | Jan 23 '26 (Anywhere on
  Earth) |``) — dates, not a schedule (:func:`deadlines_line` finds one first, even
  when some of its cells would read as times);
* an **event page** (a type label, or author information) whose time is not shown —
  or whose only time belongs to a *related* event (a "Related Events" block);
* a **session page** that lists its talks without times;
* a **text page** whose only time sits inside running text ("Paper Presentation:
  Thursday, 22 June, 3:20 p.m. PDT, East Exhibit Halls A-B") — never read as an event.
"""

from __future__ import annotations

import re

from ..errors import NoEvents
from .fields import trim_to_event
from .labels import is_position_room, is_prose, is_type_label
from .page import _MODERATOR_RE, _SESSION_LABEL, _TIMEZONE_RE, looks_like_authors
from .prepare import Prepared
from .timeline import MONTHS, match_time_line

_DATE_RE = re.compile(
    r"\b(?:" + "|".join(MONTHS) + r")[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b|\b\d{1,2}\s+(?:" + "|".join(MONTHS) + r")",
    re.I,
)
_DEADLINE_RE = re.compile(
    r"deadline|anywhere on earth|\baoe\b|submission|notification|camera[- ]ready|due date|\bopens?\b", re.I
)
#: A clock time inside text: "3:20 p.m.", "11:59 AM", "14:30".
_PROSE_TIME_RE = re.compile(r"\b\d{1,2}(?::\d\d)?\s?[ap]\.?m\b\.?|\b\d{1,2}:\d\d\b", re.I)
#: The sites' deadline dates: "Jan 23 '26", "Feb 01 '24 11:59 AM UTC".
_SITE_DEADLINE_RE = re.compile(r"\b(?:" + "|".join(MONTHS) + r")[a-z]*\.?\s+\d{1,2}\s+'\d\d\b", re.I)
#: How many dated deadline lines make a deadlines table.
DEADLINE_LINES = 3


def deadlines_line(lines: list[tuple[int, str]]) -> tuple[int, str] | None:
    """The first line of a deadlines table, when the page is one (else ``None``).

    At least :data:`DEADLINE_LINES` lines name a date and a deadline word, and they are
    most of the page's dated lines; or at least as many give dates in the sites' deadline
    form ("Jan 23 '26").

    >>> rows = [(1, "| Abstract Deadline | Jan 23 '26 (Anywhere on Earth) |"),
    ...         (2, "| Paper Deadline | Jan 28 '26 (Anywhere on Earth) |"), (3, "| Registration Opens | Jun 15 '26 |")]
    >>> deadlines_line(rows)
    (1, "| Abstract Deadline | Jan 23 '26 (Anywhere on Earth) |")
    >>> deadlines_line([(1, "Expo Day: Sun Jul 21st"), (2, "Tutorials: Mon Jul 22nd"), (3, "Workshops: Fri Jul 26th"),
    ...                 (4, "Paper Deadline Feb 01 '24"), (5, "Reviews Due Mar 15 '24"), (6, "Author Notification May 01 '24")])
    (4, "Paper Deadline Feb 01 '24")
    """
    dated = [(n, t) for n, t in lines if len(t) < 400 and _DATE_RE.search(t)]
    deadlines = [(n, t) for n, t in dated if _DEADLINE_RE.search(t)]
    if len(deadlines) >= DEADLINE_LINES and 2 * len(deadlines) >= len(dated):
        return deadlines[0]
    site_rows = [(n, t) for n, t in dated if _SITE_DEADLINE_RE.search(t)]
    if len(site_rows) >= DEADLINE_LINES:  # the sites' own Dates table, among the conference's dates
        return site_rows[0]
    return None


def _kind(content: list[tuple[int, str]], prepared: Prepared) -> str | None:
    texts = [t for _, t in trim_to_event(content)[0] if not _TIMEZONE_RE.match(t)]
    if any(_MODERATOR_RE.match(t) for t in texts[:8]) or any(t.casefold() == _SESSION_LABEL for t in texts[:3]):
        return "session page"
    if texts and is_type_label(texts[0]):
        return "event page"
    if len(texts) >= 2 and not is_prose(texts[0]) and ("·" in texts[1] or "⋅" in texts[1]) and looks_like_authors(texts[1]):
        return "event page"  # a title and its authors (a poster page without its label)
    if any(is_position_room(t) for t in texts[:6]):
        return "event page"
    if prepared.tail and prepared.tail[0][1].casefold().startswith(("author information", "related events")):
        return "event page"
    return None


def explain_no_events(content: list[tuple[int, str]], prepared: Prepared, source: str | None) -> NoEvents:
    """The error for a page that has no time line of its own (see the module's list)."""
    if (row := deadlines_line(content)) is not None:
        return NoEvents(
            f"no dated event on this page: it is a table of deadlines (line {row[0]}), not a schedule",
            kind="deadlines table",
            source=source,
        )
    kind = _kind(content, prepared)
    related = next(((n, t) for n, t in prepared.tail if match_time_line(t) is not None), None)
    if related is not None and kind is not None:
        return NoEvents(
            f"no dated event on this page: its only time (line {related[0]}) belongs to a related event, "
            "not to this one",
            kind=kind,
            source=source,
            line=related[0],
            text=related[1],
        )
    prose = next(((n, t) for n, t in content if _PROSE_TIME_RE.search(t)), None)
    if prose is not None and kind is None:
        return NoEvents(
            f"no dated event on this page: the only time (line {prose[0]}) is inside running text, "
            "not a schedule's time line",
            kind="text page",
            source=source,
        )
    if kind == "event page":
        has_title = len(content) > 1 and not is_prose(content[1][1])
        what = "the page shows no time for it" if has_title else "the page shows neither its title nor its time"
        return NoEvents(f"no dated event on this page: {what}", kind=kind, source=source)
    if kind == "session page":
        return NoEvents("no dated event on this page: the session lists its talks without times", kind=kind, source=source)
    return NoEvents("no time slots found: the page lists nothing with a time", source=source)
