"""Page lines → the lines a grammar reads, and the lines it may ignore (with their numbers).

Copied pages carry more than their schedule. Before any grammar runs, this module

* unwraps captures (:mod:`.captures`): markdown, text-browser dumps (``Lnnn:``, ``citeN†``,
  lynx's ``[n]`` and its ``References``), reader views and reader services;
* drops site chrome and link debris: "Skip to main content", "Main Navigation",
  ``[ ]``, ``[ Project Page ]``, ``[ Slides``, navigation lines made of links only,
  "Show more", "Log in and register to view live content", ``Keywords: […]``,
  ``(Bookmark)`` buttons (also at the end of a time line), the cookie banner and the
  "Do not remove: This comment is monitored …" line;
* joins an authors line wrapped after its ``·``/``⋅``;
* cuts the tail that belongs to no event of the page: from "Author Information",
  "Related Events …" (another event's time lives there), "More from the Same
  Authors", "Successful Page Load" or "The … Logo above may be used …" (the site's
  footer) on;
* drops a repeat of the page (a page pasted twice in a row: the lines from where the
  page starts over).

Content that is dropped (a tail, ``Keywords:``, a repeat) is kept as (line number, text)
for the page report; pure chrome (skip links, navigation, link debris, capture headers)
is not. Every step is one pass over the lines with bounded or linear regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .captures import unwrap_capture

#: Site chrome that carries no schedule information (compared case-insensitively).
NOISE = frozenset(
    s.casefold()
    for s in (
        "Skip to yearly menu bar Skip to main content",
        "Skip to yearly menu bar",
        "Skip to main content",
        "Chat is not available.",
        "Chat is not available",
        "Main Navigation",
        "Show more",
        "Show less",
        "Show Detail",
        "(Bookmark)",
        "Bookmark",
        "Project Page",
        "[...]",
        "Accept Cookies",
    )
)

_TAIL_RE = re.compile(
    r"^(?:author information|related events\b.*|more from the same authors|successful page load"
    r"|the [\w .&-]{1,40} logo above may be used\b.*)$",
    re.I,
)
#: The cookie banner and the monitoring comment the sites print: chrome wherever they are.
_BANNER_RE = re.compile(
    r"^(?:[\w .&-]{1,40} uses cookies for essential functions only\b.*|do not remove: this comment is monitored\b.*)$",
    re.I,
)
_LOGIN_RE = re.compile(r"^(?:live content is unavailable\.?\s*)?log in and register to view live content\.?$", re.I)
#: ``[ ]``, ``[ Project Page ]``, ``[ Slides``, ``[ Paper [ Poster [ OpenReview``: buttons that lost their links.
#: Possessive quantifiers: a failing line costs linear time, never exponential backtracking.
_BRACKETS_RE = re.compile(r"^(?:\s*+\[[^\[\]]{0,40}+\]?+)++$")
_KEYWORDS_RE = re.compile(r"^keywords\s*:", re.I)
_ELISION_RE = re.compile(r"^\[\.\.\.[^\[\]]{0,200}\]$")
_BOOKMARK_RE = re.compile(r"\s*\(\s*Bookmark\s*\)\s*$", re.I)
_AUTHOR_WRAP = ("·", "⋅")
#: At most this many lines are joined into one wrapped authors line.
_MAX_WRAPS = 3
#: A repeat of the page's start at its end must be this long (lines, characters) to be a second copy.
MIN_REPEAT_LINES, MIN_REPEAT_CHARS = 3, 60


@dataclass
class Prepared:
    """The lines to read, what was dropped, and what the capture told about the page."""

    lines: list[tuple[int, str]]
    ignored: list[tuple[int, str]] = field(default_factory=list)
    #: Line numbers that were headings in a markdown capture (an abstract ends at the next one).
    headings: set[int] = field(default_factory=set)
    #: The lines from a tail marker ("Related Events …") on: never part of the page's events.
    tail: list[tuple[int, str]] = field(default_factory=list)
    #: The page's URL when a capture header names it ("- URL: https://…").
    url: str | None = None
    #: The line where the page starts over (a page pasted twice), if it does.
    repeat_line: int | None = None


def is_noise(text: str) -> bool:
    """Whether a line is site chrome or link debris that no grammar reads (and no report lists).

    >>> [is_noise(t) for t in ("[ ] [ Project Page ]", "[ Slides", "Show more", "[Re] Revisiting X")]
    [True, True, True, False]
    >>> is_noise("Live content is unavailable. Log in and register to view live content")
    True
    >>> is_noise("ICML uses cookies for essential functions only. We do not sell your personal information.")
    True
    """
    return (
        text.casefold() in NOISE
        or _BRACKETS_RE.match(text) is not None
        or _LOGIN_RE.match(text) is not None
        or _ELISION_RE.match(text) is not None
        or _BANNER_RE.match(text) is not None
    )


def strip_bookmark(text: str) -> str:
    """A line without the "(Bookmark)" button the sites print after a time.

    >>> strip_bookmark("Wed 16 Jul 11 a.m. PDT — 1:30 p.m. PDT (Bookmark)")
    'Wed 16 Jul 11 a.m. PDT — 1:30 p.m. PDT'
    """
    return _BOOKMARK_RE.sub("", text) if "ookmark" in text else text


def repeat_start(texts: list[str]) -> int | None:
    """Index where the page starts over (its end repeats its beginning), else ``None``.

    The longest end of the lines that equals their beginning (a prefix function over
    the lines: linear time) must be at least :data:`MIN_REPEAT_LINES` lines and
    :data:`MIN_REPEAT_CHARS` characters — a second copy, whole or cut, never a chance.

    >>> page = ["Session", "Federated Learning", "Room 1", "Tue 25 July 13:30 - 13:50 PDT", "A talk"]
    >>> repeat_start(page + page), repeat_start(page + page[:4]), repeat_start(page + page[:2])
    (5, 5, None)
    """
    ids: dict[str, int] = {}
    seq = [ids.setdefault(t, len(ids)) for t in texts]
    border = [0] * len(seq)
    k = 0
    for i in range(1, len(seq)):
        while k and seq[i] != seq[k]:
            k = border[k - 1]
        if seq[i] == seq[k]:
            k += 1
        border[i] = k
    length = border[-1] if border else 0
    if length < MIN_REPEAT_LINES or sum(len(t) for t in texts[:length]) < MIN_REPEAT_CHARS:
        return None
    return len(texts) - length


def prepare_lines(lines: list[tuple[int, str]]) -> Prepared:
    """The lines a grammar reads (numbers kept), and everything it may ignore.

    >>> p = prepare_lines([(1, "Skip to main content"), (2, "Poster"), (3, "[ ]"), (4, "A Title"),
    ...                    (5, "Ana Lima ⋅"), (6, "Bo Chen"), (7, "Author Information"), (8, "Ana Lima (Uni)")])
    >>> p.lines
    [(2, 'Poster'), (4, 'A Title'), (5, 'Ana Lima ⋅ Bo Chen')]
    >>> p.ignored
    [(7, 'Author Information'), (8, 'Ana Lima (Uni)')]
    """
    lines, capture = unwrap_capture(lines)
    prepared = Prepared(lines=[], headings=capture.headings, url=capture.url)
    out = prepared.lines
    wraps = 0
    for index, (number, text) in enumerate(lines):
        if _TAIL_RE.match(text):
            prepared.tail = lines[index:]
            break
        text = strip_bookmark(text)
        if not text or is_noise(text):
            continue
        if _KEYWORDS_RE.match(text):
            prepared.ignored.append((number, text))
            continue
        if out and out[-1][1].endswith(_AUTHOR_WRAP) and number not in prepared.headings and wraps < _MAX_WRAPS:
            out[-1] = (out[-1][0], f"{out[-1][1]} {text}")
            wraps += 1
            continue
        wraps = 0
        out.append((number, text))
    if (start := repeat_start([t for _, t in out])) is not None:
        prepared.repeat_line = out[start][0]
        prepared.ignored.extend(out[start:])
        del out[start:]
    prepared.ignored.extend(prepared.tail + capture.dropped)
    prepared.ignored.sort(key=lambda item: item[0])
    return prepared
