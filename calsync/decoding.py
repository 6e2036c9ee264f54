"""Bytes of a page → text: the one decoding rule for files, standard input and fetched pages.

A byte-order mark wins (UTF-8, UTF-16 and UTF-32, either byte order); then UTF-16
without a BOM (recognised by its NUL bytes in every other position, as Windows editors
save "Unicode" text); then the declared charset when it names a *text* encoding (a
server's ``charset=base64``, ``hex``, ``rot13`` or ``idna`` is ignored, never run); else
UTF-8. Undecodable bytes become U+FFFD, so decoding never raises.
"""

from __future__ import annotations

import codecs
import logging

logger = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def text_encoding(name: str | None) -> str | None:
    """The codec name for ``name`` when it is a text encoding, else ``None``.

    >>> text_encoding("ISO-8859-1"), text_encoding("base64"), text_encoding("rot13"), text_encoding("nope")
    ('iso8859-1', None, None, None)
    """
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in {"idna", "punycode", "rot-13", "raw-unicode-escape", "unicode-escape"}:
        return None
    return info.name


def _utf16_without_bom(raw: bytes) -> str | None:
    sample = raw[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def decode_page(raw: bytes, charset: str | None = None) -> str:
    """Decode a page's bytes (see the module's rule); never raises.

    >>> decode_page("café".encode("utf-16"))
    'café'
    >>> decode_page("Thu 21 July".encode("utf-16-le"))
    'Thu 21 July'
    >>> decode_page("café".encode("latin-1"), "iso-8859-1"), decode_page(b"caf\\xe9")
    ('café', 'caf\\ufffd')
    >>> decode_page(b"aGk=", "base64"), decode_page(b"\\xef\\xbb\\xbfhi", "no-such-codec")
    ('aGk=', 'hi')
    """
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return raw.decode(name, errors="replace")
    guessed = _utf16_without_bom(raw)
    if guessed:
        return raw.decode(guessed, errors="replace")
    encoding = text_encoding(charset)
    if charset and encoding is None:
        logger.debug("charset %r is not a text encoding; decoding as utf-8", charset)
    try:
        return raw.decode(encoding or "utf-8", errors="replace")
    except (LookupError, ValueError):  # a codec that fails on its own terms: fall back
        return raw.decode("utf-8", errors="replace")
