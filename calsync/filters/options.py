"""Presentation options of a query: :func:`feed_options_for` sets a feed's :class:`~calsync.ical.FeedOptions`.

View, abstracts, compact, speakers and alarm select nothing; they change how the selected
talks and sessions are written.
"""

from __future__ import annotations

from dataclasses import replace

from ..ical import FeedOptions
from .query import FeedQuery
from .values import VIEWS


def feed_options_for(query: FeedQuery, base: FeedOptions, default_view: str) -> FeedOptions:
    """``base`` with the query's view, abstracts, compact, speakers and alarm.

    View ``talks``/``sessions``/``both`` sets ``talks`` and ``sessions``; an
    unset view uses ``default_view``. Abstracts are written only when both the
    query and ``base`` allow them; an unset alarm keeps ``base.alarm_minutes``.

    >>> o = feed_options_for(FeedQuery(view="both", alarm=10), FeedOptions(), "talks")
    >>> o.talks, o.sessions, o.alarm_minutes
    (True, True, 10)
    >>> feed_options_for(FeedQuery(abstracts=False), FeedOptions(), "sessions").sessions
    True
    """
    view = query.view or default_view
    if view not in VIEWS:
        raise ValueError(f"default_view must be one of {', '.join(VIEWS)}, not {view!r}")
    return replace(
        base,
        talks=view in ("talks", "both"),
        sessions=view in ("sessions", "both"),
        abstracts=base.abstracts and query.abstracts,
        compact=base.compact or query.compact,
        speakers=base.speakers or query.speakers,
        alarm_minutes=query.alarm if query.alarm is not None else base.alarm_minutes,
    )
