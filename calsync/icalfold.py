"""RFC 5545 line folding, byte-identical to icalendar's and several times faster on ASCII lines.

icalendar (7.x) folds every content line character by character, encoding each one
to count its octets; on a large feed that is about 40 % of the serializing time,
although almost every line is ASCII (one octet per character) and most are shorter
than the limit. :func:`fold` cuts ASCII lines by slicing and hands every other line
other lines by slicing their UTF-8 octets at character boundaries, so its output is
icalendar's, byte for byte (``tests/test_icalfold.py`` checks this on generated lines,
non-ASCII included).

The rule (icalendar's): a line is cut before the character that would make it reach
``limit`` octets (75: so at most 74 octets, plus the CRLF), continuation lines start
with one space that is not counted, and a cut never leaves a backslash or a caret (the
first character of a TEXT or RFC 6868 escape) as the last character of a line: it moves
to the next one.

The same change is offered to icalendar itself (``bench/upstream/``); until a release
has it, calsync's exporter (:mod:`calsync.ical.writer`) calls :func:`fold` on its own
content lines. :func:`install` instead makes every icalendar content line in the process
use it; nothing in the package calls it (the benchmark measures icalendar with it).
"""

from __future__ import annotations

_ESCAPES = "\\^"
_ESCAPE_OCTETS = b"\\^"


def fold(line: str, limit: int = 75, fold_sep: str = "\r\n ") -> str:
    """Fold one content line as icalendar's ``_foldline`` does (same arguments, same result)."""
    width = limit - 1
    if len(line) <= width and (line.isascii() or len(line.encode("utf-8")) <= width):
        return line
    if width < 1 or not line.isascii():  # (a limit under 2 puts every character on a line of its own)
        return _fold_utf8(line, width, fold_sep) if width >= 5 else _fold_octets(line, limit, fold_sep)
    parts = []
    start, end = 0, len(line)
    while end - start > width:
        cut = start + width
        if width > 1 and line[cut - 1] in _ESCAPES:
            cut -= 1
        parts.append(line[start:cut])
        start = cut
    parts.append(line[start:])
    return fold_sep.join(parts)


def _fold_utf8(line: str, width: int, fold_sep: str) -> str:
    """:func:`fold_octets` of a line's UTF-8 octets, as text (``width`` ≥ 5 octets a line).

    >>> _fold_utf8("é" * 40, 74, "|")
    'ééééééééééééééééééééééééééééééééééééé|ééé'
    """
    return fold_octets(line.encode("utf-8"), width + 1, fold_sep.encode("utf-8")).decode("utf-8")


def fold_octets(data: bytes, limit: int = 75, fold_sep: bytes = b"\r\n ") -> bytes:
    """:func:`fold` of a UTF-8 encoded line, cut on its octets (``limit`` ≥ 6): the same cuts, as bytes.

    A line takes as many whole characters as fit in ``limit - 1`` octets: a cut that
    would fall inside a character (on a continuation octet, ``10xxxxxx``) moves back to
    that character's first octet; a cut after an escape starter moves back one more. (That
    carried character and the next one always fit from five octets a line on; below,
    icalendar's rule lets such a line run over, and :func:`_fold_octets` follows it.)
    A writer that wants bytes skips decoding and encoding the line again.

    >>> fold_octets("é".encode() * 40) == fold("é" * 40).encode()
    True
    """
    width = limit - 1
    if width < 5:
        raise ValueError("fold_octets needs a limit of at least 6 octets")
    parts: list[bytes] = []
    start, end = 0, len(data)
    while end - start > width:
        cut = start + width
        while data[cut] & 0xC0 == 0x80:
            cut -= 1
        if data[cut - 1] in _ESCAPE_OCTETS and cut - 1 > start:
            cut -= 1
        parts.append(data[start:cut])
        start = cut
    parts.append(data[start:])
    return fold_sep.join(parts)


def _fold_octets(line: str, limit: int, fold_sep: str) -> str:
    """The per-character rule, counting each character's UTF-8 octets (non-ASCII lines)."""
    parts: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = 1 if char < "\x80" else len(char.encode("utf-8"))
        if current and count + size >= limit:
            if len(current) > 1 and current[-1] in _ESCAPES:
                carried = current.pop()
                parts.append("".join(current))
                current, count = [carried], 1
            else:
                parts.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    if current:
        parts.append("".join(current))
    return fold_sep.join(parts)


def install() -> bool:
    """Make icalendar's content lines fold with :func:`fold` (output unchanged, faster).

    Returns whether it could (the icalendar versions this was checked against keep the
    fold function as ``icalendar.parser.content_line._foldline``).
    """
    try:
        from icalendar.parser import content_line
    except ImportError:
        return False
    if not callable(getattr(content_line, "_foldline", None)):
        return False
    setattr(content_line, "_foldline", fold)  # noqa: B010 (a private name of icalendar's)
    return True
