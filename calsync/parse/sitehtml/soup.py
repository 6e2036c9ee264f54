"""The structured HTML readers' view of a document: the tree, its index, its visible text.

:func:`make_soup` parses (``html.parser``, which keeps source lines), :class:`PageIndex`
indexes the tree in one pass, and the text helpers read what a person sees: one cleaned
line (:func:`clean`, :func:`text_of`), block lines with their source lines
(:func:`block_lines`), paragraphs. Pure.
"""

from __future__ import annotations

import re
import warnings as pywarnings
from collections.abc import Collection
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, MarkupResemblesLocatorWarning, Tag
from bs4.element import NavigableString

from ..htmltext import BLOCK_TAGS, DROP_TAGS

#: The parser BeautifulSoup uses. ``html.parser`` records each tag's source line (errors
#: name it) and reads the real 736 KB ICML session page in about 0.13 s; lxml is not
#: a dependency (and its tree builder records no source lines).
PARSER = "html.parser"

_SPACE_RE = re.compile(r"\s+")
_BOOKMARK_RE = re.compile(r"\(\s*Bookmark\s*\)", re.I)
_ZONE_PROBE_RE = re.compile(r"time\s?zone\s*:", re.I)



def make_soup(text: str) -> BeautifulSoup:
    """The document tree (``html.parser``: lenient, and it keeps source lines)."""
    with pywarnings.catch_warnings():
        pywarnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(text, PARSER)


@dataclass
class PageIndex:
    """One pass over the document: elements by class and id, links, titles, statements.

    Every reader asks this index instead of searching the whole tree again (a real
    session page has some 11,000 nodes; each full search costs about 8 ms).
    """

    soup: BeautifulSoup
    by_class: dict[str, list[Tag]] = field(default_factory=dict)
    by_id: dict[str, Tag] = field(default_factory=dict)
    anchors: list[Tag] = field(default_factory=list)
    titles: list[Tag] = field(default_factory=list)
    canonical: str | None = None
    zone_texts: list[NavigableString] = field(default_factory=list)
    #: Document position of every element (by ``id()``), for sorting elements of several classes.
    position: dict[int, int] = field(default_factory=dict)

    @classmethod
    def build(cls, soup: BeautifulSoup) -> PageIndex:
        """Index a document (elements in document order)."""
        index = cls(soup)
        og_url: str | None = None
        by_class, by_id, position = index.by_class, index.by_id, index.position
        for node in soup.descendants:
            if isinstance(node, Tag):
                position[id(node)] = len(position)
                for name in node.get("class") or ():
                    by_class.setdefault(name, []).append(node)
                ident = node.get("id")
                if isinstance(ident, str) and ident not in by_id:
                    by_id[ident] = node
                tag = node.name
                if tag == "a" and node.get("href") is not None:
                    index.anchors.append(node)
                elif tag == "title":
                    index.titles.append(node)
                elif tag == "link" and index.canonical is None and node.get("href"):
                    raw = node.get("rel")
                    rel: list[str] = raw if isinstance(raw, list) else [raw] if raw else []
                    if "canonical" in [r.lower() for r in rel]:
                        index.canonical = str(node["href"]).strip()
                elif tag == "meta" and og_url is None and node.get("property") == "og:url" and node.get("content"):
                    og_url = str(node["content"]).strip()
            elif type(node) is NavigableString and ("one" in node or "ONE" in node) and _ZONE_PROBE_RE.search(node):
                index.zone_texts.append(node)
        index.canonical = index.canonical or og_url
        return index

    def all(self, class_name: str, tag: str | None = None) -> list[Tag]:
        """Elements with a class (and a tag name), in document order."""
        found = self.by_class.get(class_name, [])
        return [t for t in found if t.name == tag] if tag else list(found)

    def first(self, class_name: str, tag: str | None = None) -> Tag | None:
        """The first element with a class (and a tag name)."""
        return next((t for t in self.by_class.get(class_name, ()) if tag is None or t.name == tag), None)


def clean(text: str) -> str:
    """One line of visible text: spaces collapsed, NBSPs plain, ``(Bookmark)`` buttons gone.

    >>> clean("Wed 16 Jul 11 a.m. PDT\\n   \\u2014 1:30 p.m. PDT  (Bookmark) ")
    'Wed 16 Jul 11 a.m. PDT \\u2014 1:30 p.m. PDT'
    """
    return _SPACE_RE.sub(" ", _BOOKMARK_RE.sub(" ", text.replace("\u00a0", " "))).strip()


def text_of(tag: Tag | None) -> str:
    """The cleaned text of an element ("" for none)."""
    return clean(tag.get_text(" ")) if tag is not None else ""


def line_of(tag: Tag | None) -> int | None:
    """The HTML source line of an element (``None`` when unknown)."""
    return getattr(tag, "sourceline", None) if tag is not None else None


def classes(tag: Tag) -> list[str]:
    """The element's class names."""
    value = tag.get("class")
    if isinstance(value, list):
        return value
    return str(value).split() if value else []


def _is_bookmark(tag: Tag) -> bool:
    return "bookmark" in str(tag.get("title") or "").casefold()


def block_lines(root: Tag, skip: Collection[Tag | None] = ()) -> list[tuple[int, str]]:
    """Visible text lines of an element, block by block (as :mod:`..htmltext` makes them).

    Block elements end a line, inline ones do not; scripts, navigation, bookmark
    buttons and the elements in ``skip`` are left out. Each line carries the source
    line of its first text.

    >>> soup = make_soup("<div><h5>A <i>b</i></h5><p>c</p><span title='Add / Remove Bookmark'>(Bookmark)</span></div>")
    >>> block_lines(soup.div)
    [(1, 'A b'), (1, 'c')]
    """
    skipped = {id(t) for t in skip if t is not None}
    lines: list[tuple[int, str]] = []
    current: list[str] = []
    first: list[int] = []

    def flush() -> None:
        text = clean("".join(current))
        if text:
            lines.append((first[0] if first else line_of(root) or 1, text))
        current.clear()
        first.clear()

    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, NavigableString):
            if type(node) is NavigableString:  # not a comment, CDATA or doctype
                text = str(node)
                if text.strip() and not first:
                    first.append(line_of(node.parent) or 1)
                current.append(text)
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if leaving:
            flush()
            continue
        if id(node) in skipped or name in DROP_TAGS or _is_bookmark(node):
            continue
        if name == "br":
            flush()
            continue
        if name in BLOCK_TAGS:
            flush()
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents) if not isinstance(child, Comment))
    flush()
    return lines


def paragraphs(root: Tag | None, skip: Collection[Tag | None] = ()) -> str | None:
    """An element's text as lines joined by newlines (an abstract), or ``None`` when empty."""
    if root is None:
        return None
    return "\n".join(t for _, t in block_lines(root, skip)) or None


def strip_label(text: str, label: str) -> str:
    """``text`` without a leading ``label:`` (case-insensitive).

    >>> strip_label("Abstract: We show.", "abstract"), strip_label("We show.", "abstract")
    ('We show.', 'We show.')
    """
    return re.sub(rf"^\s*{re.escape(label)}\s*:\s*", "", text, flags=re.I)
