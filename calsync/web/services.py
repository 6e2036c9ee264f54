"""The parts every view uses, built once per app: config, store, feed service, metrics, scheduler.

:func:`build_services` makes them (and bootstraps the store); views reach them
with :func:`services` (the current app's). ``app.extensions["calsync"]`` holds the
:class:`Services` object; ``services()["store"]`` still works for old callers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, cast

from flask import current_app, request

from ..bootstrap import bootstrap
from ..clock import utcnow
from ..config import Config
from ..filters import FeedQuery, parse_feed_query
from ..metrics import Metrics
from ..refresh import Scheduler, SourceOutcome
from ..service import FeedService
from ..store import Snapshot, Store
from .programme import ProgrammeIndex

#: Distinct query strings whose parsed filters are kept (a feed URL is fetched often).
QUERY_CACHE_SIZE = 4096


@dataclass
class Services:
    """What the views need; one per app (see :func:`build_services`)."""

    config: Config
    store: Store
    service: FeedService
    metrics: Metrics
    scheduler: Scheduler | None = None
    queries: dict[bytes, FeedQuery] = field(default_factory=dict)
    counters: dict[tuple[str, str, int], tuple[Any, Any]] = field(default_factory=dict)
    programmes: dict[str, ProgrammeIndex] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        """``services["store"]``: the dictionary form older callers use."""
        return getattr(self, name)

    def programme(self, slug: str) -> tuple[Snapshot, ProgrammeIndex]:
        """A conference's snapshot and its programme index (rebuilt when the data version moves)."""
        snap = self.service.snapshot(slug)
        index = self.programmes.get(slug)
        if index is None or index.version != snap.conference.version:
            index = self.programmes[slug] = ProgrammeIndex.build(snap)
            # Fold the talks' text for search now, off the request: the first search is then fast too.
            threading.Thread(target=index.prepare_search, name=f"fold-{slug}", daemon=True).start()
        return snap, index

    @property
    def max_age(self) -> int:
        """Seconds a client may keep a feed (``feed.refresh_minutes``)."""
        return self.config.feed.refresh_minutes * 60


def build_services(config: Config) -> Services:
    """Open and migrate the store, bootstrap it, and start the refresher when configured."""
    store = Store(config.database_url)
    store.migrate()
    bootstrap(store, config)
    metrics = Metrics()
    service = FeedService(
        store, config, observe_render=lambda kind, seconds: metrics.render_seconds.labels(kind).observe(seconds)
    )

    def count_refresh(_done: int, _total: int, outcome: SourceOutcome) -> None:
        metrics.refreshes.labels(outcome.status).inc()
        metrics.last_refresh.set(time.time())

    scheduler = None
    if config.refresh.interval_minutes > 0:
        scheduler = Scheduler(store, config, utcnow, on_outcome=count_refresh)
        scheduler.start()
    return Services(config=config, store=store, service=service, metrics=metrics, scheduler=scheduler)


def services() -> Services:
    """The current app's :class:`Services`."""
    return cast(Services, current_app.extensions["calsync"])


def feed_query() -> FeedQuery:
    """The request's filters, parsed once per distinct query string."""
    cache = services().queries
    raw = request.query_string
    query = cache.get(raw)
    if query is None:
        query = parse_feed_query(request.args)
        if len(cache) > QUERY_CACHE_SIZE:
            cache.clear()
        cache[raw] = query
    return query
