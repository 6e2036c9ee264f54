"""Orals-posters data published in pages, and its companion abstracts file.

:func:`combine_pages` joins the records of every page into one envelope (no ``next``);
:func:`abstracts_mapping` reads the companion ``<conf>-<year>-abstracts.json`` mapping
and :func:`with_abstracts` fills each empty record abstract from it. The fetching of
the pages is :mod:`calsync.sites`; these are pure and return new containers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import ParseError
from .common import _records_of

__all__ = ["abstracts_mapping", "combine_pages", "with_abstracts"]


def with_abstracts(data: Any, abstracts: Mapping[str, str]) -> Any:
    """Orals-posters data with each empty record abstract filled from the companion mapping.

    Returns new containers (the input is not changed); other data is returned as is.

    >>> with_abstracts({"results": [{"id": 7, "abstract": ""}]}, {"7": "We show."})
    {'results': [{'id': 7, 'abstract': 'We show.'}]}
    """
    records = _records_of(data) if isinstance(data, dict) else data if isinstance(data, list) else None
    if records is None or not abstracts:
        return data
    filled = []
    for record in records:
        if isinstance(record, dict) and not record.get("abstract"):
            text = abstracts.get(str(record.get("id")))
            if isinstance(text, str) and text:
                record = {**record, "abstract": text}
        filled.append(record)
    return {**data, "results": filled} if isinstance(data, dict) else filled


def combine_pages(pages: Sequence[Any], abstracts: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One envelope of the records of every page (in order), abstracts filled in, no ``next``.

    >>> combine_pages([{"count": 3, "next": "p2", "results": [{"id": 1}]}, {"next": None, "results": [{"id": 2}]}])
    {'count': 2, 'next': None, 'previous': None, 'results': [{'id': 1}, {'id': 2}]}
    """
    results: list[Any] = []
    for number, page in enumerate(pages, start=1):
        records = _records_of(page)
        if records is None:
            raise ParseError(f"page {number} of the data is not an envelope with a 'results' list")
        results.extend(records)
    combined: dict[str, Any] = with_abstracts({"count": len(results), "next": None, "previous": None, "results": results}, abstracts or {})
    return combined


def abstracts_mapping(data: Any, source: str | None = None) -> dict[str, str]:
    """The companion abstracts file's ``{"<id>": "text"}`` mapping (non-string values dropped).

    >>> abstracts_mapping({"7": "We show.", "8": None})
    {'7': 'We show.'}
    """
    if not isinstance(data, dict):
        raise ParseError('abstracts data is not an object ({"<id>": "abstract"})', source=source)
    return {str(k): v for k, v in data.items() if isinstance(v, str)}
