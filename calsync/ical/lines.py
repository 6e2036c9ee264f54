"""Content lines exactly as icalendar writes them, for the writer's per-event values.

:func:`icalendar_line` runs icalendar's whole path for one property (value type,
parameters, UTC conversion, escaping); :func:`property_line` the same without a
component; the rest write a value's line as ``Contentline.from_parts`` does for a value
without parameters — ``NAME:`` and the value decoded as icalendar decodes it — folded
with :func:`calsync.icalfold.fold` and ended with CRLF (:func:`folded`, or
:func:`line_bytes` for the bytes). ``tests/test_ical_writer.py`` compares them with
icalendar's own lines. Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from icalendar import Component, Event, Parameters, vText, vUri
from icalendar.parser.content_line import Contentline
from icalendar.parser.string import _escape_char  # what vText.to_ical applies (icalendar 7)

from ..icalfold import fold, fold_octets
from .text import feed_text_value

_CRLF = "\r\n"
#: Properties whose datetime ``Component.add`` converts to UTC before encoding it.
_ADD_CONVERTS = frozenset({"dtstamp", "created", "last-modified"})


def icalendar_line(name: str, value: object, component: type[Component] = Event) -> str:
    """The content line (unfolded, no CRLF) icalendar writes for ``component().add(name, value)``.

    This is icalendar's whole path — value type inference, parameters such as TZID, UTC
    conversion of DTSTAMP/CREATED/LAST-MODIFIED, escaping — run once for a value that
    many events share.

    >>> icalendar_line("categories", ["Oral, long"])
    'CATEGORIES:Oral\\\\, long'
    """
    holder = component()
    holder.add(name, value)
    lines = holder.content_lines(sorted=False)
    if len(lines) != 4:  # BEGIN, the property, END, and the empty end marker
        raise ValueError(f"{name} did not give one content line: {lines!r}")
    return str(lines[1])


def property_line(name: str, value: object, component: type[Component] = Event) -> str:
    """:func:`icalendar_line` without the throwaway component, for a single value that is not a list.

    What ``add`` and ``content_line`` do with such a value: icalendar's ``_encode``
    (the value class for the property, TZID and VALUE parameters) and
    ``Contentline.from_parts`` with unsorted parameters. Not for DTSTAMP, CREATED and
    LAST-MODIFIED, which ``add`` first converts to UTC.
    """
    if isinstance(value, list) or name.lower() in _ADD_CONVERTS:
        return icalendar_line(name, value, component)
    encode = cast(Callable[[str, object], object], component._encode)  # untyped in icalendar
    encoded = encode(name, value)
    params = getattr(encoded, "params", None)
    return str(Contentline.from_parts(name.upper(), params if params is not None else Parameters(), encoded,
                                      sorted=False))


def folded(line: str) -> str:
    """One content line as it is written: folded (icalendar's rule), then CRLF."""
    return fold(line) + _CRLF


def line_bytes(line: str) -> bytes:
    """:func:`folded` as UTF-8 bytes; a non-ASCII line is folded on its octets, not decoded again.

    >>> line_bytes("SUMMARY:" + "Ré" * 40) == folded("SUMMARY:" + "Ré" * 40).encode()
    True
    """
    if line.isascii():
        return (fold(line) + _CRLF).encode("ascii")
    return fold_octets(line.encode("utf-8")) + b"\r\n"


def decoded(value: bytes) -> str:
    """A serialized value as icalendar's ``to_unicode`` reads it back: UTF-8, one leading BOM dropped.

    (``to_unicode`` decodes with the ``utf-8-sig`` codec, whose Python-level decoder costs
    more than the rest of a DESCRIPTION line; the bytes here are always valid UTF-8.)

    >>> from icalendar.parser_tools import to_unicode
    >>> decoded("\ufeffa\ufeff".encode()), to_unicode("\ufeffa\ufeff".encode())
    ('a\ufeff', 'a\ufeff')
    """
    return unsigned(value.decode("utf-8"))


def unsigned(text: str) -> str:
    """``text`` without one leading BOM: what :func:`decoded` gives for its UTF-8 bytes, without the bytes."""
    return text[1:] if text.startswith("\ufeff") else text


def value_line(name: str, value: vText | vUri) -> str:
    """``NAME:value`` folded, as ``Contentline.from_parts`` writes a value that has no parameters.

    icalendar decodes the serialized value with ``to_unicode`` (UTF-8 with a BOM dropped:
    a value starting with U+FEFF loses it there too), so this does the same.
    """
    return folded(name + ":" + decoded(value.to_ical()))


def uid_line(name: str, uid: str) -> bytes:
    """``value_line(name, vText(uid))`` without making the ``vText`` (and its ``Parameters``): one per event.

    ``vText.to_ical`` is icalendar's TEXT escaping of the value; reading it back drops a
    leading BOM, as ``to_unicode`` does.

    >>> uid_line("UID", "t1.c@h") == value_line("UID", vText("t1.c@h")).encode()
    True
    >>> uid_line("UID", "a;b,c") == value_line("UID", vText("a;b,c")).encode()
    True
    """
    return line_bytes(name + ":" + unsigned(_escape_char(uid)))


def text_value(text: str) -> str:
    """``text`` as :class:`FeedText` serializes it and icalendar reads it back (no leading BOM)."""
    return unsigned(feed_text_value(text))


def text_line(name: str, text: str) -> bytes:
    """``NAME:`` and ``text`` as :class:`FeedText` serializes it, folded like :func:`value_line`.

    >>> from calsync.ical.text import FeedText
    >>> text = "a;b," + chr(10) + "c" + chr(7)
    >>> text_line("X", text) == folded("X:" + decoded(FeedText.serialize(text))).encode()
    True
    """
    return line_bytes(name + ":" + text_value(text))
