"""Speakers in SUMMARY (``Title — A. Author et al.``): the feed parameter and the conference setting."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from helpers import make_test_config
from icalendar import Calendar

from calsync.config import ConferenceConfig
from calsync.store import Store
from calsync.web import SAMPLE_SLUG, create_app

FEED = f"/conferences/{SAMPLE_SLUG}.ics?view=talks"


def _summaries(body: bytes) -> dict[str, str]:
    return {str(e["UID"]): str(e["SUMMARY"]) for e in Calendar.from_ical(body).walk("VEVENT")}


def _talks(config) -> list:
    snap = Store(config.database_url).load_snapshot(SAMPLE_SLUG)
    return [t for s in snap.sessions for t in s.talks if t.authors]


def test_speakers_1_puts_the_first_authors_in_summary(tmp_path: Path) -> None:
    config = make_test_config(tmp_path)
    client = create_app(config).test_client()
    plain, spoken = _summaries(client.get(FEED).data), _summaries(client.get(FEED + "&speakers=1").data)
    assert plain.keys() == spoken.keys()  # the same events, the same UIDs
    talks = _talks(config)
    assert talks
    changed = {uid for uid in plain if plain[uid] != spoken[uid]}
    assert len(changed) == len(talks)
    for uid in changed:
        title, _, speakers = spoken[uid].partition(" — ")
        assert title == plain[uid] and speakers
    assert client.get(FEED + "&speakers=maybe").status_code == 400


def test_the_conference_setting_does_it_for_every_feed_of_the_conference(tmp_path: Path) -> None:
    base = make_test_config(tmp_path)
    plain = _summaries(create_app(base).test_client().get(FEED).data)
    conf = ConferenceConfig(slug=SAMPLE_SLUG, name="ICIL 2026", timezone="Europe/Vienna", speakers=True)
    set_up = replace(base, conferences=(conf,))
    spoken = _summaries(create_app(set_up).test_client().get(FEED).data)
    assert plain.keys() == spoken.keys()
    assert sum(plain[u] != spoken[u] for u in plain) == len(_talks(base))
    assert all(" — " in spoken[u] for u in plain if plain[u] != spoken[u])
