"""Storing a parsed schedule in a conference (new or existing) and its fetched pages as sources — `calsync import`'s too."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..config import ConferenceConfig
from ..model import PageReport, Schedule
from ..parse.context import INFERRED
from .pages import PageInput

if TYPE_CHECKING:  # annotations only: the store (SQLAlchemy) is imported by the callers that use it
    from ..store import Conference, ImportReport, Store

log = logging.getLogger(__name__)



def conference_year(reports: Sequence[PageReport]) -> tuple[int | None, str]:
    """The year a new conference gets: the first page's whose year was not inferred, and what to say."""
    for report in reports:
        if report.year is not None and report.year_origin not in (None, INFERRED):
            return report.year, f"the conference's year is now {report.year} (from {report.source}, {report.year_origin})"
    return None, (
        "the conference has no year: every page's year was inferred; set it with --year or the config's "
        "year so that later imports and refreshes agree"
    )


@dataclass(frozen=True)
class Stored:
    """What storing did: the import's report, and what to tell about the conference's year (or ``None``)."""

    report: ImportReport
    said: str | None


def store_schedule(
    store: Store,
    slug: str,
    schedule: Schedule,
    pages: Sequence[PageInput],
    now: datetime,
    *,
    name: str | None = None,
    existing: Conference | None = None,
    conf_config: ConferenceConfig | None = None,
) -> Stored:
    """Store ``schedule`` in conference ``slug``, created when new (``name``, else the config's, else the slug).

    A conference without a year gets the year of the first page whose year was not
    inferred (:func:`conference_year`); its zone is the config's, else the stored one, else
    the schedule's. Fetched pages (those with a ``url``) become the conference's sources,
    with their validators, content hash and talk count, so that a refresh starts from them.
    """
    conf = conf_config
    said = None
    year = existing.year if existing else (conf.year if conf else None)
    if year is None:
        year, said = conference_year(schedule.reports)
    store.ensure_conference(
        slug,
        name or (conf.name if conf else slug),
        conf.timezone if conf else (existing.timezone if existing else schedule.timezone),
        year,
        now,
        conf.sources if conf else (),
    )
    if existing is not None and existing.year is None and year is not None:
        store.set_conference_year(slug, year, now)
    report = store.import_schedule(slug, schedule, now)
    for page in pages:
        if page.url is not None:
            store.add_source(slug, page.name)
            talks = sum(len(s.talks) for s in schedule.sessions if s.source_url == page.url) or next(
                (r.events for r in schedule.reports if r.source == page.name), 0)  # site data: its report
            store.record_source(
                slug, page.name, now, etag=page.etag, last_modified=page.last_modified,
                content_hash=hashlib.sha256(page.text.encode("utf-8")).hexdigest(), talks=talks,
                last_success=now, note=report.summary(),
            )
    return Stored(report, said)
