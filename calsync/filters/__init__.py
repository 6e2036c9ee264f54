"""Feed filters: a feed URL's query string → :class:`FeedQuery` → the talks and sessions it selects.

Pure: no Flask, no I/O, no clock. The web layer passes
``request.args.to_dict(flat=False)`` (or the ``MultiDict`` itself) to
:func:`parse_feed_query`; every problem with the query raises
:class:`InvalidQuery` (HTTP 400) with a message naming the parameter.

A :class:`FeedQuery` is always valid and normalized (its ``__post_init__``
checks and cleans every field), so :func:`canonical_query` can be used as a
cache key and to build feed URLs, and :func:`filter_dict` as the stored form of
a custom feed's filter.

Parameters (``type`` and ``session`` may be repeated, the others given once;
an empty value, ``?room=``, means "not set"):

========== ===========================================================================
type       talk type, case-insensitive (``?type=Oral&type=Spotlight``: either)
room       room, case-insensitive and whitespace-normalized, of the talk or its session
day        ``YYYY-MM-DD``: the talk's local date, in its session's zone
author     substring of any author's name (case- and accent-insensitive)
q          every word occurs in the title, the authors or the abstract (case- and accent-insensitive)
session    session id (``?session=a&session=b``: talks of either)
view       ``talks``, ``sessions`` or ``both`` (unset: the endpoint's default)
abstracts  ``0``/``1``/``false``/``true``: include abstracts (default true)
compact    ``0``/``1``/``false``/``true``: short descriptions, no abstract (default false)
speakers   ``0``/``1``/``false``/``true``: first authors in SUMMARY (``Title — A. Author et al.``)
alarm      minutes before each event, a whole number 0..10080
download   ``0``/``1``/``false``/``true``: serve as a download (default false)
========== ===========================================================================
"""

from __future__ import annotations

from ..errors import InvalidQuery
from .folding import _fold as _fold  # the programme's index folds with it; the tests check it
from .folding import searched_text
from .options import feed_options_for
from .parsing import filter_dict, parse_feed_query, query_from_filter_dict
from .query import FeedQuery, canonical_query
from .selection import _local_date as _local_date  # the programme's index dates talks with it
from .selection import has_talk_filters, select_sessions, select_talks
from .values import (
    FILTER_KEYS,
    MAX_ALARM_MINUTES,
    MAX_VALUE_LENGTH,
    MAX_VALUES,
    PARAMETERS,
    REPEATABLE_PARAMETERS,
    VIEWS,
)

__all__ = [
    "FILTER_KEYS",
    "MAX_ALARM_MINUTES",
    "MAX_VALUES",
    "MAX_VALUE_LENGTH",
    "PARAMETERS",
    "REPEATABLE_PARAMETERS",
    "VIEWS",
    "FeedQuery",
    "InvalidQuery",
    "canonical_query",
    "feed_options_for",
    "filter_dict",
    "has_talk_filters",
    "parse_feed_query",
    "query_from_filter_dict",
    "searched_text",
    "select_sessions",
    "select_talks",
]
