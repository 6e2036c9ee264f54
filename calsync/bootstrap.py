"""First start of a store: the configured conferences and, in an empty database, the sample.

No Flask here: the web app calls :func:`bootstrap` when it starts (so does any
other process that serves the store), and :func:`load_sample` imports the bundled
sample conference (our own invented pages).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime
from importlib import resources

from .clock import utcnow
from .config import Config
from .parse import PageOptions, parse_pages
from .store import Store

log = logging.getLogger(__name__)

SAMPLE_SLUG = "icil-2026"
SAMPLE_NAME = "ICIL 2026 — International Conference on Invented Learning (sample)"


def load_sample(store: Store, now: datetime) -> None:
    """Import the bundled sample conference (our own invented pages) into an empty store."""
    files = sorted(
        (p for p in resources.files("calsync.samples").iterdir() if p.name.endswith(".txt")), key=lambda p: p.name
    )
    pages = [(p.read_text(encoding="utf-8"), PageOptions(year=2026, source=p.name)) for p in files]
    schedule = parse_pages(pages)
    store.ensure_conference(SAMPLE_SLUG, SAMPLE_NAME, schedule.timezone, 2026, now, [p.name for p in files])
    store.import_schedule(SAMPLE_SLUG, schedule, now)


def bootstrap(store: Store, config: Config, lease_seconds: int = 10, wait_seconds: float = 25.0) -> None:
    """Create the configured conferences and, in an empty database, the sample — once.

    Several workers or instances start together: a short lease in the database lets
    one of them do it while the others wait. A holder killed midway loses the lease
    when it expires (``lease_seconds``), and a waiter takes over; a sample left without
    talks by such a kill (its conference row exists, version 0) is imported again.
    """
    holder = f"bootstrap:{os.getpid()}:{threading.get_ident()}:{time.monotonic_ns()}"
    deadline = time.monotonic() + wait_seconds
    while not store.try_lease("bootstrap", holder, utcnow(), lease_seconds):
        if time.monotonic() > deadline:
            log.warning("bootstrap: another worker holds the lease for too long; starting without waiting for it")
            return
        time.sleep(0.2)
    try:
        conferences = store.list_conferences()
        unfinished_sample = any(c.slug == SAMPLE_SLUG and c.version == 0 for c in conferences)
        if config.sample and (not conferences or unfinished_sample) and not store.sample_removed():
            load_sample(store, utcnow())
        for conf in config.conferences:
            store.ensure_conference(conf.slug, conf.name, conf.timezone, conf.year, utcnow(), conf.sources)
    finally:
        store.release_lease("bootstrap", holder)
