"""Events as icalendar objects: the options, UIDs, summaries, descriptions and the reference VEVENTs.

:func:`build_talk_event` and :func:`build_session_event` build icalendar ``Event`` objects
property by property; their ``to_ical(sorted=False)`` is the definition of an event's
bytes. Feeds are written by :mod:`calsync.ical.writer`, which produces those same bytes
without building the objects (``tests/test_ical_writer.py`` compares the two).
Pure: no clock, no request, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Event

from ..exports.compact import compact_talk_description, people_line, short_authors
from ..model import Session, Talk, normalize_title
from ..zones import describe_zone
from .text import FeedText, clean_text


@dataclass(frozen=True)
class Revision:
    """What the store knows of an event's history: SEQUENCE, LAST-MODIFIED and CREATED (UTC).

    DTSTAMP is the LAST-MODIFIED instant: in a published feed it says when this version
    of the event was made (RFC 5545 §3.8.7.2). ``created`` is the first import.
    """

    modified: datetime
    sequence: int = 0
    created: datetime | None = field(default=None, compare=False)  # a version is (modified, sequence)

    def __post_init__(self) -> None:
        if self.modified.tzinfo is None or (self.created is not None and self.created.tzinfo is None):
            raise ValueError("Revision.modified and Revision.created must be aware datetimes")


@dataclass(frozen=True)
class FeedOptions:
    """How events are written; the defaults suit a subscribed feed.

    ``host`` is the right-hand side of every UID (``<id>.<conference>@<host>``);
    ``conference`` (a slug) keeps one page imported into two conferences from giving
    two events one UID; ``default_duration`` is used for slots whose end is not
    published; ``alarm_minutes`` adds a VALARM that many minutes before each event
    (never to breaks); ``speakers`` puts the first authors in SUMMARY
    (``Title — A. Author et al.``) for calendar grids that show only titles;
    ``compact`` writes short descriptions (:mod:`calsync.exports.compact`: at most five
    authors, no abstract) for clients with a size limit (Google's 1 MB).
    """

    host: str = "calsync.invalid"
    talks: bool = True
    sessions: bool = False
    abstracts: bool = True
    alarm_minutes: int | None = None
    refresh: timedelta = timedelta(hours=1)
    default_duration: timedelta = timedelta(minutes=30)
    conference: str | None = None
    speakers: bool = False
    compact: bool = False


@dataclass(frozen=True)
class CalendarInfo:
    """Calendar-level texts: name (X-WR-CALNAME and NAME), description, display zone, link.

    ``year`` (the conference's) dates the display zone's VTIMEZONE when no event does:
    an empty feed still holds that one component.
    """

    name: str
    description: str
    timezone: str
    url: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    year: int | None = None


# --------------------------------------------------------------------------
# Event pieces


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def uid_suffix(options: FeedOptions) -> str:
    """What follows an item's id in its UIDs: ``.<conference>``, the description variant, ``@<host>``.

    It starts with ``.`` or ``@``, so TEXT escaping (which rewrites only ``\\N`` and CRLF
    pairs across characters) escapes ``id + suffix`` as the id and the suffix apart.

    >>> uid_suffix(FeedOptions(host="h", conference="c", abstracts=False)), uid_suffix(FeedOptions(host="h"))
    ('.c.short@h', '@h')
    """
    conference = f".{options.conference}" if options.conference else ""
    variant = ".compact" if options.compact else ("" if options.abstracts else ".short")
    return f"{conference}{variant}@{options.host}"


def _uid(item_id: str, options: FeedOptions) -> str:
    return item_id + uid_suffix(options)


def talk_uid(talk: Talk, options: FeedOptions) -> str:
    """Stable UID of a talk's event: its id, the conference, the description variant, the host.

    ``abstracts=0`` feeds write another DESCRIPTION, so they use another UID (``.short``):
    a client that imported one variant takes the other as a different event rather than
    keeping a stale text under the same UID and SEQUENCE. ``compact=1`` feeds likewise
    use ``.compact``.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> t = Talk(id="t1", start=datetime(2022, 7, 21, 7, 30, tzinfo=ZoneInfo("UTC")), end=None, title="x")
    >>> talk_uid(t, FeedOptions(host="example.org")), talk_uid(t, FeedOptions(host="h", conference="icml-2022"))
    ('t1@example.org', 't1.icml-2022@h')
    >>> talk_uid(t, FeedOptions(host="h", conference="c", abstracts=False))
    't1.c.short@h'
    >>> talk_uid(t, FeedOptions(host="h", conference="c", compact=True))
    't1.c.compact@h'
    """
    return _uid(talk.id, options)


def session_uid(session: Session, options: FeedOptions) -> str:
    """Stable UID of a session's event (built like :func:`talk_uid`)."""
    return _uid(session.id, options)


#: Slot types that are not talks: shown free (TRANSP:TRANSPARENT), never with an alarm.
BREAK_TYPES = frozenset({"break", "coffee break", "lunch", "lunch break", "coffee", "reception"})

#: RFC 7986 COLOR (a CSS3 colour name) by talk type; other types get none. Documented in README.
PALETTE: dict[str, str] = {
    "oral": "royalblue",
    "spotlight": "darkorange",
    "poster": "seagreen",
    "invited talk": "purple",
    "keynote": "purple",
    "tutorial": "teal",
    "workshop": "teal",
    "q&a": "slategray",
    "live q&a": "slategray",
    "panel": "sienna",
    "break": "lightgray",
    "coffee break": "lightgray",
    "lunch": "lightgray",
}


def is_break(talk: Talk) -> bool:
    """Whether a slot is a break (by its type, or an untyped slot titled like one)."""
    label = talk.type or talk.title or ""
    return normalize_title(label) in BREAK_TYPES


def _initials(name: str) -> str:
    """``Ada Lovelace`` → ``A. Lovelace`` (a one-word name stays)."""
    parts = name.split()
    if len(parts) < 2:
        return name
    return " ".join(f"{p[0]}." for p in parts[:-1]) + " " + parts[-1]


def _speakers(authors: Sequence[str]) -> str:
    """``A. Author``, ``A. Author & B. Other``, or ``A. Author et al.``.

    >>> _speakers(["Ada Lovelace"]), _speakers(["Ada Lovelace", "Alan Turing"]), _speakers(["Ada B Lovelace", "x", "y"])
    ('A. Lovelace', 'A. Lovelace & A. Turing', 'A. B. Lovelace et al.')
    """
    first = _initials(authors[0])
    if len(authors) == 1:
        return first
    if len(authors) == 2:
        return f"{first} & {_initials(authors[1])}"
    return f"{first} et al."


def talk_summary(talk: Talk, session: Session, options: FeedOptions | None = None) -> str:
    """SUMMARY of a talk: its title (an untitled slot says so), with speakers if ``options.speakers``.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> t = Talk(id="t1", start=datetime(2022, 7, 21, tzinfo=ZoneInfo("UTC")), end=None, title=None)
    >>> s = Session(id="s", title="Deep Nets", timezone="UTC", talks=(t,))
    >>> talk_summary(t, s)
    'Untitled slot (Deep Nets)'
    """
    title = talk.title if talk.title else f"Untitled slot ({session.title})"
    if options is not None and options.speakers and talk.authors:
        return f"{title} — {_speakers(talk.authors)}"
    return title


def talk_summaries(talk: Talk, session: Session) -> tuple[str, str]:
    """A talk's SUMMARY without and with speakers (``speakers=1``): one string when it has no authors."""
    plain = talk_summary(talk, session)
    return plain, (talk_summary(talk, session, _SPEAKERS) if talk.authors else plain)


#: The options :func:`talk_summaries` names speakers with.
_SPEAKERS = FeedOptions(speakers=True)


def event_end(talk: Talk, options: FeedOptions) -> datetime:
    """A talk's end, or its start plus ``options.default_duration`` when no end is published."""
    return talk.end or talk.start + options.default_duration


def build_talk_description(talk: Talk, session: Session, options: FeedOptions) -> str:
    """Plain-text DESCRIPTION of a talk: authors, type, session, moderator(s), room, abstract, link.

    With ``options.compact``, the compact one (:func:`calsync.exports.compact.compact_talk_description`);
    with ``options.abstracts`` false, the abstract is left out.
    """
    if options.compact:
        return compact_talk_description(talk, session)
    return _talk_text(_talk_head(talk, session), talk.abstract if options.abstracts else None, talk.url or session.source_url)


def talk_descriptions(talk: Talk, session: Session) -> tuple[str, str, str]:
    """:func:`build_talk_description` in each variant: full, ``abstracts=0``, ``compact=1``.

    The first two are one string when the talk has no abstract (a writer then writes it once).
    """
    head, link = _talk_head(talk, session), talk.url or session.source_url
    short = _talk_text(head, None, link)
    return (_talk_text(head, talk.abstract, link) if talk.abstract else short), short, compact_talk_description(talk, session)


def _talk_head(talk: Talk, session: Session) -> str:
    lines = [
        "Authors: " + ", ".join(talk.authors) if talk.authors else None,
        f"Type: {talk.type}" if talk.type else None,
        f"Session: {session.title}",
        people_line("Moderator", session.moderators),
        f"Room: {talk.location or session.location}" if (talk.location or session.location) else None,
        "End time not published." if talk.end is None else None,
    ]
    return "\n".join(x for x in lines if x)


def _talk_text(head: str, abstract: str | None, link: str | None) -> str:
    """The head (never empty: it names the session), the abstract and the link, as paragraphs."""
    return "\n\n".join(part for part in (head, abstract, link) if part)


def _clock_range(talk: Talk, options: FeedOptions) -> str:
    """``09:30–10:00`` in the talk's own zone (``strftime("%H:%M")``, written out: it is per talk)."""
    start, end = talk.start, event_end(talk, options)
    text = f"{start.hour:02d}:{start.minute:02d}–{end.hour:02d}:{end.minute:02d}"
    return text if talk.end else text + " (end not published)"


def build_session_description(session: Session, options: FeedOptions) -> str:
    """Plain-text DESCRIPTION of a session: moderator(s), room, and its talks with their times."""
    head = [
        people_line("Moderator", session.moderators),
        f"Room: {session.location}" if session.location else None,
        f"Times in {describe_zone(session.timezone)}",
    ]
    rows = []
    for talk in session.talks:
        what = f"{talk.type}: " if talk.type and talk.type != talk.title else ""
        names = short_authors(talk.authors) if options.compact else ", ".join(talk.authors)
        who = f" — {names}" if names else ""
        rows.append(f"{_clock_range(talk, options)} {what}{talk_summary(talk, session)}{who}")
    parts = ["\n".join(x for x in head if x), "\n".join(rows)]
    if options.abstracts and not options.compact and session.abstract:
        parts.insert(1, session.abstract)
    if session.source_url:
        parts.append(session.source_url)
    return "\n\n".join(p for p in parts if p)


def _common(event: Event, uid: str, revision: Revision) -> None:
    event.add("uid", uid)
    event.add("dtstamp", _utc(revision.modified))
    if revision.created is not None:
        event.add("created", _utc(revision.created))
    event.add("last-modified", _utc(revision.modified))
    event.add("sequence", revision.sequence)


def _alarm(event: Event, summary: str, options: FeedOptions) -> None:
    if options.alarm_minutes is None:
        return
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", FeedText(summary))
    alarm.add("trigger", timedelta(minutes=-options.alarm_minutes))
    event.add_component(alarm)


def _times(event: Event, start: datetime, end: datetime, utc: bool) -> None:
    event.add("dtstart", _utc(start) if utc else start)
    event.add("dtend", _utc(end) if utc else end)


def build_talk_event(
    talk: Talk, session: Session, revision: Revision, options: FeedOptions, *, utc: bool = False
) -> Event:
    """The VEVENT of one talk (times in the session's IANA zone, or UTC; RELATED-TO its session)."""
    event = Event()
    _common(event, talk_uid(talk, options), revision)
    summary = talk_summary(talk, session, options)
    event.add("summary", FeedText(summary))
    _times(event, talk.start, event_end(talk, options), utc)
    location = talk.location or session.location
    if location:
        event.add("location", FeedText(location))
    if talk.type:
        event.add("categories", [clean_text(talk.type)])
        if (color := PALETTE.get(normalize_title(talk.type))) is not None:
            event.add("color", color)
    if talk.url or session.source_url:
        event.add("url", talk.url or session.source_url)
    event.add("description", FeedText(build_talk_description(talk, session, options)))
    event.add("related-to", session_uid(session, options))
    event.add("status", "CANCELLED" if talk.cancelled else "CONFIRMED")
    brk = is_break(talk)
    event.add("transp", "TRANSPARENT" if brk else "OPAQUE")
    if not brk:
        _alarm(event, summary, options)
    return event


def session_days(session: Session, options: FeedOptions) -> list[tuple[date, datetime, datetime]]:
    """The parts of a session's event, one per local day it meets on: (day, start, end).

    A session whose talks resume on a later day (Sunday 15:00 to Monday 10:00) is one
    event per day, not one long busy block. A part runs on while talks start on the
    day its last talk ended: an evening session whose talks run on past midnight
    (22:30–01:00), or a single slot that crosses midnight (22:30–00:15), stays one event.
    """
    parts: list[tuple[date, datetime, datetime]] = []
    for talk in sorted(session.talks, key=lambda t: t.start):
        end = event_end(talk, options)
        if parts and talk.start.date() <= parts[-1][2].date():
            day, start, last = parts[-1]
            parts[-1] = (day, start, max(last, end))
        else:
            parts.append((talk.start.date(), talk.start, end))
    return parts


def whole_session(session: Session, options: FeedOptions) -> tuple[date, datetime, datetime]:
    """A session as one part: (its first day, its first start, its last talk's end)."""
    assert session.start is not None
    return session.start.date(), session.start, max(event_end(t, options) for t in session.talks)


def session_part_uid(session: Session, options: FeedOptions, day: date, first_day: date | None) -> tuple[str, bool]:
    """The UID of a session's part on ``day``, and whether it is a later day's part.

    The first day's part keeps the session's UID; a later day's is ``<id>-<YYYYMMDD>@<host>``
    (and is RELATED-TO the session's UID).
    """
    uid = session_uid(session, options)
    later = first_day is not None and day != first_day
    if later:
        item_id, host = uid.split("@", 1)
        uid = f"{item_id}-{day:%Y%m%d}@{host}"
    return uid, later


def build_session_event(
    session: Session,
    revision: Revision,
    options: FeedOptions,
    *,
    part: tuple[date, datetime, datetime] | None = None,
    first_day: date | None = None,
    utc: bool = False,
) -> Event:
    """The VEVENT of a session: its first start to its last end, or one day's ``part`` of it.

    The part of the first day keeps the session's UID; later days' parts get
    ``<id>-<YYYYMMDD>`` and are RELATED-TO the session's UID.
    """
    assert session.start is not None and session.end is not None
    day, start, end = part if part is not None else whole_session(session, options)
    event = Event()
    uid, later = session_part_uid(session, options, day, first_day)
    _common(event, uid, revision)
    event.add("summary", FeedText(session.title))
    _times(event, start, end, utc)
    if session.location:
        event.add("location", FeedText(session.location))
    if session.source_url:
        event.add("url", session.source_url)
    event.add("description", FeedText(build_session_description(session, options)))
    if later:
        event.add("related-to", session_uid(session, options))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    _alarm(event, session.title, options)
    return event
