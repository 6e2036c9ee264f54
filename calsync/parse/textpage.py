"""Which text grammar reads a page, in one place: page lines → the right parser.

After :func:`.prepare.prepare_lines` (captures unwrapped, chrome and debris dropped,
other events' tails cut), the first kind that fits reads the page:

1. a deadlines table → nothing to import (:mod:`.noevents`);
2. a day page (events with start times only, :mod:`.kinds`), or a calendar page
   (day headers, time blocks, bracketed sessions, :mod:`.calendar_text`);
3. an agenda (a tutorial/workshop header, then weekday-only items, :mod:`.agenda`);
4. no time line of its own → nothing to import, with the reason (:mod:`.noevents`);
5. a poster session (one time line shared by labelled children, :mod:`.posters`);
6. an old listing of several events without a session title (:func:`.kinds.parse_event_list`);
7. an event page (:func:`.kinds.parse_event_page`);
8. a session page (:func:`.page.parse_session_page`).

Every schedule carries one page report with its kind and the lines it ignored.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import ParseWarning, Schedule
from .agenda import find_agenda, parse_agenda
from .calendar_text import is_calendar_page, parse_calendar_page
from .kinds import is_day_page, is_event_list, is_event_page, parse_day_page, parse_event_list, parse_event_page
from .noevents import deadlines_line, explain_no_events
from .page import PageOptions, _split, parse_session_page
from .posters import is_shared_slot_session, parse_shared_slot_session
from .prepare import prepare_lines


def parse_text_lines(lines: list[tuple[int, str]], url: str | None, options: PageOptions) -> Schedule:
    """Parse a page's numbered lines (text, or HTML turned into lines) by the first grammar that fits.

    Raises :class:`~calsync.errors.NoEvents` (a :class:`~calsync.errors.ParseError`) for a
    page with nothing to import, saying what the page is and why.
    """
    prepared = prepare_lines(lines)
    url = url or prepared.url
    content = prepared.lines
    if deadlines_line(content) is not None:
        raise explain_no_events(content, prepared, options.source)
    if is_day_page(content, url):
        return parse_day_page(content, url, options, ignored=prepared.ignored)
    if is_calendar_page(content):
        return parse_calendar_page(content, url, options, ignored=prepared.ignored)
    if (first_item := find_agenda(content)) is not None:
        return parse_agenda(content, first_item, url, options, headings=prepared.headings, ignored=prepared.ignored)
    header, slots = _split(content, options)
    if not slots:
        raise explain_no_events(content, prepared, options.source)
    if is_shared_slot_session(slots, header):
        return parse_shared_slot_session(
            header, slots, url, options, headings=prepared.headings, ignored=prepared.ignored
        )
    if is_event_list(header, slots):
        return parse_event_list(header, slots, url, options, headings=prepared.headings, ignored=prepared.ignored)
    if is_event_page(header, slots):
        warnings: list[ParseWarning] = []
        schedule = parse_event_page(
            header, slots, url, options, warnings, headings=prepared.headings, ignored=prepared.ignored
        )
        if options.source:
            schedule = replace(schedule, warnings=tuple(replace(w, source=options.source) for w in schedule.warnings))
        return schedule
    return parse_session_page(header, slots, url, options, ignored=prepared.ignored)
