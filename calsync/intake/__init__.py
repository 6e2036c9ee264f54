"""Adding pages to a conference: read a page, preview what it yields, store it — one core for
the browser's "add a conference" (:mod:`calsync.web.intake`) and ``calsync import``.

A page comes pasted (:func:`read_paste`), uploaded (:func:`read_upload`: saved HTML, a
site's published data file, a text copy), or by URL (:func:`read_url`: a session, event or
day page, a conference's home URL — its whole programme from the site's data — or a data
file), fetched under the same fetch guard as every source (:func:`calsync.sources.fetch_policy`:
the allow-list, and private, loopback or link-local addresses only where the config lists
them — a URL given here never vouches for one).

:func:`preview` reads the page in its conference's context (:func:`calsync.sources.page_options`:
the conference's year, zone and days before the person's options) and returns the report —
page kind, events, year and zone and where each came from, warnings with their lines — or
the problem that stopped it, naming the line; it never raises for a bad page.
:func:`store_schedule` stores a parsed schedule in a conference (created when new), gives a
new conference its year, and remembers fetched pages as sources with their validators.

One module per job: :mod:`.pages` (reading; the request), :mod:`.preview` (the report and its
JSON), :mod:`.storing` (into the store), :mod:`.flow` (the browser's drafts, the rate limit,
who may replace sessions). No Flask and no store import at module level: ``calsync parse``
loads neither.
"""

from .flow import RATE_KEY, check_rate, check_replacing, confirm, draft_preview, replaced_sessions, submit
from .pages import PASTED, IntakeRequest, PageInput, read_paste, read_upload, read_url
from .preview import (
    EXCERPT_LINES,
    PREVIEW_SESSIONS,
    PREVIEW_TALKS,
    Preview,
    excerpt,
    in_form_words,
    intake_options,
    preview,
    preview_json,
)
from .storing import Stored, conference_year, store_schedule

__all__ = [
    "EXCERPT_LINES",
    "PASTED",
    "PREVIEW_SESSIONS",
    "PREVIEW_TALKS",
    "RATE_KEY",
    "IntakeRequest",
    "PageInput",
    "Preview",
    "Stored",
    "check_rate",
    "check_replacing",
    "confirm",
    "conference_year",
    "draft_preview",
    "excerpt",
    "in_form_words",
    "intake_options",
    "preview",
    "preview_json",
    "read_paste",
    "read_upload",
    "read_url",
    "replaced_sessions",
    "store_schedule",
    "submit",
]
