"""The JSON API against its own OpenAPI document: fuzzed with schemathesis on a live server.

For every operation of ``calsync.openapi.openapi_document()`` (the document the server
serves at ``/api/openapi.json``; a test below checks they are the same) schemathesis sends
the coverage phase's boundary cases and a bounded number of generated requests, valid and
invalid, to a real server on 127.0.0.1, with a fixed seed: the same requests on every run.
Every answer must be no 5xx, a documented status code and content type, documented headers,
and a body matching the documented schema. Most cases are aimed at real data (a real
conference, a fresh feed and its edit key, real ids), so that filtering, reading, editing,
rotating and deleting are reached, not only the 404 of a random name.

Below it, tests of the document itself, and of what the fuzzer found it had wrong.
"""

from __future__ import annotations

import itertools
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from calsync import __version__
from calsync.config import Config, LimitsConfig, RefreshConfig
from calsync.feedspec import FIELDS
from calsync.model import Schedule, Session, Talk
from calsync.openapi import TOKEN_PATTERN, openapi_document
from calsync.web import SAMPLE_SLUG, TokenConverter, create_app

#: Generated requests per operation in the fuzzing phase (the coverage phase adds its own).
MAX_EXAMPLES = 60
SEED = 20261123

FUZZ_CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    "generation": {
        "mode": "all",  # valid and invalid requests
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",  # no replays of earlier runs: every run sends the same requests
    },
    "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False}},
    # PUT validates its body with the code POST does: the coverage phase's ~600 boundary
    # bodies are sent once, to POST; PUT gets the generated ones.
    "operations": [{"include-operation-id": "updateFeed", "phases": {"coverage": {"enabled": False}}}],
})

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@dataclass
class FuzzServer:
    url: str
    http: requests.Session
    talk_ids: list[str]
    session_ids: list[str]

    made: int = 0

    def new_feed(self) -> tuple[str, str]:
        """A fresh custom feed on the server (in turn of the sample, or of the edge conference): token, edit key."""
        self.made += 1
        body = (
            {"name": "fuzz", "conference": SAMPLE_SLUG, "filter": {"type": ["Oral"]}, "alarm": 10}
            if self.made % 2
            else {"name": "edge", "talk_ids": ["tedge00000000001"], "session_ids": ["edge-session-1"], "view": "both"}
        )
        response = self.http.post(f"{self.url}/api/feeds", json=body, timeout=30)
        assert response.status_code == 201, response.text
        body = response.json()
        return body["token"], body["edit_key"]


EDGE_SLUG = "edge-2026"


def add_edge_conference(store) -> None:
    """A second conference whose answers hold what the sample's do not: nulls and empty lists.

    No year, an untitled slot without end, type or authors, a talk with its own URL and room,
    and two sources for /healthz: one never fetched, one failing ("degraded").
    """
    zone = ZoneInfo("America/Los_Angeles")
    at = datetime(2026, 3, 9, 9, 0, tzinfo=zone)
    talks = (
        Talk(id="tedge00000000001", start=at, end=None, title=None),
        Talk(id="tedge00000000002", start=at + timedelta(minutes=30), end=at + timedelta(minutes=50), title="Own page",
             type="Poster", authors=("Zoë Ångström",), abstract="A.", location="Hall B #12",
             url="https://example.org/virtual/2026/poster/1"),
    )
    sessions = (
        Session(id="edge-session-1", title="Edge", timezone="America/Los_Angeles", talks=talks),
        Session(id="edge-session-2", title="Moderated", timezone="America/Los_Angeles", talks=talks[1:],
                moderators=("M. Oderator",), source_url="https://example.org/virtual/2026/session/2", abstract="Later."),
    )
    now = datetime(2026, 3, 1, tzinfo=UTC)
    store.ensure_conference(EDGE_SLUG, "Edge cases", "America/Los_Angeles", None, now)
    store.import_schedule(EDGE_SLUG, Schedule(timezone="America/Los_Angeles", sessions=sessions), now)
    store.add_source(EDGE_SLUG, "https://example.org/virtual/2026/never")
    store.record_source(EDGE_SLUG, "https://example.org/virtual/2026/failing", now, last_error="HTTP 500", last_error_at=now)


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzServer]:
    """The app on a real port of 127.0.0.1 with the sample and the edge conference; feed creation not rate-limited.

    Like conftest's ``live_server``, with a creation limit the fuzzer never reaches (the 429
    itself is tested in test_web.py), so that feed bodies are validated on every request.
    """
    tmp_path = tmp_path_factory.mktemp("fuzz")
    server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
    url = f"http://127.0.0.1:{server.socket.getsockname()[1]}"
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'calsync.db'}",
        base_url=url,
        limits=LimitsConfig(cache_check_seconds=0, feed_creations_per_hour=1_000_000),
        refresh=RefreshConfig(interval_minutes=0),
    )
    server.app = create_app(config)
    add_edge_conference(server.app.extensions["calsync"]["store"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with requests.Session() as http:
            sessions = http.get(f"{url}/api/conferences/{SAMPLE_SLUG}/sessions", timeout=30).json()["sessions"]
            yield FuzzServer(
                url=url, http=http, session_ids=[s["id"] for s in sessions],
                talk_ids=[t["id"] for s in sessions for t in s["talks"]],
            )
    finally:
        server.shutdown()
        thread.join(timeout=10)


#: The document the server serves (test_openapi_document_is_served_cacheable checks they are
#: the same); built here, without a server, so that pytest collects one test per operation.
#: (``schemathesis.pytest.from_fixture`` would load it from the live server, but it fails on
#: pytest 9.2: it sets ``Node._nodeid``, which pytest no longer has.)
schema = schemathesis.openapi.from_dict(openapi_document(version=__version__), config=FUZZ_CONFIG)


_turns = itertools.count()


def aim_at_real_data(case, server: FuzzServer) -> None:
    """Point most cases at things that exist, so that more than the 404 of a random name is reached.

    In turn (deterministic, as the order of the cases is): 3 cases in 4 get the sample
    conference's slug (or the edge conference's), or a fresh feed's token — with its edit
    key in 2 of those 3; in every other valid feed body, each id becomes a real id and a
    conference name the sample's. The rest are sent as generated.
    """
    turn = next(_turns)
    aimed, with_key, real_ids = turn % 4 != 3, turn % 4 < 2, (turn // 4) % 2 == 0
    params = case.path_parameters or {}
    if aimed and isinstance(params.get("slug"), str):
        params["slug"] = EDGE_SLUG if turn % 4 == 2 else SAMPLE_SLUG
    if aimed and isinstance(params.get("token"), str):
        params["token"], key = server.new_feed()
        if with_key:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {key}"}
    body = case.body
    positive = case.meta is None or not case.meta.generation.mode.is_negative  # invalid ids stay invalid
    if real_ids and positive and isinstance(body, dict):
        for field, real in (("talk_ids", server.talk_ids), ("talks", server.talk_ids),
                            ("session_ids", server.session_ids), ("sessions", server.session_ids)):
            if isinstance(body.get(field), list):
                body[field] = [
                    real[zlib.crc32(v.encode("utf-8", "surrogatepass")) % len(real)] if isinstance(v, str) else v
                    for v in body[field]
                ]
        if isinstance(body.get("conference"), str):
            body["conference"] = SAMPLE_SLUG


@schema.parametrize()
def test_api_conforms_to_its_openapi_document(case, fuzz_server: FuzzServer) -> None:
    aim_at_real_data(case, fuzz_server)
    case.call_and_validate(base_url=fuzz_server.url, session=fuzz_server.http, checks=CHECKS, timeout=30)


# -- the document itself ----------------------------------------------------------------


def test_openapi_document_is_served_cacheable(fuzz_server: FuzzServer) -> None:
    response = fuzz_server.http.get(f"{fuzz_server.url}/api/openapi.json", timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    assert "public" in response.headers["Cache-Control"] and "max-age=" in response.headers["Cache-Control"]
    doc = response.json()
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": fuzz_server.url}]
    assert doc == openapi_document(version=__version__, max_feed_items=500, base_url=fuzz_server.url)
    again = fuzz_server.http.get(
        f"{fuzz_server.url}/api/openapi.json", headers={"If-None-Match": response.headers["ETag"]}, timeout=30
    )
    assert again.status_code == 304 and not again.content


def test_openapi_document_names_every_api_route(tmp_path: Path) -> None:
    """Every /api/ route of the app, /healthz and /readyz are in the document, with their methods."""
    doc = openapi_document(version=__version__)
    documented = {
        (path, method.upper())
        for path, item in doc["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch")
    }
    app_routes = set()
    app = create_app(Config(database_url=f"sqlite:///{tmp_path / 'routes.db'}", refresh=RefreshConfig(interval_minutes=0), sample=False))
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule in ("/healthz", "/readyz")):
            continue
        path = rule.rule.replace("<id:slug>", "{slug}").replace("<token:token>", "{token}")
        app_routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert app_routes == documented
    assert TokenConverter.regex == TOKEN_PATTERN
    assert set(doc["components"]["schemas"]["FeedInput"]["properties"]) == FIELDS


def test_sample_responses_conform(fuzz_server: FuzzServer) -> None:
    """Real answers (nulls, empty lists, nested talks, stored filters, a source) fit the schemas."""
    loaded = schemathesis.openapi.from_url(f"{fuzz_server.url}/api/openapi.json", config=FUZZ_CONFIG)
    http, url = fuzz_server.http, fuzz_server.url
    token, key = fuzz_server.new_feed()
    calls = [
        ("GET", "/api/conferences", {}, None),
        ("GET", "/api/conferences/{slug}/sessions", {"slug": SAMPLE_SLUG}, None),
        ("GET", "/api/conferences/{slug}/talks", {"slug": SAMPLE_SLUG}, None),
        ("GET", "/api/conferences/{slug}/sessions", {"slug": EDGE_SLUG}, None),
        ("GET", "/api/conferences/{slug}/talks", {"slug": EDGE_SLUG}, None),
        ("GET", "/api/feeds/{token}", {"token": token}, None),
        ("PUT", "/api/feeds/{token}", {"token": token}, {"name": "x", "conference": SAMPLE_SLUG, "filter": {"day": "2026-07-14", "room": "Strauss Hall A"}, "alarm": 5, "view": "both"}),
        ("GET", "/healthz", {}, None),
        ("GET", "/readyz", {}, None),
    ]
    for method, path, params, body in calls:
        operation = loaded[path][method]
        extra = {"body": body} if body is not None else {}
        case = operation.Case(path_parameters=params, headers={"Authorization": f"Bearer {key}"}, **extra)
        response = case.call_and_validate(base_url=url, session=http, checks=CHECKS, timeout=30)
        assert response.status_code < 300, (method, path, response.text)
    health = http.get(f"{url}/healthz", timeout=30).json()
    assert health["status"] == "degraded" and [s["ok"] for s in health["sources"]] == [False, True]


# -- what the fuzzer found wrong in the document (negative_data_rejection / positive_data_acceptance)


def test_blank_url_parameters_mean_not_set(fuzz_server: FuzzServer) -> None:
    """``?day=`` and the other blank values are accepted (not set): the document allows them."""
    url = f"{fuzz_server.url}/api/conferences/{SAMPLE_SLUG}/talks?day=&alarm=&view=&abstracts=%20&download="
    response = fuzz_server.http.get(url, timeout=30)
    assert response.status_code == 200 and len(response.json()["talks"]) == len(fuzz_server.talk_ids)
    parameters = {p["name"]: p["schema"] for p in openapi_document(version=__version__)["paths"]["/api/conferences/{slug}/talks"]["get"]["parameters"]}
    assert all({"type": "string", "maxLength": 200, "pattern": r"^\s*$"} in parameters[name]["anyOf"]
               for name in ("day", "alarm", "view", "abstracts", "download"))


def test_whitespace_controls_in_url_parameters_collapse(fuzz_server: FuzzServer) -> None:
    """A tab or newline in a URL parameter is whitespace (collapsed), other control characters are refused.

    (In a JSON body every control character is refused.) The document's patterns say the same.
    """
    import re

    talks = f"{fuzz_server.url}/api/conferences/{SAMPLE_SLUG}/talks"
    assert fuzz_server.http.get(f"{talks}?room=Strauss%09Hall%0AA", timeout=30).json()["talks"]
    assert fuzz_server.http.get(f"{talks}?room=Strauss%07Hall", timeout=30).status_code == 400
    parameters = {p["name"]: p["schema"] for p in openapi_document(version=__version__)["paths"]["/api/conferences/{slug}/talks"]["get"]["parameters"]}
    pattern = re.compile(parameters["room"]["pattern"])
    assert pattern.match("Strauss\tHall\nA") and not pattern.match("Strauss\aHall")
