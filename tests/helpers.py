"""Helpers shared by the tests and ``regenerate.py``: paths, the reference date, the icscheck
runner, test configs, the ``calsync`` command (in this process, and as a real process), and
how fixtures are parsed and rendered.

Test files import these (``from helpers import …``; pyproject.toml puts ``tests/`` on
``sys.path``, so ``tests/system/`` imports them the same way); ``conftest.py`` holds only
fixtures.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import io
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest
from werkzeug import Request, Response

from calsync.errors import NoEvents, ParseError
from calsync.ical import FeedOptions, Revision, describe_schedule, render_calendar
from calsync.model import Schedule
from calsync.parse import PageOptions, parse_page
from calsync.serialize import build_schedule_dict

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from calsync.config import Config

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
PAGES = FIXTURES / "pages"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
ICSCHECK = SHARED / "tools" / "icscheck" / "icscheck"

#: Reference date for year inference in tests: fixed, so no test depends on the clock.
TODAY = date(2026, 11, 23)

#: The test PostgreSQL server (``db_url`` runs each store test there too when it is set).
POSTGRES_URL = os.environ.get("CALSYNC_TEST_POSTGRES_URL")


def page_text(name: str) -> str:
    """A fixture page's text."""
    return (PAGES / name).read_text(encoding="utf-8")


def run_icscheck(target: str | Path) -> dict:
    """Run icscheck on a file or URL and return its JSON report; skip when it is not there."""
    if not ICSCHECK.exists():
        pytest.skip(f"icscheck not available ({ICSCHECK} missing: ../shared/ exists only in CI)")
    proc = subprocess.run(
        [str(ICSCHECK), str(target), "--json"], capture_output=True, text=True, timeout=300
    )
    if proc.returncode == 2:
        pytest.fail(f"icscheck could not run: {proc.stderr[-2000:]}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"icscheck printed no JSON: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    report["_exit"] = proc.returncode
    return report


def assert_icscheck_clean(report: dict, *, mixed_zones: bool = False) -> None:
    """icscheck passed with no failure and no warning.

    ``mixed_zones``: the calendar deliberately mixes pages of several zones, so it has no
    X-WR-TIMEZONE (Google would show every event in one zone); icscheck's advisory warning
    about that, and only that one, is expected.
    """
    findings = report["findings"]
    warnings = [f for f in findings if f.get("level") == "WARN"] if isinstance(findings, list) else findings
    if mixed_zones:
        warnings = [w for w in warnings if w.get("code") != "x-wr-timezone"]
    assert report["result"] == "PASS" and report["failures"] == 0, findings
    assert not warnings, findings


# -- the service ---------------------------------------------------------------


@dataclass
class LiveServer:
    """The app served over real HTTP on 127.0.0.1 (a thread in the test process)."""

    url: str
    app: object


def make_test_config(tmp_path: Path, **overrides: object) -> Config:
    """A config with a fresh SQLite file in ``tmp_path`` and the sample conference."""
    from calsync.config import Config, LimitsConfig, RefreshConfig

    base = Config(
        database_url=f"sqlite:///{tmp_path / 'calsync.db'}",
        limits=LimitsConfig(cache_check_seconds=0),
        refresh=RefreshConfig(interval_minutes=0),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


# -- the calsync command ---------------------------------------------------------

#: Variables a test's command never inherits from the test run (each call sets its own).
_UNINHERITED = ("CALSYNC_", "SOURCE_DATE_EPOCH")


@dataclass(frozen=True)
class CliResult:
    """What a run of ``calsync`` gave: the shape of :class:`subprocess.CompletedProcess`."""

    returncode: int
    stdout: bytes
    stderr: bytes


class Cli:
    """``calsync ARGS...`` run in this process: :func:`calsync.cli.main` with its output captured.

    The ``cli`` fixture (conftest) makes one. Each call sees an environment without the test
    run's ``CALSYNC_*`` and ``SOURCE_DATE_EPOCH`` plus ``env_extra`` (set with monkeypatch and
    undone afterwards), ``stdin`` as its standard input, and returns the exit code, stdout and
    stderr — what the command would give as a process, without starting Python again.
    A crash is not caught: it fails the test with its traceback.
    """

    def __init__(self, capture: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
        self._capture = capture
        self._monkeypatch = monkeypatch

    def __call__(self, *args: str, stdin: bytes | None = None, env_extra: dict[str, str] | None = None) -> CliResult:
        from calsync.cli import main

        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level  # main() configures logging: undone below
        with self._monkeypatch.context() as mp:
            for name in list(os.environ):
                if name.startswith(_UNINHERITED):
                    mp.delenv(name)
            for name, value in (env_extra or {}).items():
                mp.setenv(name, value)
            mp.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8"))
            self._capture.readouterr()  # only this call's output
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --version, --help, bad options
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
                code = 1 if isinstance(exc.code, str) else (exc.code or 0)
            finally:
                root.handlers[:] = handlers
                root.setLevel(level)
            out, err = self._capture.readouterr()
        return CliResult(int(code), out, err)


#: The installed console script (``pip install -e .`` provides it beside the interpreter).
CALSYNC_SCRIPT = Path(sys.executable).with_name("calsync")


def run_process(*args: str, stdin: bytes | None = None, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """``calsync ARGS...`` as a real process of the installed console script, for the few tests
    where the process boundary is the point (exit status, no traceback, standard input)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_UNINHERITED)}
    env.update(env_extra or {})
    return subprocess.run([str(CALSYNC_SCRIPT), *args], input=stdin, capture_output=True, timeout=60, env=env)


# -- parsing and rendering the fixtures ----------------------------------------------

#: Pages that must fail, with the line the error names and words of its message.
ERROR_PAGES: dict[str, tuple[int | None, str]] = {
    "bad_time.txt": (27, "no such date: 32 July 2023"),
    "no_zone.txt": (11, "names no time zone"),
    "pdt_in_december.txt": (16, "PDT (UTC-07:00) contradicts America/Los_Angeles on 2023-12-07"),
    "ist_ambiguous.txt": (16, "IST is ambiguous"),
}

#: Fixed export settings of the golden files.
GOLDEN_OPTIONS = FeedOptions(host="calsync.test", sessions=True)
GOLDEN_STAMP = Revision(modified=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))


def parse_fixture(name: str, **options: object) -> Schedule:
    """Parse a fixture page with the fixed reference date."""
    text = (PAGES / name).read_text(encoding="utf-8")
    return parse_page(text, PageOptions(today=TODAY, source=name, **options))  # type: ignore[arg-type]


def golden_calendar(schedule: Schedule) -> bytes:
    """The golden rendering of a schedule (talks and the session event)."""
    return render_calendar(schedule.sessions, describe_schedule(schedule), lambda _id: GOLDEN_STAMP, GOLDEN_OPTIONS)


# -- the other page kinds (tests/fixtures/kinds): parsed with the options a user would give -------

KINDS = FIXTURES / "kinds"


def days(first: str, last: str) -> tuple[date, ...]:
    """The conference days FIRST..LAST (as ``--days`` or first_day/last_day give them)."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return tuple(start + timedelta(days=n) for n in range((end - start).days + 1))


#: Options of each kinds fixture (absent: none); its expected result is kinds/expected/<stem>.json.
KIND_OPTIONS: dict[str, dict[str, Any]] = {
    "day_page.txt": {"url": "https://icml.cc/virtual/2024/day/7/24"},
    "event_newstyle.txt": {"url": "https://iclr.cc/virtual/2023/poster/11001"},
    "event_oldstyle.txt": {"url": "https://nips.cc/Conferences/2017/Schedule?showEvent=9001"},
    "workshop_weekday.txt": {"days": days("2023-12-15", "2023-12-16")},
    "agenda_split_types.txt": {"days": days("2025-12-01", "2025-12-06"), "timezone": "America/Los_Angeles"},
    "agenda_oneline_types.txt": {"days": days("2025-12-01", "2025-12-06"), "timezone": "America/Los_Angeles"},
    "agenda_no_dash_cut.txt": {"days": days("2021-12-06", "2021-12-06"), "timezone": "America/Los_Angeles"},
    "calendar_page.txt": {"url": "https://example.org/virtual/2026/calendar"},
    "calendar_capture.txt": {"url": "https://example.org/virtual/2026/calendar"},
}


def parse_kind(name: str, **options: object) -> Schedule:
    """Parse a kinds fixture with its options (``options`` add to or replace them)."""
    text = (KINDS / name).read_text(encoding="utf-8")
    given = {**KIND_OPTIONS.get(name, {}), **options}
    return parse_page(text, PageOptions(today=TODAY, source=name, **given))


def kind_result(name: str) -> dict[str, Any]:
    """What a kinds fixture parses to, as JSON: the ``calsync parse`` document, or the error."""
    try:
        return build_schedule_dict(parse_kind(name))
    except NoEvents as exc:
        return {"nothing_to_import": {"kind": exc.kind, "message": str(exc), "line": exc.line}}
    except ParseError as exc:
        return {"error": {"message": str(exc), "line": exc.line}}


# -- a virtual site's published data, served (test_sites.py, system/test_site_import.py) -------

SITE_DATA_NAME = "icml-2025-orals-posters.json"
SITE_DATA_PATH = f"/static/virtual/data/{SITE_DATA_NAME}"
SITE_ABSTRACTS_PATH = "/static/virtual/data/icml-2025-abstracts.json"


@functools.cache
def gen_site_data() -> ModuleType:
    """``bench/gen_site_data.py`` (whole conferences in the sites' shape), loaded as a module."""
    spec = importlib.util.spec_from_file_location("gen_site_data", ROOT / "bench" / "gen_site_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class DataSite:
    """A virtual site stand-in: the data in three pages (a relative and an absolute ``next``),
    the abstracts file, an ETag on the first page, switchable failures; every request logged."""

    def __init__(self, server: HTTPServer, records: list[dict[str, Any]], abstracts: dict[str, str]) -> None:
        self.server = server
        self.records = records
        self.abstracts = abstracts
        self.abstracts_status = 200
        self.pages = 3
        self.next_of: dict[int, str | None] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server.expect_request(SITE_DATA_PATH).respond_with_handler(self.handle)
        server.expect_request(SITE_ABSTRACTS_PATH).respond_with_handler(self.handle_abstracts)

    @property
    def home(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/virtual/2025/"

    @property
    def data_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}{SITE_DATA_PATH}"

    def page(self, number: int) -> str:
        size = -(-len(self.records) // self.pages)
        chunk = self.records[(number - 1) * size : number * size]
        default = {1: f"{SITE_DATA_NAME}?page=2", 2: f"{self.data_url}?page=3"}.get(number)  # relative, then absolute
        following = self.next_of.get(number, default) if number < self.pages or number in self.next_of else None
        return json.dumps(gen_site_data().envelope(chunk, following, count=len(self.records)), ensure_ascii=False)

    @property
    def etag(self) -> str:
        whole = "".join(self.page(n) for n in range(1, self.pages + 1))
        return '"' + hashlib.sha256(whole.encode()).hexdigest()[:16] + '"'

    def handle(self, request: Request) -> Response:
        self.requests.append((request.full_path.rstrip("?"), dict(request.headers)))
        number = int(request.args.get("page", "1"))
        if number == 1 and request.headers.get("If-None-Match") == self.etag:
            return Response(status=304, headers={"ETag": self.etag})
        headers = {"ETag": self.etag} if number == 1 else {}
        return Response(self.page(number), content_type="application/json", headers=headers)

    def handle_abstracts(self, request: Request) -> Response:
        self.requests.append((request.full_path.rstrip("?"), dict(request.headers)))
        if self.abstracts_status != 200:
            return Response("no", status=self.abstracts_status)
        return Response(json.dumps(self.abstracts), content_type="application/json")


def expected_talks(records: list[dict[str, Any]]) -> int:
    return sum(
        (1 + bool(r.get("starttime2"))) for r in records if r.get("starttime") and r.get("visible") is not False
    )
