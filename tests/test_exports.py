"""The frab schedule XML and the c3voc schedule JSON, validated against the published schemas.

The schemas are copies kept in ``tests/schemas/`` (source, commit and licence in its
README). Validated: the sample conference, every seed page (``../shared/seeds``, skipped
when absent), a generated 400-talk conference here and a 10,000-talk one in
``tests/system/test_exports_10k.py`` (the JSON schema's validator needs ~15 s for it); a
change to one talk changes exactly that event in both exports. The sample's exports are compared byte for byte with goldens
(``CALSYNC_REGENERATE=1`` rewrites them; review the diff).
"""

from __future__ import annotations

import json
import os
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from helpers import SEEDS, TODAY
from lxml import etree

from calsync.exports.c3voc import schedule_json
from calsync.exports.common import GUID_NAMESPACE, NO_ROOM, ScheduleInfo, talk_guid
from calsync.exports.frab import schedule_xml
from calsync.ical import FeedOptions, talk_uid
from calsync.model import Schedule, Session, Talk, make_session_id, make_talk_id
from calsync.parse import PageOptions, parse_page, parse_pages

SCHEMAS = Path(__file__).resolve().parent / "schemas"
GOLDEN = Path(__file__).resolve().parent / "golden_exports"
OPTIONS = FeedOptions(host="calsync.test")
STAMP = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SEED_YEARS = {"000": 2021, "001": 2022, "002": 2022, "003": 2020, "004": 2022}

_XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "schedule.xml.xsd")))
_JSON = jsonschema.Draft6Validator(
    json.loads((SCHEMAS / "schedule.schema.json").read_text(encoding="utf-8")),
    format_checker=jsonschema.FormatChecker(),  # every format jsonschema knows: uuid too, which draft 6 does not name
)


def xml_errors(body: bytes) -> list[str]:
    """The XSD's complaints about ``body`` (empty: valid)."""
    document = etree.fromstring(body)
    _XSD.validate(document)
    return [f"line {e.line}: {e.message}" for e in _XSD.error_log]


def json_errors(body: bytes) -> list[str]:
    """The JSON schema's complaints about ``body`` (empty: valid), formats checked too."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _JSON.iter_errors(json.loads(body))]


def info(slug: str = "icil-2026", zone: str = "Europe/Vienna", title: str = "ICIL 2026") -> ScheduleInfo:
    return ScheduleInfo(slug=slug, title=title, timezone=zone, url=f"http://127.0.0.1:8000/conferences/{slug}",
                        version="7", modified=STAMP)


def pairs(schedule: Schedule) -> list[tuple[Session, Talk]]:
    return [(s, t) for s in schedule.sessions for t in s.talks]


def sample_schedule() -> Schedule:
    files = sorted(p for p in resources.files("calsync.samples").iterdir() if p.name.endswith(".txt"))
    return parse_pages([(p.read_text(encoding="utf-8"), PageOptions(year=2026, source=p.name)) for p in files])


def generated_conference(talks_per_session: int = 20, sessions: int = 500) -> Schedule:
    """A 10,000-talk conference: 5 days, 25 rooms, posters at positions, 0–12 authors, one untitled slot."""
    zone = ZoneInfo("America/Vancouver")
    out = []
    for s in range(sessions):
        day, slot = divmod(s, 100)
        room = f"Room {s % 25 + 1}"
        poster = s % 10 == 0
        start = datetime(2026, 7, 13 + day, 8, 0, tzinfo=zone) + timedelta(minutes=(slot // 25) * 150)
        title = f"Session {s}: {'Posters' if poster else 'Orals'} on Topic {s % 37}"
        session_id = make_session_id(title, room, start, None)
        talks = []
        for i in range(talks_per_session):
            begin = start if poster else start + timedelta(minutes=7 * i)
            name = None if (s, i) == (3, 4) else f"Talk {s}.{i}: Learning Things – Ünïcode & <markup>"
            talks.append(Talk(
                id=make_talk_id(session_id, name, 1 if name else i + 1),
                start=begin,
                end=None if i == 5 else begin + timedelta(minutes=120 if poster else 7),
                title=name,
                type="Poster" if poster else ("Oral" if i % 3 else None),
                authors=tuple(f"Author {s}-{i}-{k} Ñame" for k in range((s + i) % 13)),
                abstract=None if i % 4 == 0 else f"Abstract of talk {s}.{i}. " * 5,
                location=f"{room} #{i + 1}" if poster else None,
                url=f"https://example.org/virtual/2026/poster/{s * 100 + i}" if poster else None,
            ))
        out.append(Session(id=session_id, title=title, timezone="America/Vancouver", talks=tuple(talks),
                           location=room, moderators=("Ada Example",), source_url=None))
    return Schedule(timezone="America/Vancouver", sessions=tuple(out))


def xml_events(body: bytes) -> dict[str, bytes]:
    """Each event's whole XML by GUID (without the whitespace after it, which tells its place)."""
    root = ET.fromstring(body)
    events = list(root.iter("event"))
    for event in events:
        event.tail = None
    return {e.get("guid", ""): ET.tostring(e) for e in events}


def json_events(body: bytes) -> dict[str, Any]:
    """Each event's whole JSON by GUID."""
    data = json.loads(body)
    return {e["guid"]: e for day in data["schedule"]["conference"]["days"] for events in day["rooms"].values() for e in events}


# -- the validators themselves ---------------------------------------------------------


def test_the_validators_reject_what_the_schemas_forbid() -> None:
    """A validator that accepts anything proves nothing: each broken export is refused."""
    sample = sample_schedule()
    xml = schedule_xml(pairs(sample), info(), OPTIONS)
    body = json.loads(schedule_json(pairs(sample), info(), OPTIONS))
    assert xml_errors(xml) == [] and json_errors(json.dumps(body).encode()) == []
    assert xml_errors(xml.replace(b'<event id="', b'<event idx="', 1))  # the required id
    assert xml_errors(xml.replace(b"<duration>00:20</duration>", b"<duration>20 min</duration>", 1))
    event = json_events(json.dumps(body).encode())
    first = next(iter(event))
    for key, bad in (("guid", "not-a-uuid"), ("date", "14 July"), ("url", "no scheme"), ("start", "9:00")):
        broken = json.loads(json.dumps(body))
        for day in broken["schedule"]["conference"]["days"]:
            for events in day["rooms"].values():
                for e in events:
                    if e["guid"] == first:
                        e[key] = bad
        assert json_errors(json.dumps(broken).encode()), key
    body["schedule"]["conference"]["acronym"] = "icil-2026"  # the JSON schema's acronym takes no dash there
    assert json_errors(json.dumps(body).encode())


# -- the sample ------------------------------------------------------------------------


def _golden(name: str, body: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("CALSYNC_REGENERATE") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(body)
    assert body == path.read_bytes(), f"{name} differs from its golden (CALSYNC_REGENERATE=1 rewrites it)"


def test_sample_exports_validate_and_match_their_goldens() -> None:
    sample = sample_schedule()
    xml = schedule_xml(pairs(sample), info(), OPTIONS)
    js = schedule_json(pairs(sample), info(), OPTIONS)
    assert xml_errors(xml) == []
    assert json_errors(js) == []
    _golden("icil-2026.schedule.xml", xml)
    _golden("icil-2026.schedule.json", js)
    assert schedule_xml(pairs(sample), info(), OPTIONS) == xml  # the same input, the same bytes


def test_events_carry_every_field_and_agree_between_formats() -> None:
    sample = sample_schedule()
    talks = pairs(sample)
    js = json_events(schedule_json(talks, info(), OPTIONS))
    xml = ET.fromstring(schedule_xml(talks, info(), OPTIONS))
    assert len(js) == len(talks) == len(list(xml.iter("event")))
    zone = ZoneInfo("Europe/Vienna")
    for session, talk in talks:
        uid = talk_uid(talk, replace(OPTIONS, conference="icil-2026"))  # the UID the conference's feeds give it
        assert uid == f"{talk.id}.icil-2026@calsync.test"
        guid = str(uuid.uuid5(GUID_NAMESPACE, "talk\x1f" + uid))
        assert talk_guid(talk, OPTIONS, "icil-2026") == talk_guid(talk, replace(OPTIONS, abstracts=False), "icil-2026") == guid
        event = js[guid]
        start = talk.start.astimezone(zone)
        assert datetime.fromisoformat(event["date"]) == talk.start and event["date"].endswith("+02:00")
        assert event["start"] == f"{start:%H:%M}"
        assert talk.end is not None
        minutes = int((talk.end - talk.start).total_seconds() // 60)
        assert event["duration"] == f"{minutes // 60:02d}:{minutes % 60:02d}"
        assert event["title"] == talk.title and event["type"] == (talk.type or "")
        assert [p["name"] for p in event["persons"]] == list(talk.authors)
        assert event["abstract"] == (talk.abstract or "")
        assert event["room"] == (talk.location or session.location or NO_ROOM)
        assert event["track"] == session.title
        x = next(e for e in xml.iter("event") if e.get("guid") == guid)
        assert (x.findtext("date"), x.findtext("start"), x.findtext("duration"), x.findtext("title"), x.findtext("room")) == (
            event["date"], event["start"], event["duration"], event["title"], event["room"])
        assert [p.text for p in x.iter("person")] == list(talk.authors)
        assert int(x.get("id", "0")) == event["id"] and event["slug"] == x.findtext("slug")
    conference = json.loads(schedule_json(talks, info(), OPTIONS))["schedule"]["conference"]
    assert conference["time_zone_name"] == "Europe/Vienna" == xml.findtext("conference/time_zone_name")
    assert [d["date"] for d in conference["days"]] == ["2026-07-14", "2026-07-15"]
    assert conference["acronym"] == "icil_2026"


def test_a_person_keeps_one_guid_across_talks_and_a_room_one_guid_across_days() -> None:
    conference = generated_conference(talks_per_session=3, sessions=60)
    data = json.loads(schedule_json(pairs(conference), info("gen-2026", "America/Vancouver"), OPTIONS))
    days = data["schedule"]["conference"]["days"]
    rooms = {r["name"]: r["guid"] for r in data["schedule"]["conference"]["rooms"]}
    assert set(rooms) == {f"Room {n}" for n in range(1, 26)}  # poster positions are not rooms
    guids: dict[str, set[str]] = {}
    for day in days:
        for room, events in day["rooms"].items():
            assert room in rooms
            for e in events:
                assert e["room"] == room
                for p in e["persons"]:
                    guids.setdefault(p["name"], set()).add(p["guid"])
    assert guids and all(len(g) == 1 for g in guids.values())
    assert len({next(iter(g)) for g in guids.values()}) == len(guids)


def test_an_empty_schedule_still_validates() -> None:
    xml = schedule_xml([], info(), OPTIONS)
    js = schedule_json([], info(), OPTIONS)
    assert xml_errors(xml) == [] and json_errors(js) == []
    day = ET.fromstring(xml).find("day")
    assert day is not None and day.get("date") == "2026-01-02" and day.get("start") == "2026-01-02T00:00:00+01:00"
    assert json.loads(js)["schedule"]["conference"]["days"] == []


def test_zones_the_json_schema_does_not_name_are_left_out_there_only() -> None:
    sample = sample_schedule()
    talks = pairs(sample)
    js = json.loads(schedule_json(talks, info(zone="Etc/GMT-2"), OPTIONS))
    assert "time_zone_name" not in js["schedule"]["conference"]
    assert json_errors(json.dumps(js).encode()) == []
    xml = schedule_xml(talks, info(zone="Etc/GMT-2"), OPTIONS)
    assert xml_errors(xml) == [] and ET.fromstring(xml).findtext("conference/time_zone_name") == "Etc/GMT-2"


def test_text_xml_cannot_carry_is_dropped_from_the_xml_only() -> None:
    session = sample_schedule().sessions[0]
    talk = replace(session.talks[0], title="Form\x0cfeed", abstract="bell\x07")
    xml = schedule_xml([(session, talk)], info(), OPTIONS)
    assert xml_errors(xml) == [] and b"<title>Formfeed</title>" in xml and b"<abstract>bell</abstract>" in xml
    assert json_events(schedule_json([(session, talk)], info(), OPTIONS))[talk_guid(talk, OPTIONS, "icil-2026")]["title"] == "Form\x0cfeed"


# -- a change to one talk ---------------------------------------------------------------


@pytest.mark.parametrize("change", ["moved", "retitled", "room", "authors"])
def test_a_change_to_one_talk_changes_exactly_that_event(change: str) -> None:
    conference = generated_conference(talks_per_session=5, sessions=40)
    sessions = list(conference.sessions)
    session = sessions[7]
    talk = session.talks[2]
    changed = {
        "moved": replace(talk, start=talk.start + timedelta(minutes=1), end=(talk.end or talk.start) + timedelta(minutes=1)),
        "retitled": replace(talk, title="A New Title"),
        "room": replace(talk, location="Room 3"),
        "authors": replace(talk, authors=("Only One",)),
    }[change]
    sessions[7] = replace(session, talks=(*session.talks[:2], changed, *session.talks[3:]))
    after = replace(conference, sessions=tuple(sessions))
    where = info("gen-2026", "America/Vancouver")
    guid = talk_guid(talk, OPTIONS, where.slug)
    for render, events in ((schedule_xml, xml_events), (schedule_json, json_events)):
        old, new = events(render(pairs(conference), where, OPTIONS)), events(render(pairs(after), where, OPTIONS))
        assert old.keys() == new.keys()
        assert [g for g in old if old[g] != new[g]] == [guid], render.__name__


# -- the seeds and a generated conference -------------------------------------------------------


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"{SEEDS} not present (only CI has ../shared/)")
@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else ["-"])
def test_every_seed_exports_valid_schedules(name: str) -> None:
    schedule = parse_page((SEEDS / name).read_text(encoding="utf-8"),
                          PageOptions(year=SEED_YEARS[name[:3]], today=TODAY, source=name))
    talks = pairs(schedule)
    assert talks
    where = info("seed-" + name[:3], schedule.timezone, title=schedule.sessions[0].title)
    xml, js = schedule_xml(talks, where, OPTIONS), schedule_json(talks, where, OPTIONS)
    assert xml_errors(xml) == []
    assert json_errors(js) == []
    assert len(json_events(js)) == len(xml_events(xml)) == len(talks)


def test_a_generated_conference_exports_valid_schedules() -> None:
    conference = generated_conference(sessions=20)
    talks = pairs(conference)
    where = info("gen-2026", "America/Vancouver", title="Generated 2026")
    assert xml_errors(schedule_xml(talks, where, OPTIONS)) == []
    assert json_errors(schedule_json(talks, where, OPTIONS)) == []


def test_a_new_version_rebuilds_only_the_changed_event() -> None:
    from calsync.exports.common import build_schedule
    from calsync.exports.frab import write_schedule_xml

    conference = generated_conference(talks_per_session=5, sessions=40)
    where = info("gen-2026", "America/Vancouver")
    events: dict = {}
    fragments: dict = {}
    first = build_schedule(pairs(conference), where, OPTIONS, events)
    body = write_schedule_xml(first, fragments)
    assert body == schedule_xml(pairs(conference), where, OPTIONS) and len(events) == len(fragments) == 200
    sessions = list(conference.sessions)
    talk = sessions[7].talks[2]
    sessions[7] = replace(sessions[7], talks=(*sessions[7].talks[:2], replace(talk, title="Renamed"), *sessions[7].talks[3:]))
    after = replace(conference, sessions=tuple(sessions))
    second = build_schedule(pairs(after), where, OPTIONS, events)
    assert len(events) == 201  # one event built anew, the others reused
    reused = {e.guid: e for e in first.events}
    assert sum(e is reused[e.guid] for e in second.events) == 199
    assert write_schedule_xml(second, fragments) == schedule_xml(pairs(after), where, OPTIONS) and len(fragments) == 201
