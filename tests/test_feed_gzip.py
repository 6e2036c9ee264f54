"""Feeds are sent gzip-compressed to clients that ask, with their own ETag and ``Vary``."""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import make_test_config

from calsync.config import FeedConfig
from calsync.web import SAMPLE_SLUG, create_app

FEED = f"/conferences/{SAMPLE_SLUG}.ics?view=talks"
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def client(tmp_path: Path):
    return create_app(make_test_config(tmp_path)).test_client()


def test_a_client_that_accepts_gzip_gets_the_same_bytes_compressed(client) -> None:
    plain = client.get(FEED)
    packed = client.get(FEED, headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert plain.headers["Vary"] == packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) // 3
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert client.get(FEED, headers=GZIP).data == packed.data  # made once per version: the same bytes


def test_conditional_requests_compare_the_validator_of_the_form_sent(client) -> None:
    plain = client.get(FEED)
    packed = client.get(FEED, headers=GZIP)
    again = client.get(FEED, headers={**GZIP, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == packed.headers["ETag"] and again.headers["Vary"] == "Accept-Encoding"
    assert "Content-Encoding" not in again.headers
    # the plain form's validator does not match the gzipped form (a strong ETag names one representation)
    assert client.get(FEED, headers={**GZIP, "If-None-Match": plain.headers["ETag"]}).status_code == 200
    assert client.get(FEED, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_identity_only_and_the_setting_turn_it_off(tmp_path: Path) -> None:
    client = create_app(make_test_config(tmp_path)).test_client()
    assert "Content-Encoding" not in client.get(FEED, headers={"Accept-Encoding": "gzip;q=0, identity"}).headers
    off = create_app(make_test_config(tmp_path, feed=replace(FeedConfig(), gzip=False))).test_client()
    answer = off.get(FEED, headers=GZIP)
    assert answer.status_code == 200 and "Content-Encoding" not in answer.headers
    assert answer.data.startswith(b"BEGIN:VCALENDAR")
