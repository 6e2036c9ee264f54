"""The year and the zone of a page: one owner, one precedence.

Every page kind (session, event, day, agenda, HTML, published data) asks this
module, never decides on its own. The precedence, first source wins and every
later source that also names one must agree (else an error naming both):

**Year**
  1. the page — an explicit year on a time line (``Wed, Jul 8, 2026 • …``);
  2. the page's URL (``/virtual/2023/``, ``/Conferences/2019/``);
  3. the conference's settings: its ``year``, else the year of its ``first_day``;
  4. the command's options: ``--year``, else the year of ``--days``;
  5. only then inference from weekday + day + month (a warning says so and names
     the other candidate years).

**Zone of the times** (the instant a time stands for)
  1. the page — a ``Timezone: Area/City`` line (an empty ``Timezone: »`` states
     none), else the abbreviation or UTC offset on its time lines (``PDT``);
  2. the conference's ``timezone`` setting;
  3. the command's ``--timezone``.

**Display zone** (what the feed shows): the conference's ``timezone``, else
``--timezone``, else the zone of the times. The sites render every time in the
viewer's zone (a logged-out visitor gets Pacific time), so the abbreviation is the
truth for the instant while the venue's zone is the right zone to show.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import ParseError
from ..model import PageReport, ParseWarning, Schedule, Session
from ..zones import ZoneError, load_zone, zone_for_label
from .year import infer_year, year_from_url

#: Origins named in reports and messages.
PAGE, URL, CONFERENCE, OPTION, INFERRED, DATA = "page", "url", "conference", "option", "inferred", "data"

_ZONE_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*$")


def page_zone_name(value: str) -> str | None:
    """The zone a ``Timezone:`` line states, or ``None`` for an empty one (``»``, ``-``).

    >>> page_zone_name("America/Sao_Paulo"), page_zone_name("»"), page_zone_name("")
    ('America/Sao_Paulo', None, None)
    """
    value = value.strip()
    return value if _ZONE_NAME_RE.match(value) else None


def _error_for(source: str | None) -> Callable[..., ParseError]:
    """A ParseError maker naming ``source``: ``err(message, line, text)``."""

    def err(message: str, line: int | None = None, text: str | None = None) -> ParseError:
        return ParseError(message, line=line, text=text, source=source)

    return err


@dataclass(frozen=True)
class Resolved:
    """A decided year or zone and where it came from (one of the origins above)."""

    value: Any  # an int (year), a ZoneInfo (zone) or None
    origin: str
    detail: str = ""


@dataclass(frozen=True)
class YearHint:
    """One dated time line of a page: its explicit year, or the weekday/day/month to infer one."""

    line: int
    text: str
    year: int | None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None


def resolve_year(
    hints: list[YearHint],
    url: str | None,
    options: object,
    warnings: list[ParseWarning],
    *,
    needs_year: bool = True,
) -> Resolved:
    """The page's year by the precedence at the top of this module.

    ``options`` is a :class:`~calsync.parse.page.PageOptions`. Raises ParseError for
    contradicting sources, and when no year can be had (unless ``needs_year`` is false,
    then the value is ``None``).
    """
    source = getattr(options, "source", None)
    err = _error_for(source)
    given: list[tuple[int, str, str]] = []  # year, origin, what
    explicit = next((h for h in hints if h.year is not None), None)
    if explicit is not None:
        assert explicit.year is not None
        given.append((explicit.year, PAGE, f"the page, line {explicit.line}"))
    if (url_year := year_from_url(url)) is not None:
        given.append((url_year, URL, f"the URL {url}"))
    conf_year = getattr(options, "conference_year", None)
    days: tuple[date, ...] = getattr(options, "days", ()) or ()
    if conf_year is not None:
        given.append((conf_year, CONFERENCE, "the conference's year"))
    if getattr(options, "year", None) is not None:
        given.append((options.year, OPTION, "--year"))  # type: ignore[attr-defined]
    if days:
        given.append((days[0].year, CONFERENCE if conf_year is not None else OPTION, "the conference days"))
    if given:
        year, origin, what = given[0]
        for other, _, other_what in given[1:]:
            if other != year and not (other_what == "the conference days" and year in {d.year for d in days}):
                raise err(f"year {other} from {other_what} contradicts year {year} from {what}")
        return Resolved(year, origin, what)
    for hint in hints:
        if hint.weekday is None or hint.day is None or hint.month is None:
            continue
        today = getattr(options, "today", None) or date.today()
        inferred, others = infer_year(hint.month, hint.day, hint.weekday, today)
        if inferred is None:
            raise err("no year has this weekday and date: pass --year", hint.line, hint.text)
        others_text = ", ".join(map(str, others)) if others else "none"
        warnings.append(
            ParseWarning(
                hint.line,
                f"the page names no year: inferred {inferred} from "
                f"{calendar.day_name[hint.weekday]} {hint.day} {calendar.month_name[hint.month]} "
                f"(other years of the last decade with that weekday: {others_text}); "
                "set the conference's year, or pass --year or --url to be sure",
            )
        )
        return Resolved(inferred, INFERRED, f"{calendar.day_name[hint.weekday]} {hint.day} {calendar.month_name[hint.month]}")
    if not needs_year:
        return Resolved(None, "", "")
    first = hints[0] if hints else None
    if first is not None and first.day is None:
        raise err(
            "time slot without a date, and no year or date known for the page: set the conference's "
            "year and days (or pass --year and --days, or a /day/<month>/<day> URL)",
            first.line,
            first.text,
        )
    raise err(
        "the page names no year and no weekday to infer it from: set the conference's year or pass --year",
        first.line if first else None,
        first.text if first else None,
    )


def resolve_zone(
    page_line: tuple[int, str] | None,
    labels: list[tuple[int, str, str]],
    options: object,
    first: tuple[int, str] | None = None,
) -> Resolved:
    """The zone of the page's times by the precedence at the top of this module.

    ``page_line`` is a ``Timezone:`` line (number, value); ``labels`` the (line, text,
    label) of time lines that carry an abbreviation or offset, in page order; ``first``
    the first time line (named in the error when no zone is known).
    """
    source = getattr(options, "source", None)
    err = _error_for(source)
    if page_line is not None and (name := page_zone_name(page_line[1])) is not None:
        try:
            return Resolved(load_zone(name), PAGE, f"the Timezone line {page_line[0]}")
        except ZoneError as exc:
            raise err(str(exc), page_line[0], page_line[1]) from None
    fallback = _setting_zone(options)
    for number, text, label in labels:
        try:
            name = zone_for_label(label)
        except ZoneError as exc:
            if fallback is not None:
                return fallback  # a label no table reads ("CAT", "UTC+5:30"), checked against this zone later
            raise err(str(exc), number, text) from None
        if name is None:
            if fallback is not None:
                return fallback  # an ambiguous label ("IST"), checked against this zone later
            raise err(
                f"{label} is ambiguous (India, Ireland or Israel): add a 'Timezone: Area/City' line, "
                "set the conference's timezone or pass --timezone",
                number,
                text,
            )
        return Resolved(load_zone(name), PAGE, f"{label} on line {number}")
    if fallback is not None:
        return fallback
    raise err(
        "the page names no time zone: set the conference's timezone (config [[conferences]] timezone) "
        "or pass --timezone",
        first[0] if first else None,
        first[1] if first else None,
    )


def _setting_zone(options: object) -> Resolved | None:
    source = getattr(options, "source", None)
    for attr, origin, what in (
        ("conference_timezone", CONFERENCE, "the conference's timezone"),
        ("timezone", OPTION, "--timezone"),
    ):
        name = getattr(options, attr, None)
        if name:
            try:
                return Resolved(load_zone(name), origin, what)
            except ZoneError as exc:
                raise ParseError(f"{what}: {exc}", source=source) from None
    return None


def display_zone(options: object, zone: ZoneInfo) -> tuple[ZoneInfo, str]:
    """The zone a feed shows: the conference's, else ``--timezone``, else the page's (``zone``)."""
    setting = _setting_zone(options)
    if setting is not None:
        assert isinstance(setting.value, ZoneInfo)
        return setting.value, setting.origin
    return zone, PAGE


def _shown(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone) if moment is not None else None


def in_display_zone(schedule: Schedule, options: object) -> Schedule:
    """The schedule with every time shown in the display zone (the same instants).

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from calsync.model import Talk
    >>> from calsync.parse.page import PageOptions
    >>> t = Talk("t", datetime(2024, 7, 23, 6, 30, tzinfo=ZoneInfo("America/Los_Angeles")), None, "x")
    >>> s = Schedule("America/Los_Angeles", (Session("s", "S", "America/Los_Angeles", (t,)),))
    >>> out = in_display_zone(s, PageOptions(conference_timezone="Europe/Vienna"))
    >>> out.timezone, out.sessions[0].talks[0].start.isoformat()
    ('Europe/Vienna', '2024-07-23T15:30:00+02:00')
    """
    if not schedule.sessions:
        return schedule
    zone, origin = display_zone(options, ZoneInfo(schedule.timezone))
    if zone.key == schedule.timezone and all(s.timezone == zone.key for s in schedule.sessions):
        return schedule
    sessions = tuple(
        replace(
            s,
            timezone=zone.key,
            talks=tuple(replace(t, start=t.start.astimezone(zone), end=_shown(t.end, zone)) for t in s.talks),
        )
        for s in schedule.sessions
    )
    reports = tuple(
        replace(r, timezone=zone.key, zone_origin=f"{origin}; times read in {r.timezone} ({r.zone_origin})")
        if r.timezone and r.timezone != zone.key
        else r
        for r in schedule.reports
    )
    return replace(schedule, timezone=zone.key, sessions=sessions, reports=reports)


def make_report(
    kind: str,
    sessions: tuple[Session, ...] | list[Session],
    year: Resolved | None,
    zone: Resolved | None,
    options: object,
    ignored: list[tuple[int, str]] | tuple[tuple[int, str], ...] = (),
) -> PageReport:
    """The one-line report of a page: kind, events, year and zone with their origins, ignored lines."""
    zone_value = zone.value if zone is not None else None
    return PageReport(
        source=getattr(options, "source", None),
        kind=kind,
        events=sum(len(s.talks) for s in sessions),
        year=year.value if year is not None else None,
        year_origin=year.origin if year is not None and year.value is not None else None,
        timezone=zone_value.key if isinstance(zone_value, ZoneInfo) else None,
        zone_origin=zone.origin if zone is not None else None,
        ignored=tuple(ignored),
    )


def describe_report(report: PageReport) -> str:
    """The report as one line for a terminal.

    >>> describe_report(PageReport("a.txt", "session page", 3, 2022, "url", "America/Los_Angeles", "page"))
    'a.txt: session page, 3 events, year 2022 (url), zone America/Los_Angeles (page), 0 lines ignored'
    """
    year = f"year {report.year} ({report.year_origin})" if report.year is not None else "no year"
    zone = f"zone {report.timezone} ({report.zone_origin})" if report.timezone else "no zone"
    return (
        f"{report.source or '<page>'}: {report.kind}, {report.events} event{'s' if report.events != 1 else ''}, "
        f"{year}, {zone}, {len(report.ignored)} line{'s' if len(report.ignored) != 1 else ''} ignored"
    )
