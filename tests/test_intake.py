"""The core of "add a conference" (calsync/intake.py): a page pasted, uploaded or given by URL is
previewed (its report, or the problem naming the line), kept as a draft, and stored on confirmation.

Real parts only: SQLite files and the test PostgreSQL (``db_url``), real HTTP servers on
127.0.0.1 (pytest-httpserver) whose address the test config lists in ``fetch.allow_hosts``.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from helpers import FIXTURES, PAGES, TODAY, DataSite, expected_talks, gen_site_data
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from calsync.config import Config, FetchConfig, LimitsConfig, RefreshConfig
from calsync.errors import ApiError, FetchRefused, Forbidden, NotFound, ParseError, TooManyRequests
from calsync.intake import (
    PASTED,
    PREVIEW_SESSIONS,
    PREVIEW_TALKS,
    IntakeRequest,
    check_rate,
    check_replacing,
    confirm,
    draft_preview,
    preview_json,
    read_paste,
    read_upload,
    read_url,
    submit,
)
from calsync.refresh import refresh_conference
from calsync.store import Store
from calsync.store.drafts import intake_drafts

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
EXPECTED = FIXTURES / "expected"


def make_config(db_url: str, *allow: str, **limits: int) -> Config:
    return Config(
        database_url=db_url,
        fetch=FetchConfig(allow_hosts=tuple(allow), retries=0, backoff_seconds=0),
        limits=replace(LimitsConfig(cache_check_seconds=0), **limits),
        refresh=RefreshConfig(interval_minutes=0),
    )


@pytest.fixture
def store(db_url: str) -> Store:
    s = Store(db_url)
    s.migrate()
    return s


def drafts(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(intake_drafts)).scalar_one())


def report(source: str, kind: str, events: int, year: int | None, year_origin: str | None, zone: str | None,
           zone_origin: str | None, ignored: list | None = None) -> dict:
    return {"source": source, "kind": kind, "events": events, "year": year, "year_origin": year_origin,
            "timezone": zone, "zone_origin": zone_origin, "ignored": ignored or []}


# -- paste ----------------------------------------------------------------------


def test_paste_preview_then_confirm_stores_a_new_conference(db_url: str, store: Store) -> None:
    config = make_config(db_url)
    page = read_paste((PAGES / "icml_basic.txt").read_text(encoding="utf-8").replace("\n", "\r\n"))
    request = IntakeRequest(slug="icml-2023", name="  ICML   2023 ", year=2023)
    found, token = submit(store, config, page, request, NOW, today=TODAY)
    shown = preview_json(found, token)
    assert shown["ok"] and token and shown["draft"] == token
    assert shown["reports"] == [report(PASTED, "session page", 6, 2023, "option", "America/Los_Angeles", "page")]
    assert shown["warnings"] == [{"line": 51, "message": "slot has a time and nothing else: kept as an untitled slot",
                                  "source": PASTED}]
    assert shown["conference"] == {"slug": "icml-2023", "name": "ICML 2023", "exists": False}
    assert shown["problem"] is None and shown["events"] == 6
    # the events shown are the page's, exactly as `calsync parse` reads it (without the abstracts)
    expected = json.loads((EXPECTED / "icml_basic.json").read_text(encoding="utf-8"))["sessions"]
    for session in expected:
        session.pop("abstract")
        session["talks_count"] = len(session["talks"])
        for talk in session["talks"]:
            talk.pop("abstract")
    assert shown["sessions"] == expected
    assert store.find_conference("icml-2023") is None and drafts(store) == 1  # nothing stored before confirming

    stored = confirm(store, config, token, NOW)
    assert stored.report.summary() == "icml-2023: 6 new, 0 changed, 0 unchanged, 0 removed talks"
    assert stored.said == "the conference's year is now 2023 (from pasted text, option)"
    conf = store.get_conference("icml-2023")
    assert (conf.name, conf.timezone, conf.year) == ("ICML 2023", "America/Los_Angeles", 2023)
    snap = store.load_snapshot("icml-2023")
    assert [t.title for s in snap.sessions for t in s.talks][:2] == [
        "Spectral Whitening Heads for Contrastive Pretraining on Tabular Streams",
        "Pruning Before You Leap: Saliency Budgets for One-Shot Sparsification",
    ]
    assert store.list_sources("icml-2023") == []  # a paste is no source to refresh
    assert drafts(store) == 0
    with pytest.raises(NotFound, match="expired or was already confirmed"):
        confirm(store, config, token, NOW)


def test_only_organisers_replace_sessions_a_conference_has(tmp_path: Path) -> None:
    config = make_config(f"sqlite:///{tmp_path / 'c.db'}")
    store = Store(config.database_url)
    store.migrate()
    text = (PAGES / "icml_basic.txt").read_text(encoding="utf-8")
    _, token = submit(store, config, read_paste(text), IntakeRequest(slug="icml-2023", year=2023), NOW, today=TODAY)
    confirm(store, config, token or "", NOW)
    before = store.load_snapshot("icml-2023")
    # the same session again, one talk fewer: anyone else would remove a talk of it
    cut = text.split("Tue 18 July 9:40")[0].rsplit("Tue 18 July 9:35", 1)[0]
    found, token = submit(store, config, read_paste(cut), IntakeRequest(slug="icml-2023"), NOW, today=TODAY)
    assert token is None and found.ok and found.replaces == ("Sparse Models and Compression 3",)
    assert preview_json(found, token)["replaces"] == ["Sparse Models and Compression 3"]
    with pytest.raises(Forbidden, match="1 session of this page is in icml-2023 already .Sparse Models and Compression 3.: "
                                        "only its organisers can replace them") as caught:
        check_replacing(found, organiser=False)
    assert caught.value.status == 403
    # a new session is anyone's to add
    other = read_paste((PAGES / "icml_session_room.txt").read_text(encoding="utf-8"))
    found, token = submit(store, config, other, IntakeRequest(slug="icml-2023"), NOW, today=TODAY)
    assert token is not None and found.replaces == ()
    # an organiser's draft, confirmed by someone else once the session exists, is refused
    _, organisers = submit(store, config, read_paste(cut), IntakeRequest(slug="icml-2023"), NOW, today=TODAY, organiser=True)
    assert organisers is not None
    with pytest.raises(Forbidden):
        confirm(store, config, organisers, NOW)
    assert store.load_snapshot("icml-2023").sessions == before.sessions
    stored = confirm(store, config, organisers, NOW, organiser=True)
    assert stored.report.summary() == "icml-2023: 0 new, 0 changed, 4 unchanged, 2 removed talks"


def test_a_bad_page_names_its_line_and_nothing_is_stored(tmp_path: Path) -> None:
    config = make_config(f"sqlite:///{tmp_path / 'c.db'}")
    store = Store(config.database_url)
    store.migrate()
    found, token = submit(store, config, read_paste((PAGES / "bad_time.txt").read_text(encoding="utf-8")),
                          IntakeRequest(slug="bad"), NOW, today=TODAY)
    shown = preview_json(found, token)
    assert token is None and not shown["ok"] and shown["reports"] == [] and shown["sessions"] == []
    assert shown["problem"] == {
        "message": "pasted text:27: no such date: 32 July 2023: 'Thu 32 July 7:30 - 7:35 PDT'",
        "reason": "no such date: 32 July 2023", "line": 27, "text": "Thu 32 July 7:30 - 7:35 PDT",
        "nothing_to_import": False,
        "excerpt": [
            {"line": 25, "text": (PAGES / "bad_time.txt").read_text(encoding="utf-8").split("\n")[24], "here": False},
            {"line": 26, "text": "", "here": False},
            {"line": 27, "text": "Thu 32 July 7:30 - 7:35 PDT", "here": True},
            {"line": 28, "text": "", "here": False},
            {"line": 29, "text": "Learning-Rate Free Training via Distance Estimation", "here": False},
        ],
    }
    assert store.list_conferences() == [] and drafts(store) == 0


def test_a_page_without_a_zone_reads_in_the_conference_zone_and_a_deadlines_table_imports_nothing(tmp_path: Path) -> None:
    config = make_config(f"sqlite:///{tmp_path / 'c.db'}")
    store = Store(config.database_url)
    store.migrate()
    page = read_paste((PAGES / "no_zone.txt").read_text(encoding="utf-8"))
    found, token = submit(store, config, page, IntakeRequest(slug="gnn"), NOW, today=TODAY)
    assert token is None and found.problem is not None and found.problem.line == 11
    assert "names no time zone" in found.problem.reason
    store.ensure_conference("gnn", "GNN", "Europe/Vienna", 2023, NOW)
    found, token = submit(store, config, page, IntakeRequest(slug="gnn"), NOW, today=TODAY)
    assert token is not None and found.existing
    assert preview_json(found)["reports"] == [report(PASTED, "session page", 3, 2023, "conference", "Europe/Vienna", "conference")]
    assert found.schedule is not None and found.schedule.sessions[0].talks[0].start.isoformat() == "2023-07-20T09:00:00+02:00"

    deadlines = read_paste((FIXTURES / "kinds" / "deadlines_table.txt").read_text(encoding="utf-8"))
    found, token = submit(store, config, deadlines, IntakeRequest(slug="gnn"), NOW, today=TODAY)
    shown = preview_json(found, token)
    assert token is None and shown["problem"]["nothing_to_import"]
    assert shown["reports"] == [report(PASTED, "deadlines table", 0, None, None, None, None)]
    assert shown["problem"]["message"] == "pasted text: no dated event on this page: it is a table of deadlines (line 6), not a schedule"


def test_empty_pages_and_bad_requests_are_refused_with_a_reason() -> None:
    with pytest.raises(ApiError, match="the page is empty"):
        read_paste(" \n\t")
    with pytest.raises(ApiError, match="the page is empty"):
        read_upload("a.html", b"   ")
    for values, message in [
        ({"slug": "Not A Slug"}, "conference slug"),
        ({"slug": "x", "year": 1492}, "year out of range"),
        ({"slug": "x", "timezone": "Mars/Olympus"}, "timezone"),
        ({"slug": "x", "page_url": "javascript:alert(1)"}, "http"),
        ({"slug": "x", "first_day": date(2026, 7, 3), "last_day": date(2026, 7, 1)}, "before the first"),
        ({"slug": "x", "site": "icml.cc"}, "site name"),
        ({"slug": "x", "name": "x" * 201}, "longer than 200"),
    ]:
        with pytest.raises(ApiError, match=message) as caught:
            IntakeRequest(**values)
        assert caught.value.status == 400


# -- uploads ----------------------------------------------------------------------


def test_upload_saved_html_into_an_existing_conference_shows_its_zone(tmp_path: Path) -> None:
    config = make_config(f"sqlite:///{tmp_path / 'c.db'}")
    store = Store(config.database_url)
    store.migrate()
    store.ensure_conference("icml-2023", "ICML 2023", "Europe/Vienna", None, NOW)
    page = read_upload("/home/me/Downloads/saved_page.html", (PAGES / "saved_page.html").read_bytes())
    assert page.name == "saved_page.html"
    found, token = submit(store, config, page, IntakeRequest(slug="icml-2023"), NOW, today=TODAY)
    assert token is not None
    assert preview_json(found)["reports"] == [report(
        "saved_page.html", "session page", 5, 2023, "url", "Europe/Vienna",
        "conference; times read in America/Los_Angeles (page)")]
    stored = confirm(store, config, token, NOW)
    assert stored.report.summary() == "icml-2023: 5 new, 0 changed, 0 unchanged, 0 removed talks"
    assert stored.said == "the conference's year is now 2023 (from saved_page.html, url)"
    conf = store.get_conference("icml-2023")
    assert (conf.year, conf.timezone) == (2023, "Europe/Vienna")
    first = store.load_snapshot("icml-2023").sessions[0].talks[0]
    assert first.start.isoformat() == "2023-07-25T19:30:00+02:00"  # 10:30 PDT shown in Vienna
    assert first.url is None or first.url.startswith("https://icml.cc/")


def test_upload_a_published_data_file(tmp_path: Path) -> None:
    config = make_config(f"sqlite:///{tmp_path / 'c.db'}")
    store = Store(config.database_url)
    store.migrate()
    raw = (FIXTURES / "data" / "icil-2026-orals-posters.json").read_bytes()
    found, token = submit(store, config, read_upload("icil-2026-orals-posters.json", raw),
                          IntakeRequest(slug="icil-data", name="ICIL from data", timezone="America/Los_Angeles"), NOW)
    shown = preview_json(found, token)
    assert token is not None
    assert shown["reports"] == [report("icil-2026-orals-posters.json", "orals-posters data", 11, 2026, "data",
                                       "America/Los_Angeles", "option")]
    assert [w["message"].split(":")[0] for w in shown["warnings"]][:1] == ["3 of 13 records skipped"]
    stored = confirm(store, config, token, NOW)
    assert stored.report.summary() == "icil-data: 11 new, 0 changed, 0 unchanged, 0 removed talks"
    assert sum(len(s.talks) for s in store.load_snapshot("icil-data").sessions) == 11


def test_a_whole_conference_preview_lists_its_first_events_only(tmp_path: Path) -> None:
    config = make_config(f"sqlite:///{tmp_path / 'c.db'}")
    store = Store(config.database_url)
    store.migrate()
    records, _ = gen_site_data().generate(900, seed=5)
    raw = json.dumps(gen_site_data().envelope(records, None, count=len(records))).encode()
    found, token = submit(store, config, read_upload("icml-2025-orals-posters.json", raw),
                          IntakeRequest(slug="big", timezone="America/Los_Angeles"), NOW)
    shown = preview_json(found, token)
    assert shown["events"] == expected_talks(records) > PREVIEW_TALKS
    listed = [t for s in shown["sessions"] for t in s["talks"]]
    assert len(listed) == PREVIEW_TALKS and len(shown["sessions"]) <= PREVIEW_SESSIONS
    assert all("abstract" not in t for t in listed) and all("abstract" not in s for s in shown["sessions"])
    assert sum(s["talks_count"] for s in shown["sessions"]) >= PREVIEW_TALKS
    assert confirm(store, config, token or "", NOW).report.summary().startswith(f"big: {expected_talks(records)} new")


def test_uploaded_bytes_are_decoded_like_every_page() -> None:
    text = (PAGES / "icml_basic.txt").read_text(encoding="utf-8")
    for raw in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        assert read_upload("page.txt", raw).text == text


# -- URLs -------------------------------------------------------------------------


def serve_page(server: HTTPServer, path: str, name: str = "icml_basic.txt") -> str:
    server.expect_request(path).respond_with_data(
        (PAGES / name).read_text(encoding="utf-8"), content_type="text/plain; charset=utf-8", headers={"ETag": '"v1"'})
    return f"http://127.0.0.1:{server.port}{path}"


def test_url_of_a_listed_local_server_is_fetched_and_becomes_a_source(httpserver: HTTPServer, tmp_path: Path) -> None:
    url = serve_page(httpserver, "/virtual/2023/session/77")
    config = make_config(f"sqlite:///{tmp_path / 'c.db'}", f"127.0.0.1:{httpserver.port}")
    store = Store(config.database_url)
    store.migrate()
    page = read_url(url, config)
    assert (page.name, page.url, page.etag) == (url, url, '"v1"')
    found, token = submit(store, config, page, IntakeRequest(slug="icml-2023"), NOW, today=TODAY)
    assert preview_json(found, token)["reports"] == [report(url, "session page", 6, 2023, "url", "America/Los_Angeles", "page")]
    assert token is not None
    confirm(store, config, token, NOW)
    (source,) = store.list_sources("icml-2023")
    assert (source.url, source.etag, source.talks, source.last_success) == (url, '"v1"', 6, NOW)
    assert store.get_conference("icml-2023").year == 2023
    # the refresher takes it from there: a conditional GET, nothing changed
    outcomes = refresh_conference(store, config, "icml-2023", NOW + timedelta(hours=1))
    assert [(o.url, o.status) for o in outcomes] == [(url, "unchanged")]
    assert httpserver.log[-1][0].headers.get("If-None-Match") == '"v1"'


def test_a_private_address_is_never_allowed_implicitly(httpserver: HTTPServer, tmp_path: Path) -> None:
    url = serve_page(httpserver, "/virtual/2023/session/77")
    config = make_config(f"sqlite:///{tmp_path / 'c.db'}")  # 127.0.0.1:<port> not listed
    store = Store(config.database_url)
    store.migrate()
    with pytest.raises(FetchRefused) as caught:
        read_url(url, config)
    assert caught.value.status == 403 and "loopback" in caught.value.message
    assert len(httpserver.log) == 0  # refused before connecting
    assert store.list_conferences() == [] and drafts(store) == 0


def test_home_url_reads_the_whole_programme_from_the_site_data(httpserver: HTTPServer, tmp_path: Path) -> None:
    records, abstracts = gen_site_data().generate(60, seed=3)
    site = DataSite(httpserver, records, abstracts)
    config = make_config(f"sqlite:///{tmp_path / 'c.db'}", f"127.0.0.1:{httpserver.port}")
    store = Store(config.database_url)
    store.migrate()
    with pytest.raises(Exception, match="pass --site NAME"):
        read_url(site.home, config)
    page = read_url(site.home, config, site="icml")
    assert page.name == site.data_url
    found, token = submit(store, config, page, IntakeRequest(slug="icml-2025", site="icml"), NOW)
    assert token is not None and found.events == expected_talks(records)
    assert found.reports[0].kind == "orals-posters data"
    confirm(store, config, token, NOW)
    assert [s.url for s in store.list_sources("icml-2025")] == [site.data_url]
    assert sum(len(s.talks) for s in store.load_snapshot("icml-2025").sessions) == expected_talks(records)


# -- drafts, rate limit -----------------------------------------------------------------


def test_a_draft_expires_and_is_read_again_in_the_conference_context(tmp_path: Path) -> None:
    config = make_config(f"sqlite:///{tmp_path / 'c.db'}")
    store = Store(config.database_url)
    store.migrate()
    page = read_paste((PAGES / "no_zone.txt").read_text(encoding="utf-8"))
    store.ensure_conference("gnn", "GNN", "Europe/Vienna", 2023, NOW)
    _, token = submit(store, config, page, IntakeRequest(slug="gnn"), NOW, today=TODAY)
    assert token is not None
    # an organiser moves the conference to another zone before the confirmation: the page is read in it
    store.update_conference("gnn", NOW, timezone="Asia/Tokyo")
    assert draft_preview(store, config, token, NOW).reports[0].timezone == "Asia/Tokyo"
    with pytest.raises(NotFound):
        confirm(store, config, token, NOW + timedelta(hours=2))
    assert store.load_snapshot("gnn").sessions == ()
    with pytest.raises(ParseError):  # and a draft whose page no longer reads stores nothing
        _, other = submit(store, config, page, IntakeRequest(slug="gnn"), NOW, today=TODAY)
        store.update_conference("gnn", NOW, year=2031)  # Thu 20 July is no Thursday in 2031
        confirm(store, config, other or "", NOW)
    assert store.load_snapshot("gnn").sessions == ()


def test_submissions_are_rate_limited_per_address_across_instances(tmp_path: Path) -> None:
    config = make_config(f"sqlite:///{tmp_path / 'c.db'}", intakes_per_hour=2)
    one, two = Store(config.database_url), Store(config.database_url)  # two workers, one database
    one.migrate()
    check_rate(one, config, "10.0.0.1", NOW)
    check_rate(two, config, "10.0.0.1", NOW + timedelta(minutes=1))
    with pytest.raises(TooManyRequests, match="at most 2 an hour") as caught:
        check_rate(one, config, "10.0.0.1", NOW + timedelta(minutes=2))
    assert caught.value.status == 429
    check_rate(two, config, "10.0.0.2", NOW + timedelta(minutes=2))  # another address
    check_rate(one, config, "10.0.0.1", NOW + timedelta(minutes=61))  # an hour later


# -- the web: /add and /api/intake ------------------------------------------------------------

ORGANISER = "organisers-secret-0123456789"


@pytest.fixture
def web(tmp_path: Path, httpserver: HTTPServer):
    from helpers import make_test_config

    from calsync.web import create_app

    config = make_test_config(tmp_path, admin_token=ORGANISER,
                              fetch=FetchConfig(allow_hosts=(f"127.0.0.1:{httpserver.port}",), retries=0),
                              limits=LimitsConfig(cache_check_seconds=0, intakes_per_hour=4, max_upload_bytes=200_000))
    return create_app(config).test_client()


def test_add_page_paste_preview_confirm_and_kit(web) -> None:
    assert web.get("/add").status_code == 200
    text = (PAGES / "icml_basic.txt").read_text(encoding="utf-8")
    r = web.post("/add", data={"text": text, "conference": "", "slug": "icml-2023", "name": "ICML 2023", "year": "2023"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert '<dd class="report-kind">session page</dd>' in html and '<dd class="report-events">6</dd>' in html
    assert "2023 <span class=\"muted\">(from the option)</span>" in html
    assert "America/Los_Angeles <span class=\"muted\">(from the page)</span>" in html
    assert "Line 51: slot has a time and nothing else" in html
    assert "Spectral Whitening Heads for Contrastive Pretraining on Tabular Streams" in html
    assert web.get("/conferences/icml-2023.ics").status_code == 404  # nothing stored yet
    action = re.search(r'action="(/add/[A-Za-z0-9_-]+/confirm)"', html)
    assert action
    r = web.post(action.group(1))
    done = r.get_data(as_text=True)
    assert r.status_code == 201 and "6 new, 0 changed" in done and "/conferences/icml-2023.ics" in done
    feed = web.get("/conferences/icml-2023.ics?view=talks")
    assert feed.status_code == 200 and feed.data.count(b"BEGIN:VEVENT") == 6
    assert web.post(action.group(1)).status_code == 404  # confirmed once


def test_add_page_errors_keep_what_was_typed(web) -> None:
    r = web.post("/add", data={"text": "Some page", "url": "https://icml.cc/x", "slug": "x"})
    assert r.status_code == 400 and "give the page one way" in r.get_data(as_text=True)
    assert 'value="https://icml.cc/x"' in r.get_data(as_text=True)
    r = web.post("/add", data={"text": "Some page"})
    assert r.status_code == 400 and "choose a conference" in r.get_data(as_text=True)
    assert ">Some page</textarea>" in r.get_data(as_text=True)
    r = web.post("/add", data={"text": (PAGES / "bad_time.txt").read_text(encoding="utf-8"), "slug": "bad"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Line 27: no such date: 32 July 2023" in html and "<mark>   27  Thu 32 July" in html
    assert "/confirm" not in html


def test_api_intake_upload_url_and_problem(web, httpserver: HTTPServer) -> None:
    raw = (PAGES / "saved_page.html").read_bytes()
    r = web.post("/api/intake", data={"conference": "icml-2023", "file": (io.BytesIO(raw), "saved_page.html")},
                 content_type="multipart/form-data")
    body = r.get_json()
    assert r.status_code == 200, body
    assert body["reports"] == [report("saved_page.html", "session page", 5, 2023, "url", "America/Los_Angeles", "page")]
    assert body["confirm_url"].endswith(f"/api/intake/{body['draft']}/confirm")
    r = web.post(f"/api/intake/{body['draft']}/confirm")
    done = r.get_json()
    assert r.status_code == 201 and done["import"]["created"] == 5 and done["conference"]["year"] == 2023
    assert done["kit"]["url"].endswith("/conferences/icml-2023.ics") and "qr" not in done["kit"]

    url = serve_page(httpserver, "/virtual/2023/session/5", "icml_session_room.txt")
    r = web.post("/api/intake", json={"url": url, "conference": "icml-2023"})
    assert r.status_code == 200 and r.get_json()["reports"][0]["year_origin"] == "url"
    assert web.post(f"/api/intake/{r.get_json()['draft']}/confirm").status_code == 201
    assert [s["url"] for s in web.get("/api/admin/conferences", headers={"Authorization": f"Bearer {ORGANISER}"})
            .get_json()["conferences"][1]["sources"]] == [url]

    r = web.post("/api/intake", json={"text": (PAGES / "bad_time.txt").read_text(encoding="utf-8"), "conference": "bad"})
    body = r.get_json()
    assert r.status_code == 422 and body["status"] == 422 and body["draft"] is None and "confirm_url" not in body
    assert (body["problem"]["line"], body["error"]) == (27, "pasted text:27: no such date: 32 July 2023: 'Thu 32 July 7:30 - 7:35 PDT'")

    r = web.post("/api/intake", json={"url": "http://127.0.0.1:9/virtual/2023/session/1", "conference": "x"})
    assert r.status_code == 403 and "loopback" in r.get_json()["error"]
    r = web.post("/api/intake", json={"text": "x" * 300_000, "conference": "x"})
    assert r.status_code == 400 and "at most 200,000 bytes" in r.get_json()["error"]
    assert web.post("/api/intake", data="[1]", content_type="application/json").status_code == 400
    assert [c["slug"] for c in web.get("/api/conferences").get_json()["conferences"]] == ["icil-2026", "icml-2023"]


def test_web_messages_name_the_forms_options_not_the_commands(web, httpserver: HTTPServer) -> None:
    r = web.post("/api/intake", json={"text": (PAGES / "icml_basic.txt").read_text(encoding="utf-8"), "conference": "x"})
    (warning,) = [w for w in r.get_json()["warnings"] if w["line"] == 11]
    assert warning["message"].endswith("set the conference's year, or give the year or the page's address to be sure")
    r = web.post("/api/intake", json={"text": (PAGES / "no_zone.txt").read_text(encoding="utf-8"), "conference": "x", "year": 2023})
    assert r.status_code == 422 and "--" not in r.get_json()["error"] and "give the time zone" in r.get_json()["error"]
    home = f"http://127.0.0.1:{httpserver.port}/virtual/2025/"
    r = web.post("/api/intake", json={"url": home, "conference": "x"})
    assert r.status_code == 400 and "give the site's name (e.g. icml)" in r.get_json()["error"]


def test_web_a_page_replacing_sessions_needs_an_organiser(web) -> None:
    page = {"text": (PAGES / "icml_basic.txt").read_text(encoding="utf-8"), "conference": "icml-2023", "year": 2023}
    r = web.post("/api/intake", json=page)
    assert web.post(f"/api/intake/{r.get_json()['draft']}/confirm").status_code == 201
    r = web.post("/api/intake", json=page)
    body = r.get_json()
    assert r.status_code == 403 and body["draft"] is None and body["replaces"] == ["Sparse Models and Compression 3"]
    assert body["error"].startswith("1 session of this page is in icml-2023 already")
    r = web.post("/add", data=page)
    assert r.status_code == 403 and "only its organisers can replace them" in r.get_data(as_text=True)
    assert "/confirm" not in r.get_data(as_text=True)
    organiser = {"Authorization": f"Bearer {ORGANISER}"}
    r = web.post("/api/intake", json=page, headers=organiser)
    assert r.status_code == 200 and r.get_json()["replaces"] == ["Sparse Models and Compression 3"]
    assert web.post(f"/api/intake/{r.get_json()['draft']}/confirm").status_code == 403
    r = web.post(f"/api/intake/{r.get_json()['draft']}/confirm", headers=organiser)
    assert r.status_code == 201 and r.get_json()["import"]["unchanged"] == 6


def test_web_submissions_are_rate_limited_but_not_an_organisers(web) -> None:
    page = {"text": (PAGES / "icml_basic.txt").read_text(encoding="utf-8"), "conference": "x", "year": 2023}
    answers = [web.post("/api/intake", json=page).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    assert web.post("/add", data=page).status_code == 429
    r = web.post("/api/intake", json=page, headers={"Authorization": f"Bearer {ORGANISER}"})
    assert r.status_code == 200
