"""VEVENT bytes exactly as icalendar writes them, without building icalendar objects per event.

A feed of 10,000 talks spent most of its cold render in icalendar's ``Component``
machinery (a case-insensitive dict per event, a ``Parameters`` dict per value, a
``Contentline`` per property) and in its per-character line folding, although most of
what it serialized repeats from event to event: the revision stamps, the slots' times,
the rooms, the types and colours, the session a talk is RELATED-TO. :class:`EventWriter`
writes the same bytes as ``build_talk_event(...).to_ical(sorted=False)`` (and the session
equivalent), byte for byte, by

* asking icalendar itself for the content line of every *repeated* value, once per
  writer, and keeping it folded (:func:`~calsync.ical.lines.icalendar_line`: an
  icalendar component with that one property, serialized; for the slots' DTSTART/DTEND,
  :func:`~calsync.ical.lines.property_line`: icalendar's value encoding and
  ``Contentline.from_parts`` without the component);
* serializing every *per-event* value (UID, SUMMARY, URL, DESCRIPTION) with icalendar's
  own value classes (``vText``, ``vUri``, :class:`~calsync.ical.text.FeedText`) and
  writing its line as ``Contentline.from_parts`` does for a value without parameters
  (``NAME:`` + the value decoded as icalendar decodes it: :mod:`calsync.ical.lines`);
* folding with :func:`calsync.icalfold.fold`, icalendar's fold rule with a fast path for
  ASCII lines (offered upstream: ``bench/upstream/``).

Properties come in the order the reference builders add them (with ``sorted=False``
icalendar keeps insertion order), and a VALARM, when there is one, closes the event as a
subcomponent does. An event is written once as an :class:`EventPiece`: the lines no
option changes, and for every variant the few that options change (UID, SUMMARY,
DESCRIPTION, RELATED-TO, the VALARM's DESCRIPTION), so that every alarm, view,
``abstracts``, ``compact`` and ``speakers`` variant of a feed is an assembly of the same
pieces (:meth:`EventWriter.close`). ``tests/test_ical_writer.py`` compares both ways on
generated events with every option and on arbitrary texts. Pure: no clock, no request, no I/O.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo

from icalendar import Alarm, vUri
from icalendar.parser.string import _escape_char  # what vText.to_ical applies (icalendar 7)

from ..model import Session, Talk, normalize_title
from .events import (
    PALETTE,
    FeedOptions,
    Revision,
    _utc,
    build_session_description,
    event_end,
    is_break,
    session_part_uid,
    session_uid,
    talk_descriptions,
    talk_summaries,
    uid_suffix,
    whole_session,
)
from .lines import (
    folded,
    icalendar_line,
    line_bytes,
    property_line,
    text_line,
    text_value,
    uid_line,
    unsigned,
    value_line,
)
from .pieces import TEXT_VARIANTS, EventPiece, Lines, variant_options, variant_slots
from .text import FeedText, clean_text

log = logging.getLogger(__name__)

_BEGIN_EVENT = b"BEGIN:VEVENT\r\n"
_END_EVENT = b"END:VEVENT\r\n"


class EventWriter:
    """Writes the VEVENTs of one feed (one set of :class:`FeedOptions`), reusing what repeats.

    Each repeated line — DTSTAMP/CREATED/LAST-MODIFIED/SEQUENCE of a revision, DTSTART and
    DTEND of a slot, LOCATION of a room, CATEGORIES and COLOR of a type, RELATED-TO of a
    session, STATUS and TRANSP, the VALARM around its DESCRIPTION — is serialized by
    icalendar once per writer and kept folded. Make one writer per feed render (its
    memory is bounded by that feed's distinct values); not thread-safe.
    """

    def __init__(self, options: FeedOptions) -> None:
        self.options = options
        self._lines: dict[tuple[object, ...], str] = {}
        self._related_lines: dict[tuple[str, str], bytes] = {}
        self._alarm_block: tuple[bytes, bytes] | None = None
        *texts, self._named = variant_options(options)
        #: Each description variant's name, options and UID suffix (escaped apart from the id: see uid_suffix).
        self._texts = [(name, shown, _escape_char(uid_suffix(shown))) for name, shown in zip(TEXT_VARIANTS, texts)]
        self._alarmed = options.alarm_minutes is not None
        # This feed's lines of a piece, read in C (a feed reads them for every event).
        text, summary, reminder = variant_slots(options)
        self._text_of = attrgetter(text)
        self._summary_of = attrgetter(summary)
        self._reminder_of = attrgetter(reminder)

    # -- repeated lines -------------------------------------------------------

    def _line(self, name: str, value: Hashable) -> str:
        """icalendar's folded line for a value many events share (a stamp, a status), made once."""
        key = (name, value)
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = folded(icalendar_line(name, value))
        return found

    def _stamps(self, revision: Revision) -> str:
        """DTSTAMP, CREATED (when known), LAST-MODIFIED and SEQUENCE of a revision (UTC instants)."""
        key = ("stamps", revision.modified, revision.created, revision.sequence)
        found = self._lines.get(key)
        if found is None:
            modified = _utc(revision.modified)
            parts = [self._line("dtstamp", modified)]
            if revision.created is not None:
                parts.append(self._line("created", _utc(revision.created)))
            parts.append(self._line("last-modified", modified))
            parts.append(self._line("sequence", revision.sequence))
            found = self._lines[key] = "".join(parts)
        return found

    def _times(self, start: datetime, end: datetime, utc: bool) -> str:
        """DTSTART and DTEND: local times with their zone's TZID, or UTC instants (``…Z``)."""
        if utc:
            return self._moment("dtstart", _utc(start)) + self._moment("dtend", _utc(end))
        return self._moment("dtstart", start) + self._moment("dtend", end)

    def _moment(self, name: str, moment: datetime) -> str:
        """A DTSTART or DTEND line, shared by every event at that moment.

        The line depends on the wall time and the tzinfo alone (the TZID of a ZoneInfo is
        its key; :data:`datetime.UTC` gives ``…Z``). The key holds both: datetimes with the same tzinfo
        compare by wall time (a wall time in a repeated hour is one line, whichever
        instant), and ones with different tzinfos never match, the tzinfo being part of it.
        Other tzinfos (fixed offsets compare equal whatever their names; some name
        themselves by the instant) are not shared.
        """
        zone = moment.tzinfo
        if not (zone is UTC or isinstance(zone, ZoneInfo)):
            return folded(property_line(name, moment))
        key = (name, moment, zone)
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = folded(property_line(name, moment))
        return found

    def _text(self, name: str, text: str) -> str:
        """A TEXT property many events share (LOCATION), written as :class:`FeedText`."""
        key = ("text", name, text)
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = folded(icalendar_line(name, FeedText(text)))
        return found

    def _related(self, session: Session, variant: str, shown: FeedOptions) -> bytes:
        """RELATED-TO a session's UID in a description variant (shared by the session's talks and later days)."""
        key = (session.id, variant)
        found = self._related_lines.get(key)
        if found is None:
            found = self._related_lines[key] = uid_line("RELATED-TO", session_uid(session, shown))
        return found

    def _type(self, kind: str) -> str:
        """CATEGORIES of a talk type, and its COLOR when the palette has one."""
        key = ("type", kind)
        found = self._lines.get(key)
        if found is None:
            found = folded(icalendar_line("categories", [clean_text(kind)]))
            if (color := PALETTE.get(normalize_title(kind))) is not None:
                found += folded(icalendar_line("color", color))
            self._lines[key] = found
        return found

    def _alarm(self) -> tuple[bytes, bytes]:
        """The VALARM's lines before and after its DESCRIPTION (the event's SUMMARY), from icalendar."""
        if self._alarm_block is None:
            minutes = self.options.alarm_minutes
            assert minutes is not None
            head = "BEGIN:VALARM\r\n" + folded(icalendar_line("action", "DISPLAY", Alarm))
            tail = folded(icalendar_line("trigger", timedelta(minutes=-minutes), Alarm)) + "END:VALARM\r\n"
            self._alarm_block = (head.encode("utf-8"), tail.encode("utf-8"))
        return self._alarm_block

    def close(self, pieces: Iterable[EventPiece]) -> list[bytes]:
        """The events' bytes in order, with this writer's variant lines, VALARM (if any) and ``END:VEVENT``.

        Returned as the parts to join (several per event), so no event is copied.
        """
        parts: list[bytes] = []
        text_of, summary_of, reminder_of = self._text_of, self._summary_of, self._reminder_of
        alarm = self._alarm() if self._alarmed else None
        for piece in pieces:
            uid, description, related = text_of(piece)
            stamps, middle, tail = piece.fixed
            parts += (_BEGIN_EVENT, uid, stamps, summary_of(piece), middle, description, related, tail)
            if alarm is not None and piece.alarmed:
                parts += (alarm[0], reminder_of(piece), alarm[1])
            parts.append(_END_EVENT)
        return parts

    # -- events ---------------------------------------------------------------

    def talk(self, talk: Talk, session: Session, revision: Revision, *, utc: bool = False) -> bytes:
        """The VEVENT of one talk: ``build_talk_event(...).to_ical(sorted=False)``, byte for byte."""
        return b"".join(self.close([self.talk_piece(talk, session, revision, utc=utc)]))

    def talk_piece(self, talk: Talk, session: Session, revision: Revision, *, utc: bool = False) -> EventPiece:
        """:meth:`talk` as an :class:`EventPiece`: its lines for every presentation."""
        middle = [self._times(talk.start, event_end(talk, self.options), utc)]
        location = talk.location or session.location
        if location:
            middle.append(self._text("location", location))
        if talk.type:
            middle.append(self._type(talk.type))
        link = talk.url or session.source_url
        if link:
            middle.append(value_line("URL", vUri(link)))
        brk = is_break(talk)
        tail = self._line("status", "CANCELLED" if talk.cancelled else "CONFIRMED") + self._line(
            "transp", "TRANSPARENT" if brk else "OPAQUE")
        full, short, compact = talk_descriptions(talk, session)
        full_line = text_line("DESCRIPTION", full)
        short_line = full_line if short is full else text_line("DESCRIPTION", short)
        lines = (full_line, short_line, text_line("DESCRIPTION", compact))
        item = unsigned(_escape_char(talk.id))
        texts = [(line_bytes("UID:" + item + suffix), line, self._related(session, variant, shown))
                 for (variant, shown, suffix), line in zip(self._texts, lines)]
        plain, named = talk_summaries(talk, session)
        titles = _title_lines(text_value(plain), not brk)
        return EventPiece(_encoded(self._stamps(revision), "".join(middle), tail), not brk, _three(texts),
                          (titles, titles if named is plain else _title_lines(text_value(named), not brk)))

    def session(
        self,
        session: Session,
        revision: Revision,
        *,
        part: tuple[date, datetime, datetime] | None = None,
        first_day: date | None = None,
        utc: bool = False,
    ) -> bytes:
        """The VEVENT of a session or of one day's part: ``build_session_event(...).to_ical(sorted=False)``."""
        return b"".join(self.close([self.session_piece(session, revision, part=part, first_day=first_day, utc=utc)]))

    def session_piece(
        self,
        session: Session,
        revision: Revision,
        *,
        part: tuple[date, datetime, datetime] | None = None,
        first_day: date | None = None,
        utc: bool = False,
    ) -> EventPiece:
        """:meth:`session` as an :class:`EventPiece`: its lines for every presentation (its title has no speakers)."""
        assert session.start is not None and session.end is not None
        part = part if part is not None else whole_session(session, self.options)
        day, start, end = part
        middle = [self._times(start, end, utc)]
        if session.location:
            middle.append(self._text("location", session.location))
        if session.source_url:
            middle.append(value_line("URL", vUri(session.source_url)))
        tail = self._line("status", "CONFIRMED") + self._line("transp", "OPAQUE")
        texts = []
        written: tuple[str, bytes] = ("", b"")
        for variant, shown, _suffix in self._texts:
            uid, later = session_part_uid(session, shown, day, first_day)
            text = build_session_description(session, shown)
            if text != written[0] or not written[1]:
                written = (text, text_line("DESCRIPTION", text))
            texts.append((uid_line("UID", uid), written[1],
                          self._related(session, variant, shown) if later else b""))
        titles = _title_lines(text_value(session.title), True)
        return EventPiece(_encoded(self._stamps(revision), "".join(middle), tail), True, _three(texts), (titles, titles))


def _three(texts: list[tuple[bytes, bytes, bytes]]) -> tuple[Lines, Lines, Lines]:
    full, short, compact = texts
    return full, short, compact


def _title_lines(summary: str, alarmed: bool) -> tuple[bytes, bytes]:
    """SUMMARY and, for an event with an alarm, the VALARM's DESCRIPTION (it repeats SUMMARY), from its value."""
    return line_bytes("SUMMARY:" + summary), line_bytes("DESCRIPTION:" + summary) if alarmed else b""


def _encoded(*runs: str) -> tuple[bytes, bytes, bytes]:
    stamps, middle, tail = (run.encode("utf-8") for run in runs)
    return stamps, middle, tail


def render_talk_event(
    talk: Talk, session: Session, revision: Revision, options: FeedOptions, *, utc: bool = False
) -> bytes:
    """Serialized VEVENT of one talk (a cacheable piece of a feed).

    The bytes of :func:`~calsync.ical.events.build_talk_event`'s ``to_ical(sorted=False)``;
    a feed uses one :class:`EventWriter` for all its events instead.
    """
    return EventWriter(options).talk(talk, session, revision, utc=utc)


def render_session_event(
    session: Session,
    revision: Revision,
    options: FeedOptions,
    *,
    part: tuple[date, datetime, datetime] | None = None,
    first_day: date | None = None,
    utc: bool = False,
) -> bytes:
    """Serialized VEVENT of one session, or of one day's part of it (a cacheable piece of a feed)."""
    return EventWriter(options).session(session, revision, part=part, first_day=first_day, utc=utc)
