"""TEXT values as feeds carry them: cleaned of control characters, then escaped (RFC 5545 §3.3.11).

:func:`clean_text` says what a feed may carry, :class:`FeedText` (and
:func:`feed_text_value`, its value as text) how a TEXT value is written: the one owner of
the rule, used by the reference events (:mod:`calsync.ical.events`) and the writer
(:mod:`calsync.ical.writer`). Pure.
"""

from __future__ import annotations

import re

from icalendar import vText

#: Control characters (but tab and newline) and bidirectional marks, overrides and isolates.
_UNSAFE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


#: The ASCII characters of :data:`_UNSAFE_RE`, deleted from ASCII texts by ``bytes.translate`` (several times faster).
_UNSAFE_ASCII = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])


#: An escaped backslash followed by n or N (``\\\\N``), which node-ical misreads.
_BACKSLASH_N_RE = re.compile(r"(?<!\\)((?:\\\\)+)([nN])")


def clean_text(text: str) -> str:
    """Text as a feed may carry it: control characters (but tab, newline) and bidi controls removed.

    A carriage return becomes a newline; backslashes stay as written (:class:`FeedText`
    escapes them).

    >>> clean_text("A\\u0000B\\u0007C"), clean_text("evil\\u202eexe.pdf"), clean_text("a\\r\\nb\\rc\\td")
    ('ABC', 'evilexe.pdf', 'a\\nb\\nc\\td')
    """
    if "\r" in text:  # (a search for the pair costs more than the rest of a long text's cleaning)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # the same deletions, without the regular expression's per-character cost
        return text.encode("ascii").translate(None, _UNSAFE_ASCII).decode("ascii")
    return _UNSAFE_RE.sub("", text)


class FeedText(vText):
    """A TEXT value: :func:`clean_text`, then RFC 5545 §3.3.11 escaping and nothing else.

    icalendar's own escaping first turns a literal backslash-N into a line break, so a
    LaTeX title such as ``$f:\\N \\to \\R$`` would change; here every backslash is escaped.
    A backslash before ``n`` or ``N`` is followed by a WORD JOINER (U+2060, invisible):
    node-ical unescapes ``\\n`` before ``\\\\`` and would read ``\\\\N`` as a backslash and a
    line break, so without it the six parsers disagree.

    >>> FeedText("$f:\\\\N$; a, b\\nc").to_ical().decode()
    '$f:\\\\\\\\\u2060N$\\\\; a\\\\, b\\\\nc'
    """

    def __new__(cls, value: str, encoding: str = "utf-8", params: dict[str, str] | None = None) -> FeedText:
        made: FeedText = super().__new__(cls, clean_text(str(value)), encoding, params or {})
        return made

    def to_ical(self) -> bytes:
        return _escaped(str(self)).encode(getattr(self, "encoding", "utf-8"))

    @staticmethod
    def serialize(value: str) -> bytes:
        """``FeedText(value).to_ical()`` without making the object (a feed writes tens of thousands).

        >>> FeedText.serialize("a;b, c\\n")
        b'a\\\\;b\\\\, c\\\\n'
        """
        return feed_text_value(value).encode("utf-8")


def feed_text_value(value: str) -> str:
    """A TEXT value as :class:`FeedText` writes it, as text: :func:`clean_text`, then escaping.

    >>> feed_text_value("a;b, c\\n")
    'a\\\\;b\\\\, c\\\\n'
    """
    return _escaped(clean_text(str(value)))


def _escaped(raw: str) -> str:
    """RFC 5545 TEXT escaping of cleaned text, with the WORD JOINER after a backslash before n/N."""
    text = raw.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    if "\\" in raw:  # only a backslash of the text itself is escaped to the pair the expression needs
        text = _BACKSLASH_N_RE.sub("\\1\u2060\\2", text)
    return text
