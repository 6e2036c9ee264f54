"""Prometheus metrics (``prometheus_client``; no hand-written exposition format).

Counters and histograms live in one registry per app. Under gunicorn with several
workers, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty writable directory: the
metrics of all workers are then collected together (prometheus_client's
multiprocess mode); without it, each answer covers the worker that served it.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """The service's metrics: requests by route and status, feed render time, refresh outcomes."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "calsync_requests", "HTTP requests by route and status", ["route", "method", "status"], registry=self.registry
        )
        self.request_seconds = Histogram(
            "calsync_request_seconds", "Time to answer a request", ["route"], registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.render_seconds = Histogram(
            "calsync_feed_render_seconds", "Time to render a feed that was not cached", ["kind"], registry=self.registry,
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.refreshes = Counter(
            "calsync_refresh_sources", "Source refreshes by outcome", ["status"], registry=self.registry
        )
        self.last_refresh = Gauge(
            "calsync_last_refresh_timestamp_seconds", "When a refresh last completed (Unix time)",
            registry=self.registry, multiprocess_mode="max",
        )

    def render(self) -> bytes:
        """The exposition text (all workers' when ``PROMETHEUS_MULTIPROC_DIR`` is set)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
