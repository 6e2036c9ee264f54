"""Captures of a page → its plain lines: markdown, text browsers, reader views.

A page reaches calsync as a browser copy, and also as what tools make of it:

* **markdown** (``#`` headings, ``**bold**``, ``[text](url)`` and ``[text][n]`` links,
  setext underlines, bullets, a capture header before a code fence, link reference lines);
* **text-browser dumps**: ``Lnnn:`` line markers and ``citeN†`` link markers, or lynx's
  ``[n]`` link markers with its ``References`` list of URLs at the end;
* **reader views and services**: Firefox's reader view puts the site's domain, the page
  title and a reading time ("3–4 minutes") above the content; reader services put
  ``Title:``, ``URL Source:`` and ``Markdown Content:`` lines (the URL is the page's).

Each function takes and returns numbered lines (the numbers of the capture's own lines)
and costs one pass with bounded or linear regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Capture:
    """What a capture told about the page besides its lines."""

    #: Line numbers that were headings in a markdown capture (an abstract ends at the next one).
    headings: set[int] = field(default_factory=set)
    #: The page's URL when a capture header names it ("- URL: https://…", "URL Source: https://…").
    url: str | None = None
    #: Lines of the capture's own that are not the page's (a link list), kept for the report.
    dropped: list[tuple[int, str]] = field(default_factory=list)


# Text-browser captures: "L169: cite53†Oral Session 1A [10:30-12:00]  L170: ".
_LMARK_RE = re.compile(r"^L\d+:")
_LSPLIT_RE = re.compile(r"\s?\bL\d+:\s?")
_CITE_RE = re.compile(r"\bcite[A-Za-z0-9]*†?")
# lynx: "[12]Ana Lima", a nav bullet "* [3]ICML", and the "References" list at the end.
_LYNX_MARK_RE = re.compile(r"(?<![\]\w])\[\d{1,5}\](?=[^\s\]().,;:])")
_LYNX_NAV_RE = re.compile(r"^[*+o#-]\s+\[\d{1,5}\][^\[\]]{0,60}$")
_LYNX_REFS_RE = re.compile(r"^(?:references|visible links)$", re.I)
_LYNX_URL_RE = re.compile(r"^\d{1,5}\.\s+\S{1,40}:")

# Reader views and services.
_DOMAIN_RE = re.compile(r"^(?:[a-z0-9-]{1,63}\.){1,5}[a-z]{2,24}$", re.I)
_READING_TIME_RE = re.compile(r"^\d{1,3}(?:\s?[–—-]\s?\d{1,3})?\s+min(?:ute)?s?$", re.I)
_SERVICE_RE = re.compile(r"^(?:title|url source|published time|markdown content|warning)\s*:", re.I)

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
#: A page is read as a capture of a kind when this many lines carry its marks.
MIN_HINTS = 3
#: How many lines at the top may hold a reader's or a service's header.
_HEADER_LINES = 8


def unwrap_capture(lines: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], Capture]:
    """The page's own lines from any capture (plain pages pass unchanged), and what it told.

    >>> lines, cap = unwrap_capture([(1, "icml.cc"), (2, "ICML Poster A Title"), (3, "2 minutes"), (4, "Poster")])
    >>> lines
    [(4, 'Poster')]
    """
    capture = Capture()
    lines = _reader_header(lines, capture)
    lines = _unwrap_browser_capture(lines)
    lines = _unwrap_lynx(lines, capture)
    if _is_markdown(lines):
        lines = _unwrap_markdown(capture, lines)
    return lines, capture


def _reader_header(lines: list[tuple[int, str]], capture: Capture) -> list[tuple[int, str]]:
    """Lines without a reader view's header (domain, title, reading time) or a reader service's
    (``Title:``, ``URL Source:``, ``Markdown Content:``; the URL is kept).

    >>> cap = Capture()
    >>> _reader_header([(1, "Title: X"), (2, "URL Source: https://a.org/virtual/2024/x"),
    ...                 (3, "Markdown Content:"), (4, "Poster")], cap), cap.url
    ([(4, 'Poster')], 'https://a.org/virtual/2024/x')
    """
    top = lines[:_HEADER_LINES]
    service = [i for i, (_, t) in enumerate(top) if _SERVICE_RE.match(t)]
    if service and service[0] == 0 and any(t.casefold().startswith("url source") for _, t in top):
        for _, text in top[: service[-1] + 1]:
            if text.casefold().startswith("url source") and capture.url is None:
                capture.url = text.split(":", 1)[1].strip() or None
        return lines[service[-1] + 1 :]
    if top and _DOMAIN_RE.match(top[0][1]):
        minutes = next((i for i, (_, t) in enumerate(top[1:4], start=1) if _READING_TIME_RE.match(t)), None)
        if minutes is not None:
            return lines[minutes + 1 :]
    return lines


def _unwrap_browser_capture(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Lines of a text-browser capture split at their ``Lnnn:`` markers, link markers dropped."""
    if sum(1 for _, t in lines if _LMARK_RE.match(t)) < MIN_HINTS:
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


def _unwrap_lynx(lines: list[tuple[int, str]], capture: Capture) -> list[tuple[int, str]]:
    """A lynx dump without its ``[n]`` link markers, navigation bullets and ``References`` list.

    >>> cap = Capture()
    >>> _unwrap_lynx([(1, "* [3]ICML"), (2, "Poster"), (3, "[8]Ana Lima · [9]Bo Chen"), (4, "[10][ PDF ]"),
    ...               (5, "References"), (6, "1. https://icml.cc/")], cap)
    [(2, 'Poster'), (3, 'Ana Lima · Bo Chen'), (4, '[ PDF ]')]
    """
    if sum(1 for _, t in lines if _LYNX_MARK_RE.search(t)) < MIN_HINTS:
        return lines
    out: list[tuple[int, str]] = []
    for index, (number, text) in enumerate(lines):
        if _LYNX_REFS_RE.match(text) and index + 1 < len(lines) and _LYNX_URL_RE.match(lines[index + 1][1]):
            capture.dropped.extend(lines[index:])
            break
        if _LYNX_NAV_RE.match(text):
            continue  # a navigation link
        text = " ".join(_LYNX_MARK_RE.sub("", text).split())
        if text:
            out.append((number, text))
    return out


def _is_markdown(lines: list[tuple[int, str]]) -> bool:
    hints = 0
    for _, text in lines:
        if _MD_HINT_RE.search(text):
            hints += 1
            if hints >= MIN_HINTS:
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


def _unwrap_markdown(capture: Capture, lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Markdown capture → plain lines; headings remembered, navigation and fences dropped."""
    fence = next((i for i, (_, t) in enumerate(lines[:12]) if _FENCE_RE.match(t)), None)
    if fence is not None:  # a capture header ("# Web source", "- URL: …") before the page
        for _, text in lines[:fence]:
            if text.startswith("- URL:") and capture.url is None:
                capture.url = text.split(":", 1)[1].strip() or None
        lines = lines[fence:]
    out: list[tuple[int, str]] = []
    for number, text in _join_open_links(lines):
        if _FENCE_RE.match(text) or _REFDEF_RE.match(text):
            continue
        if _SETEXT_RE.match(text):
            if out:
                capture.headings.add(out[-1][0])
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
            capture.headings.add(number)
        out.append((number, body))
    return out
