"""calsync.ical.writer: the feed writer's bytes are icalendar's, byte for byte.

The reference is icalendar serializing the event objects the builders make
(``build_talk_event(...).to_ical(sorted=False)``); the writer must equal it on generated
events with every option and on arbitrary texts, and the service's feeds must equal
feeds rendered through the reference.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import make_test_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import calsync.ical.calendar as ical_calendar
from calsync.config import Config
from calsync.filters import FeedQuery
from calsync.ical import (
    EventWriter,
    FeedOptions,
    FeedText,
    Revision,
    build_session_event,
    build_talk_event,
    clean_text,
    icalendar_line,
    render_session_event,
    render_talk_event,
    session_days,
)
from calsync.ical.lines import property_line
from calsync.ical.pieces import EventPiece
from calsync.ical.text import _BACKSLASH_N_RE, _UNSAFE_RE
from calsync.model import Schedule, Session, Talk
from calsync.service import FeedService
from calsync.store import Store

LA = ZoneInfo("America/Los_Angeles")
STAMP = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

#: Texts that exercise escaping, cleaning, folding and icalendar's decoding.
TEXTS = [
    "Plain title",
    "Commas, semicolons; and a colon: here",
    "LaTeX $f:\\N \\to \\R$ and \\\\n and \\",
    "Zoë Þórsdóttir · 中文 😀 — ümlaut",
    "\ufeffstarts with a byte-order mark",
    "control\x00\x07chars\x7f and bidi \u202eevil\u2066",
    "line\r\nbreaks\rand\nnewlines\tand tabs",
    "x" * 73 + "\\" + "y" * 90,
    "é" * 80,
    "A long abstract, with escapes; " * 30,
]

OPTIONS = [
    FeedOptions(),
    FeedOptions(host="calsync.test", conference="conf-2026", alarm_minutes=15),
    FeedOptions(abstracts=False, speakers=True, alarm_minutes=0, default_duration=timedelta(minutes=45)),
    FeedOptions(compact=True, conference="c", alarm_minutes=10080),
    FeedOptions(speakers=True, compact=True, abstracts=False),
]

REVISIONS = [
    Revision(STAMP),
    Revision(STAMP.astimezone(LA), sequence=3, created=datetime(2025, 12, 1, 8, tzinfo=ZoneInfo("Europe/Paris"))),
    Revision(datetime(2026, 5, 1, 12, 30, 15, 999, tzinfo=timezone(timedelta(hours=5))), sequence=12),
]


def talks_of(zone: ZoneInfo, day: datetime, texts: list[str]) -> tuple[Talk, ...]:
    """Slots of every shape: typed, untyped, breaks, cancelled, open-ended, with and without rooms and links."""
    out = []
    for i, text in enumerate(texts):
        start = day + timedelta(minutes=20 * i)
        out.append(Talk(
            id=f"t{i}-{day:%m%d%H}",
            start=start.replace(tzinfo=zone) if start.tzinfo is None else start,
            end=None if i % 5 == 4 else start + timedelta(minutes=20),
            title=None if i % 7 == 6 else text,
            type=[None, "Oral", "Spotlight", "Poster", "Break", "Invited Talk", "Workshop, long", text][i % 8],
            authors=tuple(f"{text[:12]} Author{j}" for j in range(i % 4)) + (("Ada Lovelace",) if i % 3 else ()),
            abstract=None if i % 6 == 5 else text * 3,
            location=None if i % 2 else f"Room {text[:20]}",
            cancelled=i % 9 == 8,
            url=None if i % 4 == 3 else f"https://conf.invalid/virtual/2026/poster/{i}?a=b,c;d",
        ))
    return tuple(out)


def sessions() -> list[Session]:
    """Sessions in several zones, across a DST change (repeated hour, skipped hour) and midnight."""
    made = []
    for n, (zone_name, day) in enumerate([
        ("America/Los_Angeles", datetime(2026, 7, 13, 9)),
        ("America/Los_Angeles", datetime(2026, 11, 1, 0, 50)),  # 01:10 and 01:30 exist twice
        ("America/Los_Angeles", datetime(2026, 3, 8, 1, 30)),  # 02:10 does not exist
        ("Europe/Berlin", datetime(2026, 7, 14, 22, 30)),  # runs past midnight
        ("Africa/Casablanca", datetime(2026, 2, 20, 10)),
        ("UTC", datetime(2026, 7, 15, 8)),
        ("Etc/GMT-5", datetime(2026, 7, 15, 8)),
    ]):
        zone = ZoneInfo(zone_name)
        talks = talks_of(zone, day.replace(tzinfo=zone), TEXTS)
        made.append(Session(
            id=f"s{n}", title=TEXTS[n % len(TEXTS)] + f" {n}", timezone=zone_name, talks=talks,
            location=None if n % 2 else "Hall A, level 2", moderators=("Ana Lima", "Zoë") [: n % 3],
            source_url=None if n % 3 == 2 else f"https://conf.invalid/session/{n}",
            abstract=None if n % 2 else "Session abstract; " + TEXTS[n],
        ))
    resumed = talks_of(LA, datetime(2026, 7, 16, 15, tzinfo=LA), TEXTS[:4]) + \
        talks_of(LA, datetime(2026, 7, 17, 9, tzinfo=LA), TEXTS[4:8])  # Thursday 15:00, then Friday 09:00
    made.append(Session(id="s-two-days", title="Resumed", timezone="America/Los_Angeles", talks=resumed))
    return made


def reference_talk(talk: Talk, session: Session, revision: Revision, options: FeedOptions, utc: bool) -> bytes:
    data: bytes = build_talk_event(talk, session, revision, options, utc=utc).to_ical(sorted=False)
    return data


@pytest.mark.parametrize("options", OPTIONS, ids=[str(i) for i in range(len(OPTIONS))])
def test_talk_events_are_icalendars_bytes(options: FeedOptions) -> None:
    writer = EventWriter(options)
    checked = 0
    for session in sessions():
        for talk, revision, utc in itertools.product(session.talks, REVISIONS, (False, True)):
            expected = reference_talk(talk, session, revision, options, utc)
            assert writer.talk(talk, session, revision, utc=utc) == expected, (talk, revision, utc)
            checked += 1
    assert checked == (7 * len(TEXTS) + 8) * len(REVISIONS) * 2
    assert render_talk_event(talk, session, revision, options, utc=True) == expected  # a writer of its own


@pytest.mark.parametrize("options", OPTIONS, ids=[str(i) for i in range(len(OPTIONS))])
def test_session_events_are_icalendars_bytes(options: FeedOptions) -> None:
    writer = EventWriter(options)
    most = 0
    for session in sessions():
        days = session_days(session, options)
        most = max(most, len(days))
        cases: list[tuple[tuple[date, datetime, datetime] | None, date | None]] = [(None, None)]
        cases += [(part, days[0][0]) for part in days]
        for (part, first), revision, utc in itertools.product(cases, REVISIONS, (False, True)):
            event = build_session_event(session, revision, options, part=part, first_day=first, utc=utc)
            expected: bytes = event.to_ical(sorted=False)
            assert writer.session(session, revision, part=part, first_day=first, utc=utc) == expected
            assert render_session_event(session, revision, options, part=part, first_day=first, utc=utc) == expected
    assert most == 2  # a session that resumes the next day: its later part (its own UID) was checked


def test_writer_shares_lines_between_events() -> None:
    """What repeats is made once per writer: the talks of one session share their RELATED-TO and stamps."""
    writer = EventWriter(FeedOptions())
    session = sessions()[0]
    for talk in session.talks:
        writer.talk(talk, session, REVISIONS[0])
    kinds = [key[0] for key in writer._lines]
    assert len(writer._related_lines) == 3 and kinds.count("stamps") == 1  # RELATED-TO: once per description variant
    assert kinds.count("dtstart") == len({t.start for t in session.talks})


def test_a_piece_written_once_closes_as_icalendar_writes_each_variant() -> None:
    """One piece per event, written under the first options, closed under every other.

    Every presentation variant (alarm, view, abstracts, compact, speakers) of a feed is
    assembled from the same pieces: each closing must be icalendar's event for its options.
    """
    checked = 0
    for made in sessions():
        for first in OPTIONS:
            base = replace(first, host="h", conference="c", default_duration=timedelta(minutes=30))
            writer = EventWriter(base)
            talk = made.talks[0]
            talk_piece = writer.talk_piece(talk, made, REVISIONS[1])
            session_piece = writer.session_piece(made, REVISIONS[1])
            for other in OPTIONS:
                options = replace(other, host="h", conference="c", default_duration=timedelta(minutes=30))
                closing = EventWriter(options)
                assert b"".join(closing.close([talk_piece])) == reference_talk(talk, made, REVISIONS[1], options, False)
                expected = build_session_event(made, REVISIONS[1], options).to_ical(sorted=False)
                assert b"".join(closing.close([session_piece])) == expected
                checked += 1
    assert checked == len(sessions()) * len(OPTIONS) ** 2


# -- arbitrary texts ---------------------------------------------------------------

TEXT = st.text(st.one_of(
    st.sampled_from(list("ab ,;:\\^\"\tnN\n\r") + ["\ufeff", "é", "中", "😀", "\u202e", "\x00", "\x85", "\u2028"]),
    st.characters(exclude_categories=["Cs"]),
), max_size=200)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.one_of(st.none(), TEXT), kind=st.one_of(st.none(), TEXT), authors=st.lists(TEXT, max_size=4),
       abstract=st.one_of(st.none(), TEXT), location=st.one_of(st.none(), TEXT),
       url=st.one_of(st.none(), st.text(st.characters(exclude_categories=["Cs"]), max_size=80)),
       session_title=TEXT, ident=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30),
       options=st.sampled_from(OPTIONS), utc=st.booleans())
def test_arbitrary_texts(title: str | None, kind: str | None, authors: list[str], abstract: str | None,
                         location: str | None, url: str | None, session_title: str, ident: str,
                         options: FeedOptions, utc: bool) -> None:
    start = datetime(2026, 7, 13, 9, 5, tzinfo=LA)
    talk = Talk(id=ident, start=start, end=start + timedelta(minutes=25), title=title, type=kind,
                authors=tuple(authors), abstract=abstract, location=location, url=url)
    session = Session(id=ident + "-s", title=session_title, timezone="America/Los_Angeles", talks=(talk,),
                      location=location, moderators=tuple(authors[:2]), source_url=url, abstract=abstract)
    writer = EventWriter(options)
    for make, write in [
        (lambda: reference_talk(talk, session, REVISIONS[1], options, utc),
         lambda: writer.talk(talk, session, REVISIONS[1], utc=utc)),
        (lambda: build_session_event(session, REVISIONS[1], options, utc=utc).to_ical(sorted=False),
         lambda: writer.session(session, REVISIONS[1], utc=utc)),
    ]:
        try:
            expected = make()
        except (ValueError, AssertionError, UnicodeError) as error:  # icalendar refuses it: so must the writer
            with pytest.raises(type(error)):
                write()
        else:
            assert write() == expected
    # the talk's piece, written once, closes as icalendar writes every other presentation of it
    try:
        piece = writer.talk_piece(talk, session, REVISIONS[1], utc=utc)
    except (ValueError, AssertionError, UnicodeError):
        return
    for other in OPTIONS:
        shown = replace(other, host=options.host, conference=options.conference,
                        default_duration=options.default_duration)
        assert b"".join(EventWriter(shown).close([piece])) == reference_talk(talk, session, REVISIONS[1], shown, utc)


ZONES = st.sampled_from(["America/Los_Angeles", "Europe/Berlin", "Australia/Lord_Howe", "UTC", "Etc/UTC",
                         "Asia/Kolkata", "America/Nuuk"])


@settings(max_examples=400, deadline=None)
@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1)), ZONES, st.booleans(),
       st.sampled_from(["dtstart", "dtend", "dtstamp", "created", "last-modified"]))
def test_property_line_is_icalendars_line(moment: datetime, zone: str, fold: bool, name: str) -> None:
    aware = moment.replace(tzinfo=ZoneInfo(zone), fold=int(fold))
    for value in (aware, aware.astimezone(UTC)):
        assert property_line(name, value) == icalendar_line(name, value)


def test_moments_in_a_repeated_hour_are_not_confused() -> None:
    """01:30 twice on 1 November in Los Angeles: one local line, two UTC lines."""
    first = datetime(2026, 11, 1, 1, 30, tzinfo=LA)
    second = first.replace(fold=1)
    writer = EventWriter(FeedOptions())
    assert writer._times(first, first, False) == writer._times(second, second, False)
    assert writer._times(first, first, True) != writer._times(second, second, True)
    assert writer._times(second, second, True).startswith("DTSTART:20261101T093000Z")
    berlin = first.astimezone(ZoneInfo("Europe/Berlin"))  # the same instant, another zone
    assert "TZID=Europe/Berlin" in writer._times(berlin, berlin, False)


def test_fixed_offsets_keep_their_own_names() -> None:
    """Fixed-offset tzinfos compare equal whatever their names, so their lines are not shared."""
    writer = EventWriter(FeedOptions())
    a = datetime(2026, 7, 1, 9, tzinfo=timezone(timedelta(hours=2)))
    b = datetime(2026, 7, 1, 9, tzinfo=timezone(timedelta(hours=2), "CEST"))
    assert a == b
    assert writer._times(a, a, False) == property_line("dtstart", a) + "\r\n" + property_line("dtend", a) + "\r\n"
    assert "TZID=CEST" in writer._times(b, b, False)


# -- the text helpers' fast paths ----------------------------------------------------


@settings(max_examples=1500, deadline=None)
@given(TEXT)
def test_clean_text_is_the_regular_expression(text: str) -> None:
    assert clean_text(text) == _UNSAFE_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


@settings(max_examples=1500, deadline=None)
@given(TEXT)
def test_feedtext_escaping_is_the_definition(text: str) -> None:
    raw = clean_text(text)
    escaped = raw.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    assert FeedText(text).to_ical() == _BACKSLASH_N_RE.sub("\\1\u2060\\2", escaped).encode()
    assert FeedText.serialize(text) == FeedText(text).to_ical()


def test_feedtext_word_joiner_still_written() -> None:
    assert FeedText("a\\N b \\\\n").to_ical().decode() == "a\\\\\u2060N b \\\\\\\\\u2060n"
    assert re.search("\u2060", FeedText("no backslash\nhere").to_ical().decode()) is None


# -- the service against the reference -----------------------------------------------


class ReferenceWriter:
    """The writer's interface over icalendar objects: each event built and serialized by icalendar.

    A piece holds icalendar's whole VEVENT for this feed's options (its VALARM too), cut
    before ``END:VEVENT``; :meth:`close` puts it back as it was. Each feed below is made by
    a new service, so no piece is closed for other options.
    """

    def __init__(self, options: FeedOptions) -> None:
        self.options = options

    @staticmethod
    def _piece(data: bytes) -> EventPiece:
        assert data.endswith(b"END:VEVENT\r\n")
        nothing = (b"", b"", b"")
        return EventPiece((data[: -len(b"END:VEVENT\r\n")], b"", b""), b"BEGIN:VALARM" in data,
                          (nothing, nothing, nothing), ((b"", b""), (b"", b"")))

    def talk_piece(self, talk: Talk, session: Session, revision: Revision, *, utc: bool = False) -> EventPiece:
        return self._piece(self.talk(talk, session, revision, utc=utc))

    def session_piece(self, session: Session, revision: Revision, *, part: tuple[date, datetime, datetime] | None = None,
                      first_day: date | None = None, utc: bool = False) -> EventPiece:
        return self._piece(self.session(session, revision, part=part, first_day=first_day, utc=utc))

    def close(self, pieces: Iterable[EventPiece]) -> list[bytes]:
        return [piece.fixed[0] + b"END:VEVENT\r\n" for piece in pieces]

    def talk(self, talk: Talk, session: Session, revision: Revision, *, utc: bool = False) -> bytes:
        return reference_talk(talk, session, revision, self.options, utc)

    def session(self, session: Session, revision: Revision, *, part: tuple[date, datetime, datetime] | None = None,
                first_day: date | None = None, utc: bool = False) -> bytes:
        event = build_session_event(session, revision, self.options, part=part, first_day=first_day, utc=utc)
        data: bytes = event.to_ical(sorted=False)
        return data


SERVICE_QUERIES = [
    FeedQuery(),
    FeedQuery(view="talks"),
    FeedQuery(view="both", alarm=15),
    FeedQuery(view="sessions", alarm=0),
    FeedQuery(view="talks", abstracts=False, speakers=True),
    FeedQuery(view="both", compact=True, alarm=30),
    FeedQuery(view="talks", types=("Oral",), alarm=5),
    FeedQuery(view="both", q="ümlaut"),
]


@pytest.fixture
def conference(tmp_path: Path) -> tuple[Store, Config]:
    config = make_test_config(tmp_path, sample=False)
    store = Store(config.database_url)
    store.migrate()
    store.ensure_conference("gen", "Generated Conference", "America/Los_Angeles", 2026, STAMP)
    store.import_schedule("gen", Schedule(timezone="America/Los_Angeles", sessions=tuple(sessions())), STAMP)
    return store, config


def test_service_feeds_equal_the_reference(conference: tuple[Store, Config], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every feed kind and option, from a warm service (pieces shared between variants) and a cold one."""
    store, config = conference
    now = lambda: datetime(2026, 7, 1, tzinfo=UTC)  # noqa: E731
    fast = FeedService(store, config, now=now)
    snap = fast.snapshot("gen")
    session = snap.sessions[1]
    feeds = {}
    for query in SERVICE_QUERIES:
        feeds[("conference", query)] = fast.conference_feed("gen", query).body
        feeds[("session", query)] = fast.session_feed("gen", session.id, query).body
    feeds[("talk", None)] = fast.talk_feed("gen", session.talks[0].id).body
    assert fast.events_rendered > 0
    cold = {query: FeedService(store, config, now=now).conference_feed("gen", query).body for query in SERVICE_QUERIES}

    monkeypatch.setattr(ical_calendar, "EventWriter", ReferenceWriter)
    for query in SERVICE_QUERIES:
        reference = FeedService(store, config, now=now)
        expected = reference.conference_feed("gen", query).body
        assert reference.events_rendered > 0
        assert feeds[("conference", query)] == expected, query
        assert cold[query] == expected, query
        assert feeds[("session", query)] == reference.session_feed("gen", session.id, query).body, query
    assert feeds[("talk", None)] == FeedService(store, config, now=now).talk_feed("gen", session.talks[0].id).body
    assert b"Z\r\n" in feeds[("conference", FeedQuery(view="talks"))]  # some times were written in UTC


def test_a_broken_writer_is_caught(conference: tuple[Store, Config], monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above can fail: the monkeypatch reaches the service, and one changed byte shows."""
    store, config = conference

    class Broken(ReferenceWriter):
        def talk(self, talk: Talk, session: Session, revision: Revision, *, utc: bool = False) -> bytes:
            return super().talk(talk, session, revision, utc=utc).replace(b"STATUS:", b"STATUS:X")

    good = FeedService(store, config).conference_feed("gen", FeedQuery(view="talks")).body
    monkeypatch.setattr(ical_calendar, "EventWriter", Broken)
    assert FeedService(store, config).conference_feed("gen", FeedQuery(view="talks")).body != good


def test_options_cover_every_field() -> None:
    """The options above set every FeedOptions field that changes an event's bytes at least once."""
    changed = {name for options in OPTIONS for name in ("host", "abstracts", "alarm_minutes", "default_duration",
                                                           "conference", "speakers", "compact")
               if getattr(options, name) != getattr(FeedOptions(), name)}
    assert changed == {"host", "abstracts", "alarm_minutes", "default_duration", "conference", "speakers", "compact"}


def test_exact_times_answer_as_the_zone_plans_do() -> None:
    """The per-feed memo of which (start, end) pairs keep their TZID answers as :func:`_exact` for each."""
    from calsync.ical.layout import _exact, _ExactTimes
    from calsync.vtimezone import zone_plan

    made = sessions()
    plans = {s.timezone: zone_plan(s.timezone, (2026,)) for s in made if s.timezone not in ("UTC",)}
    plans["UTC"] = zone_plan("UTC", (2026,))
    exact = _ExactTimes(plans)
    pairs = [(t.start, t.end or t.start + timedelta(minutes=30)) for s in made for t in s.talks]
    repeated = datetime(2026, 11, 1, 1, 30, tzinfo=LA)
    pairs += [(repeated, repeated + timedelta(minutes=20)), (repeated.replace(fold=1), repeated + timedelta(minutes=20)),
              (datetime(2026, 11, 1, 0, 30, tzinfo=LA), datetime(2026, 11, 1, 0, 50, tzinfo=LA))]
    pairs += [(a.astimezone(ZoneInfo("Europe/Berlin")), b.astimezone(ZoneInfo("Europe/Berlin"))) for a, b in pairs[:5]]
    plans["Europe/Berlin"] = zone_plan("Europe/Berlin", (2026,))
    answers = [exact(a, b) for a, b in pairs] + [exact(a, b) for a, b in reversed(pairs)]
    assert answers == [_exact(plans, a, b) for a, b in pairs] + [_exact(plans, a, b) for a, b in reversed(pairs)]
    assert True in answers and False in answers


def test_merged_layouts_are_the_layout_of_both_views() -> None:
    """view=both from the two views' layouts: the same slots in the same order as placing them at once."""
    from calsync.ical import CalendarInfo, feed_layout, merge_layouts

    made = sessions()
    info = CalendarInfo(name="n", description="d", timezone="America/Los_Angeles", year=2026)
    merged_any = False
    for chosen in ([s] for s in made):  # one session at a time: each alone has one zone's plans
        both = feed_layout(chosen, info, lambda _i: REVISIONS[0], FeedOptions(sessions=True))
        alone = feed_layout(chosen, info, lambda _i: REVISIONS[0], FeedOptions(talks=False, sessions=True))
        talks = feed_layout(chosen, info, lambda _i: REVISIONS[0], FeedOptions())
        merged = merge_layouts(alone, talks)
        if merged is not None:
            merged_any = True
            assert merged == both
    assert merged_any
    everything = feed_layout(made, info, lambda _i: REVISIONS[0], FeedOptions(sessions=True))
    empty = feed_layout([], info, lambda _i: REVISIONS[0], FeedOptions(talks=False, sessions=True))
    assert merge_layouts(empty, feed_layout(made, info, lambda _i: REVISIONS[0], FeedOptions())) is None
    assert len(everything.slots) > len(made)


def test_a_piece_holds_every_variant_and_counts_shared_lines_once() -> None:
    """A talk's piece holds its three descriptions and both titles; equal variants share one object."""
    made = sessions()[0]
    talk = replace(made.talks[0], abstract=None, authors=())
    piece = EventWriter(FeedOptions()).talk_piece(talk, made, REVISIONS[0])
    assert piece.full[1] is piece.short[1] and piece.full[0] != piece.short[0]  # no abstract: same text, other UID
    assert piece.compact[1] != piece.full[1] and piece.title(True) == piece.title(False)
    lines = {id(line): len(line) for line in (*piece.fixed, *piece.full, *piece.short, *piece.compact, *piece.title(False))}
    assert piece.size == sum(lines.values())
    abstract = replace(made.talks[0], abstract="An abstract.", authors=("Ada Lovelace",))
    other = EventWriter(FeedOptions()).talk_piece(abstract, made, REVISIONS[0])
    assert b"An abstract." in other.full[1] and b"An abstract." not in other.short[1]
    assert other.title(True)[0] == b"SUMMARY:" + abstract.title.encode() + " — A. Lovelace".encode() + b"\r\n"
