"""Model → iCalendar bytes (pure: no clock, no request, no I/O).

icalendar does all the serializing. Each VEVENT and VTIMEZONE is rendered on its
own (``render_*``) so that a caller can keep an event's bytes until its revision
changes and assemble feeds from cached pieces: :func:`render_calendar` takes that
cache as an argument, and :class:`calsync.service.FeedService` owns it (the store
keeps no bytes, only the revisions). :func:`assemble_calendar` only places
already-serialized components between a calendar's header and its
``END:VCALENDAR`` line.

Rendering the same input twice gives byte-identical output: DTSTAMP,
LAST-MODIFIED and CREATED come from the data (:class:`Revision`), never from the clock.

Times: each zone of a feed gets one VTIMEZONE in the classic form
(:func:`calsync.vtimezone.zone_plan`); an event whose local times that VTIMEZONE
does not state exactly — a repeated or skipped wall time, or a year whose rules the
classic form cannot hold — is written in UTC (``…Z``), which every reader reads alike.

The package's parts:

* :mod:`.text` — TEXT values: :func:`clean_text`, :class:`FeedText` (the escaping);
* :mod:`.events` — options, UIDs, summaries, descriptions, and the reference VEVENTs as
  icalendar objects (:func:`build_talk_event`, :func:`build_session_event`);
* :mod:`.lines` — content lines exactly as icalendar writes them (:func:`icalendar_line`);
* :mod:`.writer` — :class:`EventWriter`, which writes those VEVENTs' exact bytes with
  icalendar's value serializers and content-line rule, computing what repeats between
  events once per feed, as :class:`EventPiece` s that every alarm value shares;
* :mod:`.pieces` — :class:`EventPiece` (an event written once per revision, with the
  lines of every presentation variant) and the options pieces are kept under;
* :mod:`.layout` — a feed's layout (:func:`feed_layout`: its events in order and its
  VTIMEZONEs, independent of the presentation; :func:`merge_layouts`);
* :mod:`.calendar` — the calendar header and a feed's assembly from its layout and cached
  pieces (:func:`assemble_feed`); :func:`render_calendar` does both.
"""

from __future__ import annotations

from .calendar import (
    PRODID,
    assemble_calendar,
    assemble_feed,
    build_calendar_header,
    describe_schedule,
    render_calendar,
    render_vtimezone,
)
from .events import (
    BREAK_TYPES,
    PALETTE,
    CalendarInfo,
    FeedOptions,
    Revision,
    build_session_description,
    build_session_event,
    build_talk_description,
    build_talk_event,
    event_end,
    is_break,
    session_days,
    session_uid,
    talk_summary,
    talk_uid,
)
from .layout import FeedLayout, Slot, feed_layout, merge_layouts, zone_years
from .lines import icalendar_line
from .pieces import EventPiece, PieceCache, piece_options, piece_token, text_variant
from .text import FeedText, clean_text
from .writer import EventWriter, render_session_event, render_talk_event

__all__ = [
    "BREAK_TYPES",
    "PALETTE",
    "PRODID",
    "CalendarInfo",
    "EventPiece",
    "EventWriter",
    "FeedLayout",
    "FeedOptions",
    "FeedText",
    "PieceCache",
    "Revision",
    "Slot",
    "assemble_calendar",
    "assemble_feed",
    "build_calendar_header",
    "build_session_description",
    "build_session_event",
    "build_talk_description",
    "build_talk_event",
    "clean_text",
    "describe_schedule",
    "event_end",
    "feed_layout",
    "icalendar_line",
    "merge_layouts",
    "is_break",
    "piece_options",
    "piece_token",
    "render_calendar",
    "render_session_event",
    "render_talk_event",
    "render_vtimezone",
    "session_days",
    "session_uid",
    "talk_summary",
    "talk_uid",
    "text_variant",
    "zone_years",
]
