"""The one wall clock of the service layer: the store, the refresher, the web app and the
``calsync import``/``refresh`` commands take "now" from :func:`utcnow` (or are handed it),
so tests can pass another. The parser and the exporter never read it: their times come
from the pages and the data."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["utcnow"]


def utcnow() -> datetime:
    """The current time in UTC, an aware datetime."""
    return datetime.now(UTC)
