"""Published site data (calsync.parse.sitedata): orals-posters JSON of the virtual sites and
MiniConf schedule.json — fields, grouping, ids, zones, warnings and malformed data."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXTURES, SHARED, Cli

from calsync.errors import NoEvents, ParseError
from calsync.model import Schedule, Talk
from calsync.parse import PageOptions, parse_page
from calsync.parse.sitedata import choose_zone, load_json, parse_site_data

DATA = FIXTURES / "data"
ICIL = DATA / "icil-2026-orals-posters.json"
ICIL_URL = "https://icil.example.org/static/virtual/data/icil-2026-orals-posters.json"
MINICONF = DATA / "miniconf_schedule.json"
REAL_ACL = SHARED / "realpages" / "data" / "acl2023_miniconf_schedule.json"


def icil_data() -> dict[str, Any]:
    return json.loads(ICIL.read_text(encoding="utf-8"))


def icil_abstracts() -> dict[str, str]:
    return json.loads((DATA / "icil-2026-abstracts.json").read_text(encoding="utf-8"))


def parse_icil(data: Any = None, **options: Any) -> Schedule:
    opts = PageOptions(**{"url": ICIL_URL, "source": "icil.json", **options})
    return parse_site_data(icil_data() if data is None else data, opts, abstracts=icil_abstracts())


def talks_by_title(schedule: Schedule) -> dict[str, list[Talk]]:
    out: dict[str, list[Talk]] = {}
    for session in schedule.sessions:
        for talk in session.talks:
            out.setdefault(talk.title or "", []).append(talk)
    return out


def test_detected_by_content_through_parse_page() -> None:
    schedule = parse_page(ICIL.read_text(encoding="utf-8"), PageOptions(url=ICIL_URL, source="icil.json"))
    (report,) = schedule.reports
    assert (report.kind, report.events, report.year, report.year_origin) == ("orals-posters data", 11, 2026, "data")
    assert (report.timezone, report.zone_origin, report.ignored) == ("America/Los_Angeles", "inferred", ())


def test_fields_of_a_record() -> None:
    talks = talks_by_title(parse_icil())
    (sparse,) = talks["Sparse Widgets & Gadgets"]  # tags stripped, entities unescaped
    assert sparse.type == "Poster"
    assert sparse.authors == ("Zoë Marchetti", "Bo Chen")
    assert sparse.abstract == "We study widgets.\nThey are sparse."  # the record's own abstract wins
    assert sparse.url == "https://icil.example.org/virtual/2026/poster/41001"
    assert sparse.location == "West Exhibition Hall A #W-10"
    assert sparse.start.isoformat() == "2026-07-14T11:00:00-07:00" and sparse.end.isoformat() == "2026-07-14T13:30:00-07:00"
    assert talks["Dense Gadgets Revisited"][0].authors == ("René O'Brien",)
    (oral,) = talks["Robust Widgets under Noise"]
    assert oral.type == "Oral" and oral.abstract == "Noise & widgets: a companion abstract."  # from the companion
    assert oral.url == "https://icil.example.org/virtual/2026/oral/41010" and oral.location == "Ballroom B"
    assert talks["Virtual Widgets"][0].location == "#V-3"  # the position alone when there is no room
    assert talks["Keynote: Widgets at Scale"][0].type == "Invited Talk"


def test_without_the_companion_the_oral_has_no_abstract() -> None:
    schedule = parse_site_data(icil_data(), PageOptions(url=ICIL_URL))
    assert talks_by_title(schedule)["Robust Widgets under Noise"][0].abstract is None


def test_grouping_into_sessions() -> None:
    schedule = parse_icil()
    shape = [(s.title, s.location, [t.title for t in s.talks]) for s in schedule.sessions]
    assert shape == [
        ("Keynote: Widgets at Scale", "Hall A", ["Keynote: Widgets at Scale"]),
        ("Oral Session 2A: Robust Widgets", "Ballroom B",
         ["Robust Widgets under Noise", "Certified Gadgets", "Widgets That Bend"]),
        ("Poster Session 1 East", "East Exhibition Hall B", ["Eastern Widgets"]),
        ("Poster Session 1 West", "West Exhibition Hall A", ["Dense Gadgets Revisited", "Sparse Widgets & Gadgets"]),  # #W-9, #W-10
        ("Poster Session 2", "Hall C", ["Gadgets Twice Over", "Another Hall C Poster"]),
        ("Poster Session 3 Virtual", None, ["Virtual Widgets"]),
        ("Poster Session 2 (second showing)", "Hall C", ["Gadgets Twice Over"]),
    ]
    oral_session = schedule.sessions[1]
    assert (oral_session.start.isoformat(), oral_session.end.isoformat()) == ("2026-07-14T10:00:00-07:00", "2026-07-14T10:45:00-07:00")


def test_second_showing_is_a_second_event_with_its_own_id() -> None:
    first, second = talks_by_title(parse_icil())["Gadgets Twice Over"]
    assert first.id != second.id
    assert (first.start.isoformat(), second.start.isoformat()) == ("2026-07-15T11:00:00-07:00", "2026-07-16T16:00:00-07:00")
    assert second.end is not None and second.end.isoformat() == "2026-07-16T18:00:00-07:00"
    ids = [t.id for s in parse_icil().sessions for t in s.talks]
    assert len(ids) == len(set(ids)) == 11


def test_records_without_time_and_hidden_ones_are_one_warning() -> None:
    schedule = parse_icil()
    skipped = [w for w in schedule.warnings if "skipped" in w.message]
    assert len(skipped) == 1
    message = skipped[0].message
    assert message.startswith("3 of 13 records skipped")
    assert "2 without a time (ids 41030, 41031)" in message and "1 hidden" in message and "41040" in message
    assert skipped[0].source == "icil.json"
    titles = talks_by_title(schedule)
    assert "A Hidden Event" not in titles and "A Poster Without a Slot" not in titles


def test_ids_are_stable_and_survive_a_move() -> None:
    before = parse_icil()
    assert [t.id for s in before.sessions for t in s.talks] == [t.id for s in parse_icil().sessions for t in s.talks]
    data = icil_data()
    oral = next(r for r in data["results"] if r["id"] == 41011)
    oral["starttime"], oral["endtime"] = "2026-07-14T10:50:00-07:00", "2026-07-14T11:05:00-07:00"
    poster = next(r for r in data["results"] if r["id"] == 41003)
    poster["starttime"], poster["endtime"] = "2026-07-15T16:00:00-07:00", "2026-07-15T18:00:00-07:00"
    after = parse_icil(data)
    old, new = talks_by_title(before), talks_by_title(after)
    for title in ("Certified Gadgets", "Eastern Widgets"):
        assert old[title][0].id == new[title][0].id and old[title][0].start != new[title][0].start
    same = {s.title: s.id for s in before.sessions}
    assert {s.title: s.id for s in after.sessions}["Oral Session 2A: Robust Widgets"] == same["Oral Session 2A: Robust Widgets"]


def test_zone_choice_warns_and_the_conference_zone_wins() -> None:
    schedule = parse_icil()
    zone_warnings = [w.message for w in schedule.warnings if "offsets" in w.message]
    assert zone_warnings == [
        "offsets -07:00 match America/Los_Angeles; set the conference's timezone (or --timezone) to choose another"
    ]
    assert {s.timezone for s in schedule.sessions} == {"America/Los_Angeles"}
    vienna = parse_icil(conference_timezone="Europe/Vienna", timezone="Asia/Tokyo")
    assert vienna.timezone == "Europe/Vienna" and vienna.reports[0].zone_origin == "conference"
    assert not [w for w in vienna.warnings if "offsets" in w.message]
    sparse = talks_by_title(vienna)["Sparse Widgets & Gadgets"][0]
    assert sparse.start.isoformat() == "2026-07-14T20:00:00+02:00"  # the same instant, shown in Vienna
    tokyo = parse_icil(timezone="Asia/Tokyo")
    assert tokyo.timezone == "Asia/Tokyo" and tokyo.reports[0].zone_origin == "option"
    with pytest.raises(ParseError, match="unknown time zone 'Mars/Olympus'"):
        parse_icil(timezone="Mars/Olympus")


def _at(offset_hours: float, month: int = 7) -> datetime:
    return datetime(2025, month, 15, 10, 0, tzinfo=timezone(timedelta(hours=offset_hours)))


@pytest.mark.parametrize("instants, zone, words", [
    ([_at(2)], "Europe/Vienna", "match Europe/Vienna"),
    ([_at(1, 12)], "Europe/Vienna", "match Europe/Vienna"),
    ([_at(-8, 12), _at(-7)], "America/Los_Angeles", "match America/Los_Angeles"),  # PST and PDT: one zone
    ([_at(5.5)], "Asia/Kolkata", "+05:30"),
    ([_at(9)], "Asia/Seoul", "+09:00"),
    ([_at(-3)], "America/Sao_Paulo", "-03:00"),
    ([_at(-8, 12)] * 3 + [_at(-6, 12)], "America/Los_Angeles", "match no single venue zone; America/Los_Angeles matches 3 of 4"),
    ([_at(-11)], "Etc/GMT+11", "fixed offset Etc/GMT+11"),
    ([_at(0)], "UTC", "fixed offset UTC"),  # +00:00 in July: London is on BST
    ([_at(5.75)], "UTC", "match no venue zone: UTC"),
])
def test_choose_zone(instants: list[datetime], zone: str, words: str) -> None:
    chosen, reason = choose_zone(instants)
    assert chosen.key == zone and words in reason


@pytest.mark.parametrize("text, words", [
    ('{"results": [', "not valid JSON"),
    ('{"results": "all of them"}', "unknown shape"),
    ('{"count": 1}', "unknown shape"),
    ('[1, 2, 3]', "unknown shape"),
    ('{"results": [{"id": 1, "starttime": "2026-07-14T10:00:00-07:00"}, "oops"]}', "record 2 of the data is not an object"),
    ('{"results": [{"name": "No id", "starttime": "2026-07-14T10:00:00-07:00"}]}', "record 1 of the data has no id"),
    ('[{"start": "Mon, 13 Jul 2026 15:00:00 GMT", "title": "A"}, 7]', "event 2 of the schedule is not an object"),
])
def test_malformed_data_is_a_parse_error(text: str, words: str) -> None:
    with pytest.raises(ParseError, match=words) as caught:
        parse_page(text, PageOptions(source="bad.json"))
    assert str(caught.value).startswith("bad.json")


def test_no_record_with_a_time_is_nothing_to_import() -> None:
    with pytest.raises(NoEvents, match="no record of the data has a time"):
        parse_page('{"count": 1, "next": null, "results": [{"id": 5, "name": "x", "starttime": null}]}')


def test_a_record_with_an_unreadable_time_is_skipped_and_named() -> None:
    data = icil_data()
    data["results"][1]["starttime"] = "14 July, 11am"
    data["results"][2]["starttime"] = "2026-07-14T11:00:00"  # no offset, and no zone given
    schedule = parse_icil(data)
    (skipped,) = [w.message for w in schedule.warnings if "skipped" in w.message]
    assert skipped.startswith("5 of 13 records skipped") and "2 whose time cannot be read" in skipped
    assert "41002 (starttime: '14 July, 11am'" in skipped and "41003 (starttime: '2026-07-14T11:00:00': no UTC offset)" in skipped
    assert sum(len(s.talks) for s in schedule.sessions) == 9


def test_a_page_that_starts_with_a_bracket_is_not_json() -> None:
    assert load_json("[ ] [ Project Page ]\nTue 15 Jul 3:30 p.m. PDT — 4:30 p.m. PDT") is None


def test_relative_links_without_a_base_are_dropped_with_a_warning() -> None:
    schedule = parse_site_data(icil_data(), PageOptions(source="icil.json"))
    assert all(t.url is None for s in schedule.sessions for t in s.talks)
    assert any("link to their pages relatively" in w.message for w in schedule.warnings)


def test_only_http_links_are_kept() -> None:
    data = icil_data()
    data["results"][0]["virtualsite_url"] = "javascript:alert(1)"
    data["results"][1]["virtualsite_url"] = "https://elsewhere.example.org/poster/41002"
    talks = talks_by_title(parse_icil(data))
    assert talks["Sparse Widgets & Gadgets"][0].url is None
    assert talks["Dense Gadgets Revisited"][0].url == "https://elsewhere.example.org/poster/41002"


def test_a_next_page_not_followed_is_said() -> None:
    data = icil_data()
    data["next"] = "icil-2026-orals-posters.json?page=2"
    assert any("continues on another page" in w.message for w in parse_icil(data).warnings)


def test_bare_list_of_records() -> None:
    schedule = parse_site_data(icil_data()["results"], PageOptions(url=ICIL_URL))
    assert sum(len(s.talks) for s in schedule.sessions) == 11


# -- MiniConf --------------------------------------------------------------------


def parse_miniconf(**options: Any) -> Schedule:
    opts = PageOptions(**{"url": "https://conf.example.org/schedule.json", "source": "schedule.json", **options})
    return parse_page(MINICONF.read_text(encoding="utf-8"), opts)


def test_miniconf_sessions_have_real_titles_and_no_duplicates() -> None:
    schedule = parse_miniconf()
    shape = [(s.title, s.location, [(t.title, t.type, t.location) for t in s.talks]) for s in schedule.sessions]
    assert shape == [
        ("T1: Fixtures for Everyone", None, [("T1: Fixtures for Everyone", "Tutorial", None)]),
        ("Coffee Break 2", None, [("Coffee Break 2", "Break", None)]),
        ("Session 2", None, [
            ("Dialogue (Oral)", "Oral", None), ("Dialogue (Poster)", "Poster", None), ("Invented Semantics", "Oral", None),
        ]),
        ("Welcome Reception", None, [("Welcome Reception", "Social", None)]),  # a detail without an overview
        ("W3 - The 1st Workshop on Invented Things (WIT)", "Harbour 1",
         [("W3 - The 1st Workshop on Invented Things (WIT)", "Workshop", None)]),
        ("W4 - Workshop on Sample Data & Fixtures (SDF)", "Harbour 2",
         [("W4 - Workshop on Sample Data & Fixtures (SDF)", "Workshop", None)]),
    ]
    workshop = schedule.sessions[4]
    assert workshop.source_url == "https://conf.example.org/workshops.html#tab-july16"
    assert workshop.talks[0].url == "https://conf.example.org/workshop_WIT.html"
    assert workshop.talks[0].start.isoformat() == "2026-07-16T13:00:00+00:00"
    assert schedule.sessions[2].talks[0].url == "https://conf.example.org/sessions.html#link-july13-session-2_-dialogue-(oral)"
    ids = [t.id for s in schedule.sessions for t in s.talks]
    assert len(ids) == len(set(ids)) == 8 and len({s.id for s in schedule.sessions}) == 6
    assert [t.id for s in parse_miniconf().sessions for t in s.talks] == ids


def test_miniconf_zone_and_warnings() -> None:
    schedule = parse_miniconf()
    assert schedule.timezone == "UTC" and schedule.reports[0].kind == "miniconf schedule"
    assert (schedule.reports[0].events, schedule.reports[0].zone_origin) == (8, "data")
    messages = [w.message for w in schedule.warnings]
    assert any("times are in UTC" in m and "set the conference's timezone" in m for m in messages)
    assert any(m.startswith("1 events end when they start (T1: Fixtures for Everyone)") for m in messages)
    assert schedule.sessions[0].talks[0].end is None
    toronto = parse_miniconf(conference_timezone="America/Toronto")
    assert toronto.timezone == "America/Toronto" and not any("times are in UTC" in w.message for w in toronto.warnings)
    assert toronto.sessions[4].talks[0].start.isoformat() == "2026-07-16T09:00:00-04:00"


def test_real_acl_miniconf_schedule() -> None:
    if not REAL_ACL.exists():
        pytest.skip(f"{REAL_ACL} not available (../shared/ exists only in CI)")
    events = json.loads(REAL_ACL.read_text(encoding="utf-8"))
    schedule = parse_page(REAL_ACL.read_text(encoding="utf-8"), PageOptions(url="https://virtual2023.aclweb.org/schedule.json"))
    talks = [t for s in schedule.sessions for t in s.talks]
    weeks = [e for e in events if e["view"] == "week"]
    assert len(schedule.sessions) == len(weeks) == 90
    assert len(talks) == len([e for e in events if e["view"] == "day"]) == 379  # each detail once
    assert len({t.id for t in talks}) == len(talks)
    assert all(t.title and "<" not in t.title and t.title not in ("Workshop", "Tutorial") for t in talks)
    assert all(t.url and t.url.startswith("https://virtual2023.aclweb.org/") for t in talks)
    assert {t.start.utcoffset() for t in talks} == {timedelta(0)} and schedule.timezone == "UTC"
    types = Counter(t.type for t in talks)
    assert types["Workshop"] == 21 and types["Tutorial"] == 6 and types["Oral"] > 30 and types["Poster"] > 200
    (bea,) = [s for s in schedule.sessions if s.title.endswith("(BEA)")]
    assert bea.location == "Harbour A" and bea.talks[0].url == "https://virtual2023.aclweb.org/workshop_BEA.html"
    assert bea.talks[0].title == bea.title and bea.talks[0].start.isoformat() == "2023-07-13T13:00:00+00:00"


# -- through the command line --------------------------------------------------------


def test_cli_parse_reads_the_sibling_abstracts(tmp_path: Path, cli: Cli) -> None:
    proc = cli("parse", str(ICIL), "--url", ICIL_URL)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    talks = {t["title"]: t for s in out["sessions"] for t in s["talks"]}
    assert talks["Robust Widgets under Noise"]["abstract"] == "Noise & widgets: a companion abstract."
    assert talks["Robust Widgets under Noise"]["url"] == "https://icil.example.org/virtual/2026/oral/41010"
    assert out["reports"][0]["kind"] == "orals-posters data" and "3 of 13 records skipped" in proc.stderr.decode()
    lonely = tmp_path / "icil-2026-orals-posters.json"  # no sibling here: no companion abstracts
    lonely.write_bytes(ICIL.read_bytes())
    out = json.loads(cli("parse", str(lonely)).stdout)
    assert {t["title"]: t for s in out["sessions"] for t in s["talks"]}["Robust Widgets under Noise"]["abstract"] is None


def test_cli_broken_data_exit_2_without_traceback(tmp_path: Path, cli: Cli) -> None:
    broken = tmp_path / "icml-2025-orals-posters.json"
    broken.write_text('{"count": 2, "results": [{"id": 1,', encoding="utf-8")
    proc = cli("parse", str(broken))
    assert proc.returncode == 2 and b"not valid JSON" in proc.stderr and b"Traceback" not in proc.stderr
