"""The OpenAPI 3.1 description of the JSON API (``GET /api/openapi.json``).

Pure: :func:`openapi_document` returns a plain dict (no Flask, no I/O). The schemas
follow what the web layer really answers — :mod:`calsync.serialize` and the JSON
builders of :mod:`calsync.web` — closely enough that responses are checked against
them (required fields, types, ``null`` where it occurs, no undocumented fields):
``tests/test_api_fuzz.py`` fuzzes a live server from this document.

The limits in it (text lengths, alarm range, number of values) are those of
:mod:`calsync.filters` and :mod:`calsync.feedspec`; ``max_feed_items`` is a setting.
"""

from __future__ import annotations

from .common import OPENAPI_VERSION, TOKEN_PATTERN
from .document import openapi_document

__all__ = ["OPENAPI_VERSION", "TOKEN_PATTERN", "openapi_document"]
