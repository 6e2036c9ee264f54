"""Which text grammar reads a page, in one place: page lines → the right parser.

After :func:`.prepare.prepare_lines` (captures unwrapped, chrome and debris dropped,
other events' tails cut, a second copy of the page dropped), the first kind that fits
reads the page:

1. a deadlines table → nothing to import (:mod:`.noevents`);
2. a day page (events with start times only, :mod:`.kinds`), or a calendar page
   (day headers, time blocks, bracketed sessions, :mod:`.calendar_text`);
3. an agenda (a tutorial/workshop header, then weekday-only items, :mod:`.agenda`);
4. no time line of its own → nothing to import, with the reason (:mod:`.noevents`);
5. a poster session (one time line shared by labelled children, :mod:`.posters`);
6. an old listing of several events without a session title (:func:`.kinds.parse_event_list`);
7. an event page (:func:`.kinds.parse_event_page`);
8. a session page (:func:`.page.parse_session_page`).

Chrome above the event's own label (a whole-page copy's navigation) is not its header
(:func:`.fields.trim_to_event`); a page cut inside its last time line loses that line,
with a warning. Every schedule carries one page report with its kind and the lines it
ignored.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import ParseWarning, Schedule
from .agenda import find_agenda, parse_agenda
from .calendar_text import is_calendar_page, parse_calendar_page
from .fields import trim_to_event
from .kinds import (
    is_day_page,
    is_event_list,
    is_event_page,
    parse_day_page,
    parse_event_list,
    parse_event_page,
)
from .noevents import deadlines_line, explain_no_events
from .page import PageOptions, _split, parse_session_page
from .posters import is_shared_slot_session, parse_shared_slot_session
from .prepare import Prepared, prepare_lines
from .timeline import is_cut_time_line


def parse_text_lines(lines: list[tuple[int, str]], url: str | None, options: PageOptions) -> Schedule:
    """Parse a page's numbered lines (text, or HTML turned into lines) by the first grammar that fits.

    Raises :class:`~calsync.errors.NoEvents` (a :class:`~calsync.errors.ParseError`) for a
    page with nothing to import, saying what the page is and why.
    """
    prepared = prepare_lines(lines)
    url = url or prepared.url
    content = prepared.lines
    notes: list[ParseWarning] = []
    if prepared.repeat_line is not None:
        notes.append(ParseWarning(prepared.repeat_line, "the page starts over here (pasted twice?): the repeat is ignored"))
    if content and is_cut_time_line(content[-1][1]):
        cut = content.pop()  # the page ends inside a time line ("Thu 21 July 11:00 - 11:0")
        prepared.ignored.append(cut)
        notes.append(ParseWarning(cut[0], f"the page ends in a time line cut short: ignored: {cut[1]!r}"))
    schedule = _parse(prepared, url, options)
    if not notes:
        return schedule
    if options.source:
        notes = [replace(w, source=options.source) for w in notes]
    return replace(schedule, warnings=tuple(notes) + schedule.warnings)


def _parse(prepared: Prepared, url: str | None, options: PageOptions) -> Schedule:
    """The schedule of the prepared lines by the first grammar that fits (the module's list)."""
    content, ignored, headings = prepared.lines, prepared.ignored, prepared.headings
    if deadlines_line(content) is not None:
        raise explain_no_events(content, prepared, options.source)
    if is_day_page(content, url):
        return parse_day_page(content, url, options, ignored=ignored)
    if is_calendar_page(content):
        return parse_calendar_page(content, url, options, ignored=ignored)
    if (first_item := find_agenda(content)) is not None:
        return parse_agenda(content, first_item, url, options, headings=headings, ignored=ignored)
    header, slots = _split(content, options)
    if not slots:
        raise explain_no_events(content, prepared, options.source)
    header, chrome = trim_to_event(header)
    ignored = sorted(ignored + chrome)
    if is_shared_slot_session(slots, header):
        return parse_shared_slot_session(header, slots, url, options, headings=headings, ignored=ignored)
    if is_event_list(header, slots):
        return parse_event_list(header, slots, url, options, headings=headings, ignored=ignored)
    if is_event_page(header, slots):
        warnings: list[ParseWarning] = []
        schedule = parse_event_page(header, slots, url, options, warnings, headings=headings, ignored=ignored)
        if options.source:
            schedule = replace(schedule, warnings=tuple(replace(w, source=options.source) for w in schedule.warnings))
        return schedule
    return parse_session_page(header, slots, url, options, ignored=ignored)
