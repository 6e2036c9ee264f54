"""Organisers: the store's operations (SQLite and PostgreSQL), and the pages and API that expose
them — only with the ``admin_token`` setting, a login cookie (HttpOnly, SameSite=Strict) with
CSRF tokens for forms, or the bearer header for the API; without the token they answer 404.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from helpers import PAGES, make_test_config
from pytest_httpserver import HTTPServer

from calsync.bootstrap import SAMPLE_SLUG
from calsync.config import FetchConfig
from calsync.errors import ApiError, NotFound
from calsync.feedspec import FeedSpec
from calsync.parse import PageOptions, parse_page
from calsync.store import Store
from calsync.web import create_app
from calsync.web.admin import COOKIE, SESSION_SECONDS, session_value

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TOKEN = "organisers-secret-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def loaded_store(db_url: str) -> Store:
    store = Store(db_url)
    store.migrate()
    store.ensure_conference("conf-a", "Conference A", "America/Los_Angeles", 2023, NOW)
    text = (PAGES / "icml_session_room.txt").read_text(encoding="utf-8")
    store.import_schedule("conf-a", parse_page(text, PageOptions(year=2023, source="p.txt")), NOW)
    store.add_source("conf-a", "https://icml.cc/virtual/2023/session/1")
    return store


def talk_rows(store: Store, slug: str) -> list[tuple[str, str, int, int]]:
    snap = store.load_snapshot(slug)
    return [(t.id, t.start.isoformat(), snap.revision_of(t.id).sequence, int(t.start.timestamp()))
            for s in snap.sessions for t in s.talks]


# -- the store -----------------------------------------------------------------------


def test_edit_name_year_days_and_zone(db_url: str) -> None:
    store = loaded_store(db_url)
    before = talk_rows(store, "conf-a")
    version = store.get_conference("conf-a").version
    later = NOW + timedelta(hours=1)
    assert store.edit_conference("conf-a", {"name": " Conf  A 2023 ", "year": "", "first_day": "2023-07-19",
                                            "last_day": "2023-07-21"}, later) == "conf-a"
    conf = store.get_conference("conf-a")
    assert (conf.name, conf.year, conf.version) == ("Conf A 2023", None, version + 1)
    assert store.get_days("conf-a") == (date(2023, 7, 19), date(2023, 7, 21))
    assert talk_rows(store, "conf-a") == before  # no zone change: events untouched

    store.edit_conference("conf-a", {"timezone": "Europe/Vienna", "year": 2023}, later)
    after = talk_rows(store, "conf-a")
    assert [r[0] for r in after] == [r[0] for r in before]  # same ids (UIDs)
    assert [r[3] for r in after] == [r[3] for r in before]  # same instants
    assert [r[2] for r in after] == [r[2] + 1 for r in before]  # SEQUENCE + 1
    assert after[0][1] == "2023-07-19T20:30:00+02:00" and before[0][1] == "2023-07-19T11:30:00-07:00"
    assert store.get_conference("conf-a").timezone == "Europe/Vienna"
    store.edit_conference("conf-a", {"first_day": "", "last_day": ""}, later)
    assert store.get_days("conf-a") == (None, None)


@pytest.mark.parametrize(("values", "message"), [
    ({"name": "   "}, "name is empty"),
    ({"year": "20x3"}, "whole number"),
    ({"year": 3000}, "out of range"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"first_day": "2023-07-21", "last_day": "2023-07-19"}, "before the first"),
    ({"first_day": "19.07.2023"}, "YYYY-MM-DD"),
    ({"slug": "Conf A"}, "lower-case"),
    ({"name": "ok", "slug": "conf-b"}, "exists already"),
])
def test_a_bad_edit_changes_nothing(tmp_path: Path, values: dict, message: str) -> None:
    store = loaded_store(f"sqlite:///{tmp_path / 's.db'}")
    store.ensure_conference("conf-b", "B", "UTC", None, NOW)
    before = (store.get_conference("conf-a"), store.get_days("conf-a"))
    with pytest.raises(ApiError, match=message):
        store.edit_conference("conf-a", values, NOW + timedelta(hours=1))
    assert (store.get_conference("conf-a"), store.get_days("conf-a")) == before


def test_a_new_slug_moves_everything(db_url: str) -> None:
    store = loaded_store(db_url)
    store.edit_conference("conf-a", {"first_day": "2023-07-19"}, NOW)
    spec = FeedSpec(name="mine", conference="conf-a", talk_ids=(talk_rows(store, "conf-a")[0][0],))
    feed, _ = store.create_feed(spec, NOW)
    talk_id = talk_rows(store, "conf-a")[0][0]
    history = store.talk_history("conf-a", talk_id)
    before = talk_rows(store, "conf-a")
    assert store.edit_conference("conf-a", {"slug": "icml-2023"}, NOW + timedelta(hours=1)) == "icml-2023"
    assert store.find_conference("conf-a") is None
    assert talk_rows(store, "icml-2023") == before
    assert store.talk_history("icml-2023", talk_id) == history and store.talk_history("conf-a", talk_id) == []
    assert [s.url for s in store.list_sources("icml-2023")] == ["https://icml.cc/virtual/2023/session/1"]
    assert store.list_sources("conf-a") == []
    assert store.get_days("icml-2023") == (date(2023, 7, 19), date(2023, 7, 19))
    assert store.get_feed(feed.token).spec.conference == "icml-2023"


def test_delete_a_conference_and_its_feeds(db_url: str) -> None:
    store = loaded_store(db_url)
    feed, _ = store.create_feed(FeedSpec(name="mine", conference="conf-a", talk_ids=(talk_rows(store, "conf-a")[0][0],)), NOW)
    deleted = store.delete_conference("conf-a")
    assert (deleted.sessions, deleted.talks, deleted.feeds, deleted.sources) == (1, 7, 1, 1)
    assert store.list_conferences() == [] and store.list_sources() == []
    with pytest.raises(NotFound):
        store.get_feed(feed.token)
    with pytest.raises(NotFound):
        store.delete_conference("conf-a")


def test_sources_added_checked_and_removed(db_url: str) -> None:
    store = loaded_store(db_url)
    assert store.add_conference_source("conf-a", " https://icml.cc/virtual/2023/session/2 ") == \
        "https://icml.cc/virtual/2023/session/2"
    for bad in ("ftp://icml.cc/x", "https://user:pw@icml.cc/x", "https:///nohost", "javascript:alert(1)", 42):
        with pytest.raises(ApiError):
            store.add_conference_source("conf-a", bad)
    with pytest.raises(NotFound):
        store.add_conference_source("nope", "https://icml.cc/")
    store.remove_source("conf-a", "https://icml.cc/virtual/2023/session/1")
    assert [s.url for s in store.list_sources("conf-a")] == ["https://icml.cc/virtual/2023/session/2"]
    with pytest.raises(NotFound):
        store.remove_source("conf-a", "https://icml.cc/virtual/2023/session/1")
    assert len(store.load_snapshot("conf-a").sessions) == 1  # its talks stay


# -- the web: without the token nothing exists --------------------------------------------------

ADMIN_REQUESTS = [
    ("get", "/admin", {}), ("get", "/admin/login", {}), ("post", "/admin/login", {"data": {"token": "x"}}),
    ("get", "/admin/conferences/icil-2026", {}), ("post", "/admin/conferences/icil-2026/delete", {"data": {}}),
    ("post", "/admin/sample/remove", {"data": {}}), ("get", "/api/admin/conferences", {}),
    ("patch", "/api/admin/conferences/icil-2026", {"json": {"name": "x"}}),
    ("delete", "/api/admin/conferences/icil-2026", {}), ("post", "/api/admin/conferences/icil-2026/refresh", {}),
    ("delete", "/api/admin/sample", {}),
]


def unknown_path_answer(client, method: str, path: str) -> tuple[int, bytes]:
    probe = path.replace("admin", "nothing-here", 1)
    r = getattr(client, method)(probe)
    return r.status_code, r.data.replace(b"nothing-here", b"admin")


def test_without_the_setting_the_organisers_paths_do_not_exist(tmp_path: Path) -> None:
    client = create_app(make_test_config(tmp_path)).test_client()
    for method, path, kw in ADMIN_REQUESTS:
        for headers in ({}, BEARER, {"Authorization": "Bearer "}):
            r = getattr(client, method)(path, headers=headers, **kw)
            assert (r.status_code, r.data) == unknown_path_answer(client, method, path), (method, path)
    assert client.get("/conferences/icil-2026.ics").status_code == 200  # nothing was deleted


@pytest.fixture
def organised(tmp_path: Path):
    app = create_app(replace(make_test_config(tmp_path), admin_token=TOKEN))
    return app, app.test_client()


def test_with_the_setting_but_without_the_token_only_the_login_form_exists(organised) -> None:
    _, client = organised
    for method, path, kw in ADMIN_REQUESTS:
        if path == "/admin/login":
            continue
        for headers in ({}, {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": f"Basic {TOKEN}"}):
            r = getattr(client, method)(path, headers=headers, **kw)
            assert r.status_code == 404, (method, path, headers)
    r = client.get("/admin/login")
    assert r.status_code == 200 and b'name="token"' in r.data
    assert client.get("/api/conferences").get_json()["conferences"][0]["slug"] == SAMPLE_SLUG


# -- the API with the bearer token ----------------------------------------------------------------


def test_api_edit_sources_refresh_delete_and_the_sample(organised, httpserver: HTTPServer, tmp_path: Path) -> None:
    app, client = organised
    r = client.get("/api/admin/conferences", headers=BEARER)
    assert r.status_code == 200
    (sample,) = r.get_json()["conferences"]
    assert (sample["slug"], sample["first_day"], len(sample["sources"])) == (SAMPLE_SLUG, None, 0)

    r = client.patch(f"/api/admin/conferences/{SAMPLE_SLUG}", headers=BEARER,
                     json={"name": "Invented 2026", "timezone": "Asia/Tokyo", "first_day": "2026-07-13", "last_day": "2026-07-15"})
    assert r.status_code == 200, r.data
    body = r.get_json()
    assert (body["name"], body["timezone"], body["first_day"], body["last_day"]) == (
        "Invented 2026", "Asia/Tokyo", "2026-07-13", "2026-07-15")
    feed = client.get(f"/conferences/{SAMPLE_SLUG}.ics").data.decode()
    assert "X-WR-CALNAME:Invented 2026" in feed and "TZID=Asia/Tokyo" in feed

    r = client.patch(f"/api/admin/conferences/{SAMPLE_SLUG}", headers=BEARER, json={"colour": "red"})
    assert r.status_code == 400 and "unknown field" in r.get_json()["error"]
    r = client.patch(f"/api/admin/conferences/{SAMPLE_SLUG}", headers=BEARER, data="x", content_type="text/plain")
    assert r.status_code == 400

    # a source on a local server the config lists: refreshed now
    url = f"http://127.0.0.1:{httpserver.port}/virtual/2023/session/9"
    httpserver.expect_request("/virtual/2023/session/9").respond_with_data(
        (PAGES / "icml_basic.txt").read_text(encoding="utf-8"), content_type="text/plain")
    store = app.extensions["calsync"].store
    store.ensure_conference("icml-2023", "ICML 2023", "America/Los_Angeles", 2023, NOW)
    services = app.extensions["calsync"]
    services.config = replace(services.config, fetch=FetchConfig(allow_hosts=(f"127.0.0.1:{httpserver.port}",), retries=0))
    r = client.post("/api/admin/conferences/icml-2023/sources", headers=BEARER, json={"url": url})
    assert r.status_code == 201 and [s["url"] for s in r.get_json()["sources"]] == [url]
    assert client.post("/api/admin/conferences/icml-2023/sources", headers=BEARER, json={"url": "file:///etc/passwd"}).status_code == 400
    r = client.post("/api/admin/conferences/icml-2023/refresh", headers=BEARER)
    assert r.status_code == 200
    assert [(o["url"], o["status"], o["talks"]) for o in r.get_json()["outcomes"]] == [(url, "updated", 6)]
    assert len(client.get("/api/conferences/icml-2023/talks").get_json()["talks"]) == 6

    r = client.delete("/api/admin/conferences/icml-2023/sources", headers=BEARER, json={"url": url})
    assert r.status_code == 200 and r.get_json()["sources"] == []
    r = client.patch("/api/admin/conferences/icml-2023", headers=BEARER, json={"slug": "icml23"})
    assert r.status_code == 200 and r.get_json()["ics_url"].endswith("/conferences/icml23.ics")
    assert client.get("/conferences/icml-2023.ics").status_code == 404
    assert client.get("/conferences/icml23.ics").status_code == 200

    r = client.delete("/api/admin/conferences/icml23", headers=BEARER)
    assert r.status_code == 200 and r.get_json()["deleted"]["talks"] == 6
    assert client.get("/conferences/icml23.ics").status_code == 404

    r = client.delete("/api/admin/sample", headers=BEARER)
    assert r.status_code == 200 and r.get_json()["deleted"]["slug"] == SAMPLE_SLUG
    assert client.get("/api/conferences").get_json() == {"conferences": []}
    assert store.sample_removed()
    assert client.delete("/api/admin/sample", headers=BEARER).status_code == 404
    # a restart on the same (now empty) database does not bring the sample back
    again = create_app(replace(make_test_config(tmp_path), admin_token=TOKEN))
    assert again.test_client().get("/api/conferences").get_json() == {"conferences": []}


# -- the pages with the login cookie ----------------------------------------------------------------


def csrf_of(html: bytes) -> str:
    found = re.search(rb'name="csrf" value="([0-9a-f]{64})"', html)
    assert found, html[:2000]
    return found.group(1).decode()


def test_login_cookie_csrf_and_form_actions(organised) -> None:
    app, client = organised
    r = client.post("/admin/login", data={"token": "wrong-token-wrong-token"})
    assert r.status_code == 401 and b"not the organisers&#39; token" in r.data and "Set-Cookie" not in r.headers
    r = client.post("/admin/login", data={"token": TOKEN})
    assert r.status_code == 303 and r.headers["Location"].endswith("/admin?done=logged-in")
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert f"Max-Age={SESSION_SECONDS}" in cookie and TOKEN not in cookie

    r = client.get("/admin?done=logged-in")
    assert r.status_code == 200 and b"Logged in." in r.data and r.headers["Cache-Control"] == "no-store"
    csrf = csrf_of(r.data)
    page = client.get(f"/admin/conferences/{SAMPLE_SLUG}")
    assert page.status_code == 200 and csrf_of(page.data) == csrf

    # a form post without (or with a wrong) CSRF token changes nothing
    for token in (None, "0" * 64):
        data = {"name": "Hijacked"} | ({"csrf": token} if token else {})
        r = client.post(f"/admin/conferences/{SAMPLE_SLUG}", data=data)
        assert r.status_code == 400 and b"CSRF" in r.data
    assert "Hijacked" not in client.get("/api/conferences").get_data(as_text=True)

    r = client.post(f"/admin/conferences/{SAMPLE_SLUG}", data={"csrf": csrf, "name": "ICIL (renamed)", "slug": SAMPLE_SLUG,
                                                             "year": "2026", "timezone": "Europe/Lisbon",
                                                             "first_day": "", "last_day": ""})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/admin/conferences/{SAMPLE_SLUG}?done=edited")
    assert client.get("/api/conferences").get_json()["conferences"][0]["name"] == "ICIL (renamed)"
    r = client.post(f"/admin/conferences/{SAMPLE_SLUG}", data={"csrf": csrf, "timezone": "Nowhere/City"})
    assert r.status_code == 400 and b"timezone" in r.data

    r = client.post(f"/admin/conferences/{SAMPLE_SLUG}/sources", data={"csrf": csrf, "url": "https://icml.cc/virtual/2026/session/1"})
    assert r.status_code == 303
    assert b"https://icml.cc/virtual/2026/session/1" in client.get(f"/admin/conferences/{SAMPLE_SLUG}").data
    r = client.post(f"/admin/conferences/{SAMPLE_SLUG}/sources/remove", data={"csrf": csrf, "url": "https://icml.cc/virtual/2026/session/1"})
    assert r.status_code == 303

    r = client.post(f"/admin/conferences/{SAMPLE_SLUG}/delete", data={"csrf": csrf, "confirm": "wrong"})
    assert r.status_code == 400 and client.get(f"/conferences/{SAMPLE_SLUG}.ics").status_code == 200
    r = client.post("/admin/sample/remove", data={"csrf": csrf})
    assert r.status_code == 303 and client.get(f"/conferences/{SAMPLE_SLUG}.ics").status_code == 404

    r = client.post("/admin/logout", data={"csrf": csrf})
    assert r.status_code == 303 and f"{COOKIE}=;" in r.headers["Set-Cookie"]
    assert client.get("/admin").status_code == 404


def test_a_cookie_of_another_token_or_an_old_one_is_no_login(organised) -> None:
    app, client = organised
    now = int(time.time())
    good = session_value(TOKEN, now)
    tampered = good[:-1] + ("1" if good.endswith("0") else "0")
    for value in (session_value("another-token-0123456789", now), session_value(TOKEN, now - SESSION_SECONDS - 10),
                  tampered, f"{now + 100}{good[len(str(now)):]}", "garbage", f"{now}."):
        client.set_cookie(COOKIE, value)
        assert client.get("/admin").status_code == 404, value
    client.set_cookie(COOKIE, good)
    assert client.get("/admin").status_code == 200
    # the cookie is no bearer token for the API
    assert client.get("/api/admin/conferences").status_code == 404


def test_logins_are_rate_limited(organised) -> None:
    _, client = organised
    for _ in range(10):
        assert client.post("/admin/login", data={"token": "nope-nope-nope-nope"}).status_code == 401
    r = client.post("/admin/login", data={"token": TOKEN})
    assert r.status_code == 429 and "Set-Cookie" not in r.headers


def test_the_organisers_json_shapes(organised) -> None:
    _, client = organised
    body = client.get("/api/admin/conferences", headers=BEARER).get_json()
    conf = body["conferences"][0]
    assert sorted(conf) == sorted(["slug", "name", "timezone", "year", "ics_url", "page_url", "sessions_url",
                                   "talks_url", "modified", "first_day", "last_day", "sources"])
    assert json.loads(json.dumps(body)) == body


def test_the_days_organisers_give_read_weekday_pages_in_import_and_in_the_browser(tmp_path: Path, cli) -> None:
    from helpers import KINDS, parse_kind

    from calsync.config import Config
    from calsync.intake import IntakeRequest, read_paste, submit

    url = f"sqlite:///{tmp_path / 'days.db'}"
    store = Store(url)
    store.migrate()
    store.ensure_conference("ws", "Workshops", "America/Los_Angeles", 2023, NOW)
    page = KINDS / "workshop_weekday.txt"
    expected = sum(len(s.talks) for s in parse_kind("workshop_weekday.txt").sessions)
    found, token = submit(store, Config(database_url=url), read_paste(page.read_text(encoding="utf-8")),
                          IntakeRequest(slug="ws"), NOW)
    assert token is None and found.problem is not None  # a weekday only: which Saturday?
    store.edit_conference("ws", {"first_day": "2023-12-15", "last_day": "2023-12-16"}, NOW)
    found, token = submit(store, Config(database_url=url), read_paste(page.read_text(encoding="utf-8")),
                          IntakeRequest(slug="ws"), NOW)
    assert token is not None and found.events == expected
    done = cli("import", str(page), "--conference", "ws", env_extra={"CALSYNC_DATABASE_URL": url, "CALSYNC_SAMPLE": "0"})
    assert done.returncode == 0, done.stderr
    assert sum(len(s.talks) for s in store.load_snapshot("ws").sessions) == expected
