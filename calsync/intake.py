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

No Flask and no store import at module level: ``calsync parse`` loads neither.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from .config import ConferenceConfig, Config
from .decoding import decode_page
from .errors import ApiError, CalsyncError, NoEvents, ParseError
from .model import PageReport, ParseWarning, Schedule, Session
from .parse import PageOptions, parse_page
from .parse.context import INFERRED
from .serialize import build_report_dict, build_session_dict, build_warning_dict
from .sites import check_site, fetch_source, source_url
from .sources import fetch_policy, is_url, page_options

if TYPE_CHECKING:  # annotations only: the store (SQLAlchemy) is imported by the callers that use it
    from .store import Conference, ImportReport, Store

log = logging.getLogger(__name__)

__all__ = [
    "PASTED",
    "IntakeRequest",
    "PageInput",
    "Preview",
    "Stored",
    "conference_year",
    "preview",
    "preview_json",
    "read_paste",
    "read_upload",
    "read_url",
    "store_schedule",
]

#: The source name of a pasted page (in reports and messages).
PASTED = "pasted text"
#: Sessions, and talks in all, a preview lists (the report counts them all); abstracts are left out.
PREVIEW_SESSIONS = 40
PREVIEW_TALKS = 300
#: Lines of the page shown around the line a problem names.
EXCERPT_LINES = 2
_FILENAME_RE = re.compile(r"[^\w.\- ()]+")


@dataclass(frozen=True)
class PageInput:
    """A page's text and what we know of where it came from."""

    name: str
    text: str
    modified: datetime | None  # the file's modification time (UTC); None for stdin, pastes and URLs
    url: str | None = None  # the final URL of a fetched page
    etag: str | None = None
    last_modified: str | None = None


# -- reading a page ----------------------------------------------------------------


def read_url(url: str, config: Config, *, site: str | None = None, names: Sequence[str] = ()) -> PageInput:
    """Fetch a page under the config's fetch policy (``names``: the other URLs of the same command).

    A virtual site's home URL is read as its whole programme: the published data, every
    page of it, with its abstracts (:func:`calsync.sites.fetch_source`; ``site`` names the
    data files where the host does not); the page is then named by the data URL, the
    source a refresh fetches. Raises :class:`~calsync.errors.FetchError` (refused: 403,
    failed: 502) and :class:`~calsync.errors.ConfigError` (a home URL whose site is unknown).
    """
    policy = fetch_policy(config, names or [url])
    result = fetch_source(url, policy, site=site, max_data_bytes=config.fetch.max_data_bytes)
    return PageInput(source_url(url, site), result.text or "", None, url=result.url, etag=result.etag,
                     last_modified=result.last_modified)


def read_upload(filename: str | None, raw: bytes) -> PageInput:
    """An uploaded file (saved HTML, a data file, a text copy), decoded like any page.

    The name is the file's base name without path or odd characters (it is shown in
    reports; a data file's name also tells its site and year).

    >>> read_upload("C:\\\\Users\\\\me\\\\icml-2025-orals-posters.json", b"[]").name
    'icml-2025-orals-posters.json'
    >>> read_upload("../<x>.html", "café".encode("utf-8")).text
    'café'
    """
    base = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = _FILENAME_RE.sub("_", base).strip(" .")[:120] or "uploaded file"
    _not_empty(raw.strip())
    return PageInput(name, decode_page(raw), None)


def read_paste(text: str) -> PageInput:
    """Pasted text (line endings made ``\\n``)."""
    _not_empty(text.strip())
    return PageInput(PASTED, text.replace("\r\n", "\n").replace("\r", "\n"), None)


def _not_empty(content: object) -> None:
    if not content:
        raise ApiError("the page is empty: paste its text, choose a file or give its URL")


# -- what the person asked for ------------------------------------------------------


@dataclass(frozen=True)
class IntakeRequest:
    """Where the page goes and how it is read: the conference (new: with its name) and the
    options a person may give (``--url``, ``--year``, ``--timezone``, ``--days``, ``--site``).

    Stored with a draft as JSON (:meth:`to_json`, :meth:`from_json`)."""

    slug: str
    name: str | None = None
    page_url: str | None = None
    year: int | None = None
    timezone: str | None = None
    first_day: date | None = None
    last_day: date | None = None
    site: str | None = None

    def __post_init__(self) -> None:
        from .store.admin import (  # no SQL: checks only
            check_days,
            check_name,
            check_slug,
            check_year,
            check_zone,
        )

        check_slug(self.slug)
        if self.name is not None:
            object.__setattr__(self, "name", check_name(self.name))
        if self.page_url is not None and not is_url(self.page_url):
            raise ApiError(f"the page's URL must be an http(s) URL, got {self.page_url[:200]!r}")
        check_year(self.year)
        if self.timezone is not None:
            check_zone(self.timezone)
        check_days(self.first_day, self.last_day)
        if self.site is not None:
            try:
                object.__setattr__(self, "site", check_site(self.site))
            except CalsyncError as exc:  # a ConfigError (500) on the command line; here the request is wrong
                raise ApiError(exc.message) from None

    @property
    def days(self) -> tuple[date, ...]:
        """The days FIRST..LAST given (empty without a first day)."""
        from .store.admin import conference_days

        return conference_days(self.first_day, self.last_day)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready values (dates as ISO strings)."""
        return {
            "slug": self.slug, "name": self.name, "page_url": self.page_url, "year": self.year,
            "timezone": self.timezone, "site": self.site,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IntakeRequest:
        """The request :meth:`to_json` gave."""
        values = dict(data)
        for key in ("first_day", "last_day"):
            values[key] = date.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)


# -- previewing --------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What reading a page gave: the schedule and its report, or the problem (naming the line)."""

    page: PageInput
    request: IntakeRequest
    existing: bool  # whether the conference exists already
    schedule: Schedule | None
    reports: tuple[PageReport, ...]
    warnings: tuple[ParseWarning, ...]
    problem: ParseError | None = None
    #: Titles of the conference's stored sessions this page would replace (same id, or same title and room).
    replaces: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether there is something to store."""
        return self.schedule is not None and self.problem is None

    @property
    def events(self) -> int:
        """Talks (events) the page yields."""
        return sum(len(s.talks) for s in self.schedule.sessions) if self.schedule else 0


def intake_options(
    page: PageInput,
    request: IntakeRequest,
    conference: Conference | None,
    conf_config: ConferenceConfig | None,
    stored_days: tuple[date, ...] = (),
    today: date | None = None,
) -> PageOptions:
    """How the page is read: its conference's settings (config, then store, with the days
    stored for it) before the person's options (:func:`calsync.sources.page_options`)."""
    return page_options(
        conference,
        conf_config,
        page.url or request.page_url,
        year=request.year,
        timezone=request.timezone,
        today=today,
        source=page.name,
        days=stored_days or request.days,
    )


def preview(
    page: PageInput,
    request: IntakeRequest,
    *,
    conference: Conference | None,
    conf_config: ConferenceConfig | None = None,
    stored_days: tuple[date, ...] = (),
    today: date | None = None,
) -> Preview:
    """Parse ``page`` for ``request``'s conference; never raises for a bad page (see :class:`Preview`)."""
    options = intake_options(page, request, conference, conf_config, stored_days, today)
    existing = conference is not None or conf_config is not None
    try:
        schedule = parse_page(page.text, options)
    except NoEvents as exc:
        report = PageReport(source=page.name, kind=exc.kind or "no dated event", events=0)
        return Preview(page, request, existing, None, (report,), (), exc)
    except ParseError as exc:
        return Preview(page, request, existing, None, (), (), exc)
    return Preview(page, request, existing, schedule, schedule.reports, schedule.warnings)


def excerpt(text: str, line: int | None, around: int = EXCERPT_LINES) -> list[dict[str, Any]]:
    """The page's lines around ``line`` (1-based), each ``{"line", "text", "here"}``.

    >>> [(e["line"], e["here"]) for e in excerpt("a\\nb\\nc\\nd", 2, around=1)]
    [(1, False), (2, True), (3, False)]
    >>> excerpt("a", None)
    []
    """
    if line is None or line < 1:
        return []
    lines = text.split("\n")
    first, last = max(1, line - around), min(len(lines), line + around)
    return [{"line": n, "text": lines[n - 1][:300], "here": n == line} for n in range(first, last + 1)]


#: The command's options as the browser's form names them (messages are written for the command line).
_OPTION_WORDS = (
    (re.compile(r"--days FIRST\.\.LAST"), "the first and last day"),
    (re.compile(r"--timezone ZONE"), "the time zone"),
    (re.compile(r"--site NAME"), "the site's name"),
    (re.compile(r"--url \(or import by URL\)"), "the page's address (or give the page by URL)"),
    (re.compile(r"--year\b"), "the year"),
    (re.compile(r"--url\b"), "the page's address"),
    (re.compile(r"--timezone\b"), "the time zone"),
    (re.compile(r"--days\b"), "the first and last day"),
    (re.compile(r"--site\b"), "the site's name"),
    (re.compile(r"\bpass (the |its )"), r"give \1"),
)


def in_form_words(message: str) -> str:
    """A parser's message with the command's options named as the browser's form names them.

    >>> in_form_words("set the conference's year, or pass --year or --url to be sure")
    "set the conference's year, or give the year or the page's address to be sure"
    >>> in_form_words("pass --days FIRST..LAST and --timezone ZONE")
    'give the first and last day and the time zone'
    """
    for pattern, words in _OPTION_WORDS:
        message = pattern.sub(words, message)
    return message


def preview_json(found: Preview, token: str | None = None) -> dict[str, Any]:
    """The preview as JSON-ready values (the API's answer and the page's data).

    ``{"ok", "draft", "source", "conference": {"slug", "name", "exists"}, "events",
    "sessions_count", "reports", "warnings", "problem": {"message", "line", "text",
    "excerpt"} | null, "sessions": [the first ones, each with "talks_count"; no abstracts], "timezone"}``.
    """
    schedule = found.schedule
    problem = None
    if found.problem is not None:
        exc = found.problem
        problem = {
            "message": in_form_words(exc.message), "reason": in_form_words(exc.reason), "line": exc.line, "text": exc.text,
            "nothing_to_import": isinstance(exc, NoEvents), "excerpt": excerpt(found.page.text, exc.line),
        }
    sessions = schedule.sessions if schedule else ()
    return {
        "ok": found.ok,
        "draft": token,
        "source": found.page.name,
        "url": found.page.url,
        "conference": {"slug": found.request.slug, "name": found.request.name, "exists": found.existing},
        "timezone": schedule.timezone if schedule else None,
        "events": found.events,
        "sessions_count": len(sessions),
        "reports": [build_report_dict(r) for r in found.reports],
        "warnings": [{**build_warning_dict(w), "message": in_form_words(w.message)} for w in found.warnings],
        "problem": problem,
        "replaces": list(found.replaces),
        "sessions": _shown_sessions(sessions),
    }


def _shown_sessions(sessions: Sequence[Session]) -> list[dict[str, Any]]:
    """The first sessions of a preview, at most :data:`PREVIEW_TALKS` talks in all, without abstracts
    (a whole conference's data runs to megabytes; the preview is for checking the reading)."""
    shown: list[dict[str, Any]] = []
    budget = PREVIEW_TALKS
    for session in sessions[:PREVIEW_SESSIONS]:
        if budget <= 0:
            break
        out = build_session_dict(session)
        out["talks_count"] = len(out["talks"])
        out["talks"] = [{k: v for k, v in t.items() if k != "abstract"} for t in out["talks"][:budget]]
        out.pop("abstract", None)
        budget -= len(out["talks"])
        shown.append(out)
    return shown


# -- storing ---------------------------------------------------------------------


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


# -- the browser's flow: submit (preview, kept as a draft), then confirm ----------------

#: The rate limiter's key of a client's submissions (the store keeps only its digest).
RATE_KEY = "intake {client}"


def check_rate(store: Store, config: Config, client: str, now: datetime) -> None:
    """Count one submission of ``client`` (its address), or :class:`~calsync.errors.TooManyRequests`
    past ``limits.intakes_per_hour`` in the last hour — the database's limiter, shared by every
    worker and instance (as for custom feeds)."""
    from .errors import TooManyRequests

    if not store.count_event(RATE_KEY.format(client=client), config.limits.intakes_per_hour, 3600, now):
        raise TooManyRequests(
            f"too many pages submitted from this address (at most {config.limits.intakes_per_hour} an hour); try again later"
        )


def _context(store: Store, config: Config, slug: str) -> tuple[Conference | None, ConferenceConfig | None, tuple[date, ...]]:
    """A conference's stored record, config entry and stored days (the context its pages are read in)."""
    from .store.admin import conference_days

    conference = store.find_conference(slug)
    conf_config = next((c for c in config.conferences if c.slug == slug), None)
    return conference, conf_config, conference_days(*store.get_days(slug)) if conference else ()


def replaced_sessions(store: Store, slug: str, schedule: Schedule) -> tuple[str, ...]:
    """Titles of ``slug``'s stored sessions that importing ``schedule`` would change: the same id, or
    the same title and room (how the importer recognises a session whose first talk moved)."""
    stored = store.stored_sessions(slug)
    ids = {sid for sid, _, _ in stored}
    places = {(title, room or "") for _, title, room in stored}
    return tuple(dict.fromkeys(
        s.title for s in schedule.sessions if s.id in ids or (s.title, s.location or "") in places))


def check_replacing(found: Preview, organiser: bool) -> None:
    """:class:`~calsync.errors.Forbidden` when a page would change sessions a conference has already and
    the client is no organiser: anyone may add sessions, only organisers (and the refreshes) change them."""
    from .errors import Forbidden

    if found.replaces and not organiser:
        listed = "; ".join(found.replaces[:5]) + ("; …" if len(found.replaces) > 5 else "")
        raise Forbidden(
            f"{len(found.replaces)} session{'s' if len(found.replaces) != 1 else ''} of this page "
            f"{'are' if len(found.replaces) != 1 else 'is'} in {found.request.slug} already ({listed}): only its "
            "organisers can replace them (its sources are refreshed on their own)"
        )


def submit(store: Store, config: Config, page: PageInput, request: IntakeRequest, now: datetime,
           today: date | None = None, *, organiser: bool = False) -> tuple[Preview, str | None]:
    """Preview ``page`` for ``request``; when it yields events that this client may store, keep it as a
    draft and return its token too (a page that would replace stored sessions needs an ``organiser``)."""
    conference, conf_config, days = _context(store, config, request.slug)
    found = preview(page, request, conference=conference, conf_config=conf_config, stored_days=days, today=today)
    if not found.ok:
        log.info("intake %s: %s", page.name, found.problem)
        return found, None
    assert found.schedule is not None
    if conference is not None:
        found = replace(found, replaces=replaced_sessions(store, request.slug, found.schedule))
    if found.replaces and not organiser:
        log.info("intake %s: would replace %d sessions of %s; not an organiser", page.name, len(found.replaces), request.slug)
        return found, None
    details = {
        "page": {"name": page.name, "url": page.url, "etag": page.etag, "last_modified": page.last_modified},
        "request": request.to_json(),
        "today": today.isoformat() if today else None,
    }
    draft = store.create_draft(page.text, details, now)
    log.info("intake %s: %d events for %s, draft kept", page.name, found.events, request.slug)
    return found, draft.token


def draft_preview(store: Store, config: Config, token: str, now: datetime) -> Preview:
    """A kept draft read again in its conference's current context (for showing it, or storing it)."""
    draft = store.get_draft(token, now)
    page = PageInput(text=draft.text, modified=None, **draft.details["page"])
    request = IntakeRequest.from_json(draft.details["request"])
    today = draft.details.get("today")
    conference, conf_config, days = _context(store, config, request.slug)
    return preview(page, request, conference=conference, conf_config=conf_config, stored_days=days,
                   today=date.fromisoformat(today) if today else None)


def confirm(store: Store, config: Config, token: str, now: datetime, *, organiser: bool = False) -> Stored:
    """Store a kept draft in its conference (created when new, with the days given), then forget the draft.

    The page is read again in the conference's context as it is now (an organiser may
    have changed its year or zone since the preview): a problem then is raised as the
    :class:`~calsync.errors.ParseError` naming the line, and nothing is stored; so is
    :class:`~calsync.errors.Forbidden` when the page would now replace stored sessions
    (:func:`check_replacing`).
    """
    found = draft_preview(store, config, token, now)
    if found.problem is not None:
        raise found.problem
    assert found.schedule is not None
    request = found.request
    conference, conf_config, _ = _context(store, config, request.slug)
    if conference is not None:
        check_replacing(replace(found, replaces=replaced_sessions(store, request.slug, found.schedule)), organiser)
    stored = store_schedule(store, request.slug, found.schedule, [found.page], now, name=request.name,
                            existing=conference, conf_config=conf_config)
    if conference is None and request.first_day is not None:
        store.update_conference(request.slug, now, days=(request.first_day, request.last_day))
    store.delete_draft(token)
    log.info("intake %s confirmed: %s", found.page.name, stored.report.summary())
    return stored
