"""Page lines → the lines a grammar reads, and the lines it may ignore (with their numbers).

Copied pages carry more than their schedule. Before any grammar runs, this module

* unwraps captures: markdown (``#`` headings, ``**bold**``, ``[text](url)`` and
  ``[text][n]`` links, setext underlines, bullets, a capture header before a code
  fence, link reference lines) and text-browser captures (``Lnnn:`` line markers,
  ``citeN†`` link markers);
* drops site chrome and link debris: "Skip to main content", "Main Navigation",
  ``[ ]``, ``[ Project Page ]``, ``[ Slides``, navigation lines made of links only,
  "Show more", "Log in and register to view live content", ``Keywords: […]``,
  ``(Bookmark)`` buttons (also at the end of a time line);
* joins an authors line wrapped after its ``·``/``⋅``;
* cuts the tail that belongs to no event of the page: from "Author Information",
  "Related Events …" (another event's time lives there), "More from the Same
  Authors" or "Successful Page Load" (the site's footer) on.

Content that is dropped (a tail, ``Keywords:``) is kept as (line number, text) for the
page report; pure chrome (skip links, navigation, link debris, capture headers) is
not. Every step is one pass over the lines with bounded or linear regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
    )
)

_TAIL_RE = re.compile(
    r"^(?:author information|related events\b.*|more from the same authors|successful page load)$", re.I
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

# Text-browser captures: "L169: cite53†Oral Session 1A [10:30-12:00]  L170: ".
_LMARK_RE = re.compile(r"^L\d+:")
_LSPLIT_RE = re.compile(r"\s?\bL\d+:\s?")
_CITE_RE = re.compile(r"\bcite[A-Za-z0-9]*†?")

# Markdown captures.
_FENCE_RE = re.compile(r"^```")
_ATX_RE = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?$")
_SETEXT_RE = re.compile(r"^(?:={3,}|-{3,})$")
_BULLET_RE = re.compile(r"^(?:[*+]|-(?=\s))\s+")
_REFDEF_RE = re.compile(r"^\[[^\[\]]{1,40}\]:\s*\S+$")
_IMAGE_RE = re.compile(r"!\[[^\[\]]*\](?:\([^()\s]*\)|\[[^\[\]]*\])?")
_LINK_RE = re.compile(r"\[([^\[\]]*)\](?:\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)|\[[^\[\]]*\])")
_ANY_BRACKETS_RE = re.compile(r"\[[^\[\]]*\](?:\([^()]*\)|\[[^\[\]]*\])?")
_BOLD_RE = re.compile(r"\*\*|__")
_MD_HINT_RE = re.compile(r"\]\(|\]\[\d|^#{1,6}\s|^```|^(?:={3,}|-{3,})$|^\*\*.+\*\*$")
#: A page is read as markdown when this many lines look like markdown.
MARKDOWN_MIN_HINTS = 3


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


def is_noise(text: str) -> bool:
    """Whether a line is site chrome or link debris that no grammar reads (and no report lists).

    >>> [is_noise(t) for t in ("[ ] [ Project Page ]", "[ Slides", "Show more", "[Re] Revisiting X")]
    [True, True, True, False]
    >>> is_noise("Live content is unavailable. Log in and register to view live content")
    True
    """
    return (
        text.casefold() in NOISE
        or _BRACKETS_RE.match(text) is not None
        or _LOGIN_RE.match(text) is not None
        or _ELISION_RE.match(text) is not None
    )


def strip_bookmark(text: str) -> str:
    """A line without the "(Bookmark)" button the sites print after a time.

    >>> strip_bookmark("Wed 16 Jul 11 a.m. PDT — 1:30 p.m. PDT (Bookmark)")
    'Wed 16 Jul 11 a.m. PDT — 1:30 p.m. PDT'
    """
    return _BOOKMARK_RE.sub("", text) if "ookmark" in text else text


def _unwrap_browser_capture(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Lines of a text-browser capture split at their ``Lnnn:`` markers, link markers dropped."""
    if sum(1 for _, t in lines if _LMARK_RE.match(t)) < MARKDOWN_MIN_HINTS:
        return lines
    out: list[tuple[int, str]] = []
    seen_marker = False
    for number, text in lines:
        if not seen_marker and not _LMARK_RE.match(text):
            continue  # the capture's own header (title, crawl data)
        seen_marker = True
        for part in _LSPLIT_RE.split(" ".join(_CITE_RE.sub("", text).split())):
            part = " ".join(part.split())
            if part:
                out.append((number, part))
    return out


def _is_markdown(lines: list[tuple[int, str]]) -> bool:
    hints = 0
    for _, text in lines:
        if _MD_HINT_RE.search(text):
            hints += 1
            if hints >= MARKDOWN_MIN_HINTS:
                return True
    return False


def _link_only(text: str) -> bool:
    """A navigation line: nothing but links, images and bullets.

    >>> _link_only("* [ MLSys ][4]"), _link_only("[![logo](/a.svg)](/)"), _link_only("See [the map](/m)")
    (True, True, False)
    """
    rest = text
    for _ in range(3):
        rest = _ANY_BRACKETS_RE.sub("", rest)
    return not rest.strip(" *+-|#!_>")


def _join_open_links(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A link whose text wraps over lines (``##### **[Long title`` / ``##### end][34]**``) on one line."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    joined = 0
    for number, text in lines:
        if pending is not None:
            text = f"{pending[1]} {_ATX_RE.sub(lambda m: m.group(2), text)}"
            number = pending[0]
            pending = None
            joined += 1
        if text.count("[") > text.count("]") and joined < 3:
            pending = (number, text)
            continue
        joined = 0
        out.append((number, text))
    if pending is not None:
        out.append(pending)
    return out


def _unwrap_markdown(prepared: Prepared, lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Markdown capture → plain lines; headings remembered, navigation and fences dropped."""
    fence = next((i for i, (_, t) in enumerate(lines[:12]) if _FENCE_RE.match(t)), None)
    if fence is not None:  # a capture header ("# Web source", "- URL: …") before the page
        for _, text in lines[:fence]:
            if text.startswith("- URL:") and prepared.url is None:
                prepared.url = text.split(":", 1)[1].strip() or None
        lines = lines[fence:]
    out: list[tuple[int, str]] = []
    for number, text in _join_open_links(lines):
        if _FENCE_RE.match(text) or _REFDEF_RE.match(text):
            continue
        if _SETEXT_RE.match(text):
            if out:
                prepared.headings.add(out[-1][0])
            continue
        heading = _ATX_RE.match(text)
        body = heading.group(2) if heading else _BULLET_RE.sub("", text)
        bold = body.startswith("**") or body.startswith("__")
        if not heading and not bold and _link_only(body):
            continue  # navigation
        body = _IMAGE_RE.sub("", body)
        for _ in range(2):
            body = _LINK_RE.sub(lambda m: m.group(1), body)
        body = " ".join(_BOLD_RE.sub("", body).split())
        if not body:
            continue
        if heading:
            prepared.headings.add(number)
        out.append((number, body))
    return out


def prepare_lines(lines: list[tuple[int, str]]) -> Prepared:
    """The lines a grammar reads (numbers kept), and everything it may ignore.

    >>> p = prepare_lines([(1, "Skip to main content"), (2, "Poster"), (3, "[ ]"), (4, "A Title"),
    ...                    (5, "Ana Lima ⋅"), (6, "Bo Chen"), (7, "Author Information"), (8, "Ana Lima (Uni)")])
    >>> p.lines
    [(2, 'Poster'), (4, 'A Title'), (5, 'Ana Lima ⋅ Bo Chen')]
    >>> p.ignored
    [(7, 'Author Information'), (8, 'Ana Lima (Uni)')]
    """
    prepared = Prepared(lines=[])
    lines = _unwrap_browser_capture(lines)
    if _is_markdown(lines):
        lines = _unwrap_markdown(prepared, lines)
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
    prepared.ignored.extend(prepared.tail)
    prepared.ignored.sort(key=lambda item: item[0])
    return prepared
