"""Keep conferences fresh from their source pages, safely.

A source is a page URL (fetched with conditional GET through :mod:`calsync.fetch`)
or a file. For each source: an unchanged page (304, or the same bytes as last
time) costs no parsing and no writes to talks; a changed page is parsed and
imported (talks that moved keep their UIDs, with SEQUENCE + 1). A fetch error,
an unparseable page, or a page that suddenly yields far fewer talks than the last
good import keeps the last good data, and the reason is recorded for /healthz
and the conference page. Nothing is lost.

No Flask here; the CLI and the service's scheduler call :func:`refresh_conference`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import requests

from .config import Config
from .decoding import decode_page
from .errors import CalsyncError, NoEvents, ParseError
from .fetch import FetchPolicy, make_session
from .parse import parse_page
from .sites import fetch_source, with_sibling_abstracts
from .sources import fetch_policy, is_url, page_options
from .store import Conference, Store
from .store.checks import conference_days

__all__ = [
    "REFRESH_LEASE",
    "Scheduler",
    "SourceOutcome",
    "conference_sources",
    "fetch_policy",  # calsync.sources' (re-exported)
    "is_url",  # calsync.sources'
    "page_options",  # calsync.sources'
    "refresh_all",
    "refresh_conference",
    "refresh_source",
]

log = logging.getLogger(__name__)

REFRESH_LEASE = "refresh"


@dataclass(frozen=True)
class SourceOutcome:
    """What refreshing one source did: ``status`` is updated / unchanged / not-modified / empty / failed."""

    conference: str
    url: str
    status: str
    message: str = ""
    talks: int | None = None


def conference_sources(store: Store, config: Config, slug: str) -> list[str]:
    """A conference's sources: those in the config, then those added by ``calsync import``."""
    configured = next((c.sources for c in config.conferences if c.slug == slug), ())
    stored = [s.url for s in store.list_sources(slug)]
    return list(dict.fromkeys([*configured, *stored]))


def refresh_source(
    store: Store,
    config: Config,
    conference: Conference,
    url: str,
    now: datetime,
    *,
    policy: FetchPolicy,
    session: requests.Session | None = None,
    base_dir: Path | None = None,
) -> SourceOutcome:
    """Refresh one source of ``conference``; never raises for a bad page or an unreachable site."""
    state = store.get_source(conference.slug, url)
    slug = conference.slug

    def failed(message: str) -> SourceOutcome:
        log.warning("refresh %s %s failed, keeping the last good data: %s", slug, url, message)
        store.record_source(slug, url, now, last_error=message, last_error_at=now)
        return SourceOutcome(slug, url, "failed", message, state.talks)

    try:
        if is_url(url):
            site = next((c.site for c in config.conferences if c.slug == slug), None)
            result = fetch_source(url, policy, site=site, etag=state.etag, last_modified=state.last_modified,
                                  session=session, max_data_bytes=config.fetch.max_data_bytes)  # a home URL: its data
            if result.status == 304:
                store.record_source(slug, url, now, last_success=now, note="not modified")
                return SourceOutcome(slug, url, "not-modified", "304 Not Modified", state.talks)
            text = result.text or ""
            validators = {"etag": result.etag, "last_modified": result.last_modified}
        else:
            path = Path(url) if Path(url).is_absolute() or base_dir is None else base_dir / url
            try:
                text = with_sibling_abstracts(path, decode_page(path.read_bytes()))
            except OSError as exc:
                return failed(f"cannot read {path}: {exc.strerror or exc}")
            validators = {}
    except CalsyncError as exc:
        return failed(exc.message)

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest == state.content_hash:
        store.record_source(slug, url, now, last_success=now, note="unchanged", **validators)
        return SourceOutcome(slug, url, "unchanged", "same page as last time", state.talks)

    conf_config = next((c for c in config.conferences if c.slug == slug), None)
    try:
        # the days an organiser stored are context too, as for `calsync import` and /add
        days = conference_days(*store.get_days(slug)) if conference else ()
        schedule = parse_page(text, page_options(conference, conf_config, url, source=url, days=days or None))
    except NoEvents as exc:
        if state.talks:
            return failed(f"the page now lists nothing with a time (it had {state.talks} talks): {exc.reason}")
        store.record_source(slug, url, now, last_success=now, content_hash=digest, talks=0,
                            note="the page lists nothing with a time: nothing imported", **validators)
        return SourceOutcome(slug, url, "empty", "the page lists nothing with a time: nothing imported", 0)
    except ParseError as exc:
        return failed(f"unparseable page: {exc}")

    count = sum(len(s.talks) for s in schedule.sessions)
    threshold = config.refresh.min_talks_percent
    if state.talks and count * 100 < state.talks * threshold:
        return failed(f"the page yields {count} talks, fewer than {threshold}% of the {state.talks} before")
    try:
        report = store.import_schedule(slug, schedule, now)
    except CalsyncError as exc:
        return failed(f"import failed: {exc.message}")
    store.record_source(slug, url, now, last_success=now, content_hash=digest, talks=count, note=report.summary(), **validators)
    return SourceOutcome(slug, url, "updated" if report.touched else "unchanged", report.summary(), count)


def refresh_conference(
    store: Store,
    config: Config,
    slug: str,
    now: datetime,
    *,
    progress: Callable[[int, int, SourceOutcome], None] | None = None,
    base_dir: Path | None = None,
) -> list[SourceOutcome]:
    """Refresh every source of a conference, one session (connection pool) for all."""
    conference = store.get_conference(slug)
    sources = conference_sources(store, config, slug)
    policy = fetch_policy(config, sources)
    session = make_session(policy)
    outcomes = []
    try:
        for index, url in enumerate(sources, start=1):
            try:
                outcome = refresh_source(store, config, conference, url, now, policy=policy, session=session, base_dir=base_dir)
            except Exception as exc:  # any failure is this source's error; the others go on
                log.exception("refresh %s %s failed unexpectedly", slug, url)
                message = f"unexpected error: {exc.__class__.__name__}"
                try:
                    store.record_source(slug, url, now, last_error=message, last_error_at=now)
                except CalsyncError:
                    log.warning("could not record the failure of %s", url)
                outcome = SourceOutcome(slug, url, "failed", message)
            outcomes.append(outcome)
            if progress is not None:
                progress(index, len(sources), outcome)
    finally:
        session.close()
    return outcomes


def refresh_all(
    store: Store,
    config: Config,
    now: Callable[[], datetime],
    *,
    only: str | None = None,
    progress: Callable[[int, int, SourceOutcome], None] | None = None,
    holder: str | None = None,
    lease_seconds: int = 120,
) -> list[SourceOutcome] | None:
    """Refresh every conference (or ``only`` one) under the refresh lease; ``None`` when another holds it.

    The lease is a row in the database, so one worker or instance refreshes at a time.
    It is renewed after every source, so it can be short: a refresher that is killed
    blocks the others for at most ``lease_seconds``.
    """
    holder = holder or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    if not store.try_lease(REFRESH_LEASE, holder, now(), lease_seconds):
        log.info("refresh skipped: another worker or instance holds the lease")
        return None

    outcomes: list[SourceOutcome] = []

    def renew(done: int, total: int, outcome: SourceOutcome) -> None:
        outcomes.append(outcome)
        if progress is not None:
            progress(done, total, outcome)
        if not store.try_lease(REFRESH_LEASE, holder, now(), lease_seconds):
            raise _LeaseLost  # another refresher took over (this one was too slow): stop here

    try:
        slugs = [only] if only else [c.slug for c in store.list_conferences()]
        for slug in slugs:
            refresh_conference(store, config, slug, now(), progress=renew)
        return outcomes
    except _LeaseLost:
        log.warning("refresh stopped after %d sources: the refresh lease was lost to another holder", len(outcomes))
        return outcomes
    finally:
        store.release_lease(REFRESH_LEASE, holder)


class _LeaseLost(Exception):
    """The refresh lease expired and another worker or instance took it."""


class Scheduler:
    """A daemon thread that refreshes every ``refresh.interval_minutes`` (see :func:`refresh_all`)."""

    def __init__(
        self,
        store: Store,
        config: Config,
        now: Callable[[], datetime],
        on_outcome: Callable[[int, int, SourceOutcome], None] | None = None,
    ) -> None:
        self.store, self.config, self.now, self.on_outcome = store, config, now, on_outcome
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="calsync-refresh", daemon=True)

    def start(self) -> None:
        """Start refreshing (the first run after one interval)."""
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop after its current run."""
        self._stop.set()

    def _run(self) -> None:
        interval = self.config.refresh.interval_minutes * 60
        while not self._stop.wait(interval):
            try:
                outcomes = refresh_all(self.store, self.config, self.now, progress=self.on_outcome)
                if outcomes is not None:
                    failed = [o for o in outcomes if o.status == "failed"]
                    log.info("scheduled refresh: %d sources, %d failed", len(outcomes), len(failed))
            except Exception:  # the scheduler must survive anything; the reason is logged
                log.exception("scheduled refresh failed")
