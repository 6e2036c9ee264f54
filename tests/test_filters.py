"""calsync.filters: parsing feed queries, canonical query strings, stored filters, selecting talks."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from calsync.errors import CalsyncError
from calsync.filters import (
    MAX_ALARM_MINUTES,
    PARAMETERS,
    FeedQuery,
    InvalidQuery,
    canonical_query,
    feed_options_for,
    filter_dict,
    has_talk_filters,
    parse_feed_query,
    query_from_filter_dict,
    select_sessions,
    select_talks,
)
from calsync.ical import FeedOptions
from calsync.model import Session, Talk

VIENNA = ZoneInfo("Europe/Vienna")
LA = ZoneInfo("America/Los_Angeles")


def _at(zone: ZoneInfo, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2022, 7, day, hour, minute, tzinfo=zone)


TA1 = Talk(
    id="ta1", start=_at(VIENNA, 21, 9), end=_at(VIENNA, 21, 9, 15), title="Deep Nets Revisited",
    type="Oral", authors=("Zoë Müller", "Ann Lee"), abstract="We revisit convolutional networks.",
)
TA2 = Talk(
    id="ta2", start=_at(VIENNA, 21, 9, 15), end=_at(VIENNA, 21, 9, 20), title="Sparse Attention",
    type="Spotlight", authors=("Bob Stone",), abstract="Attention is sparse. Café results.",
)
TA3 = Talk(id="ta3", start=_at(VIENNA, 21, 9, 20), end=None, title="Break", location="Foyer")
SA = Session(
    id="sa", title="Deep Learning", timezone="Europe/Vienna", talks=(TA1, TA2, TA3), location="Ballroom  A"
)
# 23:30 in Los Angeles on 21 July is 06:30 UTC on 22 July.
TB1 = Talk(
    id="tb1", start=_at(LA, 21, 23, 30), end=_at(LA, 21, 23, 45), title="Late Night Learning",
    type="oral", authors=("José Núñez",), abstract="Nets at night.",
)
TB2 = Talk(
    id="tb2", start=_at(LA, 22, 8), end=_at(LA, 22, 9), title="Poster One", type="Poster",
    authors=("Zoe Smith",), location="Poster #12",
)
TB3 = Talk(id="tb3", start=_at(LA, 22, 9), end=None, title=None)
SB = Session(id="sb", title="Night Owls", timezone="America/Los_Angeles", talks=(TB1, TB2, TB3), location="Hall J")
SC = Session(id="sc", title="Empty", timezone="UTC", talks=(), location="Ballroom A")
SESSIONS = (SB, SC, SA)  # deliberately not in time order


def ids(pairs: list[tuple[Session, Talk]]) -> list[str]:
    return [t.id for _s, t in pairs]


def q(**kwargs: object) -> FeedQuery:
    return FeedQuery(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- selecting talks


def test_no_filter_selects_every_talk_in_time_order() -> None:
    pairs = select_talks(SESSIONS, FeedQuery())
    assert ids(pairs) == ["ta1", "ta2", "ta3", "tb1", "tb2", "tb3"]
    assert all(t in s.talks for s, t in pairs)


def test_ties_are_ordered_by_session_id_then_talk_id() -> None:
    start = _at(VIENNA, 21, 10)
    x = Session(id="x", title="X", timezone="Europe/Vienna",
                talks=(Talk(id="t2", start=start, end=None, title="b"), Talk(id="t1", start=start, end=None, title="a")))
    # 10:00 Vienna == 01:00 Los Angeles: same instant, different zone.
    w = Session(id="w", title="W", timezone="America/Los_Angeles",
                talks=(Talk(id="t9", start=start.astimezone(LA), end=None, title="c"),))
    assert [(s.id, t.id) for s, t in select_talks([x, w], FeedQuery())] == [("w", "t9"), ("x", "t1"), ("x", "t2")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (q(types=("oral",)), ["ta1", "tb1"]),
        (q(types=("ORAL", "spotlight")), ["ta1", "ta2", "tb1"]),
        (q(types=("Keynote",)), []),
        (q(room="ballroom a"), ["ta1", "ta2"]),  # session room (ta3 is in the Foyer); case-insensitive
        (q(room=" FOYER "), ["ta3"]),  # a slot's own room
        (q(room="Poster  #12"), ["tb2"]),
        (q(room="Ballroom"), []),  # exact, not a substring
        (q(day=date(2022, 7, 21)), ["ta1", "ta2", "ta3", "tb1"]),  # tb1 is on 22 July in UTC
        (q(day=date(2022, 7, 22)), ["tb2", "tb3"]),
        (q(day=date(2022, 7, 23)), []),
        (q(author="zoe"), ["ta1", "tb2"]),  # "Zoe" finds "Zoë"
        (q(author="ZOË"), ["ta1", "tb2"]),
        (q(author="nunez"), ["tb1"]),
        (q(author="müll"), ["ta1"]),
        (q(author="lee"), ["ta1"]),  # any author
        (q(q="nets"), ["ta1", "tb1"]),  # title, abstract
        (q(q="NETS night"), ["tb1"]),  # every word
        (q(q="cafe"), ["ta2"]),  # accent-insensitive
        (q(q="CAFÉ attention"), ["ta2"]),
        (q(q="revisit  convolutional"), ["ta1"]),
        (q(q="nets convolutional night"), []),
        (q(sessions=("sb",)), ["tb1", "tb2", "tb3"]),
        (q(sessions=("sb", "sa")), ["ta1", "ta2", "ta3", "tb1", "tb2", "tb3"]),
        (q(sessions=("nope",)), []),
        (q(types=("oral",), day=date(2022, 7, 21)), ["ta1", "tb1"]),
        (q(types=("oral",), day=date(2022, 7, 21), author="zoe"), ["ta1"]),
        (q(types=("oral", "poster"), author="zoe", sessions=("sb",)), ["tb2"]),
        (q(room="hall j", q="night", day=date(2022, 7, 21)), ["tb1"]),
        (q(view="sessions", abstracts=False, alarm=5, download=True), ["ta1", "ta2", "ta3", "tb1", "tb2", "tb3"]),
    ],
)
def test_filters(query: FeedQuery, expected: list[str]) -> None:
    assert ids(select_talks(SESSIONS, query)) == expected


def test_day_uses_the_sessions_zone_even_when_a_start_is_stored_in_utc() -> None:
    utc_talk = replace(TB1, start=TB1.start.astimezone(UTC), end=None)
    assert utc_talk.start.date() == date(2022, 7, 22)
    session = replace(SB, talks=(utc_talk,))
    assert ids(select_talks([session], q(day=date(2022, 7, 21)))) == ["tb1"]
    assert select_talks([session], q(day=date(2022, 7, 22))) == []


def test_unknown_zone_falls_back_to_the_talks_own_zone() -> None:
    session = replace(SB, timezone="Not/AZone")
    assert ids(select_talks([session], q(day=date(2022, 7, 21)))) == ["tb1"]


# --------------------------------------------------------------------------- selecting sessions


def test_select_sessions() -> None:
    def sids(query: FeedQuery) -> list[str]:
        return [s.id for s in select_sessions(SESSIONS, query)]

    assert sids(FeedQuery()) == ["sa", "sb", "sc"]  # all, session without talks last
    assert sids(q(sessions=("sc", "sb"))) == ["sb", "sc"]
    assert sids(q(types=("poster",))) == ["sb"]
    assert sids(q(types=("oral",))) == ["sa", "sb"]
    assert sids(q(room="Ballroom A")) == ["sa"]  # sc is in that room but has no talk to match
    assert sids(q(author="zoe", sessions=("sa",))) == ["sa"]
    assert sids(q(author="nobody")) == []
    assert sids(q(view="talks", alarm=3)) == ["sa", "sb", "sc"]
    for query in (FeedQuery(), q(types=("poster",)), q(room="Ballroom A"), q(author="zoe", sessions=("sa",)),
                  q(author="nobody"), q(types=("oral",), sessions=("sb",))):  # the talks already matched: the same
        assert select_sessions(SESSIONS, query, select_talks(SESSIONS, query)) == select_sessions(SESSIONS, query)


def test_has_talk_filters() -> None:
    assert not has_talk_filters(FeedQuery())
    assert not has_talk_filters(q(sessions=("sa",), view="both", abstracts=False, alarm=0, download=True))
    for query in (q(types=("Oral",)), q(room="x"), q(day=date(2022, 1, 1)), q(author="x"), q(q="x")):
        assert has_talk_filters(query)


# --------------------------------------------------------------------------- feed options


@pytest.mark.parametrize(
    ("view", "default", "talks", "sessions"),
    [
        ("talks", "sessions", True, False),
        ("sessions", "talks", False, True),
        ("both", "talks", True, True),
        (None, "talks", True, False),
        (None, "sessions", False, True),
        (None, "both", True, True),
    ],
)
def test_feed_options_view(view: str | None, default: str, talks: bool, sessions: bool) -> None:
    base = FeedOptions(host="example.org", refresh=timedelta(minutes=5))
    options = feed_options_for(q(view=view), base, default)
    assert (options.talks, options.sessions) == (talks, sessions)
    assert options.host == "example.org" and options.refresh == timedelta(minutes=5)


def test_feed_options_abstracts_and_alarm() -> None:
    base = FeedOptions()
    assert feed_options_for(FeedQuery(), base, "talks").abstracts is True
    assert feed_options_for(q(abstracts=False), base, "talks").abstracts is False
    assert feed_options_for(FeedQuery(), replace(base, abstracts=False), "talks").abstracts is False
    assert feed_options_for(FeedQuery(), base, "talks").alarm_minutes is None
    assert feed_options_for(q(alarm=0), base, "talks").alarm_minutes == 0
    assert feed_options_for(FeedQuery(), replace(base, alarm_minutes=15), "talks").alarm_minutes == 15
    assert feed_options_for(q(alarm=30), replace(base, alarm_minutes=15), "talks").alarm_minutes == 30
    with pytest.raises(ValueError):
        feed_options_for(FeedQuery(), base, "everything")


# --------------------------------------------------------------------------- parsing


def test_parse_every_parameter() -> None:
    query = parse_feed_query({
        "type": ["Oral", "Spotlight", "oral"], "room": [" Hall   J "], "day": ["2022-07-21"],
        "author": ["Zoë"], "q": ["deep  nets"], "session": ["sb", "sa", "sb"], "view": ["Both"],
        "abstracts": ["false"], "alarm": ["15"], "download": ["1"],
    })
    assert query == FeedQuery(
        types=("Oral", "Spotlight"), room="Hall J", day=date(2022, 7, 21), author="Zoë", q="deep nets",
        sessions=("sa", "sb"), view="both", abstracts=False, alarm=15, download=True,
    )


def test_parse_defaults_and_empty_values() -> None:
    assert parse_feed_query({}) == FeedQuery()
    empty = {name: [""] for name in PARAMETERS}
    assert parse_feed_query(empty) == FeedQuery()
    assert parse_feed_query({"room": ["   "], "type": ["", "Oral", ""], "alarm": [" "]}) == q(types=("Oral",))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"abstracts": ["0"]}, q(abstracts=False)),
        ({"abstracts": ["TRUE"]}, q(abstracts=True)),
        ({"abstracts": ["1"]}, q(abstracts=True)),
        ({"download": ["true"]}, q(download=True)),
        ({"download": ["0"]}, q(download=False)),
        ({"alarm": ["0"]}, q(alarm=0)),
        ({"alarm": [str(MAX_ALARM_MINUTES)]}, q(alarm=MAX_ALARM_MINUTES)),
        ({"alarm": ["007"]}, q(alarm=7)),
        ({"view": ["sessions"]}, q(view="sessions")),
        ({"day": ["2024-02-29"]}, q(day=date(2024, 2, 29))),
    ],
)
def test_parse_values(args: dict[str, list[str]], expected: FeedQuery) -> None:
    assert parse_feed_query(args) == expected


def test_parse_accepts_multidict_and_plain_strings() -> None:
    args = MultiDict([("type", "Oral"), ("type", "Poster"), ("day", "2022-07-21")])
    assert parse_feed_query(args) == q(types=("Oral", "Poster"), day=date(2022, 7, 21))
    assert parse_feed_query(args.to_dict(flat=False)) == parse_feed_query(args)
    assert parse_feed_query({"room": "Hall J", "type": "Oral"}) == q(room="Hall J", types=("Oral",))
    with pytest.raises(InvalidQuery, match="'room'"):
        parse_feed_query(MultiDict([("room", "a"), ("room", "b")]))


def test_parse_ignore() -> None:
    assert parse_feed_query({"token": ["abc"], "type": ["Oral"]}, ignore={"token"}) == q(types=("Oral",))
    with pytest.raises(InvalidQuery, match="token"):
        parse_feed_query({"token": ["abc"]})


@pytest.mark.parametrize(
    ("args", "param"),
    [
        ({"day": ["tomorrow"]}, "day"),
        ({"day": ["2022-7-21"]}, "day"),
        ({"day": ["20220721"]}, "day"),
        ({"day": ["2022-07-21T10:00"]}, "day"),
        ({"day": ["2022-02-30"]}, "day"),
        ({"day": ["２０２２-07-21"]}, "day"),  # full-width digits
        ({"alarm": ["-5"]}, "alarm"),
        ({"alarm": ["1.5"]}, "alarm"),
        ({"alarm": ["ten"]}, "alarm"),
        ({"alarm": ["+5"]}, "alarm"),
        ({"alarm": ["1e3"]}, "alarm"),
        ({"alarm": [str(MAX_ALARM_MINUTES + 1)]}, "alarm"),
        ({"alarm": ["9" * 50]}, "alarm"),
        ({"alarm": ["٣"]}, "alarm"),  # Arabic-Indic digit
        ({"view": ["calendar"]}, "view"),
        ({"abstracts": ["yes"]}, "abstracts"),
        ({"abstracts": ["2"]}, "abstracts"),
        ({"download": ["maybe"]}, "download"),
        ({"room": ["a", "b"]}, "room"),
        ({"day": ["2022-07-21", "2022-07-21"]}, "day"),
        ({"author": ["x", ""]}, "author"),
        ({"view": ["talks", "talks"]}, "view"),
        ({"q": ["x" * 201]}, "q"),
        ({"room": ["x" * 201]}, "room"),
        ({"type": ["Oral", "x" * 201]}, "type"),
        ({"session": [f"s{i}" for i in range(51)]}, "session"),
        ({"type": ["Oral"] * 51}, "type"),
        ({"author": ["Zo\x00e"]}, "author"),
        ({"colour": ["red"]}, "colour"),
        ({"Type": ["Oral"]}, "Type"),
    ],
)
def test_parse_errors(args: dict[str, list[str]], param: str) -> None:
    with pytest.raises(InvalidQuery) as info:
        parse_feed_query(args)
    error = info.value
    assert isinstance(error, CalsyncError)
    assert error.status == 400
    assert error.param == param
    assert repr(param) in str(error)


def test_unknown_parameters_list_the_allowed_ones() -> None:
    with pytest.raises(InvalidQuery) as info:
        parse_feed_query({"colour": ["red"], "size": ["L"], "type": ["Oral"]})
    message = str(info.value)
    assert "'colour'" in message and "'size'" in message
    assert all(name in message for name in PARAMETERS)


def test_limits_are_inclusive() -> None:
    assert parse_feed_query({"q": ["x" * 200]}).q == "x" * 200
    assert len(parse_feed_query({"session": [f"s{i:02}" for i in range(50)]}).sessions) == 50


def test_feed_query_validates_itself() -> None:
    for kwargs, param in [
        ({"view": "list"}, "view"),
        ({"alarm": -1}, "alarm"),
        ({"alarm": MAX_ALARM_MINUTES + 1}, "alarm"),
        ({"alarm": True}, "alarm"),
        ({"alarm": 1.5}, "alarm"),
        ({"day": "2022-07-21"}, "day"),
        ({"day": datetime(2022, 7, 21)}, "day"),
        ({"abstracts": "no"}, "abstracts"),
        ({"download": 1}, "download"),
        ({"room": 12}, "room"),
        ({"types": ("Oral", None)}, "type"),
        ({"sessions": tuple(f"s{i}" for i in range(51))}, "session"),
    ]:
        with pytest.raises(InvalidQuery) as info:
            FeedQuery(**kwargs)  # type: ignore[arg-type]
        assert info.value.status == 400 and info.value.param == param, kwargs


# --------------------------------------------------------------------------- canonical query


def test_canonical_query_example() -> None:
    query = q(
        types=("Spotlight", "Oral", "oral"), room="Ballroom  A", day=date(2022, 7, 21), alarm=10,
        abstracts=False, download=True, author="Zoë", q="a&b=c+d", sessions=("sb", "sa"), view="both",
    )
    assert canonical_query(query) == (
        "abstracts=0&alarm=10&author=Zo%C3%AB&day=2022-07-21&download=1&q=a%26b%3Dc%2Bd&room=Ballroom+A"
        "&session=sa&session=sb&type=Oral&type=Spotlight&view=both"
    )
    assert parse_feed_query(parse_qs(canonical_query(query))) == query


def test_canonical_query_omits_defaults() -> None:
    assert canonical_query(FeedQuery()) == ""
    assert canonical_query(q(abstracts=True, download=False, alarm=None, room="")) == ""
    assert canonical_query(q(alarm=0)) == "alarm=0"


def test_canonical_query_is_independent_of_order_duplicates_and_spelling() -> None:
    a = parse_feed_query({"type": ["Spotlight", "Oral"], "session": ["b", "a"], "room": ["Hall  J"], "view": ["BOTH"]})
    b = parse_feed_query(MultiDict([
        ("view", "both"), ("session", "a"), ("type", "Oral"), ("session", "b"), ("session", "a"),
        ("room", " Hall J "), ("type", "Spotlight"), ("type", "oral"), ("download", "0"), ("abstracts", "true"),
    ]))
    assert a == b
    assert canonical_query(a) == canonical_query(b)
    # Composed and decomposed accents are the same value.
    assert canonical_query(q(author="Zoe\u0308")) == canonical_query(q(author="Zo\u00eb"))


_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["Zoë", "Zoe\u0308", "Oral", "oral", " a  b ", "+&=%#?", "Straße", "ﬁ", "İ", "\u00a0x\u3000"]),
)
_OPTIONAL_TEXT = st.none() | _TEXT
_QUERIES = st.builds(
    FeedQuery,
    types=st.lists(_TEXT, max_size=4).map(tuple),
    room=_OPTIONAL_TEXT,
    day=st.none() | st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    author=_OPTIONAL_TEXT,
    q=_OPTIONAL_TEXT,
    sessions=st.lists(_TEXT, max_size=4).map(tuple),
    view=st.none() | st.sampled_from(["talks", "sessions", "both", "Talks"]),
    abstracts=st.booleans(),
    alarm=st.none() | st.integers(0, MAX_ALARM_MINUTES),
    download=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(_QUERIES)
def test_canonical_query_round_trip(query: FeedQuery) -> None:
    text = canonical_query(query)
    assert parse_feed_query(parse_qs(text)) == query
    assert canonical_query(parse_feed_query(parse_qs(text))) == text
    assert query_from_filter_dict(json.loads(json.dumps(filter_dict(query)))) == replace(
        query, view=None, abstracts=True, alarm=None, download=False
    )


_ARG_VALUES = st.one_of(
    _TEXT,
    st.sampled_from(["", "0", "1", "true", "false", "15", "-1", "2022-07-21", "2022-13-01", "talks", "both", "x"]),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*PARAMETERS, "other"]), st.lists(_ARG_VALUES, max_size=3), max_size=6))
def test_any_arguments_parse_to_a_stable_query_or_invalid_query(args: dict[str, list[str]]) -> None:
    try:
        query = parse_feed_query(args)
    except InvalidQuery as error:
        assert error.status == 400 and error.param in str(error)
        return
    assert parse_feed_query(parse_qs(canonical_query(query))) == query


# --------------------------------------------------------------------------- stored filters


def test_filter_dict() -> None:
    query = q(types=("Oral",), room="Hall J", day=date(2022, 7, 21), author="Zoë", q="nets", sessions=("sb",),
              view="both", alarm=5, abstracts=False, download=True)
    data = filter_dict(query)
    assert data == {"type": ["Oral"], "room": "Hall J", "day": "2022-07-21", "author": "Zoë", "q": "nets",
                    "session": ["sb"]}
    assert json.loads(json.dumps(data)) == data
    assert query_from_filter_dict(data) == replace(query, view=None, alarm=None, abstracts=True, download=False)
    assert filter_dict(FeedQuery()) == {}
    assert query_from_filter_dict({}) == FeedQuery()


def test_query_from_filter_dict_is_lenient_about_empty_values() -> None:
    data = {"type": "Oral", "room": None, "day": "", "author": "  ", "q": None, "session": []}
    assert query_from_filter_dict(data) == q(types=("Oral",))


@pytest.mark.parametrize(
    ("data", "param"),
    [
        ({"day": "21 July"}, "day"),
        ({"day": 20220721}, "day"),
        ({"type": 3}, "type"),
        ({"type": [1]}, "type"),
        ({"session": {"a": 1}}, "session"),
        ({"room": ["Hall J"]}, "room"),
        ({"author": "x" * 201}, "author"),
        ({"view": "both"}, "view"),
        ({"alarm": 5}, "alarm"),
    ],
)
def test_query_from_filter_dict_errors(data: dict, param: str) -> None:
    with pytest.raises(InvalidQuery) as info:
        query_from_filter_dict(data)
    assert info.value.status == 400 and info.value.param == param and repr(param) in str(info.value)


@pytest.mark.parametrize("data", [None, [], "type=Oral", 3])
def test_query_from_filter_dict_needs_an_object(data: object) -> None:
    with pytest.raises(InvalidQuery) as info:
        query_from_filter_dict(data)
    assert info.value.status == 400


def _reference_fold(text: str) -> str:
    """The search form spelled out character by character (NFKD, drop marks, casefold, again)."""
    import unicodedata

    def strip(value: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))

    return " ".join(strip(strip(text).casefold()).split())


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.text(alphabet="AbZé\u0301 \tﬁßİ", max_size=20))
def test_fold_equals_the_character_by_character_definition(text):
    from calsync.filters import _fold

    assert _fold(text) == _reference_fold(text)
