"""The service's feeds over real HTTP (a threaded server on 127.0.0.1) read by icscheck's six
client parsers, with its HTTP checks: conference, session, talk and custom feeds (needs ../shared)."""

from __future__ import annotations

import pytest
import requests
from helpers import run_icscheck

from calsync.web import SAMPLE_SLUG

CONF = f"/conferences/{SAMPLE_SLUG}"

FEED_KINDS = [
    f"{CONF}.ics",
    f"{CONF}.ics?view=talks&alarm=10",
    f"{CONF}.ics?view=both&type=Oral",
]


@pytest.mark.parametrize("path", FEED_KINDS)
def test_icscheck_against_running_server(live_server, path: str) -> None:
    report = run_icscheck(live_server.url + path)
    assert report["result"] == "PASS" and report["failures"] == 0 and report["warnings"] == 0, report["findings"]


def test_icscheck_session_talk_and_custom_feeds(live_server) -> None:
    base = live_server.url
    sessions = requests.get(f"{base}/api{CONF}/sessions", timeout=10).json()["sessions"]
    talk = sessions[0]["talks"][0]
    created = requests.post(f"{base}/api/feeds", json={"name": "Mine", "talk_ids": [talk["id"]], "session_ids": [sessions[2]["id"]]}, timeout=10).json()
    for url in (sessions[0]["ics_url"], sessions[0]["ics_url"] + "?view=both", talk["ics_url"], created["ics_url"]):
        report = run_icscheck(url)
        assert report["result"] == "PASS" and report["failures"] == 0 and report["warnings"] == 0, (url, report["findings"])
