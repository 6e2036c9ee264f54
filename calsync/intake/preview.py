"""Previewing a page: the report or the problem naming its line, and its JSON for the browser and the API."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ..config import ConferenceConfig
from ..errors import NoEvents, ParseError
from ..model import PageReport, ParseWarning, Schedule, Session
from ..parse import PageOptions, parse_page
from ..serialize import build_report_dict, build_session_dict, build_warning_dict
from ..sources import page_options
from .pages import IntakeRequest, PageInput

if TYPE_CHECKING:  # annotations only: the store (SQLAlchemy) is imported by the callers that use it
    from ..store import Conference

log = logging.getLogger(__name__)


#: Sessions, and talks in all, a preview lists (the report counts them all); abstracts are left out.
PREVIEW_SESSIONS = 40
PREVIEW_TALKS = 300
#: Lines of the page shown around the line a problem names.
EXCERPT_LINES = 2




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
