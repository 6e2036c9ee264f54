"""Reading published site data: is the text JSON, which shape is it, and its schedule.

:func:`load_json` decodes text that is JSON data (``None`` for a page to parse as
text; clearly-meant but broken JSON is a :class:`~calsync.errors.ParseError`),
:func:`detect_kind` tells the two shapes apart by content, and
:func:`parse_site_data` hands the data to the parser of its shape.
:func:`parse_json_page` is the hook of :func:`calsync.parse.dispatch.parse_page`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ...errors import NoEvents, ParseError
from ...model import Schedule
from ..page import PageOptions
from .common import KIND_MINICONF, KIND_ORALS_POSTERS, _records_of
from .miniconf import _MiniConf
from .orals_posters import _OralsPosters

__all__ = ["detect_kind", "load_json", "parse_json_page", "parse_site_data"]

_STRONG_JSON_RE = re.compile(r'^(?:\{\s*(?:"|\})|\[\s*\{)')


# -- detection -----------------------------------------------------------------


def load_json(text: str, source: str | None = None) -> Any | None:
    """The decoded JSON when ``text`` is JSON data, else ``None`` (a page to parse as text).

    Only text starting with ``{`` or ``[`` is tried. Text that is clearly meant as
    JSON (``{"…`` or ``[{…``) but broken is a :class:`ParseError` naming the line;
    other text that merely starts with a bracket (a page's ``[ ] [ Project Page ]``
    line) is not JSON.

    >>> load_json('  {"results": []}')
    {'results': []}
    >>> load_json("[ ] [ Project Page ]") is None, load_json("Session title") is None
    (True, True)
    >>> load_json('{"results": [1,', "x.json")
    Traceback (most recent call last):
    ...
    calsync.errors.ParseError: x.json:1: not valid JSON: Expecting value (column 16)
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped.startswith(("{", "[")):
        return None
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as exc:
        if _STRONG_JSON_RE.match(stripped):
            raise ParseError(f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno, source=source) from None
        return None
    except RecursionError:
        raise ParseError("JSON nested too deeply", source=source) from None


def detect_kind(data: Any) -> str | None:
    """Which published shape decoded JSON has: :data:`KIND_ORALS_POSTERS`, :data:`KIND_MINICONF` or ``None``.

    >>> detect_kind({"count": 0, "next": None, "results": []})
    'orals-posters data'
    >>> detect_kind([{"id": 1, "name": "A", "starttime": "2025-07-15T10:00:00-07:00"}])
    'orals-posters data'
    >>> detect_kind([{"start": "Fri, 14 Jul 2023 13:00:00 GMT", "title": "W1", "view": "week"}])
    'miniconf schedule'
    >>> detect_kind({"a": 1}) is None, detect_kind([1, 2]) is None
    (True, True)
    """
    if _records_of(data) is not None:
        return KIND_ORALS_POSTERS
    if isinstance(data, list):
        items = [item for item in data[:50] if isinstance(item, dict)]
        if not items:
            return None
        if any(("starttime" in i or "eventtype" in i or "virtualsite_url" in i) for i in items):
            return KIND_ORALS_POSTERS
        if any("start" in i and "title" in i for i in items):
            return KIND_MINICONF
    return None


def parse_json_page(text: str, options: PageOptions | None = None) -> Schedule | None:
    """The schedule of published site data, or ``None`` when ``text`` is not JSON.

    JSON of neither shape is a :class:`ParseError` (it would not read as a page either).
    """
    options = options or PageOptions()
    data = load_json(text, options.source)
    if data is None:
        return None
    return parse_site_data(data, options)


def parse_site_data(
    data: Any, options: PageOptions | None = None, *, abstracts: Mapping[str, str] | None = None
) -> Schedule:
    """Parse decoded site data (or its JSON text) of either shape into a :class:`Schedule`.

    ``abstracts`` is the companion ``{"<record id>": "abstract"}`` mapping of
    orals-posters data; a record's own non-empty abstract wins. ``options.url``
    (the page the data came from) is the base of relative links.

    Raises :class:`ParseError` for data of an unknown or malformed shape and
    :class:`NoEvents` when no record has a time.
    """
    options = options or PageOptions()
    if isinstance(data, str):
        decoded = load_json(data, options.source)
        if decoded is None:
            raise ParseError("not JSON data (expected an object or a list)", source=options.source)
        data = decoded
    kind = detect_kind(data)
    if kind == KIND_ORALS_POSTERS:
        return _OralsPosters(data, options, abstracts or {}).parse()
    if kind == KIND_MINICONF:
        return _MiniConf(data, options).parse()
    if isinstance(data, list) and not data:
        raise NoEvents("the JSON list is empty: nothing to import", source=options.source)
    raise ParseError(
        "JSON data of an unknown shape: expected a site's orals-posters data "
        '({"count", "next", "results": [...]}) or a MiniConf schedule.json (a list of events)',
        source=options.source,
    )
