"""Which kind of page is this? Session, event or day page — then the right parser.

This is the entry point of parsing: :func:`parse_page` for one page,
:func:`parse_pages` for several pages that make one calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..errors import NoEvents, ParseError
from ..model import PageReport, ParseWarning, Schedule, Session, web_url
from .context import in_display_zone
from .htmltext import is_html
from .page import PageOptions, _read_lines
from .sitedata import parse_json_page
from .sitehtml import parse_site_html
from .textpage import parse_text_lines


def parse_page(text: str, options: PageOptions | None = None) -> Schedule:
    """Parse one page (text or HTML, detected; session, event or day page, detected).

    Times are shown in the display zone (:func:`.context.in_display_zone`); the
    schedule carries one :class:`~calsync.model.PageReport`. Raises
    :class:`~calsync.errors.ParseError` naming the line for a page that cannot be
    read as a schedule (:class:`~calsync.errors.NoEvents` when it lists nothing with
    a time); never any other exception for bad input.
    """
    options = options or PageOptions()
    return _only_web_urls(in_display_zone(_parse_page(text, options), options))


def _only_web_urls(schedule: Schedule) -> Schedule:
    """Links that are not http(s) (``javascript:`` from a canonical link, say) are dropped."""
    dropped: list[ParseWarning] = []

    def keep(url: str | None) -> str | None:
        if url and web_url(url) is None:
            dropped.append(ParseWarning(None, f"link {url[:80]!r} is not an http(s) URL: dropped"))
        return web_url(url)

    sessions = tuple(
        replace(s, source_url=keep(s.source_url), talks=tuple(replace(t, url=keep(t.url)) if t.url else t for t in s.talks))
        if s.source_url or any(t.url for t in s.talks)
        else s
        for s in schedule.sessions
    )
    if not dropped:
        return schedule
    return replace(schedule, sessions=sessions, warnings=schedule.warnings + tuple(dict.fromkeys(dropped)))


def _parse_page(text: str, options: PageOptions) -> Schedule:
    if (data := parse_json_page(text, options)) is not None:  # a site's published data (JSON)
        return data
    if is_html(text) and (structured := parse_site_html(text, options)) is not None:  # known site HTML
        return structured
    lines, url = _read_lines(text, options)
    return parse_text_lines(lines, url, options)  # the text grammars (session, event, day page, agenda, …)


def parse_pages(pages: Sequence[tuple[str, PageOptions]], *, skip_empty: bool = False) -> Schedule:
    """Parse several pages into one schedule (one calendar); the first page's zone leads.

    A session that appears twice (the same page given twice) is kept once, with a
    warning. With ``skip_empty``, a page listing nothing with a time becomes a
    warning instead of an error (an import then says it imported nothing from it).
    """
    sessions: list[Session] = []
    warnings: list[ParseWarning] = []
    reports: list[PageReport] = []
    seen: set[str] = set()
    for text, options in pages:
        try:
            schedule = parse_page(text, options)
        except NoEvents as exc:
            if not skip_empty:
                raise
            warnings.append(ParseWarning(None, f"{exc.reason}: nothing imported from this page", options.source))
            reports.append(PageReport(source=options.source, kind=exc.kind or "no dated event", events=0))
            continue
        warnings.extend(schedule.warnings)
        reports.extend(schedule.reports)
        for session in schedule.sessions:
            if session.id in seen:
                warnings.append(ParseWarning(None, f"session {session.title!r} given twice: kept once", options.source))
                continue
            seen.add(session.id)
            sessions.append(session)
    if not sessions:
        if skip_empty and pages:
            raise NoEvents("no page lists anything with a time: nothing to import", reports=tuple(reports))
        raise ParseError("no pages given")
    return Schedule(
        timezone=sessions[0].timezone, sessions=tuple(sessions), warnings=tuple(warnings), reports=tuple(reports)
    )
