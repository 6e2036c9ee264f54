"""Whole conferences from the sites' published data (calsync.sites) against a real HTTP server on
127.0.0.1: home URL → data URL, `next` pages, the companion abstracts, conditional GET, a configured
home URL source. The whole path — `calsync import <home URL> --site` of 2,000 records, the pages and
feeds, re-import, refresh — is tests/system/test_site_import.py."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    SITE_ABSTRACTS_PATH,
    SITE_DATA_NAME,
    SITE_DATA_PATH,
    DataSite,
    expected_talks,
    gen_site_data,
    make_test_config,
)
from pytest_httpserver import HTTPServer

from calsync.config import ConferenceConfig, FetchConfig
from calsync.errors import ConfigError, ParseError
from calsync.fetch import FetchError, FetchPolicy, FetchRefused
from calsync.refresh import refresh_conference
from calsync.sites import data_url, fetch_source, is_home_url, site_name, with_sibling_abstracts
from calsync.store import Store

gen = gen_site_data()
NAME, DATA_PATH, ABSTRACTS_PATH = SITE_DATA_NAME, SITE_DATA_PATH, SITE_ABSTRACTS_PATH
T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)


def policy(server: HTTPServer, **kw: Any) -> FetchPolicy:
    return FetchPolicy(allow_hosts=frozenset({f"127.0.0.1:{server.port}"}), retries=0, read_timeout=5, **kw)


@pytest.fixture
def small(httpserver: HTTPServer) -> DataSite:
    records, abstracts = gen.generate(30, seed=3)
    return DataSite(httpserver, records, abstracts)


# -- pure helpers ------------------------------------------------------------------


def test_home_urls_and_data_urls() -> None:
    assert is_home_url("https://icml.cc/virtual/2025") and is_home_url("https://iclr.cc/virtual/2026/index.html")
    assert not is_home_url("https://icml.cc/virtual/2025/calendar")
    assert data_url("https://www.nips.cc/virtual/2024/") == "https://www.nips.cc/static/virtual/data/neurips-2024-orals-posters.json"
    assert data_url("https://mlsys.org/virtual/2026/index.html") == "https://mlsys.org/static/virtual/data/mlsys-2026-orals-posters.json"
    assert data_url("http://mirror.example.org:8080/virtual/2025/", site="icml").endswith(":8080/static/virtual/data/icml-2025-orals-posters.json")
    assert site_name("https://cvpr.thecvf.com/virtual/2025/") == "cvpr"
    for host in ("http://127.0.0.1:9/virtual/2025/", "http://localhost:9/virtual/2025/", "http://[::1]:9/virtual/2025/"):
        with pytest.raises(ConfigError, match="pass --site"):
            data_url(host)
    with pytest.raises(ConfigError, match="not a conference home URL"):
        data_url("https://icml.cc/virtual/2025/session/1")


def test_sibling_abstracts_of_a_file(tmp_path: Path) -> None:
    records, abstracts = gen.generate(10, seed=5)
    path = tmp_path / "icml-2025-orals-posters.json"
    text = json.dumps(gen.envelope(records))
    assert with_sibling_abstracts(path, text) == text  # no sibling yet
    (tmp_path / "icml-2025-abstracts.json").write_text(json.dumps(abstracts), encoding="utf-8")
    filled = json.loads(with_sibling_abstracts(path, text))
    assert [r["abstract"] for r in filled["results"]] == [abstracts[str(r["id"])] for r in records]
    assert with_sibling_abstracts(tmp_path / "schedule.json", text) == text  # other names: unchanged
    (tmp_path / "icml-2025-abstracts.json").write_text("[1, 2]", encoding="utf-8")
    assert with_sibling_abstracts(path, text) == text  # a malformed sibling is ignored


# -- fetching ------------------------------------------------------------------------


def test_home_url_follows_every_next_page_and_fills_abstracts(small: DataSite) -> None:
    result = fetch_source(small.home, policy(small.server), site="icml")
    assert result.status == 200 and result.url == small.data_url and result.etag == small.etag
    data = json.loads(result.text or "")
    assert (data["count"], data["next"]) == (30, None)
    assert [r["id"] for r in data["results"]] == [r["id"] for r in small.records]
    assert all(r["abstract"] == small.abstracts[str(r["id"])] for r in data["results"])
    assert [path for path, _ in small.requests] == [
        DATA_PATH, f"{DATA_PATH}?page=2", f"{DATA_PATH}?page=3", ABSTRACTS_PATH,
    ]
    assert all(h["User-Agent"].startswith("calsync/") for _, h in small.requests)


def test_conditional_get_on_the_first_page(small: DataSite) -> None:
    first = fetch_source(small.data_url, policy(small.server))
    small.requests.clear()
    again = fetch_source(small.data_url, policy(small.server), etag=first.etag)
    assert (again.status, again.text) == (304, None)
    assert len(small.requests) == 1 and small.requests[0][1]["If-None-Match"] == first.etag


def test_abstracts_file_missing_is_none_but_a_failing_one_fails(small: DataSite, caplog: pytest.LogCaptureFixture) -> None:
    small.abstracts_status = 404
    with caplog.at_level(logging.INFO, logger="calsync.sites"):
        data = json.loads(fetch_source(small.data_url, policy(small.server)).text or "")
    assert all(r["abstract"] == "" for r in data["results"])
    assert "no companion abstracts at" in caplog.text and "HTTP 404" in caplog.text
    small.abstracts_status = 503
    with pytest.raises(FetchError, match="abstracts.json: HTTP 503"):
        fetch_source(small.data_url, policy(small.server))


def test_next_loops_and_runaway_paging_are_errors(small: DataSite) -> None:
    small.next_of[3] = f"{NAME}?page=2"
    with pytest.raises(ParseError, match="points back to .*page=2 as its next page"):
        fetch_source(small.data_url, policy(small.server))
    small.next_of.clear()
    with pytest.raises(ParseError, match="more than 2 pages"):
        fetch_source(small.data_url, policy(small.server), max_pages=2)


def test_a_page_that_is_not_data_comes_back_as_fetched(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/virtual/2025/session/1").respond_with_data("Session\nDeep Nets", content_type="text/plain")
    result = fetch_source(f"http://127.0.0.1:{httpserver.port}/virtual/2025/session/1", policy(httpserver))
    assert result.text == "Session\nDeep Nets"


def test_data_pages_may_exceed_the_page_cap_up_to_the_data_cap(small: DataSite) -> None:
    with pytest.raises(FetchError, match="larger than 2000 bytes"):
        fetch_source(small.data_url, policy(small.server, max_bytes=2000))
    assert fetch_source(small.data_url, policy(small.server, max_bytes=2000), max_data_bytes=5_000_000).status == 200


def test_the_guard_still_applies(small: DataSite) -> None:
    with pytest.raises(FetchRefused, match="not in the allow-list"):
        fetch_source(small.home, FetchPolicy(allow_hosts=frozenset({"icml.cc"})), site="icml")
    assert small.requests == []


def test_a_configured_home_url_source_refreshes_with_the_site_setting(tmp_path: Path, small: DataSite) -> None:
    conf = ConferenceConfig(slug="icml-2025", name="ICML 2025", timezone="America/Vancouver", year=2025,
                            sources=(small.home,), site="icml")
    config = make_test_config(tmp_path, sample=False, conferences=(conf,),
                              fetch=FetchConfig(allow_hosts=(f"127.0.0.1:{small.server.port}",), retries=0))
    store = Store(config.database_url)
    store.migrate()
    store.ensure_conference("icml-2025", "ICML 2025", "America/Vancouver", 2025, T0, conf.sources)
    (outcome,) = refresh_conference(store, config, "icml-2025", T0)
    assert outcome.status == "updated" and outcome.talks == expected_talks(small.records), outcome
    assert small.requests[0][0] == DATA_PATH
    sessions = store.load_snapshot("icml-2025").sessions
    assert {s.timezone for s in sessions} == {"America/Vancouver"}  # the conference's zone, not a guess
    without_site = replace(config, conferences=(replace(conf, site=None),))
    (outcome,) = refresh_conference(store, without_site, "icml-2025", T0)
    assert outcome.status == "failed" and "pass --site" in outcome.message
