"""Pages and JSON answers are cached per data version and URL, and gzipped once per version.

The programme conference of tests/test_web_programme.py in a real SQLite store, read with
Flask's test client: each answer compressed for a client that accepts gzip (the same bytes
once decompressed, its own ETag, ``Vary: Accept-Encoding``), a 304 for its ETag, made once
per data version (a second request does not render again), and new after an import.
"""

from __future__ import annotations

import gzip
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from helpers import make_test_config
from test_web_programme import SLUG, ZONE, make_schedule

from calsync.model import Schedule
from calsync.web import create_app

PATHS = [
    f"/conferences/{SLUG}",
    f"/conferences/{SLUG}?q=sparse",
    f"/conferences/{SLUG}/programme?day=2030-06-04",
    f"/api/conferences/{SLUG}/talks",
    f"/api/conferences/{SLUG}/talks?q=graphs",
    f"/api/conferences/{SLUG}/sessions",
]


@pytest.fixture
def conf_app(tmp_path):
    app = create_app(make_test_config(tmp_path))
    store = app.extensions["calsync"].store
    store.ensure_conference(SLUG, "Conf 2030", str(ZONE), 2030, datetime.now(UTC))
    store.import_schedule(SLUG, make_schedule(), datetime.now(UTC))
    return app


@pytest.fixture
def conf(conf_app):
    return conf_app.test_client()


@pytest.mark.parametrize("path", PATHS)
def test_gzipped_for_clients_that_ask_with_its_own_etag(conf, path):
    plain = conf.get(path, headers={"Accept-Encoding": "identity"})
    packed = conf.get(path, headers={"Accept-Encoding": "gzip, deflate"})
    assert plain.status_code == packed.status_code == 200
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data)
    assert plain.headers["Vary"] == packed.headers["Vary"] == "Accept-Encoding"
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert packed.content_type == plain.content_type
    again = conf.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    # the plain form's ETag does not validate the gzipped one
    other = conf.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]})
    assert other.status_code == 200


def test_an_answer_is_made_once_per_data_version(conf_app, conf):
    service = conf_app.extensions["calsync"].service
    built: list[str] = []
    original = service._build

    def counting(key, tag, build):
        built.append(key[0])
        return original(key, tag, build)

    service._build = counting
    first = conf.get(f"/api/conferences/{SLUG}/talks?q=sparse")
    assert built.count("api-talks") == 1
    second = conf.get(f"/api/conferences/{SLUG}/talks?q=sparse")
    assert second.data == first.data and built.count("api-talks") == 1
    page = conf.get(f"/conferences/{SLUG}/programme?day=2030-06-04")
    conf.get(f"/conferences/{SLUG}/programme?day=2030-06-04")
    assert built.count("programme") == 1 and page.status_code == 200

    # new data: a new version, a new answer (nothing stale)
    store = conf_app.extensions["calsync"].store
    schedule = make_schedule()
    first_session = schedule.sessions[0]
    renamed = replace(first_session, talks=(replace(first_session.talks[0], title="Brand new sparse title"),
                                            *first_session.talks[1:]))
    store.import_schedule(SLUG, Schedule(schedule.timezone, (renamed,)), datetime.now(UTC) + timedelta(seconds=1))
    service.config = replace(service.config, limits=replace(service.config.limits, cache_check_seconds=0))
    third = conf.get(f"/api/conferences/{SLUG}/talks?q=sparse")
    assert built.count("api-talks") == 2
    assert b"Brand new sparse title" in third.data and b"Brand new sparse title" not in first.data
    assert third.headers["ETag"] != first.headers["ETag"]


def test_a_bad_filter_is_a_400_and_nothing_is_cached(conf):
    answer = conf.get(f"/api/conferences/{SLUG}/talks?day=someday")
    assert answer.status_code == 400
    assert answer.is_json and "day" in answer.get_data(as_text=True)
    page = conf.get(f"/conferences/{SLUG}/sessions/nosuch")
    assert page.status_code == 404
