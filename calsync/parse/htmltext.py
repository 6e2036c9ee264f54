"""Turn a saved HTML page into numbered text lines for the text parser.

Block elements (div, p, h1–h6, li, td, …) and ``<br>`` end a line; inline elements
(a, span, i, b, …) do not, so a title with an italic word or a list of author links
stays on one line. Scripts, styles and the document head are dropped. Line numbers
are the HTML source lines of the elements the text came from.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, MarkupResemblesLocatorWarning, Tag
from bs4.element import NavigableString

BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption center dd details dialog div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main
    nav ol p pre section summary table tbody thead tfoot tr td th ul button option select
    label legend""".split()
)
#: Dropped with their contents: code, the document head, and site navigation and
#: footers (menus and contact lines are not part of a session).
DROP_TAGS = frozenset("script style noscript template head svg iframe object canvas nav footer".split())

_HTML_START_RE = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype|html|head|body|div|section|main|article|p|h\d|span|table|ul|meta|title)\b", re.I | re.S)


@dataclass(frozen=True)
class HtmlPage:
    """Lines of visible text (source line number, text) and the page's own URL if it names one."""

    lines: tuple[tuple[int, str], ...]
    canonical_url: str | None


def is_site_button(tag: Tag) -> bool:
    """A site's bookmark button ("Add / Remove Bookmark", showing "(Bookmark)"): chrome, not text.

    >>> soup = BeautifulSoup('<span title="Add / Remove Bookmark">(Bookmark)</span>', "html.parser")
    >>> is_site_button(soup.span)
    True
    """
    return "bookmark" in str(tag.get("title") or "").casefold()


def is_html(text: str) -> bool:
    """Detect saved HTML (as opposed to a page's copied text).

    >>> is_html("<!DOCTYPE html><html><body>x</body></html>"), is_html("Deep Learning\\n")
    (True, False)
    """
    return _HTML_START_RE.match(text[:4096]) is not None


def _canonical_url(soup: BeautifulSoup) -> str | None:
    for tag in soup.find_all("link"):
        raw = tag.get("rel")
        rel: list[str] = raw if isinstance(raw, list) else [raw] if raw else []
        if "canonical" in [r.lower() for r in rel] and tag.get("href"):
            return str(tag["href"]).strip()
    meta = soup.find("meta", attrs={"property": "og:url"})
    if isinstance(meta, Tag) and meta.get("content"):
        return str(meta["content"]).strip()
    return None


def parse_html_lines(html: str) -> HtmlPage:
    """Visible text lines of an HTML document, block by block.

    >>> page = parse_html_lines("<html><body><h2>Deep <i>Nets</i></h2><div>A ·\\n <a>B</a></div><script>x=1</script></body></html>")
    >>> page.lines
    ((1, 'Deep Nets'), (1, 'A · B'))
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "html.parser")
    canonical = _canonical_url(soup)

    lines: list[tuple[int, str]] = []
    current: list[str] = []
    current_line: list[int] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            lines.append((current_line[0] if current_line else 1, text))
        current.clear()
        current_line.clear()

    # Iterative walk (no recursion limit on deeply nested pages): (node, leaving?)
    stack: list[tuple[object, bool]] = [(soup, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, Comment):
            continue
        if isinstance(node, NavigableString):
            if type(node) is not NavigableString:  # CData, doctype, processing instructions
                continue
            text = str(node)
            if text.strip():
                parent = node.parent
                current_line.append(getattr(parent, "sourceline", None) or 1)
            current.append(text)
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if name in DROP_TAGS or is_site_button(node):
            continue
        if name == "br":
            flush()
            continue
        if leaving:
            flush()
            continue
        block = name in BLOCK_TAGS
        if block:
            flush()
            stack.append((node, True))
        for child in reversed(node.contents):
            stack.append((child, False))
    flush()
    return HtmlPage(lines=tuple(lines), canonical_url=canonical)
