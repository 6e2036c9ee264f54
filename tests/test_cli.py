"""The ``calsync`` command: real files, exit codes, stdout and stderr.

Most tests run :func:`calsync.cli.main` in this process (the ``cli`` fixture); the few
where the process boundary is the point run the installed console script.
"""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
from helpers import CALSYNC_SCRIPT, PAGES, Cli, run_process


def test_parse_prints_json_with_offsets_and_nulls(cli: Cli) -> None:
    proc = cli("parse", str(PAGES / "icml_basic.txt"), "--year", "2023")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["timezone"] == "America/Los_Angeles"
    session = doc["sessions"][0]
    assert set(session) >= {"id", "title", "location", "moderators", "start", "end", "source_url", "talks"}
    assert session["location"] is None and session["source_url"] is None
    first = session["talks"][0]
    assert set(first) >= {"id", "start", "end", "type", "title", "authors", "abstract"}
    assert first["start"] == "2023-07-18T09:00:00-07:00"
    assert session["talks"][-1]["title"] is None
    assert doc["warnings"] == [{"line": 51, "message": "slot has a time and nothing else: kept as an untitled slot", "source": str(PAGES / "icml_basic.txt")}]
    assert b"warning: slot has a time and nothing else" in proc.stderr


def test_parse_reads_stdin_and_url_gives_year(cli: Cli) -> None:
    text = (PAGES / "icml_session_room.txt").read_bytes()
    proc = cli("parse", "-", "--url", "https://icml.cc/virtual/2023/session/777", stdin=text)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["sessions"][0]["source_url"] == "https://icml.cc/virtual/2023/session/777"
    assert doc["sessions"][0]["start"].startswith("2023-07-19T11:30")
    assert doc["warnings"] == []


def test_parse_error_exit_2_names_file_and_line_without_traceback() -> None:
    page = PAGES / "pdt_in_december.txt"
    proc = run_process("parse", str(page), "--year", "2023")
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.startswith(f"calsync: error: {page}:16: PDT (UTC-07:00) contradicts")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and proc.stdout == b""


def test_missing_file_and_bad_options_exit_2(cli: Cli) -> None:
    proc = cli("parse", "/nonexistent/page.txt")
    assert proc.returncode == 2 and b"cannot read" in proc.stderr and b"Traceback" not in proc.stderr
    proc = cli("parse", str(PAGES / "icml_basic.txt"), "--year", "twenty")
    assert proc.returncode == 2 and b"not a year" in proc.stderr


def test_binary_garbage_is_a_parse_error_not_a_crash() -> None:
    proc = run_process("parse", "-", stdin=bytes(range(256)) * 4)
    assert proc.returncode == 2 and b"no time slots found" in proc.stderr and b"Traceback" not in proc.stderr


def test_ics_several_pages_one_calendar_to_file(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "out.ics"
    proc = cli(
        "ics", str(PAGES / "icml_basic.txt"), str(PAGES / "oldstyle.txt"), "--year", "2023",
        "--sessions", "--stamp", "2026-01-01T00:00:00Z", "--host", "example.org", "-o", str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b""
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == 6 + 4 + 2
    assert {tz["TZID"] for tz in cal.walk("VTIMEZONE")} == {"America/Los_Angeles", "America/Chicago"}
    assert all(str(e["UID"]).endswith("@example.org") for e in events)
    assert cal["X-WR-CALNAME"] == "Conference schedule (2 sessions)"


def test_ics_is_byte_identical_across_runs_and_uses_file_mtime(tmp_path: Path, cli: Cli) -> None:
    import os

    page = tmp_path / "page.txt"
    page.write_bytes((PAGES / "oldstyle.txt").read_bytes())
    os.utime(page, (1_700_000_000, 1_700_000_000))
    one = cli("ics", str(page), "--year", "2023")
    two = cli("ics", str(page), "--year", "2023")
    assert one.returncode == 0 and one.stdout == two.stdout
    assert b"DTSTAMP:20231114T221320Z\r\n" in one.stdout
    epoch = cli("ics", str(page), "--year", "2023", env_extra={"SOURCE_DATE_EPOCH": "86400"})
    assert b"DTSTAMP:19700102T000000Z\r\n" in epoch.stdout


def test_ics_error_exit_2(cli: Cli) -> None:
    proc = cli("ics", str(PAGES / "icml_basic.txt"), str(PAGES / "no_zone.txt"), "--year", "2023")
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith(f"calsync: error: {PAGES / 'no_zone.txt'}:11: the page names no time zone")
    assert proc.stdout == b""


def test_console_script_is_installed() -> None:
    assert CALSYNC_SCRIPT.exists(), "pip install . provides the calsync command"
    proc = run_process("--version")
    assert proc.returncode == 0 and proc.stdout.startswith(b"calsync ")


def test_import_creates_conference_and_is_idempotent(tmp_path: Path, cli: Cli) -> None:
    from calsync.store import Store

    db = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"CALSYNC_DATABASE_URL": db}
    page = tmp_path / "page.txt"
    page.write_text((PAGES / "icml_session_room.txt").read_text(encoding="utf-8"), encoding="utf-8")
    first = cli("import", str(page), "--conference", "icml-2023", "--name", "ICML 2023", "--year", "2023", env_extra=env)
    assert first.returncode == 0, first.stderr
    assert b"icml-2023: 7 new, 0 changed, 0 unchanged, 0 removed talks" in first.stderr
    again = cli("import", str(page), "--conference", "icml-2023", "--year", "2023", env_extra=env)
    assert b"0 new, 0 changed, 7 unchanged" in again.stderr
    page.write_text(page.read_text(encoding="utf-8").replace("11:50 - 11:55", "11:52 - 11:57"), encoding="utf-8")
    moved = cli("import", str(page), "--conference", "icml-2023", "--year", "2023", env_extra=env)
    assert b"0 new, 1 changed, 6 unchanged" in moved.stderr
    conference = Store(db).get_conference("icml-2023")
    assert (conference.name, conference.timezone, conference.year, conference.version) == ("ICML 2023", "America/Los_Angeles", 2023, 2)


def test_import_bad_page_stores_nothing(tmp_path: Path, cli: Cli) -> None:
    from calsync.store import Store

    db = f"sqlite:///{tmp_path / 'cli.db'}"
    proc = cli("import", str(PAGES / "icml_basic.txt"), str(PAGES / "bad_time.txt"), "--conference", "x", "--year", "2023",
               env_extra={"CALSYNC_DATABASE_URL": db})
    assert proc.returncode == 2 and b"bad_time.txt:27" in proc.stderr
    store = Store(db)
    store.migrate()
    assert store.list_conferences() == []
