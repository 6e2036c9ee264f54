"""A generated 10,000-talk conference's frab XML and c3voc JSON validate against the schemas
(slow: the JSON schema's validator takes ~15 s; the smaller cases are in tests/test_exports.py)."""

from __future__ import annotations

import json

from test_exports import OPTIONS, generated_conference, info, json_errors, json_events, pairs, xml_errors

from calsync.exports.c3voc import schedule_json
from calsync.exports.common import build_schedule
from calsync.exports.frab import schedule_xml


def test_a_10000_talk_conference_exports_valid_schedules() -> None:
    conference = generated_conference()
    talks = pairs(conference)
    assert len(talks) == 10_000
    where = info("gen-2026", "America/Vancouver", title="Generated 2026")
    schedule = build_schedule(talks, where, OPTIONS)
    assert len({e.number for e in schedule.events}) == len({e.guid for e in schedule.events}) == 10_000
    xml = schedule_xml(talks, where, OPTIONS)
    assert xml_errors(xml) == []
    js = schedule_json(talks, where, OPTIONS)
    assert json_errors(js) == []
    data = json.loads(js)["schedule"]["conference"]
    assert data["daysCount"] == 5 and len(data["rooms"]) == 25
    untitled = [e for e in json_events(js).values() if e["title"].startswith("Untitled slot")]
    assert len(untitled) == 1
