"""Every IANA zone, every year 2018–2030, every client: the instants all readers see are zoneinfo's.

For each year and each zone of ``zoneinfo.available_timezones()``: talks on the 1st and
15th of every month at 10:00, and at every change of UTC offset ±1 h of its local onset
(when that wall time exists; a repeated one is kept: the exporter must make it
unambiguous). One feed per year and group of zones is written by
:func:`calsync.ical.render_calendar` — a one-year feed, as a conference's is — and read
by the six ``icscheck`` parsers (each once per file, called as icscheck calls them) and
by Outlook's import rules (``tests/outlook_rules.py``); every start and end must be the
instant zoneinfo gives.

The parsers cost about 1 ms an event each, so the feeds keep only what times depend on:
the VTIMEZONEs and each event's UID, DTSTAMP, SUMMARY, DTSTART and DTEND, exactly as
rendered (the text properties, which every feed test checks elsewhere, are dropped).

Marked ``zones`` (``-m "not zones"`` skips it locally); ``.ci/run`` runs it. Counts are
printed (``-s``) and written to ``zone-sweep.txt`` in pytest's temporary directory.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import zoneinfo
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from helpers import ICSCHECK, run_icscheck
from outlook_rules import read_events

from calsync.ical import CalendarInfo, FeedOptions, Revision, render_calendar
from calsync.model import Session, Talk
from calsync.vtimezone import zone_changes

pytestmark = pytest.mark.zones

YEARS = range(2018, 2031)
PARSERS = ("icaljs", "nodeical", "ical", "vobject", "libical", "icalendar")
#: Zones per feed: about 3,900 events (ical.js slows down more than linearly in larger files).
CHUNK = 150
STAMP = Revision(datetime(2026, 1, 1, tzinfo=UTC))
_DROP = re.compile(rb"(DESCRIPTION|RELATED-TO|LAST-MODIFIED|SEQUENCE|STATUS|TRANSP)[;:][^\r]*\r\n(?: [^\r]*\r\n)*")

#: Zones where a reader disagrees with zoneinfo for a reason outside the feed, and why.
#: (Empty: none is expected; a failure lists every disagreement by zone.)
EXCEPTIONS: dict[str, str] = {}


def starts(zone: ZoneInfo, year: int) -> list[datetime]:
    """The sweep's talk starts in one zone and year (aware, in the zone; fold 0 in a repeated hour)."""
    found = [datetime(year, month, day, 10, 0, tzinfo=zone) for month in range(1, 13) for day in (1, 15)]
    for change in zone_changes(zone.key, year):
        for delta in (-1, 1):
            local = (change.local + timedelta(hours=delta)).replace(tzinfo=zone)
            if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
                found.append(local)  # a wall time that exists
    return [m for m in found if _real(m)]


def _real(moment: datetime) -> bool:
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def feed(zones: list[str], year: int) -> tuple[bytes, dict[str, tuple[datetime, datetime]]]:
    """One year's feed of some zones, and each UID's (start, end) instants by zoneinfo."""
    sessions, expected = [], {}
    for number, tzid in enumerate(zones):
        zone = ZoneInfo(tzid)
        talks = tuple(
            Talk(id=f"z{number}-{i}", start=s, end=s + timedelta(minutes=30), title=tzid)
            for i, s in enumerate(starts(zone, year))
        )
        sessions.append(Session(id=f"s{number}", title=tzid, timezone=tzid, talks=talks))
        for talk in talks:
            assert talk.end is not None
            expected[f"{talk.id}@calsync.invalid"] = (talk.start.astimezone(UTC), talk.end.astimezone(UTC))
    info = CalendarInfo(name=f"zone sweep {year}", description="sweep", timezone="UTC")
    data = render_calendar(sessions, info, lambda _i: STAMP, FeedOptions())
    return _DROP.sub(b"", data), expected


def _icscheck() -> ModuleType:
    run_icscheck_ready = ICSCHECK.parent / "icscheck.py"
    spec = importlib.util.spec_from_file_location("icscheck_module", run_icscheck_ready)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _instant(value: dict | None) -> datetime | None:
    if not value or not value.get("utc"):
        return None
    return datetime.strptime(value["utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_every_zone_every_year_every_client(tmp_path: Path) -> None:
    if not ICSCHECK.exists():
        pytest.skip(f"icscheck not available ({ICSCHECK} missing: ../shared/ exists only in CI)")
    tiny = tmp_path / "tiny.ics"
    tiny.write_bytes(feed(["UTC"], 2022)[0])
    run_icscheck(tiny)  # installs the parsers on first use
    icscheck = _icscheck()
    icscheck.PARSER_TIMEOUT = 900.0  # a loaded machine: the time budget is the whole test's, not a parser's
    zones = sorted(zoneinfo.available_timezones())
    chunks = [zones[i : i + CHUNK] for i in range(0, len(zones), CHUNK)]
    disagreements: list[tuple[str, int, str, str, str, str]] = []
    reads: Counter[str] = Counter()
    events = 0
    zone_of: dict[str, str] = {}

    def check(path: Path, expected: dict[str, tuple[datetime, datetime]], year: int, reader: str, got: dict) -> None:
        for uid, want in expected.items():
            seen = got.get(uid)
            reads[reader] += 1
            if seen != want:
                disagreements.append((zone_of[uid], year, reader, uid, str(seen), str(want)))

    def run(key: str, path: Path) -> tuple[str, dict]:
        return key, icscheck.run_parser(key, str(path), "UTC")

    # parsers run in worker threads while the next feed renders; a feed is checked (and its
    # parsers' answers dropped) once the next one is rendered, so at most two are held
    pending: deque[tuple[Path, dict[str, tuple[datetime, datetime]], int, list[Future[tuple[str, dict]]]]] = deque()

    def collect() -> None:
        path, expected, year, futures = pending.popleft()
        for future in futures:
            key, result = future.result()
            assert result.get("ok"), f"{key} rejected {path.name}: {result.get('error')}"
            got = {e["uid"]: (_instant(e["start"]), _instant(e["end"])) for e in result["events"]}
            check(path, expected, year, key, got)
        path.unlink()

    with ThreadPoolExecutor(max_workers=int(os.environ.get("CALSYNC_SWEEP_WORKERS", "2"))) as pool:
        for year in YEARS:
            for number, chunk in enumerate(chunks):
                data, expected = feed(chunk, year)
                for uid in expected:
                    zone_of[uid] = chunk[int(uid[1 : uid.index("-")])]
                path = tmp_path / f"sweep-{year}-{number}.ics"
                path.write_bytes(data)
                events += len(expected)
                pending.append((path, expected, year, [pool.submit(run, key, path) for key in PARSERS]))
                check(path, expected, year, "outlook", read_events(data.decode("utf-8")))
                while len(pending) > 1:
                    collect()
        while pending:
            collect()
    zones_hit = sorted({d[0] for d in disagreements})
    summary = {
        "zones": len(zones),
        "years": len(YEARS),
        "events": events,
        "readers": len(PARSERS) + 1,
        "reads": sum(reads.values()),
        "disagreements": len(disagreements),
        "zones_with_disagreements": zones_hit,
    }
    (tmp_path.parent / "zone-sweep.txt").write_text(
        json.dumps(summary, indent=2) + "\n" + "\n".join(map(str, disagreements[:2000])) + "\n"
    )
    print(json.dumps(summary))
    unexplained = [d for d in disagreements if d[0] not in EXCEPTIONS]
    assert not unexplained, "\n".join(map(str, unexplained[:50]))
    assert events > len(zones) * len(YEARS) * 24
